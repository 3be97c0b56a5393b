"""冬春救助: the season from parameters, application/nomination → 民主评议 → 公示 → 乡镇审核 → 区审批, totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minzheng.disaster import winter
from minzheng.disaster.models import WinterStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(approver: Any) -> Any:
    return winter.open_round(actor=approver, year=2026)


def test_season_dates_come_from_parameters(season: Any, meishan_officer: Any, approver: Any) -> None:
    assert (season.survey_start, season.survey_end) == (dt.date(2026, 9, 20), dt.date(2026, 10, 15))
    assert (season.period_start, season.period_end) == (dt.date(2026, 12, 1), dt.date(2027, 5, 31))
    assert season.notice_days == 7 and season.decided_under["winter_period_end_month"]["value"] == 5
    with pytest.raises(PermissionDenied):
        winter.open_round(actor=meishan_officer, year=2027)  # the district opens a season
    with pytest.raises(ValidationError):
        winter.open_round(actor=approver, year=2026)  # one season per year


def test_case_runs_from_survey_to_district_approval(season: Any, make_household: Any, zhongshan: Any,
                                                    xiadao_village: Any, meishan_officer: Any,
                                                    xiadao_officer: Any, approver: Any, login: Any,
                                                    client: Any) -> None:
    hh = make_household(zhongshan, "吴春生")
    with pytest.raises(ValidationError, match="开始"):
        winter.add_case(actor=meishan_officer, round=season, household=hh, source="application", persons=3,
                        surveyed_on=dt.date(2026, 9, 1))  # before the survey window
    case = winter.add_case(actor=meishan_officer, round=season, household=hh, source="nomination", persons=3,
                           surveyed_on=dt.date(2026, 9, 24), reasons=["房屋倒塌或损坏"], needs=["口粮", "衣被"],
                           amount_requested="1800")
    with pytest.raises(ValidationError, match="已在"):
        winter.add_case(actor=meishan_officer, round=season, household=hh, source="application", persons=3,
                        surveyed_on=dt.date(2026, 9, 24))
    # steps cannot be skipped
    with pytest.raises(ValidationError):
        winter.township_review(actor=meishan_officer, case=case, ok=True, opinion="同意")
    winter.record_evaluation(actor=meishan_officer, case=case, held_on=dt.date(2026, 9, 28), attendees=11,
                             votes_for=9, passed=True)
    winter.start_notice(actor=meishan_officer, cases=[case], start=dt.date(2026, 9, 29))
    case.refresh_from_db()
    assert case.status == WinterStatus.NOTICE and case.notice_end == dt.date(2026, 10, 5)
    # the public notice: masked name, village, persons
    page = client.get(f"/public/disaster/winter/{season.public_token}/").content.decode()
    assert "吴*生" in page and "中山社区居委会" in page and "吴春生" not in page and hh.head.id_number not in page
    with pytest.raises(ValidationError, match="期满后"):
        winter.township_review(actor=meishan_officer, case=case, ok=True, opinion="同意",
                               today=dt.date(2026, 10, 5))
    winter.township_review(actor=meishan_officer, case=case, ok=True, opinion="公示无异议，同意",
                           today=dt.date(2026, 10, 6))
    with pytest.raises(PermissionDenied):
        winter.district_approve(actor=meishan_officer, case=case, ok=True)
    winter.district_approve(actor=approver, case=case, ok=True, amount="1500")
    case.refresh_from_db()
    assert case.status == WinterStatus.APPROVED and case.amount_approved == Decimal("1500")
    # another township's case, rejected at the 民主评议
    other = winter.add_case(actor=xiadao_officer, round=season, household=make_household(xiadao_village, "郑秋"),
                            source="application", persons=2, surveyed_on=dt.date(2026, 9, 25),
                            amount_requested="900")
    winter.record_evaluation(actor=xiadao_officer, case=other, held_on=dt.date(2026, 9, 28), attendees=10,
                             votes_for=3, passed=False)
    totals = {t["township"].name: t for t in winter.totals_by_township([case, other])}
    assert totals["梅山街道"]["approved_households"] == 1 and totals["梅山街道"]["approved"] == Decimal("1500")
    assert totals["夏道镇"]["households"] == 1 and totals["夏道镇"]["approved_households"] == 0
    # each township sees only its own list; the district sees both, with totals per township
    page = login(meishan_officer).get(f"/disaster/winter/{season.pk}/").content.decode()
    assert "吴春生" in page and "郑秋" not in page
    page = login(approver).get(f"/disaster/winter/{season.pk}/").content.decode()
    assert "梅山街道" in page and "夏道镇" in page and "1500" in page


def test_case_steps_in_the_ui(season: Any, make_household: Any, zhongshan: Any, meishan_officer: Any,
                              approver: Any, login: Any) -> None:
    hh = make_household(zhongshan, "邱冬梅")
    c = login(meishan_officer)
    resp = c.post(f"/disaster/winter/{season.pk}/", {"household": hh.pk, "source": "application", "persons": "2",
                                                     "amount_requested": "600", "surveyed_on": "2026-09-26",
                                                     "needs": ["取暖"]})
    assert resp.status_code == 302
    case = season.cases.get(household=hh)
    url = f"/disaster/winter/cases/{case.pk}/"
    c.post(url, {"action": "evaluate", "held_on": "2026-09-28", "attendees": "9", "votes_for": "8", "passed": "1"})
    c.post(url, {"action": "notice", "start": "2026-09-29"})
    case.refresh_from_db()
    assert case.status == WinterStatus.NOTICE and case.needs == ["取暖"]


def test_winter_list_exports_with_totals(season: Any, make_household: Any, zhongshan: Any, meishan_officer: Any,
                                         login: Any) -> None:
    from minzheng.audit.models import AuditEntry

    winter.add_case(actor=meishan_officer, round=season, household=make_household(zhongshan, "钟冬"),
                    source="application", persons=2, surveyed_on=dt.date(2026, 9, 21), amount_requested=700)
    resp = login(meishan_officer).get(f"/disaster/winter/{season.pk}/?format=xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="export.冬春救助名单 2026").exists()
