"""The validation rules (as data) and the small expression language they are written in.

Every seeded rule has a failing and a passing case below; a rule added to the seeds without cases fails
test_every_seeded_rule_has_cases.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.disaster import indicators, rules
from minzheng.disaster.seeds import RULES

SPECS = [rules.RuleSpec(str(r["code"]), str(r["expression"]), str(r["severity"]), str(r["message"]),
                        tuple(r.get("each", ())), tuple(r.get("kinds", ())), tuple(r.get("fields", ())))
         for r in RULES]

# A consistent set of figures (passes every rule): a mid-size flood in one township.
BASE = {
    "pop_affected": "1000", "pop_dead": "2", "pop_missing": "1", "pop_relocated": "300", "pop_need_aid": "200",
    "house_collapsed_hh": "5", "house_collapsed_rooms": "12", "house_severe_hh": "10", "house_severe_rooms": "25",
    "house_minor_hh": "40", "house_minor_rooms": "80",
    "crop_affected": "500.5", "crop_damaged": "200", "crop_lost": "50",
    "loss_total": "1500", "loss_agri": "600", "loss_industry": "100", "loss_house": "300", "loss_infra": "300",
    "loss_public": "100", "loss_family": "100",
}
REGISTER = {"dead": 2, "missing": 1, "collapsed_hh": 5, "severe_hh": 10, "minor_hh": 40}
PREV = {**BASE, "pop_affected": "900", "loss_total": "1400", "loss_agri": "500"}

# rule code → (kind, changes that break it, changes that fix it; explained = write a note)
CASES: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = {
    "E01": [("update", {"pop_affected": "-5"}, {"pop_affected": "1000"}),
            ("initial", {"house_collapsed_rooms": "12.5"}, {"house_collapsed_rooms": "12"})],
    "E02": [("update", {"crop_affected": "-1"}, {"crop_affected": "500.5"})],
    "E10": [("update", {"crop_lost": "250"}, {"crop_lost": "200"})],
    "E11": [("update", {"crop_damaged": "600"}, {"crop_damaged": "500.5"})],
    "E20": [("update", {"pop_relocated": "1200"}, {"pop_relocated": "1000"})],
    "E21": [("update", {"pop_need_aid": "1001"}, {"pop_need_aid": "1000"})],
    "E30": [("update", {"house_collapsed_hh": "13"}, {"house_collapsed_hh": "12"})],
    "E31": [("update", {"house_severe_hh": "26"}, {"house_severe_hh": "25"})],
    "E32": [("update", {"house_minor_hh": "81"}, {"house_minor_hh": "80"})],
    "E40": [("update", {"loss_agri": "1600"}, {"loss_agri": "600"})],
    "E41": [("update", {"loss_total": "1000"}, {"loss_total": "1500"})],
    "E50": [("final", {"pop_dead": "3"}, {"pop_dead": "2"})],
    "E51": [("final", {"pop_missing": "0"}, {"pop_missing": "1"})],
    "W01": [("update", {"pop_affected": "800"}, {"explained": True})],
    "W10": [("update", {"pop_dead": "3"}, {"pop_dead": "2"})],
    "W11": [("initial", {"pop_missing": "4"}, {"pop_missing": "1"})],
    "W20": [("update", {"house_collapsed_hh": "6"}, {"house_collapsed_hh": "5"})],
    "W21": [("update", {"house_severe_hh": "9"}, {"house_severe_hh": "10"})],
    "W30": [("update", {"loss_public": "90"}, {"loss_public": "100"})],
}


def env_for(values: dict[str, Any], *, explained: bool = False) -> dict[str, Any]:
    return rules.build_env(values, prev=PREV, register=REGISTER, explained=explained,
                           extra={f"villages.{c}": v for c, v in BASE.items()})


def codes(outcome: rules.Outcome) -> set[str]:
    return {f.rule for f in outcome.findings}


def test_base_figures_pass_every_rule() -> None:
    for kind in ("initial", "update", "final"):
        assert codes(rules.check(SPECS, env_for(BASE), kind=kind)) == set()


def test_every_seeded_rule_has_cases() -> None:
    assert {s.code for s in SPECS} == set(CASES)


@pytest.mark.parametrize(("code", "kind", "breaks", "fixes"),
                         [(c, k, b, f) for c, cases in CASES.items() for k, b, f in cases])
def test_rule_fails_then_passes(code: str, kind: str, breaks: dict[str, Any], fixes: dict[str, Any]) -> None:
    # given: consistent figures with one planted inconsistency
    fixes = dict(fixes)
    explained = bool(fixes.pop("explained", False))
    bad = rules.check(SPECS, env_for({**BASE, **breaks}), kind=kind)
    # then: the rule catches it, with its Chinese message beside the field
    hit = [f for f in bad.findings if f.rule == code]
    assert hit, f"{code} did not catch {breaks}"
    spec = next(s for s in SPECS if s.code == code)
    assert all(f.severity == spec.severity and f.message for f in hit)
    assert all(set(f.fields) & (set(breaks) | set(spec.fields)) for f in hit)
    # when: the figure is corrected (or the decrease explained) the rule passes
    good = rules.check(SPECS, env_for({**BASE, **breaks, **fixes}, explained=explained), kind=kind)
    assert code not in codes(good)


def test_final_register_rule_only_applies_to_final_reports() -> None:
    env = env_for({**BASE, "pop_dead": "3"})
    assert "E50" in codes(rules.check(SPECS, env, kind="final"))
    update = rules.check(SPECS, env, kind="update")
    assert "E50" not in codes(update) and "W10" in codes(update)
    assert update.ok  # a warning does not block


def test_decrease_rule_is_skipped_without_a_previous_report() -> None:
    env = rules.build_env({**BASE, "pop_affected": "1"}, prev=None, register=REGISTER)
    assert "W01" not in codes(rules.check(SPECS, env, kind="update"))


def test_message_names_the_indicator_and_previous_figure() -> None:
    out = rules.check(SPECS, env_for({**BASE, "pop_affected": "800"}), kind="update")
    w = next(f for f in out.findings if f.rule == "W01")
    assert "受灾人口" in w.message and "900" in w.message and w.fields == ("pop_affected",)


@pytest.mark.parametrize("text", ["__import__('os')", "a ** 2", "open(x)", "a; b", "a <= ", "(a", "a b",
                                  "lambda: 1", "a.__class__ (", "1 +* 2"])
def test_the_language_rejects_anything_but_arithmetic_and_comparison(text: str) -> None:
    with pytest.raises(rules.RuleSyntaxError):
        rules.parse(text)


def test_evaluation_examples() -> None:
    env = {"a": Decimal(3), "b": Decimal("2.5"), "prev.a": Decimal(4)}
    assert rules.evaluate(rules.parse("a + b * 2 == 8"), env) is True
    assert rules.evaluate(rules.parse("-(a - prev.a) == 1 and not a > 3"), env) is True
    assert rules.evaluate(rules.parse("max(a, b, 1) - min(a, b) == 0.5"), env) is True
    assert rules.evaluate(rules.parse("is_int(b) or sum(a, b) == 5.5"), env) is True
    with pytest.raises(rules.NotApplicable):
        rules.evaluate(rules.parse("c >= 0"), env)


# --- property tests: the evaluator agrees with arithmetic done directly ----------------------------------

NAMES = ["x", "y", "z"]


@st.composite
def arith(draw: Any, depth: int = 0) -> tuple[str, Any]:
    """(expression text, function env → value) built together, so the expected value needs no parser."""
    if depth > 3 or draw(st.booleans()):
        if draw(st.booleans()):
            n = draw(st.integers(0, 50))
            return str(n), lambda env, n=n: Decimal(n)
        name = draw(st.sampled_from(NAMES))
        return name, lambda env, name=name: env[name]
    op = draw(st.sampled_from(["+", "-", "*", "neg", "max"]))
    lt, lf = draw(arith(depth + 1))
    if op == "neg":
        return f"-({lt})", lambda env: -lf(env)
    rt, rf = draw(arith(depth + 1))
    if op == "max":
        return f"max({lt}, {rt})", lambda env: max(lf(env), rf(env))
    fn = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}[op]
    return f"({lt}) {op} ({rt})", lambda env: fn(lf(env), rf(env))


@settings(max_examples=200, deadline=None)
@given(arith(), arith(), st.sampled_from(["<=", "<", ">=", ">", "==", "!="]),
       st.fixed_dictionaries({n: st.integers(-100, 100) for n in NAMES}))
def test_evaluator_matches_direct_arithmetic(left: Any, right: Any, cmp: str, values: dict[str, int]) -> None:
    env = {k: Decimal(v) for k, v in values.items()}
    (lt, lf), (rt, rf) = left, right
    expected = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
                ">": lambda a, b: a > b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}[cmp](lf(env), rf(env))
    assert rules.evaluate(rules.parse(f"{lt} {cmp} {rt}"), env) is expected


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({c: st.integers(0, 10_000) for c in ["crop_affected", "crop_damaged", "crop_lost"]}))
def test_crop_rules_accept_exactly_the_ordered_areas(areas: dict[str, int]) -> None:
    values = {**BASE, **{k: str(v) for k, v in areas.items()}}
    found = codes(rules.check(SPECS, env_for(values), kind="initial")) & {"E10", "E11"}
    ordered = areas["crop_lost"] <= areas["crop_damaged"] <= areas["crop_affected"]
    assert (not found) == ordered


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(indicators.CODES),
                       st.one_of(st.integers(-10, 10).map(str), st.decimals(-10, 10, places=2).map(str),
                                 st.sampled_from(["", " ", "1,000", "abc", "NaN", "一"]))))
def test_clean_values_never_crashes_and_reports_non_numbers(raw: dict[str, str]) -> None:
    values, errors = indicators.clean_values(raw)
    for code, v in raw.items():
        if code in errors:
            assert indicators.label(code) in errors[code]
        elif v.strip():
            assert Decimal(values[code]) == Decimal(v.replace(",", ""))


# --- rules maintained as data by the district ----------------------------------------------------------------


@pytest.mark.django_db
def test_district_maintains_rules_with_checked_expressions(district_admin: Any, meishan_officer: Any,
                                                           login: Any) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from minzheng.disaster import services
    from minzheng.disaster.models import ValidationRule

    with pytest.raises(PermissionDenied):
        services.save_rule(actor=meishan_officer, code="L01", name="x", expression="pop_dead >= 0",
                           severity="error", message="x")
    for bad, why in [("pop_daed <= 3", "未知名称"), ("pop_dead <=", "不完整"), ("prev.nothing >= 0", "未知名称"),
                     ("$ >= 0", "逐项")]:
        with pytest.raises(ValidationError, match=why):
            services.save_rule(actor=district_admin, code="L01", name="x", expression=bad, severity="error",
                               message="x")
    # a local rule: at most one in ten affected people is missing (a warning)
    rule = services.save_rule(actor=district_admin, code="L01", name="失踪比例", severity="warning",
                              expression="pop_missing * 10 <= pop_affected", message="失踪人口占比异常，请核实",
                              source="本地经验")
    assert rule.version == 1
    rule = services.save_rule(actor=district_admin, code="L01", name="失踪比例", severity="warning",
                              expression="pop_missing * 5 <= pop_affected", message="失踪人口占比异常，请核实",
                              source="本地经验")
    assert rule.version == 2
    env = rules.build_env({"pop_affected": "10", "pop_missing": "3"})
    assert "L01" in codes(rules.check(services.active_rules(), env))
    # and through the page
    c = login(district_admin)
    resp = c.post("/disaster/rules/", {"code": "L02", "name": "逐项上限", "expression": "$ <= 100000",
                                       "each": "pop_affected, pop_relocated", "severity": "warning",
                                       "message": "{label}超过10万，请核实", "active": "on"})
    assert resp.status_code == 302 and ValidationRule.objects.get(code="L02").each == ["pop_affected",
                                                                                     "pop_relocated"]
    assert login(meishan_officer).post("/disaster/rules/", {"code": "L03"}).status_code == 403
