"""Purchased services end to end on the real database: bad input refused with nothing written, the checks find the
planted problems, callbacks, assessment, and a maker-checker payment that lands in the fund ledger."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from minzheng.core import dates
from minzheng.payments.models import FundEntry
from minzheng.purchased import photos, selectors
from minzheng.purchased.models import (
    CallbackOutcome,
    FlagCode,
    MilestoneStatus,
    Provider,
    RecordFlag,
    RecordStatus,
    ServiceOrder,
    ServiceRecord,
)
from minzheng.purchased.services import assessment, callbacks, checks, delivery, payments, providers
from minzheng.purchased.services.payments import _split
from minzheng.registry import services as registry

from .conftest import World, at, photo

pytestmark = pytest.mark.django_db


def visit(w: World, order: Any, day: dt.date, hour: int, minutes: int = 60, seed: int = 1, **kw: Any) -> Any:
    begin = at(day, hour)
    return delivery.record(actor=None, order=order, staff=w.worker, started_at=begin,
                           ended_at=begin + dt.timedelta(minutes=minutes), content="打扫卫生", photo=photo(seed),
                           confirmation="signature", confirmed_by="本人", now=begin + dt.timedelta(hours=3), **kw)


@pytest.mark.parametrize("code, reason", [("91350702MA31HM5X72", "校验位"), ("12345", "18 位"),
                                          ("91350702MA31HM5XI1", "不允许的字符")])
def test_an_invalid_credit_code_is_refused_and_nothing_written(world: World, county: Any, code: str,
                                                                reason: str) -> None:
    before = Provider.objects.count()
    with pytest.raises(ValidationError) as exc:
        providers.register(actor=None, division=county, name="新机构", credit_code=code, kind="enterprise")
    assert "统一社会信用代码" in str(exc.value) and reason in str(exc.value)
    assert Provider.objects.count() == before


def test_a_record_for_an_unassigned_beneficiary_is_refused(world: World, login: Any) -> None:
    # the idle worker (same provider) addresses the order of another worker: it is not theirs
    c = login(world.idle_user)
    resp = c.post(f"/api/purchased/orders/{world.order.pk}/records", data={
        "started_at": "2025-06-20T08:00:00+08:00", "ended_at": "2025-06-20T09:00:00+08:00", "content": "照料"},
        content_type="application/json")
    assert resp.status_code == 404
    assert not ServiceRecord.objects.exists()


def test_the_assigned_worker_records_through_the_api_and_bad_times_are_refused(world: World, login: Any) -> None:
    c = login(world.worker_user)
    url = f"/api/purchased/orders/{world.order.pk}/records"
    body = {"started_at": "2025-06-20T08:00:00+08:00", "ended_at": "2025-06-20T09:00:00+08:00", "content": "照料",
            "confirmation": "signature", "confirmed_by": "本人"}
    assert c.post(url, data=body, content_type="application/json").status_code == 201
    # a duplicate (same person, overlapping time) is refused with a Chinese message, nothing written
    dup = c.post(url, data={**body, "started_at": "2025-06-20T08:30:00+08:00"}, content_type="application/json")
    assert dup.status_code == 422 and "重复" in dup.json()["detail"]
    # outside the contract period / after the late-entry window
    late = c.post(url, data={**body, "started_at": "2025-05-01T08:00:00+08:00",
                             "ended_at": "2025-05-01T09:00:00+08:00"}, content_type="application/json")
    assert late.status_code == 422 and "补录" in late.json()["detail"]
    assert ServiceRecord.objects.count() == 1


def test_a_record_outside_the_contract_period_is_refused(world: World) -> None:
    world.contract.end = dt.date(2025, 6, 10)
    world.contract.save()
    with pytest.raises(ValidationError, match="合同期"):
        visit(world, world.order, dt.date(2025, 6, 15), 9)
    assert not ServiceRecord.objects.exists()


def test_a_one_time_code_confirms_once(world: World, meishan_officer: Any) -> None:
    code = delivery.issue_code(actor=meishan_officer, order=world.order)
    begin = at(dt.date(2025, 6, 20), 8)
    kw = {"actor": None, "order": world.order, "staff": world.worker, "content": "照料", "confirmation": "code",
          "now": begin + dt.timedelta(hours=1)}
    with pytest.raises(ValidationError, match="确认码"):
        delivery.record(started_at=begin, ended_at=begin + dt.timedelta(minutes=50), code="000000" if code != "000000"
                        else "111111", **kw)
    delivery.record(started_at=begin, ended_at=begin + dt.timedelta(minutes=50), code=code, **kw)
    with pytest.raises(ValidationError, match="确认码"):
        delivery.record(started_at=begin - dt.timedelta(hours=2), ended_at=begin - dt.timedelta(minutes=65),
                        code=code, **kw)


def test_the_checks_find_the_planted_problems_once(world: World, meishan_officer: Any) -> None:
    day = dt.date(2025, 6, 16)
    ok = visit(world, world.order, day, 8, seed=1)
    overlap = visit(world, world.order2, day, 8, seed=2)          # same worker, two homes at 8:00
    reused = visit(world, world.order2, day + dt.timedelta(days=1), 14, seed=1)  # photo of `ok` again
    short = visit(world, world.order, day + dt.timedelta(days=2), 9, minutes=20, seed=3)
    registry.record_death(actor=meishan_officer, person=world.person2, death_date=day + dt.timedelta(days=2))
    after = visit(world, world.order2, day + dt.timedelta(days=3), 10, seed=4)
    r = checks.run(month=day, on=dt.date(2025, 6, 20))
    got = {(f.record_id, f.code) for f in RecordFlag.objects.all()}
    assert {(ok.pk, FlagCode.OVERLAP), (overlap.pk, FlagCode.OVERLAP), (reused.pk, FlagCode.REUSED_PHOTO),
            (short.pk, FlagCode.SHORT), (after.pk, FlagCode.AFTER_DEATH)} <= got
    assert (after.pk, FlagCode.AFTER_LEAVING) not in got  # a death is not also reported as moving out
    assert r.total_new == len(got)
    assert checks.run(month=day, on=dt.date(2025, 6, 20)).total_new == 0
    assert ServiceRecord.objects.get(pk=ok.pk).status == RecordStatus.FLAGGED


def test_too_many_visits_in_a_day(world: World, settings: Any) -> None:
    from minzheng.policy import services as policy

    policy.add_version(key="purchased.checks.max_visits_per_day", value=1, effective_from=dt.date(2025, 1, 1),
                       source_document="测试")
    day = dt.date(2025, 6, 17)
    visit(world, world.order, day, 8, seed=5)
    visit(world, world.order2, day, 11, seed=6)
    checks.run(month=day, on=dt.date(2025, 6, 20))
    assert RecordFlag.objects.filter(code=FlagCode.TOO_MANY).count() == 2


def test_photos_lose_their_metadata_and_keep_a_hash_that_survives_resizing() -> None:
    img = Image.open(io.BytesIO(__import__("minzheng.purchased.demo", fromlist=["x"]).photo_bytes(3)))
    exif = Image.Exif()
    exif[0x8825] = {2: (26.0, 38.0, 0.0)}  # GPS latitude
    exif[0x010F] = "PhoneMaker"
    raw = io.BytesIO()
    img.save(raw, format="JPEG", exif=exif)
    assert b"PhoneMaker" in raw.getvalue()
    from django.core.files.uploadedfile import SimpleUploadedFile

    clean, digest = photos.clean(SimpleUploadedFile("a.jpg", raw.getvalue()), max_kb=1024)
    data = clean.read()
    assert b"PhoneMaker" not in data and not Image.open(io.BytesIO(data)).getexif()
    small = io.BytesIO()
    img.resize((80, 60)).save(small, format="JPEG", quality=60)
    _, digest2 = photos.clean(SimpleUploadedFile("b.jpg", small.getvalue()), max_kb=1024)
    assert photos.distance(digest, digest2) <= 4
    _, other = photos.clean(SimpleUploadedFile("c.jpg", __import__("minzheng.purchased.demo", fromlist=["x"])
                                               .photo_bytes(4)), max_kb=1024)
    assert photos.distance(digest, other) > 8
    with pytest.raises(ValidationError, match="无法识别"):
        photos.clean(SimpleUploadedFile("d.jpg", b"not an image"), max_kb=1024)


def test_a_callback_sample_is_reproducible_from_its_seed(world: World, meishan: Any, meishan_officer: Any) -> None:
    visit(world, world.order, dt.date(2025, 5, 6), 9, seed=7)
    visit(world, world.order2, dt.date(2025, 5, 6), 11, seed=8)
    s = callbacks.draw(actor=meishan_officer, township=meishan, month=dt.date(2025, 5, 1))
    ids = sorted(s.items.values_list("order_id", flat=True))
    assert s.population == 2 and ids == callbacks.redraw(callbacks.population(meishan, s.month), len(ids), s.seed)
    with pytest.raises(ValidationError, match="已抽样"):
        callbacks.draw(actor=meishan_officer, township=meishan, month=dt.date(2025, 5, 1))
    item = s.items.first()
    assert item is not None
    with pytest.raises(ValidationError, match="写明"):
        callbacks.record_outcome(actor=meishan_officer, item=item, outcome=CallbackOutcome.NOT_DELIVERED)
    callbacks.record_outcome(actor=meishan_officer, item=item, outcome=CallbackOutcome.SATISFIED)


def _deliver_two_months(w: World) -> None:
    for day in (dt.date(2025, 4, 3), dt.date(2025, 4, 17), dt.date(2025, 5, 8), dt.date(2025, 5, 22)):
        visit(w, w.order, day, 9, seed=day.toordinal())
        visit(w, w.order2, day, 14, seed=day.toordinal() + 50)
    visit(w, w.order, dt.date(2025, 5, 29), 9, minutes=10, seed=999)  # too short: fails once confirmed
    checks.run(month=dt.date(2025, 4, 1), on=dt.date(2025, 6, 20))
    checks.run(month=dt.date(2025, 5, 1), on=dt.date(2025, 6, 20))


def test_maker_checker_payment_enters_the_fund_ledger_and_reconciles(world: World, district_admin: Any,
                                                                     approver: Any) -> None:
    _deliver_two_months(world)
    flag = RecordFlag.objects.get(code=FlagCode.SHORT)
    delivery.settle_flag(actor=district_admin, flag=flag, confirmed=True, note="时长不足属实")
    m = world.milestone
    with pytest.raises(ValidationError, match="超过核实应付"):
        payments.prepare(actor=district_admin, milestone=m, amount="9999")
    m.refresh_from_db()
    assert m.status == MilestoneStatus.OPEN
    m = payments.prepare(actor=district_admin, milestone=m)
    # 2 persons × 2 months × 2 visits (the standard) × 50 − 1 failed × 20
    assert (m.verified_units, m.failed_records, m.verified_amount) == (8, 1, Decimal("380.00"))
    with pytest.raises(PermissionDenied, match="经办与审批分离"):
        payments.approve(actor=district_admin, milestone=m)
    assert not FundEntry.objects.filter(basis__purchase_contract=world.contract.pk).exists()
    payments.approve(actor=approver, milestone=m)
    entries = FundEntry.objects.filter(basis__purchase_contract=world.contract.pk)
    assert [(e.township.name, e.amount, e.kind) for e in entries] == [("梅山街道", Decimal("380.00"), "expense")]
    r = selectors.reconcile(world.contract)
    assert r.balanced and r.approved == r.ledger == Decimal("380.00") and r.remaining == Decimal("9620.00")


def test_a_provider_cannot_prepare_or_approve_a_payment(world: World) -> None:
    with pytest.raises((PermissionDenied, Exception)):
        payments.prepare(actor=world.worker_user, milestone=world.milestone)
    assert ServiceOrder.objects.count() == 2


def test_assessment_weights_indicators_by_parameter(world: World, district_admin: Any, login: Any,
                                                   make_user: Any, county: Any) -> None:
    _deliver_two_months(world)
    begin = at(dt.date(2025, 5, 15), 16)
    delivery.record(actor=None, order=world.order2, staff=world.worker, started_at=begin,
                    ended_at=begin + dt.timedelta(hours=1), content="照料", confirmation="signature",
                    confirmed_by="本人", now=begin + dt.timedelta(hours=2))  # no photo: evidence incomplete
    a = assessment.assess(actor=district_admin, contract=world.contract, period_start=dt.date(2025, 4, 1),
                          period_end=dt.date(2025, 5, 31))
    ind = a.indicators
    assert ind["delivery"]["expected"] == 8 and ind["delivery"]["delivered"] == 8
    assert ind["callback"]["value"] is None  # no callbacks: its weight is left out
    assert ind["evidence"]["records"] == 10 and ind["evidence"]["complete"] == 9
    # (40×1 + 15×1 + 15×0.9) / 70 — the callback weight (30) left out for want of callbacks
    assert a.score == Decimal("97.9") and a.grade == "优秀"
    # a third-party evaluator assesses through the API; a provider's worker may not
    from minzheng.accounts.roles import Role

    ev = make_user(Role.EVALUATOR, county, username="pinggu_t")
    # not assigned yet: the evaluator sees no contract at all
    resp = login(ev).post(f"/api/purchased/contracts/{world.contract.pk}/assessments",
                          data={"period_start": "2025-04-01", "period_end": "2025-04-30"},
                          content_type="application/json")
    assert resp.status_code == 404
    resp = login(district_admin).post(f"/api/purchased/contracts/{world.contract.pk}/evaluators",
                                      data={"evaluator": "pinggu_t", "period_start": "2025-04-01",
                                            "period_end": "2025-04-30"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    resp = login(ev).post(f"/api/purchased/contracts/{world.contract.pk}/assessments",
                          data={"period_start": "2025-04-01", "period_end": "2025-04-30"},
                          content_type="application/json")
    assert resp.status_code == 201, resp.content
    resp = login(world.worker_user).post(f"/api/purchased/contracts/{world.contract.pk}/assessments",
                                         data={"period_start": "2025-05-01", "period_end": "2025-05-31"},
                                         content_type="application/json")
    assert resp.status_code == 403


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=6),
       st.decimals(min_value=0, max_value=100000, places=2))
def test_a_payment_splits_over_townships_to_the_fen(units: list[int], amount: Decimal) -> None:
    parts = _split(amount, {str(i + 1): n for i, n in enumerate(units)})
    assert sum(parts.values(), Decimal("0")) == (amount if sum(units) and amount > 0 else 0)
    assert all(p > 0 for p in parts.values())


def test_the_cli_runs_the_batch_parts(world: World, meishan: Any) -> None:
    _deliver_two_months(world)
    out = io.StringIO()
    call_command("purchased", "checks", "--month", "2025-05", stdout=out)
    call_command("purchased", "callbacks", "--month", "2025-05", stdout=out)
    call_command("purchased", "milestones", "--as-of", "2025-06-20", stdout=out)
    text = out.getvalue()
    assert "2025-05：核查" in text and "梅山街道" in text and "核实应付" in text


def test_public_page_shows_contracts_but_no_person_and_complaints_route_as_needs(world: World, client: Any,
                                                                                  zhongshan: Any) -> None:
    from minzheng.workforce.models import NeedCategory, NeedReport

    html = client.get("/public/purchased/").content.decode()
    assert "康乐中心" in html and "10000" in html and "甲老人" not in html
    resp = client.post("/public/purchased/complaint/", {"provider": world.provider.pk, "village": zhongshan.pk,
                                                         "description": "护理员很久没来了，请核查"})
    assert resp.status_code == 302
    need = NeedReport.objects.get()
    assert need.category == NeedCategory.COMPLAINT and "康乐中心" in need.description
    assert (need.village == zhongshan and need.assignee is None) or need.village == zhongshan
    assert dates.local_date(need.created_at) == dt.date(2025, 6, 20)
