"""Eligibility and amount rules of 低保, 特困供养 and 临时救助: plain, typed, side-effect-free functions.

Rules take plain dataclasses (`inputs.py`, no ORM objects) and a `Params` reader, and return a `Decision` with the
inputs, the amount, a Chinese explanation a township officer can read, the parameter versions used
(`ParamValue.ref()`), and the rule id and version. Nothing here writes and no module here imports a model: the
facts are gathered from the registry in `minzheng.assistance.facts`, and decided here. Every number comes from a
parameter declared in `assistance/params.py`.

One module per policy:

    common.py      Decision, Params, ParamUse, jsonable, as_bool, as_list, money, labels and codes
    inputs.py      Member, IncomeItem, AssetItem, HouseholdFacts, Supporter, TekunFacts
    means_test.py  household_members, per_capita_income, asset_test            (家庭经济状况核查)
    dibao.py       dibao_standard, dibao_subsidy, classified_supplements, dibao_assess, dibao_edge,
                   single_person_dibao                                        (低保, 边缘, 单人保)
    tekun.py       tekun_criteria, tekun_continuation, self_care_tier, tekun_support   (特困)
    linshi.py      linshi_amount, linshi_months_for_expense                   (临时救助)
    conflicts.py   programme_conflicts                                        (不能同时享受)
    review.py      review_outcome, review_cycle, next_review_date, benefit_start   (动态管理)

The names below are the stable public API (other apps may import them from `minzheng.assistance.rules`).
Areas are "urban" / "rural"; tiers "self_care" / "half" / "full"; arrangements "dispersed" / "central";
临时救助 kinds "emergency" / "expenditure".
"""

from __future__ import annotations

from .common import (
    AREA_LABEL,
    ARRANGEMENT_LABEL,
    LINSHI_LABEL,
    SELF_CARE_ITEMS,
    TIER_LABEL,
    Decision,
    Params,
    ParamUse,
    as_bool,
    as_list,
    jsonable,
    money,
)
from .conflicts import programme_conflicts
from .dibao import (
    classified_supplements,
    dibao_assess,
    dibao_edge,
    dibao_standard,
    dibao_subsidy,
    single_person_dibao,
)
from .inputs import AssetItem, HouseholdFacts, IncomeItem, Member, Supporter, TekunFacts
from .linshi import linshi_amount, linshi_months_for_expense
from .means_test import asset_test, household_members, per_capita_income
from .review import benefit_start, next_review_date, review_cycle, review_outcome
from .tekun import self_care_tier, tekun_continuation, tekun_criteria, tekun_support

__all__ = [
    "AREA_LABEL",
    "ARRANGEMENT_LABEL",
    "LINSHI_LABEL",
    "SELF_CARE_ITEMS",
    "TIER_LABEL",
    "AssetItem",
    "Decision",
    "HouseholdFacts",
    "IncomeItem",
    "Member",
    "ParamUse",
    "Params",
    "Supporter",
    "TekunFacts",
    "as_bool",
    "as_list",
    "asset_test",
    "benefit_start",
    "classified_supplements",
    "dibao_assess",
    "dibao_edge",
    "dibao_standard",
    "dibao_subsidy",
    "household_members",
    "jsonable",
    "linshi_amount",
    "linshi_months_for_expense",
    "money",
    "next_review_date",
    "per_capita_income",
    "programme_conflicts",
    "review_cycle",
    "review_outcome",
    "self_care_tier",
    "single_person_dibao",
    "tekun_continuation",
    "tekun_criteria",
    "tekun_support",
]
