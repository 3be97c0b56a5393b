"""Assessment: weighted indicators, 无数据 redistributed, ranking, manual scores, coordinator scoring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.assistance import services
from minzheng.regions.models import Division, Level
from minzheng.workforce import assessment as assess
from minzheng.workforce import staff
from minzheng.workforce.models import IndicatorScore, IndicatorSource, PostKind, TownshipResult
from tests.assistance.wf_fixtures import advance_to_publicity, dibao_family

D = Decimal
weights = st.decimals(min_value=1, max_value=100, places=0)
scores = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))


@given(st.lists(st.tuples(weights, scores), min_size=1, max_size=8))
def test_total_is_a_weighted_mean_of_what_has_data(parts: list[tuple[Decimal, Decimal | None]]) -> None:
    total, used = assess.weighted_total(parts)
    present = [(w, s) for w, s in parts if s is not None]
    if not present:
        assert total is None and used == 0
        return
    assert used == sum(w for w, _ in present)
    lo, hi = min(s for _, s in present), max(s for _, s in present)
    assert lo - D("0.01") <= total <= hi + D("0.01")
    # dropping the 无数据 indicators changes nothing: their weight was redistributed
    assert assess.weighted_total(present)[0] == total


@given(st.decimals(min_value=0, max_value=100, places=2), st.lists(weights, min_size=1, max_size=6))
def test_equal_scores_give_that_score(s: Decimal, ws: list[Decimal]) -> None:
    assert assess.weighted_total([(w, s) for w in ws])[0] == s.quantize(D("0.01"))


def test_indicator_score_and_ranking() -> None:
    assert assess.indicator_score(D("0.9"), D("0.9")) == 100
    assert assess.indicator_score(D("0.45"), D("0.9")) == 50
    assert assess.indicator_score(D("1"), D("0.8")) == 100
    assert assess.competition_rank({"a": D(90), "b": D(95), "c": D(90), "d": None, "e": D(80)}) == {
        "b": 1, "a": 2, "c": 2, "e": 4, "d": None}


def publicity_in(village: Any, officer: Any, *, received_on: dt.date, posted_on: dt.date) -> None:
    """A real 低保 case taken to 公示: on time when posted by its 办结期限 (a few weeks after it was received)."""
    hh, head, _ = dibao_family(village)
    app = services.create_application(actor=officer, programme_code="dibao_urban", household=hh, applicant=head,
                                      received_on=received_on, rule_set="2021")
    advance_to_publicity(app, officer, posted_on)


@pytest.mark.django_db
def test_year_end_scoring_with_weights_and_missing_data(county: Any, meishan: Any, xiadao: Any, zhongshan: Any,
                                                        meishan_officer: Any, xiadao_officer: Any,
                                                        district_admin: Any, login: Any) -> None:
    # given: a scheme with a computed indicator from another app, one without data this year, and a manual one
    scheme = assess.create_scheme(year=2024, division=county, actor=district_admin, indicators=[
        ("公示按时", IndicatorSource.PUBLICITY_ON_TIME, 30, "1"),
        ("灾情按时", IndicatorSource.DISASTER_ON_TIME, 20, "1"),
        ("重点任务", IndicatorSource.MANUAL, 50, "1"),
    ])
    # 梅山 posted 4 of its 5 公示 of 2024 on time (80%), 夏道 its only one (100%); no disaster round fell due in 2024
    for _ in range(4):
        publicity_in(zhongshan, meishan_officer, received_on=dt.date(2024, 5, 6), posted_on=dt.date(2024, 5, 6))
    publicity_in(zhongshan, meishan_officer, received_on=dt.date(2024, 1, 8), posted_on=dt.date(2024, 6, 3))
    xiadao_village = Division.objects.filter(parent=xiadao, level=Level.VILLAGE).order_by("code").first()
    publicity_in(xiadao_village, xiadao_officer, received_on=dt.date(2024, 5, 6), posted_on=dt.date(2024, 5, 6))
    manual = scheme.indicators.get(source=IndicatorSource.MANUAL)
    assess.set_manual_score(actor=district_admin, indicator=manual, township=meishan, score=D(90))
    assess.set_manual_score(actor=district_admin, indicator=manual, township=xiadao, score=D(70))
    # when: year-end scoring runs from the page
    resp = login(district_admin).post("/workforce/assessment/2024/", {"action": "score"})
    assert resp.status_code == 302
    # then: 梅山 = (30×80 + 50×90)/80 = 86.25; 夏道 = (30×100 + 50×70)/80 = 81.25; 灾情 shows 无数据
    res = {r.township_id: r for r in TownshipResult.objects.filter(scheme=scheme)}
    assert (res[meishan.pk].total, res[meishan.pk].rank, res[meishan.pk].weights_used) == (D("86.25"), 1, D(80))
    assert (res[xiadao.pk].total, res[xiadao.pk].rank) == (D("81.25"), 2)
    pub = IndicatorScore.objects.get(indicator__source=IndicatorSource.PUBLICITY_ON_TIME, township=meishan)
    assert (pub.value, pub.score) == (D("0.8"), D("80"))
    dis = IndicatorScore.objects.get(indicator__source=IndicatorSource.DISASTER_ON_TIME, township=meishan)
    assert dis.score is None and "无数据" in dis.note
    page = login(district_admin).get("/workforce/assessment/2024/").content.decode()
    assert "无数据" in page and "86.25" in page
    # finalised results cannot change
    assess.finalize(scheme=scheme, actor=district_admin)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        assess.set_manual_score(actor=district_admin, indicator=manual, township=meishan, score=D(10))


@pytest.mark.django_db
def test_township_officer_cannot_score(county: Any, meishan_officer: Any, login: Any) -> None:
    scheme = assess.create_scheme(year=2023, division=county)
    assert login(meishan_officer).post("/workforce/assessment/2023/", {"action": "score"}).status_code == 403
    assert not TownshipResult.objects.filter(scheme=scheme).exists()


@pytest.mark.django_db
def test_coordinator_monthly_meetings_and_quarterly_checks(meishan: Any, zhongshan: Any,
                                                           meishan_officer: Any) -> None:
    p = staff.create_post(division=zhongshan, kind=PostKind.VILLAGE_COORDINATOR)
    s = staff.create_staff(division=zhongshan, name="协管员庚")
    staff.appoint(post=p, staff=s, start=dt.date(2023, 1, 1))
    for month in range(1, 5):
        assess.record_meeting(actor=meishan_officer, township=meishan, date=dt.date(2024, month, 10),
                              topic="例会", attendee_ids={s.pk} if month != 2 else set())
    assess.record_check(actor=meishan_officer, staff=s, year=2024, quarter=1, score=D(80), date=dt.date(2024, 3, 30))
    assess.record_check(actor=meishan_officer, staff=s, year=2024, quarter=2, score=D(90), date=dt.date(2024, 6, 30))
    [row] = assess.coordinator_scores(meishan, 2024, on=dt.date(2024, 12, 31))
    # 40% × 75 (3 of 4 meetings) + 60% × 85 = 30 + 51 = 81
    assert (row.meetings, row.attended, row.check_avg, row.total, row.rank) == (4, 3, D("85.0"), D("81.00"), 1)
