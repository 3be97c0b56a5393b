"""The disaster pages offer only what the services accept: relief distributions and 冬春救助 cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minzheng.accounts.roles import Role
from minzheng.core import dates
from minzheng.disaster import relief, winter
from minzheng.disaster.models import DistributionStatus, WinterCase, WinterStatus

from .test_relief import depot, quilt, rice, setting  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def test_a_reader_is_not_offered_to_publish_or_close_a_distribution(setting: dict[str, Any],  # noqa: F811
                                                                    meishan_officer: Any, make_user: Any,
                                                                    county: Any, login: Any) -> None:
    dist = setting["dist"]
    url = f"/disaster/distributions/{dist.pk}/"
    # given: the 局领导 reads the distribution; before, the page offered them 发布公示 and 结束发放
    head = login(make_user(Role.BUREAU_HEAD, county))
    body = head.get(url).content.decode()
    assert "发放明细" in body
    assert 'value="publish"' not in body and 'value="close"' not in body and "登记发放" not in body
    # when: they post anyway, the service refuses
    assert head.post(url, {"action": "close"}).status_code == 403
    dist.refresh_from_db()
    assert dist.status == DistributionStatus.OPEN
    # then: the township officer is offered all three; once closed, only the 公示 remains
    officer = login(meishan_officer)
    body = officer.get(url).content.decode()
    assert 'value="publish"' in body and 'value="close"' in body and "登记发放" in body
    officer.post(url, {"action": "close"})
    dist.refresh_from_db()
    assert dist.status == DistributionStatus.CLOSED
    body = officer.get(url).content.decode()
    assert 'value="publish"' in body and 'value="close"' not in body and "登记发放" not in body
    with pytest.raises(ValidationError, match="已结束"):
        relief.close_distribution(actor=meishan_officer, distribution=dist)


@pytest.fixture
def season(approver: Any) -> Any:
    return winter.open_round(actor=approver, year=TODAY.year)


def noticed_case(season: Any, make_household: Any, village: Any, officer: Any, notice_start: dt.date) -> WinterCase:
    case = winter.add_case(actor=officer, round=season, household=make_household(village, "吴春生"),
                           source="nomination", persons=3, surveyed_on=season.survey_start, amount_requested="1800")
    winter.record_evaluation(actor=officer, case=case, held_on=season.survey_start, attendees=11, votes_for=9,
                             passed=True)
    winter.start_notice(actor=officer, cases=[case], start=notice_start)
    case.refresh_from_db()
    return case


def test_township_review_is_offered_once_the_notice_has_run(season: Any, make_household: Any, zhongshan: Any,
                                                            meishan_officer: Any, login: Any) -> None:
    case = noticed_case(season, make_household, zhongshan, meishan_officer, notice_start=TODAY)
    url = f"/disaster/winter/cases/{case.pk}/"
    officer = login(meishan_officer)
    assert 'value="township"' not in officer.get(url).content.decode()  # 公示 still running
    with pytest.raises(ValidationError, match="期满后"):
        winter.township_review(actor=meishan_officer, case=case, ok=True, opinion="同意")
    WinterCase.objects.filter(pk=case.pk).update(notice_start=TODAY - dt.timedelta(days=10),
                                                 notice_end=TODAY - dt.timedelta(days=4))
    assert 'value="township"' in officer.get(url).content.decode()
    officer.post(url, {"action": "township", "ok": "1", "opinion": "公示无异议，同意"})
    case.refresh_from_db()
    assert case.status == WinterStatus.TOWNSHIP_OK


def test_district_approval_is_offered_to_the_district_only(season: Any, make_household: Any, zhongshan: Any,
                                                           meishan: Any, meishan_officer: Any, approver: Any,
                                                           make_user: Any, login: Any) -> None:
    case = noticed_case(season, make_household, zhongshan, meishan_officer,
                        notice_start=TODAY - dt.timedelta(days=10))
    winter.township_review(actor=meishan_officer, case=case, ok=True, opinion="同意")
    url = f"/disaster/winter/cases/{case.pk}/"
    # an approver's account bound to the township holds APPROVE, but 冬春救助 is approved by the district
    town_approver = make_user(Role.DISTRICT_APPROVER, meishan)
    assert 'value="district"' not in login(town_approver).get(url).content.decode()
    with pytest.raises(PermissionDenied, match="由区审批"):
        winter.district_approve(actor=town_approver, case=case, ok=True)
    assert 'value="district"' not in login(meishan_officer).get(url).content.decode()
    district = login(approver)
    assert 'value="district"' in district.get(url).content.decode()
    district.post(url, {"action": "district", "ok": "1", "amount": "1500"})
    case.refresh_from_db()
    assert case.status == WinterStatus.APPROVED


@pytest.mark.parametrize(("data", "field"), [
    ({"action": "evaluate", "held_on": "2026-13-40", "attendees": "9", "votes_for": "8"}, "评议日期"),
    ({"action": "evaluate", "held_on": "2026-01-05", "attendees": "9" * 30, "votes_for": "8"}, "参会人数"),
    ({"action": "evaluate", "held_on": "0001-01-05", "attendees": "9", "votes_for": "8"}, "评议日期"),
    ({"action": "notice", "start": "abc"}, "公示开始日期"),
])
def test_bad_posted_values_get_a_chinese_400_naming_the_field(season: Any, make_household: Any, zhongshan: Any,
                                                               meishan_officer: Any, login: Any,
                                                               data: dict[str, str], field: str) -> None:
    case = winter.add_case(actor=meishan_officer, round=season, household=make_household(zhongshan, "郑秋生"),
                           source="nomination", persons=2, surveyed_on=season.survey_start, amount_requested="900")
    resp = login(meishan_officer).post(f"/disaster/winter/cases/{case.pk}/", data)
    assert resp.status_code == 400 and field in resp.content.decode()
    case.refresh_from_db()
    assert case.status == WinterStatus.SURVEYED   # nothing half-written


def test_opening_a_round_with_a_bad_year_is_a_400(approver: Any, login: Any) -> None:
    resp = login(approver).post("/disaster/winter/", {"year": "99999999999999999999999"})
    assert resp.status_code == 400 and "年度" in resp.content.decode()
