"""Property tests of the assistance rules (hypothesis), on the catalogue's seed values without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.assistance import rules as r

pytestmark = pytest.mark.engine_only

D = Decimal
money_st = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31))
areas = st.sampled_from(["urban", "rural"])
covered_st = st.integers(min_value=1, max_value=12)
ITEMS = ["务工", "工资", "小卖部", "优待抚恤金", "奖学金", "基础养老金", "困难残疾人生活补贴", "土地流转", ""]
CATS = ["wage", "business", "property", "transfer", "other"]

_params: dict[dt.date, r.Params] = {}


def params(on: dt.date) -> r.Params:
    if on not in _params:
        _params[on] = r.Params.seeded(on)
    return _params[on]


@given(pc=money_st, n=covered_st, on=dates, area=areas)
@settings(max_examples=300, deadline=None)
def test_subsidy_never_negative_and_closes_the_gap(pc: Decimal, n: int, on: dt.date, area: str) -> None:
    """§1.6: 补差 ≥ 0, and when paid, 补差 + 人均收入 × 人数 = 标准 × 人数 (to the fen; min_amount is 0 by default)."""
    p = params(on)
    d = r.dibao_subsidy(pc, n, area=area, params=p)
    std = r.dibao_standard(area, params=p)
    assert d.amount >= 0
    assert d.eligible == (pc < std)
    if d.eligible:
        assert d.amount + pc * n == std * n
    else:
        assert d.amount == 0


@given(a=money_st, b=money_st, n=covered_st, on=dates, area=areas)
@settings(max_examples=300, deadline=None)
def test_subsidy_monotone_in_income(a: Decimal, b: Decimal, n: int, on: dt.date, area: str) -> None:
    """§1.6: more income never means more 低保金."""
    lo, hi = sorted([a, b])
    p = params(on)
    assert r.dibao_subsidy(lo, n, area=area, params=p).amount >= r.dibao_subsidy(hi, n, area=area, params=p).amount


income_st = st.builds(r.IncomeItem, st.sampled_from(CATS), money_st, st.sampled_from(ITEMS),
                      st.sampled_from(["a", "b", "c", None]))


@given(incomes=st.lists(income_st, max_size=8), extra=money_st, on=dates,
       excluded=st.sampled_from(["优待抚恤金", "计划生育奖励与扶助金", "奖学金", "见义勇为奖励", "社会救助款物",
                                 "基础养老金", "重度残疾人护理补贴"]))
@settings(max_examples=200, deadline=None)
def test_exclusions_never_increase_income(incomes: list[r.IncomeItem], extra: Decimal, on: dt.date,
                                          excluded: str) -> None:
    """§1.7: adding an excluded item leaves per-capita income unchanged; adding a counted item never lowers it."""
    p = params(on)
    keys = ["a", "b", "c"]
    base = r.per_capita_income(incomes, member_keys=keys, params=p).amount
    with_excluded = r.per_capita_income([*incomes, r.IncomeItem("transfer", extra, excluded, "a")],
                                        member_keys=keys, params=p).amount
    with_counted = r.per_capita_income([*incomes, r.IncomeItem("wage", extra, "务工", "b")],
                                       member_keys=keys, params=p).amount
    assert with_excluded == base
    assert with_counted >= base
    assert base >= 0


@given(incomes=st.lists(income_st, max_size=8), on=dates)
@settings(max_examples=200, deadline=None)
def test_per_capita_times_members_matches_total(incomes: list[r.IncomeItem], on: dt.date) -> None:
    """§1.6: per-capita income × members equals the counted total within half a fen per member."""
    d = r.per_capita_income(incomes, member_keys=["a", "b", "c"], params=params(on))
    assert abs(d.amount * 3 - d.details["net"]) <= D("0.015")


@given(failed=st.sets(st.sampled_from(list(r.SELF_CARE_ITEMS))), more=st.sampled_from(list(r.SELF_CARE_ITEMS)),
       on=dates)
@settings(max_examples=200, deadline=None)
def test_care_tier_monotone_in_failed_items(failed: set[str], more: str, on: dt.date) -> None:
    """§2.3: failing one more item never lowers the care tier, and the support amount never falls."""
    order = ["self_care", "half", "full"]
    p = params(on)
    a = r.self_care_tier({k: k not in failed for k in r.SELF_CARE_ITEMS}, params=p)
    b = r.self_care_tier({k: k not in (failed | {more}) for k in r.SELF_CARE_ITEMS}, params=p)
    assert order.index(b.details["tier"]) >= order.index(a.details["tier"])
    for arrangement in ("dispersed", "central"):
        sa = r.tekun_support(a.details["tier"], arrangement=arrangement, area="rural", params=p).amount
        sb = r.tekun_support(b.details["tier"], arrangement=arrangement, area="rural", params=p).amount
        assert sb >= sa > 0


@given(tier=st.sampled_from(["self_care", "half", "full"]), on=dates, area=areas)
@settings(max_examples=100, deadline=None)
def test_tekun_basic_at_least_ratio_and_central_not_below_dispersed(tier: str, on: dt.date, area: str) -> None:
    """§2.4: basic ≥ 1.3 × 低保标准; 集中 ≥ 分散 for every tier."""
    p = params(on)
    disp = r.tekun_support(tier, arrangement="dispersed", area=area, params=p)
    cent = r.tekun_support(tier, arrangement="central", area=area, params=p)
    assert disp.details["basic"] >= r.dibao_standard(area, params=p) * D("1.3") - D("0.005")
    assert cent.amount >= disp.amount


@given(kind=st.sampled_from(["emergency", "expenditure"]), persons=st.integers(0, 10),
       months=st.integers(0, 24), ratio=st.decimals(min_value=0, max_value=3, places=2), on=st.dates(
           min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_linshi_within_bounds(kind: str, persons: int, months: int, ratio: Decimal, on: dt.date) -> None:
    """§3: monthly standard within ±25% of the urban standard; months never above the cap; never negative."""
    p = r.Params.seeded(on, linshi__standard_ratio=str(ratio))
    d = r.linshi_amount(kind, persons=persons, months=months, params=p)
    std = r.dibao_standard("urban", params=p)
    cap = 6 if kind == "expenditure" else 3
    assert d.amount >= 0
    monthly = d.details["monthly_standard"]
    assert std * D("0.75") - D("0.005") <= monthly <= std * D("1.25") + D("0.005")
    assert d.amount <= monthly * persons * cap
    assert d.eligible == (persons > 0 and months > 0)


member_st = st.builds(
    r.Member, key=st.uuids().map(str), name=st.just("某"), age=st.integers(0, 100),
    relation=st.sampled_from(["02", "10", "20", "30", "50", "60", "70", "99"]), living_together=st.booleans(),
    legal_support_duty=st.booleans(), unable_to_live_independently=st.booleans(),
    religious_professional=st.booleans(), religious_years_away=st.integers(0, 6), imprisoned=st.booleans(),
    disability_grade=st.one_of(st.none(), st.integers(1, 4)), serious_illness=st.booleans(), in_tekun=st.booleans())


@given(members=st.lists(member_st, min_size=1, max_size=8), incomes=st.lists(money_st, max_size=4), on=dates,
       area=areas, raise_by=money_st)
@settings(max_examples=150, deadline=None)
def test_household_assessment_properties(members: list[r.Member], incomes: list[Decimal], on: dt.date, area: str,
                                         raise_by: Decimal) -> None:
    """§1: counted members ⊆ members; never paid for an excluded person; amount ≥ 0; more income, no more money."""
    p = params(on)
    key = members[0].key
    items = tuple(r.IncomeItem("wage", x, "务工", key) for x in incomes)
    hh = r.HouseholdFacts(area, tuple(members), items)
    d = r.dibao_assess(hh, params=p)
    m = r.household_members(members, params=p)
    assert set(d.details["covered"]) <= {x.key for x in members}
    assert not set(d.details["covered"]) & set(m.details["excluded"])
    assert all(not x.imprisoned and not x.in_tekun for x in members if x.key in d.details["covered"])
    assert d.amount >= 0 and (d.amount > 0) == d.eligible
    richer = r.dibao_assess(r.HouseholdFacts(area, tuple(members), (*items, r.IncomeItem("wage", raise_by, "务工", key))),
                            params=p)
    assert richer.details["subsidy"] <= d.details["subsidy"]


@given(deposit=money_st, more=money_st, on=dates)
@settings(max_examples=100, deadline=None)
def test_asset_test_monotone_in_deposits(deposit: Decimal, more: Decimal, on: dt.date) -> None:
    """§1.8: if a household fails on deposits, one with more deposits fails too."""
    p = params(on)
    members = (r.Member("a", "甲", 40, "02"),)
    big = deposit * 10
    a = r.asset_test(members, [r.AssetItem("deposit", big)], area="urban", params=p)
    b = r.asset_test(members, [r.AssetItem("deposit", big + more)], area="urban", params=p)
    assert a.eligible or not b.eligible
