"""What assistance publishes to other apps: the township rates of the annual assessment, and the 近亲属备案
register for the cross-check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance import selectors, services
from minzheng.assistance.models import KinshipRegistration, ReviewSchedule
from minzheng.core import dates
from minzheng.registry.models import Enrollment, Programme

from .wf_fixtures import advance_to_publicity, dibao_family

pytestmark = pytest.mark.django_db


def scheduled(village: Any, next_due: dt.date) -> ReviewSchedule:
    hh, _head, _wife = dibao_family(village)
    enrollment = Enrollment.objects.create(programme=Programme.objects.get(code="dibao_urban"), household=hh,
                                           covered_persons=3, monthly_amount=Decimal("900"),
                                           start_month=dt.date(2023, 1, 1), source="测试")
    return ReviewSchedule.objects.create(enrollment=enrollment, household_class="irregular", interval_months=6,
                                         next_due=next_due)


def test_review_rate_is_the_share_of_reviews_not_past_due(zhongshan: Any, meishan: Any, xiadao: Any) -> None:
    # given: two 梅山 households, one review due in September, one overdue since March
    scheduled(zhongshan, dt.date(2024, 9, 1))
    scheduled(zhongshan, dt.date(2024, 3, 1))
    with dates.frozen("2024-07-01T10:00:00+08:00"):
        # then: half are on time this year; at the end of 2023 neither was due yet; 夏道 has no reviews (无数据)
        assert selectors.review_on_time_rate(meishan, 2024) == Decimal("0.5000")
        assert selectors.review_on_time_rate(meishan, 2023) == Decimal("1.0000")
        assert selectors.review_on_time_rate(xiadao, 2024) is None


def test_publicity_rate_is_the_share_posted_by_the_case_deadline(zhongshan: Any, meishan: Any,
                                                                 meishan_officer: Any) -> None:
    # given: one case posted the day it was received, one posted months after its 办结期限
    for received, posted in ((dt.date(2024, 5, 6), dt.date(2024, 5, 6)), (dt.date(2024, 1, 8), dt.date(2024, 6, 3))):
        hh, head, _ = dibao_family(zhongshan)
        app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                          applicant=head, received_on=received, rule_set="2021")
        advance_to_publicity(app, meishan_officer, posted)
    # then
    assert selectors.publicity_on_time_rate(meishan, 2024) == Decimal("0.5000")
    assert selectors.publicity_on_time_rate(meishan, 2023) is None


def test_filed_relatives_are_the_active_registrations(meishan: Any, zhongshan: Any) -> None:
    _hh, _head, wife = dibao_family(zhongshan)
    for active, number in ((True, wife.id_number), (False, "350702198001011236"), (True, "")):
        KinshipRegistration.objects.create(division=meishan, staff_name="王主任", staff_id_number="350702197001011234",
                                           staff_role="village_committee", relative_name="某", relation="配偶",
                                           relative_id_number=number, active=active, registered_on=dt.date(2024, 1, 1))
    assert selectors.filed_relative_id_numbers() == [wife.id_number]
