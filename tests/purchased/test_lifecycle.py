"""What a user of purchased services does from the pages and the API: the district signs and ends contracts (the
share cap of §5.4 enforced), binds and unbinds provider staff with history, assigns evaluators who then see only
their periods; a callback "not delivered" fails the month's records; service cards of one-time codes and a signature
drawn on the phone confirm visits. Bad input is a Chinese 4xx naming the field, and nothing is written."""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.payments.models import FundEntry, FundEntryKind
from minzheng.policy import services as policy
from minzheng.purchased.models import (
    Assessment,
    CallbackOutcome,
    ConfirmationCode,
    Contract,
    ContractStatus,
    FlagCode,
    Milestone,
    ProviderStaff,
    RecordStatus,
    ServiceOrder,
    ServiceRecord,
)
from minzheng.purchased.services import callbacks, contracts, delivery, payments, providers
from minzheng.registry.models import Programme

from .conftest import World, at, photo

pytestmark = pytest.mark.django_db


def contract_form(world: World, meishan: Any, **over: Any) -> dict[str, Any]:
    data = {"number": "T-NEW-1", "title": "居家养老上门服务", "provider": world.provider.pk, "service": "home_elderly",
            "procurement": "consultation", "procurement_ref": "CG-1", "fund": "work_funds", "fund_source": "county",
            "budget": "20000", "start": "2025-07-01", "end": "2026-06-30", "townships": [meishan.pk],
            "unit_label": "次", "visits_per_month": "4", "min_minutes": "45", "require_photo": "on",
            "require_confirmation": "on", "unit_price": "50", "deduction_per_failed": "20",
            "milestones": "上半年,2025-07-01,2025-12-31,10000\n下半年,2026-01-01,2026-06-30,10000"}
    data.update(over)
    return data


def test_the_district_signs_a_contract_on_the_page_with_its_standard_and_milestones(
        world: World, meishan: Any, district_admin: Any, meishan_officer: Any, login: Any) -> None:
    page = login(district_admin)
    assert "新建合同" in page.get("/purchased/").content.decode()
    resp = page.post("/purchased/contracts/new/", contract_form(world, meishan))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    c = Contract.objects.get(number="T-NEW-1")
    assert (c.visits_per_month, c.min_minutes, c.unit_price, c.budget) == (4, 45, Decimal("50"), Decimal("20000"))
    assert [m.cap for m in c.milestones.order_by("seq")] == [Decimal("10000"), Decimal("10000")]
    assert list(c.areas.values_list("township__name", flat=True)) == ["梅山街道"]
    assert AuditEntry.objects.filter(action="purchased.contract.create", object_id=str(c.pk)).exists()
    # a township officer may not sign one
    assert login(meishan_officer).post("/purchased/contracts/new/",
                                       contract_form(world, meishan, number="T-NEW-2")).status_code == 403
    assert not Contract.objects.filter(number="T-NEW-2").exists()


@pytest.mark.parametrize("over, words", [
    ({"end": "2025-06-01"}, "截止日期不能早于"),
    ({"budget": "abc"}, "合同金额(元)："),
    ({"fund": "no_such_fund"}, "资金项目（资金台账）："),
    ({"end": "2029-06-30"}, "不得超过"),
    ({"milestones": "全年,2025-07-01,2026-06-30,30000"}, "超过合同金额"),
    ({"milestones": "全年,2025-07-01"}, "四项"),
    ({"visits_per_month": "0"}, "每人每月服务次数："),
    ({"townships": []}, "服务区域（乡镇/街道）："),
])
def test_bad_contract_input_is_a_400_naming_the_field_and_nothing_is_written(
        world: World, meishan: Any, district_admin: Any, login: Any, over: dict[str, Any], words: str) -> None:
    before = (Contract.objects.count(), Milestone.objects.count())
    resp = login(district_admin).post("/purchased/contracts/new/", contract_form(world, meishan, **over))
    assert resp.status_code == 400
    assert words in resp.content.decode()
    assert (Contract.objects.count(), Milestone.objects.count()) == before


