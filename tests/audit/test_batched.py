"""Entries recorded inside `audit.batched()` are chained at the end of the batch: the same entries, in the same
order, verifiable; an error rolls back the writes and their entries together."""

from __future__ import annotations

import pytest

from minzheng.audit import services
from minzheng.audit.models import AuditEntry, AuditHead
from minzheng.regions.models import Division


@pytest.mark.django_db
def test_a_batch_writes_its_entries_in_order_and_they_verify() -> None:
    before = services.record("test.before", summary="批前")
    with services.batched():
        for i in range(5):
            services.record("test.batched", summary=f"第{i}条", detail={"i": i})
        assert not AuditEntry.objects.filter(action="test.batched").exists()  # written when the batch ends
    after = services.record("test.after", summary="批后")
    batch = list(AuditEntry.objects.filter(action="test.batched").order_by("seq"))
    assert [e.detail["i"] for e in batch] == [0, 1, 2, 3, 4]
    assert [e.seq for e in batch] == list(range(before.seq + 1, before.seq + 6))
    assert batch[0].prev_hash == before.hash and after.prev_hash == batch[-1].hash
    assert all(e.hash == services.compute_hash(e) for e in batch)
    assert [e.at for e in batch] == sorted(e.at for e in batch)
    assert AuditHead.objects.get(id=1).seq == after.seq
    result = services.verify()
    assert result.ok, result.reason


@pytest.mark.django_db
def test_model_writes_inside_a_batch_are_audited_as_before(county: Division) -> None:
    with services.batched():
        d = Division.objects.create(code="350702999999", name="演示村", short_name="演示村", level=county.level, parent=county,
                                    path=f"{county.path}350702999999/", depth=county.depth + 1)
    assert AuditEntry.objects.filter(action="regions.division.create", object_id=str(d.pk)).count() == 1
    assert services.verify().ok


@pytest.mark.django_db
def test_an_error_rolls_back_the_writes_and_their_entries(county: Division) -> None:
    head = AuditHead.objects.get(id=1).seq
    with pytest.raises(RuntimeError), services.batched():
        Division.objects.create(code="350702999998", name="回滚村", short_name="回滚村", level=county.level, parent=county,
                                path=f"{county.path}350702999998/", depth=county.depth + 1)
        services.record("test.batched", summary="不会留下")
        raise RuntimeError("中途出错")
    assert not Division.objects.filter(code="350702999998").exists()
    assert not AuditEntry.objects.filter(action__in=["test.batched", "regions.division.create"],
                                         seq__gt=head).exists()
    assert AuditHead.objects.get(id=1).seq == head
    # and the next entry chains on as if the batch never happened
    services.record("test.after", summary="之后")
    assert services.verify().ok


@pytest.mark.django_db
def test_a_nested_batch_joins_the_outer_one() -> None:
    with services.batched():
        services.record("test.batched", summary="外")
        with services.batched():
            services.record("test.batched", summary="内")
        assert not AuditEntry.objects.filter(action="test.batched").exists()
    assert list(AuditEntry.objects.filter(action="test.batched").order_by("seq").values_list("summary", flat=True)) \
        == ["外", "内"]
