"""The rules read like the policy (policy-rules-wave2 §1.2, §3.2)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from minzheng.care import rules
from minzheng.care.rules import ChildFacts, ElderFacts, ParentFacts

PARAMS: dict[str, Any] = {
    "care.child.left_behind_max_age": 16, "care.child.orphan_max_age": 18, "care.child.unsupported_min_months": 6,
    "care.elder.age_floor": 60, "care.elder.advanced_age": 80, "care.elder.severe_grades": [1, 2],
    "care.elder.left_behind_min_months": 6, "care.visit.interval.child": {"high": 30, "medium": 30, "low": 90},
}
P = PARAMS.__getitem__


def codes(**kw: Any) -> list[str]:
    return rules.child_categories(ChildFacts(**kw), P).codes


def test_both_parents_away_makes_a_rural_child_under_16_left_behind() -> None:
    away = ParentFacts("away")
    assert "left_behind" in codes(age=10, rural=True, father=away, mother=away)
    assert "left_behind" not in codes(age=16, rural=True, father=away, mother=away)
    assert "left_behind" not in codes(age=10, rural=False, father=away, mother=away)


def test_one_parent_away_and_the_other_severely_ill_is_left_behind() -> None:
    assert "left_behind" in codes(age=9, rural=True, father=ParentFacts("away"), mother=ParentFacts("serious_ill"))
    assert "left_behind" not in codes(age=9, rural=True, father=ParentFacts("away"), mother=ParentFacts("home"))


def test_both_parents_dead_is_an_orphan_under_18() -> None:
    dead = ParentFacts("dead")
    assert "orphan" in codes(age=17, rural=False, father=dead, mother=ParentFacts("missing"))
    assert "orphan" not in codes(age=18, rural=False, father=dead, mother=dead)


def test_detention_counts_for_unsupported_only_from_six_months() -> None:
    assert "unsupported" in codes(age=12, rural=False, father=ParentFacts("dead"),
                                  mother=ParentFacts("detained", 6))
    assert "unsupported" not in codes(age=12, rural=False, father=ParentFacts("dead"),
                                      mother=ParentFacts("detained", 5))


def test_missing_guardianship_is_high_risk_with_its_reason() -> None:
    facts = ChildFacts(age=8, rural=True, guardianship="missing")
    out = rules.child_categories(facts, P)
    risk, reasons = rules.child_risk(facts, out.codes)
    assert "difficult" in out.codes and risk == "high" and reasons == ["监护缺失或监护失当"]


@given(age=st.integers(0, 25), f=st.sampled_from(["home", "away", "dead", "missing", "detained", "lost_contact",
                                                   "severe_disabled", "serious_ill"]),
       m=st.sampled_from(["home", "away", "dead", "missing", "detained", "lost_contact"]),
       months=st.integers(0, 24), rural=st.booleans())
def test_orphan_and_unsupported_never_together_and_never_from_18(age: int, f: str, m: str, months: int,
                                                                   rural: bool) -> None:
    out = codes(age=age, rural=rural, father=ParentFacts(f, months), mother=ParentFacts(m, months))
    assert not {"orphan", "unsupported"} <= set(out)
    if age >= 18:
        assert not {"orphan", "unsupported", "left_behind"} & set(out)
    risk, reasons = rules.child_risk(ChildFacts(age=age, rural=rural), out)
    assert risk in ("high", "medium", "low") and reasons


def test_an_80_year_old_living_alone_is_high_risk_elder() -> None:
    out = rules.elder_categories(ElderFacts(age=82, household_size=1, all_members_elderly=True), P)
    assert out.codes == ["alone", "advanced"]
    assert rules.elder_risk(out.codes, 82, P) == "high"


def test_below_the_age_floor_no_elder_category() -> None:
    assert rules.elder_categories(ElderFacts(age=59, household_size=1, all_members_elderly=False), P).codes == []


def test_visit_interval_follows_group_and_risk() -> None:
    assert rules.interval_days("child", "high", P) == 30
    assert rules.interval_days("child", "low", P) == 90
