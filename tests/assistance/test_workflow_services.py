"""The 低保, 特困 and 临时救助 workflows end to end through the services, with the rules' amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance import rules, services
from minzheng.assistance.models import Opinion, Publicity, RefusalNotice, SpotCheck, Status
from minzheng.assistance.workflow import WorkflowError
from minzheng.registry.models import EnrollmentAmount

from .wf_fixtures import advance_to_publicity, dibao_family, tekun_elder

DAY = dt.date(2024, 5, 6)


def approve(app: Any, approver: Any, today: dt.date) -> Any:
    check = SpotCheck.objects.filter(application=app).first()
    if check is not None:
        services.record_spot_check(app, actor=approver, visited_on=today, visitors="赵一、钱二", findings="属实",
                                   confirmed=True)
        app.refresh_from_db()
    return services.county_approve(app, actor=approver, today=today)


@pytest.mark.django_db
def test_dibao_urban_case_runs_end_to_end_with_rules_amount(zhongshan: Any, meishan_officer: Any,
                                                            approver: Any) -> None:
    # given: a 3-person urban family with 1,200 元 wages, and the demo 2024 urban standard
    hh, head, _ = dibao_family(zhongshan)
    std = rules.Params(DAY, zhongshan).get("dibao.standard.urban").decimal
    # when: it is accepted and taken through investigation, checks and 初审
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2021")
    assert app.status == Status.ACCEPTED and app.number.startswith("DBC2024")
    app = advance_to_publicity(app, meishan_officer, DAY)
    # then: 补差 = (standard − 400) × 3 (plus any 分类施保 for the child), shown with its explanation
    assert app.status == Status.PUBLICITY
    minor = rules.Params(DAY, zhongshan).get("dibao.supplement.minor").decimal
    assert app.proposed_amount == ((std - Decimal("400")) * 3 + std * minor).quantize(Decimal("0.01"))
    assert app.covered_persons == 3
    assert {p["key"] for p in app.decision["params"]} >= {"dibao.standard.urban", "dibao.supplement.minor"}
    assert "低保标准" in app.decision["explanation"]
    pub = Publicity.objects.get(application=app)
    assert pub.end_date == DAY + dt.timedelta(days=6)
    # when: the 公示 ends and the county confirms
    with pytest.raises(WorkflowError):
        services.end_publicity(app, actor=meishan_officer, today=pub.end_date)
    app = services.end_publicity(app, actor=meishan_officer, today=pub.end_date + dt.timedelta(days=1))
    assert app.status == Status.COUNTY_REVIEW
    app = approve(app, approver, dt.date(2024, 5, 20))
    # then: enrolled from next month with the same amount and the rule versions
    assert app.status == Status.APPROVED
    enr = app.enrollment
    assert enr.start_month == dt.date(2024, 6, 1)
    assert enr.monthly_amount == app.proposed_amount and enr.covered_persons == 3
    assert EnrollmentAmount.objects.get(enrollment=enr).from_month == dt.date(2024, 6, 1)
    assert enr.decided_under["decision"]
    assert Opinion.objects.filter(application=app).count() >= 7


@pytest.mark.django_db
def test_2012_rules_require_democratic_review(zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2012")
    app = services.start_investigation(app, actor=meishan_officer, today=DAY)
    services.record_investigation(app, actor=meishan_officer, visited_on=DAY, investigator_1="张伟",
                                  investigator_2="李娜", investigator_1_signed=True, investigator_2_signed=True,
                                  applicant_signed=True, today=DAY)
    app.refresh_from_db()
    app = services.complete_checks(app, actor=meishan_officer, today=DAY)
    assert app.status == Status.DEMOCRATIC_REVIEW
    with pytest.raises(WorkflowError, match="不能执行"):
        services.township_opinion(app, actor=meishan_officer, today=DAY)
    # a failed vote (2 of 5) blocks a positive 初审
    services.record_review(app, actor=meishan_officer, held_on=DAY, attendees=list("甲乙丙丁戊"), panel_size=5,
                           votes_for=2, votes_against=3, votes_abstain=0, all_signed=True, today=DAY)
    app.refresh_from_db()
    with pytest.raises(WorkflowError, match="民主评议未通过"):
        services.township_opinion(app, actor=meishan_officer, today=DAY)
    notice = services.township_refuse(app, actor=meishan_officer, reasons="民主评议未通过", today=DAY)
    assert notice.due_on == dt.date(2024, 5, 9)


@pytest.mark.django_db
def test_tekun_dispersed_case_and_termination(xiadao_village: Any, xiadao_officer: Any, approver: Any) -> None:
    hh, elder = tekun_elder(xiadao_village)
    app = services.create_application(actor=xiadao_officer, programme_code="tekun_dispersed", household=hh,
                                      applicant=elder, received_on=DAY, selfcare_failed=["bathe", "walk"])
    app = advance_to_publicity(app, xiadao_officer, DAY)
    params = rules.Params(DAY, xiadao_village)
    expected = rules.tekun_support("half", arrangement="dispersed", area="rural", params=params).amount
    assert app.proposed_amount == expected
    app = services.end_publicity(app, actor=xiadao_officer, today=DAY + dt.timedelta(days=7))
    app = approve(app, approver, DAY + dt.timedelta(days=8))
    enr = app.enrollment
    assert enr.person == elder and enr.monthly_amount == expected
    # termination: 初审 → 7-day 公示 → county → ended from next month
    term = services.propose_termination(enr, actor=xiadao_officer, reason="本人死亡", today=dt.date(2024, 8, 1))
    term = services.township_opinion(term, actor=xiadao_officer, today=dt.date(2024, 8, 1))
    assert term.status == Status.PUBLICITY
    term = services.end_publicity(term, actor=xiadao_officer, today=dt.date(2024, 8, 8))
    term = approve(term, approver, dt.date(2024, 8, 9))
    enr.refresh_from_db()
    assert enr.status == "ended" and enr.end_month == dt.date(2024, 9, 1)


@pytest.mark.django_db
def test_linshi_urgent_fast_path(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="linshi", household=hh,
                                      applicant=head, received_on=DAY, linshi_type="urgent", months=2,
                                      reason="火灾")
    app = services.township_opinion(app, actor=meishan_officer, today=DAY)
    assert app.status == Status.COUNTY_REVIEW
    params = rules.Params(DAY, zhongshan)
    expected = rules.linshi_amount("emergency", persons=3, months=2, params=params).amount
    assert app.proposed_amount == expected
    app = approve(app, approver, DAY)
    assert app.enrollment.start_month == dt.date(2024, 5, 1)
    assert app.enrollment.end_month == dt.date(2024, 6, 1)


@pytest.mark.django_db
def test_refusal_notice_deadline_skips_national_day(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=dt.date(2024, 9, 27))
    # 2024-09-29 (Sun) and 10-12 (Sat) are 调休 working days; 10-01..10-07 are holidays.
    assert app.step_due == dt.date(2024, 10, 8)
    notice = services.township_refuse(app, actor=meishan_officer, reasons="收入超标", today=dt.date(2024, 9, 30))
    assert notice.due_on == dt.date(2024, 10, 10)  # 10-08, 10-09, 10-10
    assert RefusalNotice.objects.get(application=app).reasons == "收入超标"


@pytest.mark.django_db
def test_coordinator_files_but_does_not_decide(zhongshan: Any, coordinator: Any) -> None:
    from django.core.exceptions import PermissionDenied

    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=coordinator, programme_code="dibao_urban", household=hh,
                                      applicant=head, channel="discovered", received_on=DAY)
    assert app.channel == "discovered" and app.assigned_to is None
    app = services.start_investigation(app, actor=coordinator, today=DAY)
    services.record_investigation(app, actor=coordinator, visited_on=DAY, investigator_1="协管员",
                                  investigator_2="民政助理员", investigator_1_signed=True,
                                  investigator_2_signed=True, applicant_signed=True, today=DAY)
    app.refresh_from_db()
    with pytest.raises(PermissionDenied, match="协管员"):
        services.complete_checks(app, actor=coordinator, today=DAY)


@pytest.mark.django_db
def test_handover_moves_open_cases(zhongshan: Any, meishan_officer: Any, make_user: Any) -> None:
    from minzheng.core import handover

    successor = make_user("township_officer", meishan_officer.division, username="meishan_new")
    hh, head, _ = dibao_family(zhongshan)
    services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh, applicant=head,
                                received_on=DAY)
    assert handover.open_items(meishan_officer)["救助案件"] == 1
    assert handover.move_all(meishan_officer, successor)["救助案件"] == 1
    assert "救助案件" not in handover.open_items(meishan_officer)
    assert handover.open_items(successor)["救助案件"] == 1