def test_the_api_signs_and_ends_a_contract_and_ending_stops_orders_and_later_records(
        world: World, meishan: Any, district_admin: Any, meishan_officer: Any, login: Any) -> None:
    api = login(district_admin)
    body = {"number": "T-API-1", "title": "特困照料", "provider_id": world.provider.pk, "service": "tekun_care",
            "procurement": "inquiry", "fund": "work_funds", "fund_source": "county", "budget": "5000",
            "start": "2025-01-01", "end": "2025-12-31", "township_codes": [meishan.code], "visits_per_month": 2,
            "min_minutes": 30, "unit_price": "40",
            "milestones": [{"title": "一期", "period_start": "2025-01-01", "period_end": "2025-06-30", "cap": "2500"}]}
    resp = api.post("/api/purchased/contracts", body, content_type="application/json")
    assert resp.status_code == 201, resp.content
    bad = api.post("/api/purchased/contracts", {**body, "number": "T-API-2", "budget": "-1"},
                   content_type="application/json")
    assert bad.status_code == 422 and "budget" in bad.json()["errors"]
    assert not Contract.objects.filter(number="T-API-2").exists()
    # ending: reason required (nothing changes), then ended as of 2025-05-10
    c = world.contract
    resp = api.post(f"/api/purchased/contracts/{c.pk}/end", {"on": "2025-05-10", "reason": ""},
                    content_type="application/json")
    assert resp.status_code == 422 and "终止原因" in resp.json()["detail"]
    c.refresh_from_db()
    assert c.status == ContractStatus.ACTIVE
    # a township officer sees the contract (it covers their township) but may not end it
    assert login(meishan_officer).post(f"/api/purchased/contracts/{c.pk}/end", {
        "on": "2025-05-10", "reason": "服务质量差"}, content_type="application/json").status_code in (403, 404)
    resp = api.post(f"/api/purchased/contracts/{c.pk}/end", {"on": "2025-05-10", "reason": "承接方严重违约"},
                    content_type="application/json")
    assert resp.status_code == 200, resp.content
    c.refresh_from_db()
    assert (c.status, c.ended_on, c.end_reason) == (ContractStatus.ENDED, dt.date(2025, 5, 10), "承接方严重违约")
    assert not ServiceOrder.objects.filter(contract=c, end__isnull=True).exists()
    assert AuditEntry.objects.filter(action="purchased.contract.end").exists()
    with pytest.raises(ValidationError, match="合同已结束"):
        delivery.assign(actor=meishan_officer, contract=c, person=world.unassigned, start=dt.date(2025, 5, 1))
    begin = at(dt.date(2025, 5, 9), 9)
    delivery.record(actor=None, order=world.order, staff=world.worker, started_at=begin,
                    ended_at=begin + dt.timedelta(hours=1), content="照料", confirmation="signature",
                    confirmed_by="本人", now=begin + dt.timedelta(hours=2))  # before the end: still recordable
    late = at(dt.date(2025, 5, 12), 9)
    with pytest.raises(ValidationError):
        delivery.record(actor=None, order=world.order, staff=world.worker, started_at=late,
                        ended_at=late + dt.timedelta(hours=1), content="照料", confirmation="signature",
                        confirmed_by="本人", now=late + dt.timedelta(hours=2))
    assert ServiceRecord.objects.filter(order=world.order).count() == 1


