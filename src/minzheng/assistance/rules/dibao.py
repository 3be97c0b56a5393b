"""最低生活保障 (低保): the 补差 amount, 分类施保, the whole household test, 低保边缘 and 单人保.

Source: 社会救助暂行办法 第九条至第十三条; 最低生活保障审核审批办法（试行）(2012) and 最低生活保障审核确认办法
(2021), with Fujian and local texts where named on each rule. Numbers come from `dibao.*` parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from .common import (
    AREA_LABEL,
    INTELLECTUAL,
    MENTAL,
    ZERO,
    Decision,
    Params,
    ParamUse,
    dibao_version,
    fmt_ratio,
    money,
    standard_key,
    yuan,
)
from .inputs import HouseholdFacts, Member
from .means_test import asset_test, household_members, per_capita_income


def dibao_standard(area: str, *, params: Params) -> Decimal:
    """低保标准 for the area (社会救助暂行办法 第十条: set by the province or 设区的市)."""
    return params.get(standard_key(area)).decimal


def dibao_subsidy(per_capita: Decimal, covered: int, *, area: str, params: Params) -> Decision:
    """补差: (低保标准 − 家庭月人均收入) × 保障人数, never negative.

    Source: 社会救助暂行办法 第十二条 (“按照…家庭人均收入低于当地最低生活保障标准的差额，按月发给”) [V]; the
    formula is derived from it. Income equal to the standard gets nothing. Rounded per `dibao.rounding`; a positive
    amount below `dibao.min_amount` (保底, 0 = none) is raised to it.
    """
    use = ParamUse(params)
    std = use.dec(standard_key(area))
    minimum = use.dec("dibao.min_amount")
    use.pv("dibao.rounding")  # recorded: the amount depends on it
    pc = Decimal(per_capita)
    label = AREA_LABEL[area]
    inputs = {"per_capita_income": pc, "covered": covered, "area": area}
    if covered <= 0:
        return Decision("dibao.subsidy", dibao_version(use), False, ZERO, "保障人数为 0，不发放", inputs=inputs,
                        params=use.list(), reasons=["保障人数为 0"])
    if pc >= std:
        text = f"家庭月人均收入 {yuan(pc)} 元 不低于{label}低保标准 {yuan(std)} 元，不符合低保收入条件"
        return Decision("dibao.subsidy", dibao_version(use), False, ZERO, text, inputs=inputs, params=use.list(),
                        reasons=[text], details={"standard": std, "gap": ZERO})
    gap = std - pc
    amount = money(gap * covered, params)
    text = (f"家庭月人均收入 {yuan(pc)} 元 低于{label}低保标准 {yuan(std)} 元，差额 {yuan(gap)} 元 × {covered} 人 = "
            f"{yuan(amount)} 元")
    if 0 < amount < minimum:
        text += f"，低于保底金额，按 {yuan(minimum)} 元发放"
        amount = minimum
    return Decision("dibao.subsidy", dibao_version(use), True, amount, text, inputs=inputs, params=use.list(),
                    details={"standard": std, "gap": gap})


def _supplement_categories(m: Member, use: ParamUse) -> list[str]:
    cats = []
    if m.age >= use.int("dibao.supplement.elderly_age"):
        cats.append("elderly")
    if m.age < use.int("person.minor_age"):
        cats.append("minor")
    if m.disability_grade is not None and m.disability_grade <= use.int("dibao.supplement.severe_max_grade"):
        cats.append("severe_disability")
    if m.serious_illness:
        cats.append("serious_illness")
    return cats


_SUPP_LABEL = {"elderly": "老年人", "minor": "未成年人", "severe_disability": "重度残疾人", "serious_illness": "重病患者"}


def classified_supplements(members: Sequence[Member], *, area: str, params: Params) -> Decision:
    """分类施保: extra monthly support for 老年人、未成年人、重度残疾人、重病患者 among the covered members.

    Source: 社会救助暂行办法 第十二条第二款 [V]; amounts are local ([GAP] for Fujian/南平): each category is a share
    of the 低保标准 (`dibao.supplement.*`); `dibao.supplement.stacking` = max (one category per person) or sum.
    """
    use = ParamUse(params)
    std = use.dec(standard_key(area))
    stacking = str(use.val("dibao.supplement.stacking"))
    total = ZERO
    lines: list[str] = []
    per_person: dict[str, Any] = {}
    for m in members:
        cats = _supplement_categories(m, use)
        if not cats:
            continue
        ratios = {c: use.dec(f"dibao.supplement.{c}") for c in cats}
        chosen = [max(ratios, key=lambda c: ratios[c])] if stacking == "max" else cats
        amount = money(sum((std * ratios[c] for c in chosen), ZERO), params)
        if amount <= 0:
            continue
        total += amount
        per_person[m.key] = {"categories": chosen, "amount": amount}
        lines.append(f"{m.name}（{'、'.join(_SUPP_LABEL[c] for c in chosen)}）"
                     f"{' + '.join(fmt_ratio(ratios[c]) for c in chosen)} × {yuan(std)} 元 = {yuan(amount)} 元")
    use.pv("dibao.rounding")
    text = "分类施保：" + "；".join(lines) + f"，合计 {yuan(total)} 元" if lines else "无分类施保对象"
    return Decision("dibao.supplements", dibao_version(use), total > 0, total, text,
                    inputs={"members": [m.key for m in members], "area": area}, params=use.list(),
                    details={"per_person": per_person})


def dibao_assess(household: HouseholdFacts, *, params: Params) -> Decision:
    """The whole 低保 household test and amount: 三要件 income + assets (户籍 is the workflow's check).

    Source: 社会救助暂行办法 第九条、第十二条 [V]; 2012 试行 第四条、第六条 / 2021 办法 第七条 [V-sec].
    Steps: 共同生活家庭成员 → 月人均收入 → 财产 → 补差 × 保障人数 → 分类施保. Eligible only if the per-capita income is
    below the standard and the assets pass; amount = 补差 + 分类施保.
    """
    use = ParamUse(params)
    version = dibao_version(use)
    m = use.add(household_members(household.members, params=params))
    counted = [x for x in household.members if x.key in m.details["counted"]]
    inc = use.add(per_capita_income(household.incomes, member_keys=[x.key for x in counted], params=params))
    assets = use.add(asset_test(counted, household.assets, area=household.area, params=params))
    steps = [m, inc, assets]
    reasons = list(m.reasons) + list(inc.reasons) + list(assets.reasons)
    amount = ZERO
    subsidy: Decision | None = None
    supp: Decision | None = None
    if counted and inc.eligible:
        subsidy = use.add(dibao_subsidy(inc.amount, len(counted), area=household.area, params=params))
        steps.append(subsidy)
        reasons += subsidy.reasons
    eligible = bool(counted) and inc.eligible and assets.eligible and subsidy is not None and subsidy.eligible
    if eligible and subsidy is not None:
        supp = use.add(classified_supplements(counted, area=household.area, params=params))
        amount = subsidy.amount + supp.amount
        if supp.amount > 0:
            steps.append(supp)
    text = "；".join(s.explanation for s in steps)
    text += f"。结论：{'符合' if eligible else '不符合'}低保条件"
    if eligible:
        text += f"，月保障金 {yuan(amount)} 元（保障 {len(counted)} 人）"
    return Decision("dibao.assess", version, eligible, amount, text,
                    inputs={"household": asdict(household)}, params=use.list(), reasons=reasons,
                    details={"area": household.area, "covered": [x.key for x in counted],
                             "covered_count": len(counted), "per_capita_income": inc.amount,
                             "subsidy": subsidy.amount if subsidy else ZERO,
                             "supplements": supp.amount if supp else ZERO,
                             "standard": use.dec(standard_key(household.area)),
                             "steps": [s.as_dict() for s in steps]})


def dibao_edge(household: HouseholdFacts, *, params: Params) -> Decision:
    """低保边缘家庭: not eligible for 低保, per-capita income ≤ N × 低保标准 and assets meet the 低保 rules.

    Source: 中办国办《关于改革完善社会救助制度的意见》(2020) and 2021 implementation texts [V-sec]; N =
    `dibao.edge_multiple` (1.5). details["band"] is "dibao" (below the standard, assets pass), "edge" or "none".
    """
    use = ParamUse(params)
    multiple = use.dec("dibao.edge_multiple")
    std = use.dec(standard_key(household.area))
    m = use.add(household_members(household.members, params=params))
    counted = [x for x in household.members if x.key in m.details["counted"]]
    inc = use.add(per_capita_income(household.incomes, member_keys=[x.key for x in counted], params=params))
    assets = use.add(asset_test(counted, household.assets, area=household.area, params=params))
    limit = money(std * multiple, params)
    pc = inc.amount
    band = "none"
    if inc.eligible and assets.eligible:
        band = "dibao" if pc < std else ("edge" if pc <= limit else "none")
    label = AREA_LABEL[household.area]
    text = (f"家庭月人均收入 {yuan(pc)} 元，{label}低保标准 {yuan(std)} 元，边缘线 {fmt_ratio(multiple)} 倍 = "
            f"{yuan(limit)} 元；财产{'符合' if assets.eligible else '不符合'}规定。")
    text += {"dibao": "符合低保条件（非边缘）", "edge": "属于低保边缘家庭", "none": "不属于低保边缘家庭"}[band]
    reasons = [] if band == "edge" else [text, *assets.reasons]
    return Decision("dibao.edge", dibao_version(use), band == "edge", ZERO, text,
                    inputs={"household": asdict(household)}, params=use.list(), reasons=reasons,
                    details={"band": band, "per_capita_income": pc, "limit": limit, "standard": std})


def single_person_dibao(member_key: str, household: HouseholdFacts, *, params: Params) -> Decision:
    """单人保: one member included on their own.

    Source, 2021 rules [V-sec] (2021 办法 as restated by 富平/灵璧/广州/益阳): in a 低保边缘家庭, a holder of a 残疾人证
    grade ≤ 2 (重度) or grade ≤ 3 intellectual/mental, or a person with a 重特大疾病; or a 宗教教职人员 living in a
    religious venue ≥ 3 years. Pre-2021 [M] 国发〔2015〕7号: an adult, jobless, severely disabled person (grade ≤ 2).
    Amount (interpretation [M]): the person as a one-person household, 标准 − own counted income, plus 分类施保.
    """
    use = ParamUse(params)
    version = dibao_version(use)
    person = next((x for x in household.members if x.key == member_key), None)
    if person is None:
        raise ValueError(f"家庭中没有成员 {member_key}")
    grounds: list[str] = []
    reasons: list[str] = []
    dis_max = use.int("dibao.single.disability_max_grade")
    if version >= "2021":
        int_max = use.int("dibao.single.intellectual_max_grade")
        rel_years = use.int("dibao.single.religious_years")
        g = person.disability_grade
        if person.religious_professional and person.religious_years_away >= rel_years:
            grounds.append(f"宗教教职人员在宗教场所居住满{rel_years}年")
        else:
            edge = use.add(dibao_edge(household, params=params))
            if g is not None and (g <= dis_max or (person.disability_category in (INTELLECTUAL, MENTAL)
                                                   and g <= int_max)):
                grounds.append(f"持证{g}级残疾人")
            if person.serious_illness:
                grounds.append("患重特大疾病")
            if grounds and not edge.eligible:
                reasons.append("所在家庭不属于低保边缘家庭：" + edge.explanation)
                grounds = []
            elif not grounds:
                reasons.append("不属于重度残疾人、三级智力精神残疾人或重病患者")
    else:
        g = person.disability_grade
        if person.age >= use.int("person.minor_age") and not person.employed and g is not None and g <= dis_max:
            grounds.append(f"成年无业{g}级重度残疾人（单人户）")
        else:
            reasons.append("2021 年前仅成年无业重度残疾人可单独提出申请")
    own_keys = [person.key]
    if not grounds:
        text = f"{person.name} 不符合单人保条件：" + "；".join(reasons)
        return Decision("dibao.single_person", version, False, ZERO, text,
                        inputs={"member_key": member_key, "household": asdict(household)}, params=use.list(),
                        reasons=reasons)
    own = [i for i in household.incomes if i.member_key == person.key]
    inc = use.add(per_capita_income(own, member_keys=own_keys, params=params))
    sub = use.add(dibao_subsidy(inc.amount, 1, area=household.area, params=params))
    supp = use.add(classified_supplements([person], area=household.area, params=params)) if sub.eligible else None
    amount = sub.amount + (supp.amount if supp else ZERO)
    text = f"{person.name} 按单人保纳入（{'、'.join(grounds)}）：{sub.explanation}"
    if supp and supp.amount > 0:
        text += "；" + supp.explanation
    return Decision("dibao.single_person", version, sub.eligible, amount, text,
                    inputs={"member_key": member_key, "household": asdict(household)}, params=use.list(),
                    reasons=sub.reasons, details={"grounds": grounds, "subsidy": sub.amount,
                                                  "supplements": supp.amount if supp else ZERO})
