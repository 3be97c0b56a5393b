"""Allowance rules: pure functions over plain facts, with their sources. Amounts come from dated parameters.

- 高龄津贴: 老年人权益保障法 第三十三条 (the state encourages an allowance for people aged 80+); bands and amounts are
  local ([GAP] for Fujian, policy-rules §5) and live in `payments.gaoling.bands`. Age comes from the ID birth date.
- 残疾人两项补贴: 国发〔2015〕52号 (policy-rules §4): 生活补贴 for disabled people in 低保 families; 护理补贴 for grade 1–2
  needing long-term care; 特困供养 and 工伤保险生活护理费 recipients get neither; children in 孤儿基本生活保障 get no
  生活补贴 (but may get 护理补贴); with a similar allowance (e.g. 高龄津贴) the higher one is paid.
- 优抚 定期抚恤补助: 军人抚恤优待条例 (policy-rules §6), a standard per category; 农村籍老义务兵 per year of service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from minzheng.core import dates

DIBAO = ("dibao_urban", "dibao_rural")
TEKUN = ("tekun_dispersed", "tekun_central")
NAMES = {"gaoling": "高龄津贴", "canji_life": "困难残疾人生活补贴", "canji_care": "重度残疾人护理补贴",
         "youfu": "优抚定期抚恤补助"}
ALLOWANCES = tuple(NAMES)




def gaoling_age(birth: dt.date, month: dt.date, start_rule: str = "next_month") -> int:
    """The age that decides the band for `month`: with "next_month" a birthday counts from the following month
    (age on the day before the month starts); with "birth_month" from the month of the birthday itself."""
    if start_rule == "birth_month":
        return dates.age_on(birth, dates.month_end(month))
    return dates.age_on(birth, month - dt.timedelta(days=1))


@dataclass(frozen=True)
class Band:
    min_age: int
    max_age: int | None
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.min_age}周岁以上" if self.max_age is None else f"{self.min_age}–{self.max_age}周岁"


def parse_bands(raw: list[dict[str, Any]]) -> list[Band]:
    bands = [Band(int(b["min_age"]), None if b.get("max_age") in (None, "") else int(b["max_age"]),
                  Decimal(str(b["amount"]))) for b in raw]
    return sorted(bands, key=lambda b: b.min_age)


def gaoling_band(birth: dt.date, month: dt.date, bands: list[Band], start_rule: str = "next_month") -> Band | None:
    age = gaoling_age(birth, month, start_rule)
    for b in bands:
        if age >= b.min_age and (b.max_age is None or age <= b.max_age):
            return b
    return None


@dataclass
class PersonFacts:
    """What the allowance rules need to know about one person in one month."""

    person_id: int
    birth: dt.date
    alive: bool
    disability_grade: int | None = None
    # None: not yet certified (a missing fact, never read as "no").
    needs_long_term_care: bool | None = None
    work_injury_care: bool = False
    youfu_category: str = ""
    youfu_status: str = ""      # "" or "active" pays; "suspended"/"ended" do not
    service_years: int | None = None
    # Programme codes this person (or, for 低保, their household) is enrolled in this month.
    enrolled: frozenset[str] = frozenset()
    household_enrolled: frozenset[str] = frozenset()


@dataclass
class Decision:
    programme: str
    amount: Decimal
    reason: str
    refs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Standards:
    bands: list[Band]
    start_rule: str
    life: dict[str, Decimal]
    care: dict[str, Decimal]
    higher_of: list[list[str]]
    youfu: dict[str, Decimal]
    per_service_year: Decimal
    # 农村籍老义务兵 qualify from this age (a dated parameter, payments.youfu.old_conscript_age).
    old_conscript_age: int = 60
    refs: dict[str, dict[str, Any]] = field(default_factory=dict)


def decide(f: PersonFacts, month: dt.date, s: Standards) -> tuple[list[Decision], list[str]]:
    """The allowances a person gets in `month`, and readable notes on what was refused and why."""
    notes: list[str] = []
    out: list[Decision] = []
    if not f.alive:
        return [], ["已死亡，不再发放"]
    ref = s.refs
    band = gaoling_band(f.birth, month, s.bands, s.start_rule)
    if band is not None:
        out.append(Decision("gaoling", band.amount,
                            f"出生于 {f.birth:%Y-%m-%d}，{month:%Y-%m} 按 {band.label} 档发放 {band.amount} 元",
                            [ref.get("bands", {}), ref.get("start_rule", {})]))
    tekun = bool(f.enrolled & set(TEKUN))
    grade = f.disability_grade
    if grade is not None:
        if tekun:
            notes.append("特困供养人员不享受残疾人两项补贴")
        elif f.work_injury_care:
            notes.append("享受工伤保险生活护理费，不享受残疾人两项补贴")
        else:
            if f.household_enrolled & set(DIBAO):
                if "orphan" in f.enrolled:
                    notes.append("享受孤儿基本生活保障的儿童不享受困难残疾人生活补贴")
                elif str(grade) in s.life:
                    amt = s.life[str(grade)]
                    out.append(Decision("canji_life", amt, f"低保家庭{grade}级残疾人，困难残疾人生活补贴 {amt} 元",
                                        [ref.get("life", {})]))
            if grade in (1, 2):
                if f.needs_long_term_care and str(grade) in s.care:
                    amt = s.care[str(grade)]
                    out.append(Decision("canji_care", amt, f"{grade}级重度残疾且需长期照护，护理补贴 {amt} 元",
                                        [ref.get("care", {})]))
                elif f.needs_long_term_care is None:
                    notes.append("重度残疾，尚未登记是否需长期照护（残联认定），暂不核定护理补贴")
                elif not f.needs_long_term_care:
                    notes.append("重度残疾但未认定需长期照护，不发护理补贴")
    if f.youfu_category and f.youfu_status in ("suspended", "ended"):
        notes.append("优抚资格已暂停" if f.youfu_status == "suspended" else "优抚资格已取消")
    elif f.youfu_category:
        if f.youfu_category == "old_conscript":
            years = f.service_years or 0
            if years > 0 and dates.age_on(f.birth, month) >= s.old_conscript_age:
                amt = s.per_service_year * years
                out.append(Decision("youfu", amt, f"农村籍老义务兵，服役 {years} 年 × {s.per_service_year} 元 = {amt} 元",
                                    [ref.get("per_service_year", {}), ref.get("old_conscript_age", {})]))
            else:
                notes.append(f"农村籍老义务兵需年满{s.old_conscript_age}周岁且有服役年限")
        elif f.youfu_category in s.youfu:
            amt = s.youfu[f.youfu_category]
            out.append(Decision("youfu", amt, f"优抚对象（{f.youfu_category}）定期抚恤补助 {amt} 元",
                                [ref.get("youfu", {})]))
    # 就高: within a group of similar allowances, only the highest is paid.
    for group in s.higher_of:
        hits = [d for d in out if d.programme in group]
        if len(hits) > 1:
            best = max(hits, key=lambda d: (d.amount, -group.index(d.programme)))
            for d in hits:
                if d is not best:
                    out.remove(d)
                    notes.append(f"同时符合{NAMES[d.programme]}与{NAMES[best.programme]}，按就高原则只发"
                                 f"{NAMES[best.programme]}（{best.amount} 元）")
    return out, notes


def missing_fact(programme: str, f: PersonFacts) -> str:
    """The fact whose absence (not a negative answer) keeps `programme` from being decided for a living person; ''
    when the facts are there. A refresh keeps such an enrollment and lists the fact for the township."""
    if programme in ("canji_life", "canji_care"):
        if f.disability_grade is None:
            return "残疾等级和类别（残联数据）"
        if programme == "canji_care" and f.disability_grade in (1, 2) and f.needs_long_term_care is None:
            return "是否需长期照护（残联认定）"
    if programme == "youfu":
        if not f.youfu_category:
            return "优抚对象类别（退役军人事务数据）"
        if f.youfu_category == "old_conscript" and not f.service_years:
            return "服役年限（退役军人事务数据）"
    return ""
