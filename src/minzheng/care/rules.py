"""The policy rules of the care files, as pure functions of facts and parameters (no database).

Children's categories (policy-rules-wave2 §1.2), a child's risk level with its reasons, the elder categories of
特殊困难老年人 (§3.2) and the visit interval per group and risk. Every number comes from a `care.*` parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Param = Callable[[str], Any]  # key → value in force

# A parent in one of these situations cannot bring the child up (民发〔2019〕62号); the last three count only when
# they have lasted the parameter's months.
_INCAPABLE = {"severe_disabled", "serious_ill", "revoked", "no_capacity"}
_TIMED = {"detained", "lost_contact"}
_GONE = {"dead", "missing"}


@dataclass(frozen=True)
class ParentFacts:
    status: str = "home"
    months: int = 0


@dataclass(frozen=True)
class ChildFacts:
    age: int
    rural: bool
    father: ParentFacts = ParentFacts()
    mother: ParentFacts = ParentFacts()
    own_disability_grade: int | None = None
    family_in_assistance: bool = False   # the household holds 低保 or 特困 (家庭困境)
    guardianship: str = "normal"         # GuardianshipStatus code


@dataclass
class Outcome:
    codes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _unable(p: ParentFacts, min_months: int) -> bool:
    return p.status in _INCAPABLE or (p.status in _TIMED and p.months >= min_months)


def child_categories(c: ChildFacts, param: Param) -> Outcome:
    """留守 / 孤儿 / 事实无人抚养 / 困境 (a child can hold several).

    - 农村留守儿童 (国发〔2016〕13号): under `care.child.left_behind_max_age`, rural, both parents away for work, or
      one away and the other without guardianship capacity.
    - 孤儿 (国办发〔2010〕54号): under `care.child.orphan_max_age`, both parents dead or missing.
    - 事实无人抚养儿童 (民发〔2019〕62号): under the same age, both parents unable (重残, 重病, 服刑在押 / 失联 for at
      least `care.child.unsupported_min_months`, 撤销监护), or one dead/missing and the other unable.
    - 困境儿童 (国发〔2016〕36号): family poverty, own disability, or missing/improper guardianship.
    """
    out = Outcome()
    months = int(param("care.child.unsupported_min_months"))
    f, m = c.father, c.mother
    if c.age < int(param("care.child.left_behind_max_age")) and c.rural:
        if (f.status == "away" and m.status == "away") or (f.status == "away" and _unable(m, months)) or (
                m.status == "away" and _unable(f, months)):
            out.codes.append("left_behind")
            out.reasons.append("父母均外出务工，或一方外出另一方无监护能力")
    if c.age < int(param("care.child.orphan_max_age")):
        if f.status in _GONE and m.status in _GONE:
            out.codes.append("orphan")
            out.reasons.append("父母双方死亡或下落不明")
        elif (_unable(f, months) and _unable(m, months)) or (f.status in _GONE and _unable(m, months)) or (
                m.status in _GONE and _unable(f, months)):
            out.codes.append("unsupported")
            out.reasons.append(f"父母双方（或一方死亡失踪、另一方）重残、重病、服刑在押或失联满 {months} 个月")
    difficult: list[str] = []
    if c.family_in_assistance:
        difficult.append("家庭贫困（享受低保或特困）")
    if c.own_disability_grade is not None:
        difficult.append("自身残疾")
    if c.guardianship in ("missing", "improper"):
        difficult.append("监护缺失或监护不当")
    if difficult or {"orphan", "unsupported"} & set(out.codes):
        out.codes.append("difficult")
        out.reasons.append("困境儿童：" + "、".join(difficult or ["孤儿或事实无人抚养"]))
    return out


def child_risk(c: ChildFacts, categories: list[str]) -> tuple[str, list[str]]:
    """A child's risk level with its reasons: missing/improper guardianship is high (未成年人保护法 第九十二条 cases of
    临时监护); no capable carer at home, or weak guardianship, is medium; otherwise low."""
    reasons: list[str] = []
    if c.guardianship in ("missing", "improper"):
        reasons.append("监护缺失或监护失当")
        return "high", reasons
    if "orphan" in categories or "unsupported" in categories:
        reasons.append("孤儿或事实无人抚养，依靠其他监护人")
    if c.guardianship == "weak":
        reasons.append("监护不足")
    if "left_behind" in categories:
        reasons.append("父母外出，委托照料")
    if c.own_disability_grade is not None and c.own_disability_grade <= 2:
        reasons.append("重度残疾")
    if reasons:
        return "medium", reasons
    return "low", ["监护正常"]


@dataclass(frozen=True)
class ElderFacts:
    age: int
    household_size: int            # living members
    all_members_elderly: bool      # everyone in the household has reached the age floor
    disability_grade: int | None = None
    self_care_tier: str = ""       # "" unknown, self_care / half / full (特困 self-care assessment)
    children_away_months: int = 0  # recorded by a visitor


def elder_categories(e: ElderFacts, param: Param) -> Outcome:
    """特殊困难老年人 (民政部等 2022 指导意见): 独居, 空巢, 留守, 失能, 重残, 高龄 — working definitions (§3.2 [M])."""
    out = Outcome()
    if e.age < int(param("care.elder.age_floor")):
        return out
    if e.household_size == 1:
        out.codes.append("alone")
        out.reasons.append("独自居住")
    elif e.household_size == 2 and e.all_members_elderly:
        out.codes.append("empty_nest")
        out.reasons.append("仅与老年配偶同住")
    if e.children_away_months >= int(param("care.elder.left_behind_min_months")):
        out.codes.append("left_behind")
        out.reasons.append(f"子女外出满 {e.children_away_months} 个月（走访登记）")
    if e.self_care_tier in ("half", "full"):
        out.codes.append("disabled")
        out.reasons.append("生活自理能力部分或完全丧失")
    if e.disability_grade is not None and e.disability_grade in set(param("care.elder.severe_grades")):
        out.codes.append("severe")
        out.reasons.append(f"残疾等级 {e.disability_grade} 级")
    if e.age >= int(param("care.elder.advanced_age")):
        out.codes.append("advanced")
        out.reasons.append(f"{e.age} 周岁")
    return out


def elder_risk(codes: list[str], age: int, param: Param) -> str:
    """High: 80+ living alone, empty-nest or left-behind, or 失能 living alone (§3.3 tiered scheme [L]); medium: any
    other category beyond age alone; low: 高龄 only."""
    advanced = age >= int(param("care.elder.advanced_age"))
    if (advanced and {"alone", "empty_nest", "left_behind"} & set(codes)) or {"alone", "disabled"} <= set(codes):
        return "high"
    if set(codes) - {"advanced"}:
        return "medium"
    return "low"


def interval_days(group: str, risk: str, param: Param) -> int:
    """Days until the next visit, from `care.visit.interval.<group>` (a value per risk level)."""
    table: Mapping[str, Any] = param(f"care.visit.interval.{group}")
    return int(table.get(risk) or table.get("low") or 30)


def next_due(last: dt.date, group: str, risk: str, param: Param) -> dt.date:
    return last + dt.timedelta(days=interval_days(group, risk, param))
