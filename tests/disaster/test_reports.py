"""Disaster reports from 初报 to 核报: deadlines on a fixed clock, the same rules in the form, the HTMX check and
the API, approval by the next level, locking, and exact aggregation village → township → district."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.core.models import SiteSettings
from minzheng.disaster import indicators, selectors, services
from minzheng.disaster.models import Event, EventStatus, Report, ReportStatus, RoundKind, ValidationRule
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level
from minzheng.registry import idnumber

from .conftest import T0

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
GOOD = {"pop_affected": "320", "pop_relocated": "80", "pop_need_aid": "60",
        "crop_affected": "40.5", "crop_damaged": "12", "crop_lost": "3",
        "loss_total": "210", "loss_agri": "120", "loss_house": "40"}


def initial(ev: Any) -> Any:
    return ev.rounds.get(kind=RoundKind.INITIAL)


def filed(actor: Any, rnd: Any, division: Any, values: dict[str, str], *, now: Any = None, **kw: Any) -> Report:
    rep = services.open_report(actor=actor, round=rnd, division=division)
    services.save_report(actor=actor, report=rep, values=values, **kw)
    services.submit_report(actor=actor, report=rep, now=now or rnd.as_of + H)
    rep.refresh_from_db()
    return rep


# --- deadlines ---------------------------------------------------------------------------------------------


def test_initial_report_is_due_two_hours_after_registration(flood: Any, meishan: Any, xiadao: Any,
                                                            meishan_officer: Any) -> None:
    rnd = initial(flood)
    assert rnd.due_at == T0 + 2 * H
    assert flood.decided_under["initial_report_hours"]["value"] == 2
    # nobody is late one minute before the deadline; both townships are one minute after
    assert services.overdue_initial(flood, now=T0 + 2 * H - dt.timedelta(minutes=1)) == []
    assert services.overdue_initial(flood, now=T0 + 2 * H + dt.timedelta(minutes=1)) == [meishan, xiadao]
    # 梅山 sends at 1h30: only 夏道 remains overdue
    filed(meishan_officer, rnd, meishan, GOOD, now=T0 + 1.5 * H)
    assert services.overdue_initial(flood, now=T0 + 3 * H) == [xiadao]


def test_a_late_initial_report_stays_marked_late(flood: Any, xiadao: Any, xiadao_officer: Any) -> None:
    rep = filed(xiadao_officer, initial(flood), xiadao, GOOD, now=T0 + 2 * H + dt.timedelta(minutes=5))
    assert rep.decided_under["on_time"] is False
    assert xiadao in services.overdue_initial(flood, now=T0 + 5 * H)


def test_on_time_means_the_same_on_the_report_the_event_page_and_in_the_assessment(
        flood: Any, meishan: Any, xiadao: Any, meishan_officer: Any, xiadao_officer: Any, district_admin: Any,
        login: Any) -> None:
    # given: 梅山 reports its 初报 before the deadline, 夏道 five minutes after it
    rnd = initial(flood)
    early = filed(meishan_officer, rnd, meishan, GOOD, now=T0 + 1.5 * H)
    late = filed(xiadao_officer, rnd, xiadao, GOOD, now=T0 + 2 * H + dt.timedelta(minutes=5))
    # then: the report itself, what was recorded at submission, and the deadline tracking agree
    assert (early.on_time, early.decided_under["on_time"]) == (True, True)
    assert (late.on_time, late.decided_under["on_time"]) == (False, False)
    assert services.overdue_initial(flood, now=T0 + 3 * H) == [xiadao]
    # the event page counts one of two reports on time
    with dates.frozen(T0 + 3 * H):
        page = login(district_admin).get(f"/disaster/events/{flood.pk}/").content.decode()
        # and the township assessment rates each township by the same definition (只计已到期的期次)
        assert selectors.reports_on_time_rate(meishan, 2026) == Decimal("1.0000")
        assert selectors.reports_on_time_rate(xiadao, 2026) == Decimal("0.0000")
        assert selectors.reports_on_time_rate(xiadao, 2025) is None
    assert "已报 2，按时 1" in page
    # a report returned for correction is not on time until it is sent again
    services.return_report(actor=district_admin, report=early, reason="数据有误")
    early.refresh_from_db()
    assert not early.on_time


def test_the_deadline_is_a_parameter(district_admin: Any, meishan: Any, flood_type: Any) -> None:
    policy.add_version(key="disaster.initial_report_hours", value=4, effective_from=dt.date(2026, 6, 1),
                       source_document="测试：本地规定延长", actor=district_admin)
    ev = services.register_event(actor=district_admin, name="参数测试", dtype=flood_type, started_at=T0 - H,
                                 areas=[meishan], now=T0)
    assert initial(ev).due_at == T0 + 4 * H
    assert services.overdue_initial(ev, now=T0 + 3 * H) == []


def test_final_report_due_in_working_days_and_update_rounds_by_interval(flood: Any, district_admin: Any) -> None:
    # 续报 every 7 days for an ordinary flood; a major event gets daily 零报告 due at 09:00
    assert services.next_update_due(flood, now=T0) == T0 + dt.timedelta(days=7)
    rnd = services.open_update_round(actor=district_admin, event=flood, as_of=T0 + 24 * H, now=T0 + 24 * H)
    assert rnd.due_at == T0 + 48 * H and str(rnd) == "续报第1期"
    # stable on Friday 12 June 2026 → 2 working days → Tuesday 16 June, end of day
    fin = services.mark_stable(actor=district_admin, event=flood, ended_at=T0 + 7 * 24 * H, now=T0 + 7 * 24 * H)
    assert fin.due_at.astimezone(T0.tzinfo).date() == dt.date(2026, 6, 16)
    with pytest.raises(ValidationError):
        services.open_update_round(actor=district_admin, event=flood)


def test_major_event_daily_nil_reports(district_admin: Any, meishan: Any, meishan_officer: Any,
                                       flood_type: Any) -> None:
    ev = services.register_event(actor=district_admin, name="重大洪涝", dtype=flood_type, started_at=T0 - H,
                                 areas=[meishan], is_major=True, now=T0)
    filed(meishan_officer, initial(ev), meishan, GOOD, now=T0 + H)
    day2 = T0 + 24 * H
    rnd = services.open_update_round(actor=district_admin, event=ev, now=day2)
    assert rnd.as_of.astimezone(T0.tzinfo).hour == 0 and rnd.due_at == rnd.as_of + 9 * H
    assert services.next_update_due(ev, now=day2) == rnd.as_of + 24 * H
    # 零报告: nothing new, the last figures carried forward
    rep = services.open_report(actor=meishan_officer, round=rnd, division=meishan)
    services.save_report(actor=meishan_officer, report=rep, values={}, nil=True)
    services.submit_report(actor=meishan_officer, report=rep, now=rnd.as_of + 8 * H)
    rep.refresh_from_db()
    assert rep.nil and rep.kind_label == "零报告"
    assert indicators.total([rep.values]) == indicators.total([GOOD])


# --- the rules at submission and approval --------------------------------------------------------------------


def test_submission_refuses_errors_with_the_rule_messages(flood: Any, meishan: Any, meishan_officer: Any) -> None:
    rep = services.open_report(actor=meishan_officer, round=initial(flood), division=meishan)
    outcome = services.save_report(actor=meishan_officer, report=rep,
                                   values={**GOOD, "crop_lost": "20", "pop_relocated": "400", "pop_dead": "1.5"})
    assert {f.rule for f in outcome.errors} >= {"E10", "E20", "E01"}  # a draft may still be wrong
    with pytest.raises(ValidationError) as exc:
        services.submit_report(actor=meishan_officer, report=rep, now=T0 + H)
    errors = exc.value.message_dict
    assert "农作物绝收面积不能大于成灾面积（成灾含绝收）" in errors["crop_lost"]
    assert "紧急转移安置人口不能大于受灾人口" in errors["pop_relocated"]
    assert "因灾死亡人口必须是非负整数" in errors["pop_dead"]
    rep.refresh_from_db()
    assert rep.status == ReportStatus.DRAFT


def test_rules_are_data(flood: Any, meishan: Any, meishan_officer: Any) -> None:
    rep = services.open_report(actor=meishan_officer, round=initial(flood), division=meishan)
    bad = {**GOOD, "crop_lost": "20"}
    assert "E10" in {f.rule for f in services.save_report(actor=meishan_officer, report=rep, values=bad).errors}
    ValidationRule.objects.filter(code="E10").update(message="绝收不得超过成灾（本地表述）")
    assert services.validate(rep).errors[0].message == "绝收不得超过成灾（本地表述）"
    ValidationRule.objects.filter(code="E10").update(active=False)
    assert services.validate(rep).ok


def test_decrease_needs_explanation_and_register_mismatch_warns(flood: Any, meishan: Any, meishan_officer: Any,
                                                               district_admin: Any, zhongshan: Any) -> None:
    filed(meishan_officer, initial(flood), meishan, {**GOOD, "pop_dead": "1"}, now=T0 + H)
    rnd = services.open_update_round(actor=district_admin, event=flood, now=T0 + 24 * H)
    rep = services.open_report(actor=meishan_officer, round=rnd, division=meishan)
    assert rep.values["pop_affected"] == "320"  # cumulative: starts from the last report
    out = services.save_report(actor=meishan_officer, report=rep, values={**GOOD, "pop_affected": "300",
                                                                         "pop_dead": "1"})
    assert out.ok
    assert [f.rule for f in out.warnings] == ["W01", "W10"]
    # the death is registered and the drop explained: nothing left to warn about
    services.add_casualty(actor=meishan_officer, event=flood, division=zhongshan, name="测试死者",
                          status="dead", occurred_on=T0.date())
    out = services.save_report(actor=meishan_officer, report=rep, values={**GOOD, "pop_affected": "300",
                                                                         "pop_dead": "1"},
                               explanation="核实后剔除重复统计的 20 人")
    assert out.findings == []
    services.submit_report(actor=meishan_officer, report=rep, now=rnd.as_of + H)


def test_approval_by_the_next_level_and_final_lock(flood: Any, meishan: Any, xiadao: Any, zhongshan: Any,
                                                   meishan_officer: Any, xiadao_officer: Any, approver: Any,
                                                   coordinator: Any, district_admin: Any) -> None:
    rep = filed(meishan_officer, initial(flood), meishan, GOOD, now=T0 + H)
    # a township cannot approve itself; the district approver can
    with pytest.raises(PermissionDenied):
        services.approve_report(actor=meishan_officer, report=rep)
    services.approve_report(actor=approver, report=rep)
    # a village report is checked by its township, not by the village coordinator
    vrep = filed(coordinator, initial(flood), zhongshan, {"pop_affected": "12"}, now=T0 + H)
    with pytest.raises(PermissionDenied):
        services.approve_report(actor=coordinator, report=vrep)
    services.approve_report(actor=meishan_officer, report=vrep)
    # 核报: after approval the figures are locked, and the event closes once every township is final
    fin = services.mark_stable(actor=district_admin, event=flood, ended_at=T0 + 48 * H, now=T0 + 48 * H)
    f1 = filed(meishan_officer, fin, meishan, GOOD, now=T0 + 50 * H)
    services.approve_report(actor=approver, report=f1)
    f1.refresh_from_db()
    assert f1.locked
    with pytest.raises(ValidationError):
        services.save_report(actor=meishan_officer, report=f1, values=GOOD)
    with pytest.raises(ValidationError):
        services.return_report(actor=approver, report=f1, reason="再改")
    flood.refresh_from_db()
    assert flood.status == EventStatus.STABLE
    services.approve_report(actor=approver, report=filed(xiadao_officer, fin, xiadao, GOOD, now=T0 + 50 * H))
    flood.refresh_from_db()
    assert flood.status == EventStatus.CLOSED


# --- aggregation ---------------------------------------------------------------------------------------------


def test_aggregation_is_exact_village_township_district(flood: Any, meishan: Any, xiadao: Any,
                                                        meishan_officer: Any, xiadao_officer: Any,
                                                        approver: Any) -> None:
    rnd = initial(flood)
    villages = list(Division.objects.filter(parent=meishan, level=Level.VILLAGE).order_by("code")[:3])
    figures = [
        {"pop_affected": "101", "pop_relocated": "7", "crop_affected": "10.35", "crop_damaged": "4.05",
         "loss_total": "33.3", "loss_agri": "20.1"},
        {"pop_affected": "57", "pop_need_aid": "9", "crop_affected": "0.07", "loss_total": "1.01"},
        {"pop_affected": "2", "house_minor_hh": "1", "house_minor_rooms": "2", "loss_total": "0.99",
         "loss_house": "0.99"},
    ]
    for v, vals in zip(villages, figures, strict=True):
        services.approve_report(actor=meishan_officer, report=filed(meishan_officer, rnd, v, vals, now=T0 + H))
    town = services.open_report(actor=meishan_officer, round=rnd, division=meishan)
    services.save_report(actor=meishan_officer, report=town, values={}, from_villages=True)
    services.submit_report(actor=meishan_officer, report=town, now=T0 + H)
    services.approve_report(actor=approver, report=town)
    xd = filed(xiadao_officer, rnd, xiadao, GOOD, now=T0 + H)
    services.approve_report(actor=approver, report=xd)

    town.refresh_from_db()
    village_sum = indicators.total(figures)
    assert indicators.total([town.values]) == village_sum
    assert village_sum["crop_affected"] == "10.42" and village_sum["loss_total"] == "35.3"
    summary = services.summarise(rnd, [meishan, xiadao])
    assert summary.complete
    nums = indicators.as_numbers
    for code in indicators.CODES:
        assert nums(summary.total)[code] == nums(village_sum)[code] + nums(GOOD)[code]
    assert nums(summary.total)["crop_affected"] == Decimal("50.92")


def test_township_sum_cannot_drift_from_its_villages(flood: Any, meishan: Any, meishan_officer: Any,
                                                      approver: Any, zhongshan: Any) -> None:
    rnd = initial(flood)
    v = filed(meishan_officer, rnd, zhongshan, {"pop_affected": "10"}, now=T0 + H)
    services.approve_report(actor=meishan_officer, report=v)
    town = services.open_report(actor=meishan_officer, round=rnd, division=meishan)
    services.save_report(actor=meishan_officer, report=town, values={}, from_villages=True)
    services.submit_report(actor=meishan_officer, report=town, now=T0 + H)
    # the village figure is corrected after the township summed it
    services.return_report(actor=meishan_officer, report=v, reason="复核")
    services.save_report(actor=meishan_officer, report=v, values={"pop_affected": "14"})
    services.submit_report(actor=meishan_officer, report=v, now=T0 + H)
    services.approve_report(actor=meishan_officer, report=v)
    with pytest.raises(ValidationError, match="重新汇总"):
        services.approve_report(actor=approver, report=town)
    assert "W30" in {f.rule for f in services.validate(town).warnings}


# --- UI -----------------------------------------------------------------------------------------------------


def test_event_from_initial_to_final_in_the_ui(login: Any, district_admin: Any, meishan: Any,
                                               meishan_officer: Any, approver: Any, zhongshan: Any,
                                               flood_type: Any) -> None:
    admin, officer, boss = login(district_admin), login(meishan_officer), login(approver)
    # the district registers the event
    resp = admin.post("/disaster/events/new/", {
        "name": "界面测试暴雨", "dtype": flood_type.pk, "started_at": "2026-06-05T06:00", "severity": "4",
        "areas": [meishan.pk], "description": "测试"})
    assert resp.status_code == 302
    ev_url = resp["Location"]
    ev = Event.objects.get(name="界面测试暴雨")
    page = officer.get(ev_url).content.decode()
    assert "主管部门：应急管理局" in page and "梅山街道" in page
    # the township opens its 初报 and types a planted inconsistency: the HTMX check flags it beside the field
    resp = officer.post(f"/disaster/events/{ev.pk}/action/", {"action": "open_report", "round": initial(ev).pk,
                                                              "division": meishan.pk})
    rep_url = resp["Location"]
    rep = Report.objects.get(event=ev, division=meishan)
    bad = {**GOOD, "pop_need_aid": "999"}
    frag = officer.post(f"/disaster/reports/{rep.pk}/validate/", bad, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="err-pop_need_aid"' in frag and "需紧急生活救助人口不能大于受灾人口" in frag and "hx-swap-oob" in frag
    # submitting it is refused and the message is shown inline
    page = officer.post(rep_url, {**bad, "action": "submit"}, follow=True).content.decode()
    assert "需紧急生活救助人口不能大于受灾人口" in page
    rep.refresh_from_db()
    assert rep.status == ReportStatus.DRAFT
    # corrected and submitted, the district approves
    officer.post(rep_url, {**GOOD, "action": "submit"})
    rep.refresh_from_db()
    assert rep.status == ReportStatus.SUBMITTED
    boss.post(rep_url, {"action": "approve"})
    rep.refresh_from_db()
    assert rep.status == ReportStatus.APPROVED
    # stable → 核报; a death not in the register blocks the final report until the register is completed
    admin.post(f"/disaster/events/{ev.pk}/action/", {"action": "stable", "ended_at": "2026-06-06T12:00"})
    fin = ev.rounds.get(kind=RoundKind.FINAL)
    resp = officer.post(f"/disaster/events/{ev.pk}/action/", {"action": "open_report", "round": fin.pk,
                                                              "division": meishan.pk})
    final_url = resp["Location"]
    page = officer.post(final_url, {**GOOD, "pop_dead": "1", "action": "submit"}, follow=True).content.decode()
    assert "核报的因灾死亡人口必须与因灾死亡失踪人员台账一致" in page
    officer.post(f"/disaster/events/{ev.pk}/registers/", {
        "kind": "casualty", "c-division": zhongshan.pk, "c-name": "王某某", "c-status": "dead",
        "c-occurred_on": "2026-06-05"})
    officer.post(final_url, {**GOOD, "pop_dead": "1", "action": "submit"})
    fr = Report.objects.get(round=fin, division=meishan)
    assert fr.status == ReportStatus.SUBMITTED
    boss.post(final_url, {"action": "approve"})
    fr.refresh_from_db()
    ev.refresh_from_db()
    assert fr.locked and ev.status == EventStatus.CLOSED
    assert "已锁定" in officer.get(final_url).content.decode()


def test_report_form_works_at_phone_width(login: Any, flood: Any, meishan: Any, meishan_officer: Any) -> None:
    rep = services.open_report(actor=meishan_officer, round=initial(flood), division=meishan)
    page = login(meishan_officer).get(f"/disaster/reports/{rep.pk}/").content.decode()
    assert 'name="viewport"' in page and "disaster/disaster.css" in page
    # validated while typing (not only on leaving the field), so 校验通过 never stands beside a bad figure
    assert 'inputmode="numeric"' in page and 'hx-trigger="input changed delay:400ms, change"' in page
    assert "style=" not in page and "<script>" not in page  # CSP: no inline styles or scripts


# --- API ----------------------------------------------------------------------------------------------------


def api(client: Client, method: str, url: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(f"/api/disaster{url}")
    return getattr(client, method)(f"/api/disaster{url}", data=json.dumps(body or {}),
                                   content_type="application/json")


def test_event_from_initial_to_final_in_the_api(login: Any, district_admin: Any, meishan: Any,
                                                meishan_officer: Any, approver: Any) -> None:
    admin, officer, boss = login(district_admin), login(meishan_officer), login(approver)
    resp = api(admin, "post", "/events", {"name": "接口测试台风", "dtype_code": "010300",
                                          "started_at": "2026-06-05T06:00:00+08:00", "areas": [meishan.code]})
    assert resp.status_code == 201, resp.content
    ev = resp.json()
    assert ev["department"] == "应急管理局" and ev["townships"] == [meishan.code]
    rid = ev["rounds"][0]["id"]
    rep = api(officer, "post", f"/events/{ev['id']}/reports", {"round_id": rid, "division_code": meishan.code}).json()
    # the same rules answer the validate call and refuse the submission with 422 and the same messages
    bad = {**GOOD, "house_severe_hh": "9", "loss_infra": "500"}
    found = api(officer, "post", f"/reports/{rep['id']}/validate", {"values": bad}).json()
    assert {f["rule"] for f in found} >= {"E31", "E40", "E41"}
    resp = api(officer, "put", f"/reports/{rep['id']}", {"values": bad, "submit": True})
    assert resp.status_code == 422
    errs = resp.json()["errors"]
    assert "严重损坏房屋户数不能大于间数（每户至少一间）" in errs["house_severe_hh"]
    assert "基础设施损失不能大于直接经济损失总额" in errs["loss_infra"]
    assert api(officer, "get", f"/reports/{rep['id']}").json()["status"] == "draft"
    resp = api(officer, "put", f"/reports/{rep['id']}", {"values": GOOD, "submit": True})
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    assert api(officer, "post", f"/reports/{rep['id']}/approve").status_code == 403
    assert api(boss, "post", f"/reports/{rep['id']}/approve").json()["status"] == "approved"
    # 核报
    fin = api(admin, "post", f"/events/{ev['id']}/stable", {"ended_at": "2026-06-06T12:00:00+08:00"}).json()
    assert fin["kind"] == "final"
    frep = api(officer, "post", f"/events/{ev['id']}/reports", {"round_id": fin["id"],
                                                                "division_code": meishan.code}).json()
    resp = api(officer, "put", f"/reports/{frep['id']}", {"values": {**GOOD, "pop_missing": "2"}, "submit": True})
    assert resp.status_code == 422
    assert "核报的因灾失踪人口必须与因灾死亡失踪人员台账一致" in resp.json()["errors"]["pop_missing"]
    assert api(officer, "put", f"/reports/{frep['id']}", {"values": GOOD, "submit": True}).status_code == 200
    done = api(boss, "post", f"/reports/{frep['id']}/approve").json()
    assert done["locked"] is True
    assert api(officer, "put", f"/reports/{frep['id']}", {"values": GOOD}).status_code == 422
    assert api(boss, "get", f"/events/{ev['id']}").json()["status"] == "closed"
    summary = api(boss, "get", f"/events/{ev['id']}/summary?round_id={fin['id']}").json()
    assert summary["approved"] == summary["expected"] == 1
    assert summary["total"]["pop_affected"] == "320"


def test_api_rejects_malformed_bodies_with_422(login: Any, flood: Any, meishan: Any, meishan_officer: Any) -> None:
    officer = login(meishan_officer)
    rep = services.open_report(actor=meishan_officer, round=initial(flood), division=meishan)
    resp = api(officer, "put", f"/reports/{rep.pk}", {"values": {"pop_affected": "三百"}})
    assert resp.status_code == 422 and "受灾人口" in resp.json()["errors"]["pop_affected"][0]


# --- exports, tasks, department --------------------------------------------------------------------------------


def test_summary_exports_are_audited_and_name_the_department(login: Any, flood: Any, meishan: Any,
                                                             meishan_officer: Any, approver: Any) -> None:
    services.approve_report(actor=approver, report=filed(meishan_officer, initial(flood), meishan, GOOD))
    c = login(approver)
    before = AuditEntry.objects.filter(action__startswith="export.").count()
    resp = c.get(f"/disaster/events/{flood.pk}/summary/?format=xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action__startswith="export.").count() == before + 1
    resp = c.get(f"/disaster/events/{flood.pk}/summary/?format=pdf")
    assert resp.content[:4] == b"%PDF"
    assert AuditEntry.objects.filter(action__startswith="print.", summary__contains="灾情汇总表").exists()
    page = c.get(f"/disaster/events/{flood.pk}/summary/").content.decode()
    assert "主管部门：应急管理局" in page and "320" in page


def test_owning_department_is_a_setting(district_admin: Any, meishan: Any, flood: Any, flood_type: Any,
                                        login: Any) -> None:
    s = SiteSettings.current()
    s.disaster_department = "民政局"
    s.save()
    later = services.register_event(actor=district_admin, name="改隶前旧例", dtype=flood_type, started_at=T0 - H,
                                    areas=[meishan], now=T0)
    flood.refresh_from_db()
    assert later.department == "民政局" and flood.department == "应急管理局"  # old events keep their owner
    assert "主管部门：民政局" in login(district_admin).get("/disaster/").content.decode()


def test_overdue_initial_reports_are_tasks_and_on_the_home_page(district_admin: Any, meishan: Any,
                                                                meishan_officer: Any, flood_type: Any) -> None:

    from minzheng.core import tasks

    now = dates.now()
    ev = services.register_event(actor=district_admin, name="逾期测试", dtype=flood_type,
                                 started_at=now - 5 * H, areas=[meishan], now=now - 3 * H)
    mine = [t for t in tasks.for_user(meishan_officer) if "逾期测试" in t.title]
    assert mine and mine[0].overdue and mine[0].kind == "灾情初报"
    district = [t for t in tasks.for_user(district_admin) if t.kind == "灾情报告逾期"]
    assert any("梅山街道" in t.title for t in district)
    # the home panel (rendered on its own: the home page also carries other apps' panels)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from minzheng.disaster.hooks import home_context

    request = RequestFactory().get("/")
    request.user = district_admin
    panel = render_to_string("disaster/_home_panel.html", {"ctx": home_context(request)})
    assert "初报逾期" in panel and "梅山街道" in panel and ev.name in panel


def test_registers_are_reconciled_with_the_totals_and_exported(flood: Any, meishan: Any, zhongshan: Any,
                                                               meishan_officer: Any, login: Any,
                                                               coordinator: Any) -> None:
    filed(meishan_officer, initial(flood), meishan, {**GOOD, "pop_dead": "2", "house_collapsed_hh": "1",
                                                     "house_collapsed_rooms": "3"}, now=T0 + H)
    with pytest.raises(ValidationError, match="公民身份号码有误"):
        services.add_casualty(actor=coordinator, event=flood, division=zhongshan, name="李遇难", status="dead",
                              occurred_on=T0.date(), id_number="350702196001010013")
    victim = services.add_casualty(actor=coordinator, event=flood, division=zhongshan, name="李遇难", status="dead",
                                   occurred_on=T0.date(), id_number=idnumber.make("350702", dt.date(1960, 1, 1), 11))
    assert victim.sex == "1"  # from the ID number
    services.add_house_damage(actor=coordinator, event=flood, division=zhongshan, head_name="张倒房",
                              level="collapsed", rooms=3)
    [check] = services.register_reconciliation(flood, [meishan])
    by_label = {label: (rep, reg, ok) for label, rep, reg, ok in check.rows}
    assert by_label["因灾死亡人口"] == (2, 1, False)  # one death not yet registered person by person
    assert by_label["倒塌房屋户数"] == (1, 1, True) and by_label["倒塌房屋间数"] == (3, 3, True)
    assert not check.ok
    c = login(meishan_officer)
    page = c.get(f"/disaster/events/{flood.pk}/registers/").content.decode()
    assert "不符" in page and "李遇难" in page
    before = AuditEntry.objects.filter(action__startswith="export.").count()
    resp = c.get(f"/disaster/events/{flood.pk}/registers/?format=xlsx")
    assert resp.content[:2] == b"PK" and AuditEntry.objects.filter(action__startswith="export.").count() == before + 1
    assert c.get(f"/disaster/events/{flood.pk}/registers/?format=pdf").content[:4] == b"%PDF"
    # the village coordinator may record but not export
    assert login(coordinator).get(f"/disaster/events/{flood.pk}/registers/?format=xlsx").status_code == 403


def test_register_entries_need_an_affected_village(flood: Any, meishan_officer: Any, meishan: Any,
                                                   district_admin: Any, county: Any) -> None:
    other = Division.objects.filter(level=Level.VILLAGE).exclude(path__startswith=meishan.path).exclude(
        parent__name="夏道镇").first()
    with pytest.raises(ValidationError, match="受灾范围"):
        services.add_casualty(actor=district_admin, event=flood, division=other, name="某", status="dead",
                              occurred_on=T0.date())
    with pytest.raises(ValidationError, match="按村"):
        services.add_house_damage(actor=meishan_officer, event=flood, division=meishan, head_name="某",
                                  level="severe", rooms=1)


def test_village_staff_get_their_own_report_tasks(flood: Any, coordinator: Any) -> None:
    from minzheng.core import tasks

    mine = [t for t in tasks.for_user(coordinator) if t.kind == "灾情初报"]
    assert [t.division for t in mine] == ["中山社区居委会"] and mine[0].overdue


def test_cli_lists_overdue_reports_on_a_fixed_clock(flood: Any, meishan: Any, meishan_officer: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("disaster", "overdue", "--at", (T0 + H).isoformat(), stdout=out)
    assert "没有逾期" in out.getvalue()
    filed(meishan_officer, initial(flood), meishan, GOOD, now=T0 + H)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("disaster", "overdue", "--at", (T0 + 3 * H).isoformat(), "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["division"], r["round"]) for r in rows] == [("夏道镇", "初报")]


def test_more_townships_can_join_an_event(login: Any, district_admin: Any, meishan: Any, flood_type: Any,
                                          xiadao: Any, xiadao_officer: Any) -> None:
    ev = services.register_event(actor=district_admin, name="扩大测试", dtype=flood_type, started_at=T0 - H,
                                 areas=[meishan], now=T0)
    assert login(xiadao_officer).get(f"/disaster/events/{ev.pk}/").status_code == 404
    resp = api(login(district_admin), "post", f"/events/{ev.pk}/areas", {"areas": [xiadao.code]})
    assert resp.status_code == 200 and resp.json()["townships"] == [meishan.code, xiadao.code]
    assert login(xiadao_officer).get(f"/disaster/events/{ev.pk}/").status_code == 200
    assert services.overdue_initial(ev, now=T0 + 3 * H) == [meishan, xiadao]


def test_due_rounds_open_themselves_on_the_interval(district_admin: Any, meishan: Any, flood_type: Any,
                                                    flood: Any) -> None:
    import io

    from django.core.management import call_command

    major = services.register_event(actor=district_admin, name="重大自动", dtype=flood_type, started_at=T0 - H,
                                    areas=[meishan], is_major=True, now=T0)
    # the ordinary flood is due a 续报 after 7 days; the major event a 零报告 round every day at 24:00
    assert services.open_due_rounds(now=T0 + 10 * H) == []
    opened = services.open_due_rounds(now=T0 + 3 * 24 * H)
    # figures to 24:00 of 5, 6 and 7 June; the 8 June round is due at 09:00 that day
    assert [str(r) for r in opened] == ["续报第1期", "续报第2期", "续报第3期"]
    assert {r.event.name for r in opened} == {"重大自动"}
    assert [r.as_of.astimezone(T0.tzinfo).day for r in opened] == [6, 7, 8]
    assert all(r.as_of.astimezone(T0.tzinfo).hour == 0 and r.due_at == r.as_of + 9 * H for r in opened)
    assert services.open_due_rounds(now=T0 + 3 * 24 * H) == []  # idempotent
    out = io.StringIO()
    call_command("disaster", "rounds", "--at", (T0 + 8 * 24 * H).isoformat(), stdout=out)
    text = out.getvalue()
    assert "6·5 洪涝  续报第1期" in text and "重大自动" in text
    assert major.rounds.filter(kind=RoundKind.UPDATE).count() == 8
    with pytest.raises(ValidationError, match="已发起"):
        services.open_update_round(actor=district_admin, event=major, now=T0 + 8 * 24 * H)


def test_district_is_reminded_to_open_the_next_round(district_admin: Any, meishan: Any, flood_type: Any) -> None:

    from minzheng.core import tasks

    now = dates.now()
    services.register_event(actor=district_admin, name="提醒测试", dtype=flood_type, started_at=now - 9 * 24 * H,
                            areas=[meishan], now=now - 8 * 24 * H)
    assert any(t.kind == "续报待发起" and "提醒测试" in t.title for t in tasks.for_user(district_admin))