def test_unbinding_a_worker_cuts_their_access_at_once_and_keeps_the_history(
        world: World, county: Any, district_admin: Any, login: Any, make_user: Any) -> None:
    worker = login(world.worker_user)
    assert len(worker.get("/api/purchased/orders").json()) == 2
    page = login(district_admin)
    # bad input: no reason → 400 naming it, still bound
    resp = page.post(f"/purchased/providers/{world.provider.pk}/", {"action": "unbind", "staff": world.worker.pk})
    assert resp.status_code == 400 and "解绑原因" in resp.content.decode()
    assert ProviderStaff.objects.get(pk=world.worker.pk).active
    resp = page.post(f"/purchased/providers/{world.provider.pk}/",
                     {"action": "unbind", "staff": world.worker.pk, "reason": "离职"})
    assert resp.status_code == 302
    # the very next request of the worker sees nothing
    assert worker.get("/api/purchased/orders").json() == []
    assert worker.get(f"/purchased/orders/{world.order.pk}/record/").status_code == 404
    assert world.order.__class__.objects.get(pk=world.order.pk).staff_id is None  # waits for reassignment
    # bound again, to the other provider, through the API: history keeps both bindings
    resp = page.post(f"/api/purchased/providers/{world.other_provider.pk}/staff",
                     {"username": world.worker_user.username, "name": "护理员甲"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    rows = ProviderStaff.objects.filter(user=world.worker_user).order_by("pk")
    assert [(r.provider_id, r.active, r.unbound_by, r.unbind_reason) for r in rows] == [
        (world.provider.pk, False, district_admin.username, "离职"), (world.other_provider.pk, True, "", "")]
    assert rows[0].bound_at is not None and rows[1].bound_by == district_admin.username
    history = page.get(f"/api/purchased/providers/{world.provider.pk}/staff").json()
    assert any(h["username"] == world.worker_user.username and not h["active"] for h in history)
    # a second active binding is refused, naming the account
    resp = page.post(f"/api/purchased/providers/{world.provider.pk}/staff",
                     {"username": world.worker_user.username}, content_type="application/json")
    assert resp.status_code == 422 and "username" in resp.json()["errors"]
    # a government account can never be bound
    officer = make_user(Role.TOWNSHIP_OFFICER, county, username="not_a_worker")
    with pytest.raises(ValidationError, match="社会组织"):
        providers.bind_staff(actor=district_admin, provider=world.provider, user=officer)


def test_an_evaluator_sees_and_scores_only_what_the_district_assigned(
        world: World, county: Any, district_admin: Any, login: Any, make_user: Any) -> None:
    ev = make_user(Role.EVALUATOR, county, username="pinggu_x")
    other = contracts.create(actor=None, buyer=county, provider=world.other_provider, number="T-OTHER",
                             title="居家养老", service="home_elderly", procurement="inquiry", fund="work_funds",
                             fund_source="county", budget="3000", start=dt.date(2025, 1, 1),
                             end=dt.date(2025, 12, 31), townships=[world.order.village.parent],
                             visits_per_month=2, min_minutes=30, unit_price="30")
    Assessment.objects.create(contract=world.contract, period_start=dt.date(2025, 1, 1),
                              period_end=dt.date(2025, 1, 31), indicators={}, score=Decimal("88"), grade="良好",
                              assessor="区局自评人", created_at=at(dt.date(2025, 2, 5), 9))
    me = login(ev)
    assert me.get("/api/purchased/contracts").json() == []
    page = login(district_admin)
    resp = page.post(f"/purchased/contracts/{world.contract.pk}/", {
        "action": "assign_evaluator", "evaluator": ev.pk, "period_start": "2025-04-01", "period_end": "2025-04-30"})
    assert resp.status_code == 302
    bad = page.post(f"/purchased/contracts/{world.contract.pk}/", {
        "action": "assign_evaluator", "evaluator": ev.pk, "period_start": "2025-04-01", "period_end": "2024-04-30"})
    assert bad.status_code == 400 and "评估期" in bad.content.decode()
    assert [c["number"] for c in me.get("/api/purchased/contracts").json()] == ["T-001"]
    assert me.get(f"/purchased/contracts/{other.pk}/").status_code == 404
    assert [p["name"] for p in me.get("/api/purchased/providers").json()] == [world.provider.name]
    html = me.get(f"/purchased/contracts/{world.contract.pk}/").content.decode()
    assert "区局自评人" not in html  # the district's own assessment of January is not the evaluator's
    assert "甲老人" not in html
    # scores the assigned period from the tasks page; any other period is refused
    listing = me.get("/purchased/evaluations/").content.decode()
    assert "T-001" in listing and "T-OTHER" not in listing
    a = world.contract.evaluator_assignments.get()
    assert me.post("/purchased/evaluations/", {"assignment": a.pk}).status_code == 302
    assert Assessment.objects.filter(contract=world.contract, period_start=dt.date(2025, 4, 1)).exists()
    resp = me.post(f"/api/purchased/contracts/{world.contract.pk}/assessments",
                   {"period_start": "2025-05-01", "period_end": "2025-05-31"}, content_type="application/json")
    assert resp.status_code == 403
    assert [x["contract"] for x in me.get("/api/purchased/evaluations").json()] == ["T-001"]


def test_a_callback_not_delivered_fails_the_months_records_and_the_payment_deducts_them(
        world: World, meishan: Any, meishan_officer: Any, district_admin: Any) -> None:
    for day, seed in ((dt.date(2025, 5, 6), 1), (dt.date(2025, 5, 20), 2)):
        for order, hour in ((world.order, 9), (world.order2, 14)):
            begin = at(day, hour)
            delivery.record(actor=None, order=order, staff=world.worker, started_at=begin,
                            ended_at=begin + dt.timedelta(hours=1), content="照料", photo=photo(seed + hour),
                            confirmation="signature", confirmed_by="本人", now=begin + dt.timedelta(hours=2))
    s = callbacks.draw(actor=meishan_officer, township=meishan, month=dt.date(2025, 5, 1), seed="t")
    item = s.items.get(order=world.order)
    callbacks.record_outcome(actor=meishan_officer, item=item, outcome=CallbackOutcome.NOT_DELIVERED,
                             note="老人说五月没有人来过")
    failed = ServiceRecord.objects.filter(order=world.order)
    assert {r.status for r in failed} == {RecordStatus.FAILED}
    flags = [r.flags.get(code=FlagCode.NOT_DELIVERED) for r in failed]
    assert all("五月没有人来过" in f.note and f.status == "confirmed" for f in flags)
    assert {r.status for r in ServiceRecord.objects.filter(order=world.order2)} != {RecordStatus.FAILED}
    # a second outcome for the same call is refused
    with pytest.raises(ValidationError, match="已记录"):
        callbacks.record_outcome(actor=meishan_officer, item=item, outcome=CallbackOutcome.SATISFIED)
    figures = payments.compute(world.milestone)
    assert figures["failed"] == 2 and figures["deduction"] == Decimal("40")


def test_the_share_cap_on_relief_funds_is_a_parameter_enforced_when_a_contract_draws_its_budget(
        world: World, meishan: Any, county: Any) -> None:
    relief = Programme.objects.order_by("code").first()
    assert relief is not None
    FundEntry.objects.create(fund=relief.code, source="county", kind=FundEntryKind.BUDGET, township=meishan,
                             month=dt.date(2025, 1, 1), amount=Decimal("100000"))

    def sign(number: str, budget: str, fund: str) -> Contract:
        return contracts.create(actor=None, buyer=county, provider=world.provider, number=number, title="照料",
                                service="tekun_care", procurement="inquiry", fund=fund, fund_source="county",
                                budget=budget, start=dt.date(2025, 3, 1), end=dt.date(2025, 12, 31),
                                townships=[meishan], visits_per_month=2, min_minutes=30, unit_price="10")

    sign("CAP-0", "5000", relief.code)   # no cap by default (national and Fujian rules set none)
    policy.add_version(key="purchased.share_cap_percent", value="6", effective_from=dt.date(2025, 1, 1),
                       source_document="测试：比例上限")
    with pytest.raises(ValidationError) as exc:
        sign("CAP-1", "1000.01", relief.code)   # 5000 + 1000.01 > 6% of 100000
    assert "budget" in exc.value.message_dict and "上限 6000.00" in exc.value.message_dict["budget"][0]
    assert not Contract.objects.filter(number="CAP-1").exists()
    sign("CAP-2", "1000", relief.code)
    sign("CAP-3", "50000", "work_funds")   # work funds are not relief money
    with pytest.raises(ValidationError):
        policy.add_version(key="purchased.share_cap_percent", value="120", effective_from=dt.date(2025, 2, 1),
                           source_document="测试")


def test_a_service_card_of_one_time_codes_confirms_each_visit_once(world: World, meishan_officer: Any,
                                                                   login: Any) -> None:
    page = login(meishan_officer)
    assert "打印服务卡" in page.get(f"/purchased/orders/{world.order.pk}/").content.decode()
    resp = page.post(f"/purchased/orders/{world.order.pk}/card/", {"count": "3"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "data-print" in html
    codes = [c for c in ConfirmationCode.objects.filter(order=world.order, channel="card")]
    assert len(codes) == 3 and AuditEntry.objects.filter(action="purchased.code.card").exists()
    assert page.post(f"/purchased/orders/{world.order.pk}/card/", {"count": "0"}).status_code == 400
    card = delivery.issue_card(actor=meishan_officer, order=world.order, count=2)
    # the earlier card's unused codes are void now
    assert ConfirmationCode.objects.filter(order=world.order, channel="card", expires_at__gt=at(
        dt.date(2025, 6, 20), 10)).count() == 2
    worker = login(world.worker_user)

    def post(code: str, hour: int) -> Any:
        return worker.post(f"/api/purchased/orders/{world.order.pk}/records", {
            "started_at": f"2025-06-20T0{hour}:00:00+08:00", "ended_at": f"2025-06-20T0{hour}:50:00+08:00",
            "content": "照料", "confirmation": "code", "code": code}, content_type="application/json")

    assert post(card[0], 7).status_code == 201
    used = ConfirmationCode.objects.get(order=world.order, used_at__isnull=False)
    assert used.record is not None and used.record.confirmation == "code"
    again = post(card[0], 8)
    assert again.status_code == 422 and "code" in again.json()["errors"]
    wrong = "000000" if "000000" not in card else "111111"
    for _ in range(5):
        assert post(wrong, 8).status_code == 422
    locked = post(card[1], 8)   # the right code, but too many wrong guesses this hour
    assert locked.status_code == 422 and "次数过多" in locked.json()["detail"]
    assert ServiceRecord.objects.filter(order=world.order).count() == 1


def _signature_png() -> str:
    img = Image.new("RGB", (300, 135), "white")
    for x in range(20, 280):
        img.putpixel((x, 60 + (x % 20)), (0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_a_signature_drawn_on_the_phone_is_stored_re_encoded_and_the_page_has_no_inline_script(
        world: World, login: Any) -> None:
    worker = login(world.worker_user)
    url = f"/purchased/orders/{world.order.pk}/record/"
    html = worker.get(url).content.decode()
    assert 'id="signature-pad"' in html and "purchased/signature.js" in html
    assert "<script>" not in html and "onclick=" not in html
    form = {"started_at": "2025-06-20T08:00", "ended_at": "2025-06-20T08:50", "content": "照料",
            "confirmation": "signature", "confirmed_by": "", "signature_drawn": "data:text/html;base64,PGI+"}
    resp = worker.post(url, form)
    assert resp.status_code == 400 and "签名数据无效" in resp.content.decode()
    assert not ServiceRecord.objects.filter(order=world.order).exists()
    resp = worker.post(url, {**form, "signature_drawn": _signature_png()})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    rec = ServiceRecord.objects.get(order=world.order)
    with rec.signature.open("rb") as fh:
        assert Image.open(fh).format == "JPEG"   # re-encoded like a photo, nothing of the upload kept


def test_an_unassigned_evaluator_walking_every_route_sees_no_person_and_changes_nothing(
        world: World, zhongshan: Any, meishan_officer: Any, county: Any, make_user: Any) -> None:
    from django.test import Client
    from django.urls import get_resolver

    from tests import leakcheck
    from tests.core.test_jurisdiction import EXEMPT, business_audit_count, fill, walk

    planted = leakcheck.plant_all(zhongshan, meishan_officer)
    values = {**planted.plain, **planted.scoped}
    secrets = [*planted.secrets, "甲老人", "乙老人"]  # contracts and providers are public (公开信息), people never
    evaluator = Client()
    evaluator.force_login(make_user(Role.EVALUATOR, county, username="pinggu_idle"))
    problems = []
    for route, name, _ in walk(get_resolver().url_patterns):
        if name in EXEMPT or "static" in route:
            continue
        url = fill(route, values)
        resp = evaluator.get(url)
        body = resp.content.decode("utf-8", "replace") if resp.status_code != 302 else ""
        problems += [f"GET {url} ({name}) shows {s!r}" for s in secrets if s in body]
        before = business_audit_count()
        evaluator.post(url, data={})
        if business_audit_count() != before:
            problems.append(f"POST {url} ({name}) changed data")
    assert not problems, "\n".join(problems)
