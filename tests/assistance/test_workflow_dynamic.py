"""动态管理: review cycles by household type and rule version, recomputed amounts with written decisions, 渐退."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance import services
from minzheng.assistance.models import AdjustmentKind, ReviewSchedule
from minzheng.registry.models import EnrollmentAmount

from .wf_fixtures import advance_to_publicity, dibao_family, income

DAY = dt.date(2024, 5, 6)


def enrolled(village: Any, officer: Any, approver: Any, rule_set: str = "2021") -> Any:
    hh, head, wife = dibao_family(village)
    app = services.create_application(actor=officer, programme_code="dibao_urban", household=hh, applicant=head,
                                      received_on=DAY, rule_set=rule_set)
    app = advance_to_publicity(app, officer, DAY)
    app = services.end_publicity(app, actor=officer, today=DAY + dt.timedelta(days=7))
    if hasattr(app, "spot_check_record"):
        services.record_spot_check(app, actor=approver, visited_on=DAY, visitors="赵一、钱二", findings="属实",
                                   confirmed=True)
        app.refresh_from_db()
    app = services.county_approve(app, actor=approver, today=DAY + dt.timedelta(days=8))
    return app.enrollment, hh, head, wife


@pytest.mark.django_db
def test_schedule_follows_household_type_and_rule_version(zhongshan: Any, meishan_officer: Any,
                                                         approver: Any) -> None:
    enr, *_ = enrolled(zhongshan, meishan_officer, approver, "2012")
    sched = ReviewSchedule.objects.get(enrollment=enr)
    # members with no recorded work capacity → stable; 2012 and 2021 both review stable households yearly
    assert sched.household_class == "stable" and sched.interval_months == 12
    assert sched.next_due == dt.date(2025, 6, 1)
    irregular = services.ensure_schedule(enr, household_class="irregular", rule_set="2012", on=dt.date(2018, 3, 1))
    assert irregular.interval_months == 1  # urban, irregular income, 2012 rules: monthly
    irregular = services.ensure_schedule(enr, household_class="irregular", rule_set="2021", on=DAY)
    assert irregular.interval_months == 6


@pytest.mark.django_db
def test_change_of_circumstances_recomputes_amount(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    enr, hh, _head, wife = enrolled(zhongshan, meishan_officer, approver)
    old = enr.monthly_amount
    income(hh, wife, "300")  # the wife finds part-time work
    adj = services.review_enrollment(enr, actor=meishan_officer, reasons="配偶有零工收入", today=dt.date(2024, 7, 10))
    enr.refresh_from_db()
    assert adj.kind == AdjustmentKind.DECREASE and adj.new_amount == old - Decimal("300")
    assert enr.monthly_amount == adj.new_amount
    assert EnrollmentAmount.objects.filter(enrollment=enr, from_month=dt.date(2024, 8, 1),
                                           monthly_amount=adj.new_amount).exists()
    assert "复核" in adj.decision["explanation"]


@pytest.mark.django_db
def test_income_from_work_gives_phase_out_then_stop(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    enr, hh, _head, wife = enrolled(zhongshan, meishan_officer, approver)
    income(hh, wife, "5000")  # well above the standard, through work
    adj = services.review_enrollment(enr, actor=meishan_officer, reasons="配偶就业", work_income_rise=True,
                                     today=dt.date(2024, 7, 10))
    enr.refresh_from_db()
    assert adj.kind == AdjustmentKind.PHASE_OUT
    assert enr.status == "active" and enr.end_month == dt.date(2025, 2, 1)  # six months from 2024-08
    # without work, the same rise stops the benefit next month
    enr2, hh2, _, wife2 = enrolled(zhongshan, meishan_officer, approver)
    income(hh2, wife2, "5000", category="property")
    adj2 = services.review_enrollment(enr2, actor=meishan_officer, reasons="房租收入", today=dt.date(2024, 7, 10))
    enr2.refresh_from_db()
    assert adj2.kind == AdjustmentKind.STOP and enr2.status == "ended" and enr2.end_month == dt.date(2024, 8, 1)


@pytest.mark.django_db
def test_review_page_records_a_written_decision(zhongshan: Any, meishan_officer: Any, approver: Any,
                                               login: Any) -> None:
    enr, hh, _head, wife = enrolled(zhongshan, meishan_officer, approver)
    sched = ReviewSchedule.objects.get(enrollment=enr)
    income(hh, wife, "300")
    client = login(meishan_officer)
    resp = client.post(f"/assistance/reviews/{sched.pk}/", {"action": "review", "reasons": "配偶有零工收入"},
                       follow=True)
    body = resp.content.decode()
    assert resp.status_code == 200 and "减发决定书" in body and "社会救助暂行办法》第十三条" in body
