"""The facts the assistance rules decide on, as plain frozen dataclasses (no ORM objects).

`minzheng.assistance.facts` builds them from the registry; simulations and tests build them by hand. Codes follow
the registry: relations GB/T 4761, disability categories GB/T 26341, income categories and asset kinds as in
`registry.models`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .common import ZERO


@dataclass(frozen=True)
class Member:
    """One person in the applying household, as the survey found them."""

    key: str  # stable id: person pk or ID number
    name: str
    age: int
    relation: str = "99"  # GB/T 4761 relation to the 户主 (registry.models.Relation)
    living_together: bool = True  # 长期共同居住
    legal_support_duty: bool = True  # has a 法定赡养/扶养/抚养 relationship with the household
    unable_to_live_independently: bool = False  # adult child incl. full-time student (本科及以下)
    religious_professional: bool = False
    religious_years_away: int = 0  # years lived in a religious venue, away from the family
    imprisoned: bool = False  # 服刑 (2012 also 劳动教养)
    excluded_reason: str = ""  # other exclusion defined by the province
    disability_category: str = ""
    disability_grade: int | None = None
    serious_illness: bool = False  # locally recognised 重特大疾病
    public_employee: bool = False  # 公务员/参公/财政供养
    in_tekun: bool = False  # already supported as 特困 (carved out of the 低保 household)
    employed: bool = False  # has work (for 2012 单人户 "无业")


@dataclass(frozen=True)
class IncomeItem:
    category: str  # wage | business | property | transfer | other (registry.models.IncomeCategory)
    monthly_amount: Decimal
    item: str = ""  # finer label the exclusion list matches (优待抚恤金, 基础养老金 …)
    member_key: str | None = None  # None = household-level income
    code: str = ""  # 收入项目代码 (registry.income_codes); "" = a legacy free-text item, mapped from `item`


@dataclass(frozen=True)
class AssetItem:
    kind: str  # vehicle | property | deposit | securities | business | other (registry.models.AssetKind)
    value: Decimal = ZERO
    attributes: Mapping[str, Any] = field(default_factory=dict)  # vehicle_type, use=residential|nonresidential, small
    member_key: str | None = None
    description: str = ""


@dataclass(frozen=True)
class HouseholdFacts:
    area: str  # urban | rural
    members: tuple[Member, ...]
    incomes: tuple[IncomeItem, ...] = ()
    assets: tuple[AssetItem, ...] = ()


@dataclass(frozen=True)
class Supporter:
    """A person with a legal duty to support a 特困 applicant (赡养/抚养/扶养义务人)."""

    name: str
    age: int
    in_tekun: bool = False
    in_dibao: bool = False
    disability_category: str = ""
    disability_grade: int | None = None
    income_below_disposable: bool = False  # own income < 上年人均可支配收入 (2021)
    assets_within_limits: bool = True  # within 特困/低收入 asset limits
    no_legal_capacity: bool = False
    declared_missing: bool = False
    imprisoned: bool = False


@dataclass(frozen=True)
class TekunFacts:
    name: str
    age: int
    area: str
    monthly_income: Decimal = ZERO  # counted income (exclusions already applied)
    assets_ok: bool = True  # within the local 特困 asset rules
    disability_category: str = ""
    disability_grade: int | None = None
    other_no_work_capacity: str = ""  # a ground the province adds (e.g. 重病长期卧床), with its text
    supporters: tuple[Supporter, ...] = ()
    # Whether the supporters were investigated at all: no supporters and not investigated is not "none".
    supporters_recorded: bool = True
    orphan_eligible: bool = False  # also meets 孤儿 criteria
    in_school: bool = False  # 义务教育/普通高中/中职 (support past 18)
