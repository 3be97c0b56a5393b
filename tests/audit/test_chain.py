"""The audit log is append-only and hash-chained: any direct edit or delete in the database is detected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from minzheng.audit import services
from minzheng.audit.models import AuditEntry, AuditHead
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.policy.catalog import ParamSpec, catalog


def _some_entries(n: int = 3) -> list[AuditEntry]:
    return [services.record("test.event", summary=f"第{i}条", detail={"i": i, "amount": "450.00"}) for i in range(n)]


@pytest.mark.django_db
def test_intact_chain_verifies() -> None:
    _some_entries()
    result = services.verify()
    assert result.ok, result.reason
    assert result.checked == AuditEntry.objects.count()


@pytest.mark.django_db
def test_each_entry_links_to_the_previous_hash() -> None:
    a, b = _some_entries(2)
    assert b.prev_hash == a.hash
    assert b.seq == a.seq + 1
    assert len(a.hash) == 64 and a.hash == services.compute_hash(a)


@pytest.mark.django_db
def test_editing_a_row_in_the_database_breaks_verification(capsys: Any) -> None:
    # given
    entries = _some_entries()
    target = entries[1]
    # when: someone edits the row directly in SQL
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET summary = %s WHERE id = %s", ["篡改", target.pk])
    # then
    result = services.verify()
    assert not result.ok
    assert result.first_bad_seq == target.seq
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert f"#{target.seq}" in capsys.readouterr().err


@pytest.mark.django_db
def test_deleting_a_row_is_detected() -> None:
    entries = _some_entries()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    result = services.verify()
    assert not result.ok and result.first_bad_seq == entries[1].seq


@pytest.mark.django_db
def test_deleting_the_newest_row_is_detected() -> None:
    entries = _some_entries()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    assert not services.verify().ok


@pytest.mark.django_db
def test_the_application_refuses_to_change_or_delete_entries() -> None:
    e = _some_entries(1)[0]
    e.summary = "改"
    with pytest.raises(PermissionError):
        e.save()
    with pytest.raises(PermissionError):
        e.delete()


@pytest.mark.django_db
def test_business_writes_are_audited_with_before_and_after(district_admin: Any) -> None:
    # when: a parameter version is added and then its note edited
    catalog.declare(ParamSpec("test.amount", "测试金额", unit="元"))
    p = policy.add_version(key="test.amount", value="800", effective_from=dt.date(2031, 1, 1),
                           source_document="测试文件", actor=district_admin)
    p.note = "更正说明"
    p.save()
    # then
    create = AuditEntry.objects.filter(action="policy.parameter.create", object_id=str(p.pk)).get()
    assert create.after["value"] == "800"
    update = AuditEntry.objects.filter(action="policy.parameter.update", object_id=str(p.pk)).get()
    assert update.before == {"note": ""} and update.after == {"note": "更正说明"}


@pytest.mark.django_db
def test_nothing_younger_than_180_days_is_purged() -> None:
    _some_entries()
    with pytest.raises(services.RetentionError):
        services.purge_before(dates.now() - dt.timedelta(days=179))
    assert services.verify().ok


@pytest.mark.django_db
def test_purge_of_old_entries_keeps_the_rest_verifiable() -> None:
    old = _some_entries(2)
    with connection.cursor() as cur:  # age them
        cur.execute("UPDATE audit_auditentry SET at = %s WHERE seq <= %s",
                    [dates.now() - dt.timedelta(days=400), old[-1].seq])
    # their hashes no longer match after the ageing, so re-chain them to simulate genuinely old entries
    _rechain()
    assert services.verify().ok
    n = services.purge_before(dates.now() - dt.timedelta(days=200))
    assert n >= 2
    assert services.verify().ok
    assert AuditHead.objects.get().base_seq >= old[-1].seq


def _rechain() -> None:
    prev = services.GENESIS
    for e in AuditEntry.objects.order_by("seq"):
        e.prev_hash = prev
        e.hash = services.compute_hash(e)
        AuditEntry.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    AuditHead.objects.filter(id=1).update(hash=prev)
