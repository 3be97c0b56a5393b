"""特困人员救助供养 (特困): who qualifies (无劳动能力、无生活来源、无履行义务能力的义务人), when support ends,
the care tier from the 生活自理能力 assessment, and the monthly support (基本生活 + 照料护理, 分散/集中).

Source: 社会救助暂行办法 第十四条至第十九条; 特困人员认定办法 (2016, 2021); 国发〔2016〕14号; 三明 care tiers.
Numbers come from `tekun.*` parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal

from .common import (
    AREA_LABEL,
    ARRANGEMENT_LABEL,
    INTELLECTUAL,
    MENTAL,
    MULTIPLE,
    PHYSICAL,
    SELF_CARE_ITEMS,
    TIER_LABEL,
    VISUAL,
    ZERO,
    Decision,
    Params,
    ParamUse,
    fmt_ratio,
    money,
    standard_key,
    tekun_version,
    yuan,
)
from .inputs import Supporter, TekunFacts


def _no_work_capacity(p: TekunFacts, use: ParamUse) -> str:
    if p.age >= use.int("tekun.no_work.age_min"):
        return f"年满{use.int('tekun.no_work.age_min')}周岁"
    if p.age < use.int("tekun.no_work.minor_under"):
        return f"未满{use.int('tekun.no_work.minor_under')}周岁"
    g = p.disability_grade
    if g is not None:
        int_max = use.int("tekun.no_work.intellectual_max_grade")
        phys_max = use.int("tekun.no_work.physical_max_grade")
        vis_max = use.int("tekun.no_work.visual_max_grade")
        if p.disability_category in (INTELLECTUAL, MENTAL) and g <= int_max:
            return f"{g}级智力或精神残疾"
        # 多重残疾 is judged on its grade like a physical disability (the stricter common threshold).
        if p.disability_category in (PHYSICAL, MULTIPLE) and g <= phys_max:
            return f"{g}级肢体（多重）残疾"
        if p.disability_category == VISUAL and vis_max and g <= vis_max:
            return f"{g}级视力残疾"
    if p.other_no_work_capacity:
        return p.other_no_work_capacity
    return ""


def _supporter_unable(s: Supporter, version: str, use: ParamUse) -> str:
    if s.in_tekun:
        return "本人为特困人员"
    if s.no_legal_capacity:
        return "无民事行为能力"
    if s.declared_missing:
        return "被宣告失踪"
    if s.imprisoned:
        return "在监狱服刑"
    if s.in_dibao and s.age >= use.int("tekun.supporter.elderly_age"):
        return f"年满{use.int('tekun.supporter.elderly_age')}周岁的低保对象"
    severe = s.disability_grade is not None and s.disability_grade <= 2
    if version >= "2021":
        grade3 = (s.disability_category in (INTELLECTUAL, MENTAL) and s.disability_grade is not None
                  and s.disability_grade <= 3)
        limited = s.income_below_disposable and s.assets_within_limits
        if s.age >= use.int("tekun.supporter.old_age_2021") and limited:
            return f"年满{use.int('tekun.supporter.old_age_2021')}周岁且收入低于上年人均可支配收入"
        if (severe or grade3) and limited:
            return "重度残疾或三级智力精神残疾且收入低于上年人均可支配收入"
    elif s.in_dibao and severe and s.assets_within_limits:
        return "重度残疾的低保对象"
    return ""


def tekun_criteria(person: TekunFacts, *, params: Params) -> Decision:
    """特困人员 criteria: 老年人、残疾人 or 未满16周岁 who have 无劳动能力、无生活来源 and no supporter able to support.

    Source: 社会救助暂行办法 第十四条 [V]; 特困人员认定办法 2016 / 2021 第五条（无劳动能力）、第六条（无生活来源）、
    无履行义务能力 clauses [V-sec]. Grades per version (`tekun.no_work.*`). A child under 16 who also meets the 孤儿
    criteria goes to 孤儿基本生活保障 instead (2016 办法 第九条 [V-sec]).
    """
    use = ParamUse(params)
    version = tekun_version(use)
    std = use.dec(standard_key(person.area))
    reasons: list[str] = []
    lines: list[str] = []
    minor_under = use.int("tekun.no_work.minor_under")
    target = (person.age >= use.int("tekun.no_work.age_min") or person.age < minor_under
              or person.disability_grade is not None)
    if not target:
        reasons.append("不属于老年人、残疾人或未满16周岁的未成年人")
    no_work = _no_work_capacity(person, use)
    if no_work:
        lines.append(f"无劳动能力（{no_work}）")
    else:
        reasons.append("不符合无劳动能力条件")
    income = Decimal(person.monthly_income)
    if income < std and person.assets_ok:
        lines.append(f"无生活来源（月收入 {yuan(income)} 元 低于{AREA_LABEL[person.area]}低保标准 {yuan(std)} 元，"
                     "财产符合规定）")
    else:
        if income >= std:
            reasons.append(f"月收入 {yuan(income)} 元 不低于低保标准 {yuan(std)} 元")
        if not person.assets_ok:
            reasons.append("财产超过当地特困人员财产规定")
    able = [s for s in person.supporters if not _supporter_unable(s, version, use)]
    if not person.supporters and not person.supporters_recorded:
        reasons.append("尚未登记法定赡养、抚养、扶养义务人情况（须登记义务人及其履行能力，或确认经调查无义务人）")
    elif not person.supporters:
        lines.append("经调查无法定赡养、抚养、扶养义务人")
    elif able:
        reasons.append("有具备履行义务能力的义务人：" + "、".join(s.name for s in able))
    else:
        lines.append("义务人无履行义务能力（" + "；".join(
            f"{s.name}：{_supporter_unable(s, version, use)}" for s in person.supporters) + "）")
    if person.orphan_eligible and person.age < minor_under:
        reasons.append("同时符合孤儿条件，应纳入孤儿基本生活保障")
    eligible = not reasons
    text = f"{person.name}：" + "；".join(lines + reasons) + f"。结论：{'符合' if eligible else '不符合'}特困人员条件"
    return Decision("tekun.criteria", version, eligible, ZERO, text, inputs={"person": asdict(person)},
                    params=use.list(), reasons=reasons, details={"no_work_ground": no_work})


def tekun_continuation(person: TekunFacts, *, params: Params, deceased: bool = False, imprisoned: bool = False,
                       withdrew: bool = False) -> Decision:
    """Whether a person already supported as 特困 continues (eligible) or support ends (终止).

    Source: 社会救助暂行办法 第十八条 [V] (termination with 公示); 2021 办法 ch. 6 as restated [V-sec]: death or
    declared dead/missing; regains work capacity; imprisoned; income or assets over the limits; a supporter able to
    support; voluntary withdrawal. Minors continue to 18 (`tekun.support_until_age`), and past 18 while in 义务教育、
    普通高中 or 中职 (`TekunFacts.in_school`). The termination 公示 is `tekun.termination.publicity_days` days and
    an objection is decided within `tekun.termination.objection_wd` working days (details).
    """
    use = ParamUse(params)
    version = tekun_version(use)
    until = use.int("tekun.support_until_age")
    pub_days = use.int("tekun.termination.publicity_days")
    obj_wd = use.int("tekun.termination.objection_wd")
    grounds: list[str] = []
    if deceased:
        grounds.append("死亡或被宣告死亡、失踪")
    if imprisoned:
        grounds.append("在监狱服刑")
    if withdrew:
        grounds.append("本人自愿申请退出")
    criteria = use.add(tekun_criteria(person, params=params))
    young = person.age < until or person.in_school
    for reason in criteria.reasons:
        if young and reason in ("不符合无劳动能力条件", "不属于老年人、残疾人或未满16周岁的未成年人"):
            continue  # minors stay supported to 18, and past 18 while still at school
        if "孤儿" in reason:
            continue  # the 孤儿 route applies at intake, not to end existing support
        grounds.append(reason)
    keep = not grounds
    if keep:
        text = f"{person.name} 继续符合特困人员条件，继续供养"
        if young and not criteria.eligible:
            text += f"（未满{until}周岁或仍在校就读）"
    else:
        text = (f"{person.name} 拟终止特困供养：{'；'.join(grounds)}。须公示 {pub_days} 天，无异议的自次月起终止；"
                f"有异议的在 {obj_wd} 个工作日内调查核实并作出决定")
    return Decision("tekun.continuation", version, keep, ZERO, text, inputs={"person": asdict(person),
                    "deceased": deceased, "imprisoned": imprisoned, "withdrew": withdrew}, params=use.list(),
                    reasons=grounds, details={"publicity_days": pub_days, "objection_wd": obj_wd})


def self_care_tier(items: Mapping[str, bool], *, params: Params) -> Decision:
    """生活自理能力评估 → care tier, from six items (True = can do it unaided).

    Source: 特困人员认定办法 2021 第五章 [M]; 河南、湖南 provincial texts [V-sec]: 自主吃饭、穿衣、上下床、如厕、室内
    行走、洗澡. All six achieved = 具备生活自理能力 → 全自理; 1 to N−1 not achieved = 部分丧失 → 半护理; N or more
    (`tekun.selfcare.full_loss_min_failed`, 4) = 完全丧失 → 全护理. Tier names from 三明 [L-FJ]; mapping inferred.
    """
    use = ParamUse(params)
    missing = [k for k in SELF_CARE_ITEMS if k not in items]
    if missing:
        raise ValueError("自理能力评估缺少项目：" + "、".join(SELF_CARE_ITEMS[k] for k in missing))
    unknown = [k for k in items if k not in SELF_CARE_ITEMS]
    if unknown:
        raise ValueError(f"未知评估项目：{unknown}")
    full_min = use.int("tekun.selfcare.full_loss_min_failed")
    failed = [k for k in SELF_CARE_ITEMS if not items[k]]
    n = len(failed)
    if n == 0:
        tier, ability = "self_care", "具备生活自理能力"
    elif n < full_min:
        tier, ability = "half", "部分丧失生活自理能力"
    else:
        tier, ability = "full", "完全丧失生活自理能力"
    text = f"六项指标中 {n} 项不能达到"
    if failed:
        text += f"（{'、'.join(SELF_CARE_ITEMS[k] for k in failed)}）"
    text += f"，{ability}，照料护理等级：{TIER_LABEL[tier]}"
    return Decision("tekun.self_care", tekun_version(use), True, Decimal(n), text,
                    inputs={"items": dict(items)}, params=use.list(),
                    details={"tier": tier, "failed": failed, "ability": ability})


def tekun_support(tier: str, *, arrangement: str, area: str, params: Params) -> Decision:
    """特困 monthly support = 基本生活标准 + 照料护理标准 (by tier); 集中供养 = 分散 × tier factor.

    Source: 社会救助暂行办法 第十五条 [V]; 国发〔2016〕14号 two components [M]; basic ≥ 1.3 × 低保标准 [V-sec]
    (`tekun.basic_ratio`); care = minimum wage × 10% / 25% / 40% and 集中 ≥ 120% / 130% / 140% of 分散 (三明 [L-FJ]).
    The person chooses 集中 or 分散 (第十九条 [V]).
    """
    if tier not in TIER_LABEL:
        raise ValueError(f"未知护理等级：{tier}")
    if arrangement not in ARRANGEMENT_LABEL:
        raise ValueError(f"未知供养方式：{arrangement}")
    use = ParamUse(params)
    std = use.dec(standard_key(area))
    ratio = use.dec("tekun.basic_ratio")
    wage = use.dec("tekun.min_wage")
    care_ratio = use.dec(f"tekun.care.{tier}")
    basic = money(std * ratio, params)
    care = money(wage * care_ratio, params)
    dispersed = basic + care
    text = (f"基本生活标准 = {AREA_LABEL[area]}低保标准 {yuan(std)} 元 × {fmt_ratio(ratio)} = {yuan(basic)} 元；"
            f"照料护理标准（{TIER_LABEL[tier]}）= 最低工资 {yuan(wage)} 元 × {fmt_ratio(care_ratio)} = {yuan(care)} 元；"
            f"分散供养标准 {yuan(basic)} + {yuan(care)} = {yuan(dispersed)} 元")
    amount = dispersed
    if arrangement == "central":
        factor = use.dec(f"tekun.central.{tier}")
        amount = money(dispersed * factor, params)
        text += f"；集中供养 {yuan(dispersed)} 元 × {fmt_ratio(factor)} = {yuan(amount)} 元"
    text += f"。月供养金 {yuan(amount)} 元"
    return Decision("tekun.support", tekun_version(use), True, amount, text,
                    inputs={"tier": tier, "arrangement": arrangement, "area": area}, params=use.list(),
                    details={"basic": basic, "care": care, "dispersed": dispersed})
