"""The household means test (家庭经济状况核查) shared by 低保, 低保边缘 and 特困: who counts as a member of the
household, the household's monthly income per head, and whether its property is within the local limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from minzheng.core.income_codes import label, legacy_code

from .common import (
    CENT,
    DAUGHTER,
    HEAD,
    SON,
    SPOUSE,
    ZERO,
    Decision,
    Params,
    ParamUse,
    dibao_version,
    standard_key,
    yuan,
)
from .inputs import AssetItem, IncomeItem, Member


def household_members(members: Sequence[Member], *, params: Params) -> Decision:
    """共同生活的家庭成员: who counts in the household test.

    Source: 最低生活保障审核审批办法（试行）第六条 (2012) / 最低生活保障审核确认办法 第七条 (2021) [V-sec]:
    配偶; 未成年子女; 已成年但不能独立生活的子女（含在校接受全日制本科及以下学历教育的）; 其他具有法定赡养、扶养、抚养
    义务关系并长期共同居住的人员. Not counted: 宗教教职人员 living in a religious venue ≥ N years (N included), 服刑人员,
    others the province defines. A member already in 特困 is carved out (supported separately, 社会救助暂行办法 第十四条).
    The 户主 counts (the household is the applicant's).
    """
    use = ParamUse(params)
    away_years = use.int("dibao.household.religious_away_years")
    minor_age = use.int("person.minor_age")
    counted: list[str] = []
    excluded: dict[str, str] = {}
    for m in members:
        reason = ""
        if m.religious_professional and m.religious_years_away >= away_years:
            reason = f"宗教教职人员离家在宗教场所居住已满{away_years}年"
        elif m.imprisoned:
            reason = "服刑人员"
        elif m.excluded_reason:
            reason = m.excluded_reason
        elif m.in_tekun:
            reason = "已纳入特困供养，单独保障"
        elif m.relation in (HEAD, SPOUSE):
            pass
        elif m.relation in (SON, DAUGHTER):
            if m.age >= minor_age and not m.unable_to_live_independently and not (
                    m.living_together and m.legal_support_duty):
                reason = "已成年、能独立生活且不共同居住的子女"
        elif not (m.living_together and m.legal_support_duty):
            reason = "无法定赡养扶养抚养关系或未长期共同居住"
        if reason:
            excluded[m.key] = reason
        else:
            counted.append(m.key)
    names = {m.key: m.name for m in members}
    text = f"共同生活家庭成员 {len(counted)} 人"
    if excluded:
        text += "；不计入：" + "；".join(f"{names[k]}（{r}）" for k, r in excluded.items())
    return Decision("dibao.household_members", dibao_version(use), bool(counted), Decimal(len(counted)), text,
                    inputs={"members": [asdict(m) for m in members]}, params=use.list(),
                    reasons=[] if counted else ["没有可计入的共同生活家庭成员"],
                    details={"counted": counted, "excluded": excluded})


# Which parameter lists the excluded income codes for each programme's exclusion list.
CODES_KEY = {"dibao.income.exclusions": "income.excluded_codes.dibao",
             "tekun.income.exclusions": "income.excluded_codes.tekun"}


def income_code(inc: IncomeItem) -> str:
    """The item's code: as recorded, or mapped from a legacy free-text item ("" when it maps to nothing)."""
    return inc.code or legacy_code(inc.item)


def per_capita_income(incomes: Sequence[IncomeItem], *, member_keys: Sequence[str], params: Params,
                      exclusions_key: str = "dibao.income.exclusions") -> Decision:
    """家庭月人均收入 over the 共同生活家庭成员.

    Source: 社会救助暂行办法 第九条 [V]; five income categories (工资性、经营净、财产净、转移净、其他) [V-sec];
    exclusions by income code per `income.excluded_codes.dibao` (优待抚恤金、计划生育奖励与扶助金、奖学金、见义勇为奖励、
    社会救助款物、基础养老金 [M]; 残疾人两项补贴 [V-sec] 国发〔2015〕52号), a legacy free-text item mapped to its code
    first (registry.income_codes; one that maps to none is counted and flagged); optional 就业成本 deduction [M].
    Incomes of persons who are not counted members are ignored. Per-capita is rounded half up to the fen.
    `exclusions_key` selects another programme's list (``tekun.income.exclusions`` → ``income.excluded_codes.tekun``).
    """
    use = ParamUse(params)
    excluded_codes = {str(x) for x in use.items(CODES_KEY.get(exclusions_key, exclusions_key))}
    cost = use.dec("dibao.income.employment_cost")
    unmapped: list[str] = []
    keys = set(member_keys)
    total = ZERO
    by_category: dict[str, Decimal] = {}
    wages: dict[str, Decimal] = {}
    excluded: list[dict[str, Any]] = []
    for inc in incomes:
        amount = Decimal(inc.monthly_amount)
        if inc.member_key is not None and inc.member_key not in keys:
            excluded.append({"item": inc.item or inc.category, "amount": amount, "why": "非共同生活家庭成员的收入"})
            continue
        code = income_code(inc)
        if not code and inc.item:
            unmapped.append(inc.item)   # counted, and said: a legacy item nobody has coded yet
        if code in excluded_codes:
            excluded.append({"item": inc.item or label(code), "amount": amount, "code": code,
                             "why": f"{label(code)}不计入家庭收入"})
            continue
        total += amount
        by_category[inc.category] = by_category.get(inc.category, ZERO) + amount
        if inc.category == "wage" and inc.member_key is not None and amount > 0:
            wages[inc.member_key] = wages.get(inc.member_key, ZERO) + amount
    deduction = sum((min(cost, w) for w in wages.values()), ZERO) if cost > 0 else ZERO
    net = total - deduction
    n = len(keys)
    if n == 0:
        return Decision("dibao.per_capita_income", dibao_version(use), False, ZERO, "没有共同生活家庭成员，无法计算人均收入",
                        inputs={"member_keys": sorted(keys)}, params=use.list(), reasons=["家庭成员为 0 人"])
    pc = (net / n).quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"家庭月收入合计 {yuan(net)} 元"
    if deduction:
        text += f"（已扣除就业成本 {yuan(deduction)} 元）"
    text += f" ÷ {n} 人 = 月人均收入 {yuan(pc)} 元"
    if excluded:
        text += "；不计入：" + "、".join(f"{e['item']} {yuan(e['amount'])} 元（{e['why']}）" for e in excluded)
    if unmapped:
        text += "；未编码的收入项目（已计入，请改选收入项目代码）：" + "、".join(dict.fromkeys(unmapped))
    return Decision("dibao.per_capita_income", dibao_version(use), True, pc, text,
                    inputs={"incomes": [asdict(i) for i in incomes], "member_keys": sorted(keys)},
                    params=use.list(),
                    details={"total": total, "deduction": deduction, "net": net, "members": n,
                             "by_category": by_category, "excluded": excluded, "unmapped": unmapped})


def asset_test(members: Sequence[Member], assets: Sequence[AssetItem], *, area: str, params: Params) -> Decision:
    """家庭财产 test, configurable.

    Source: 社会救助暂行办法 第九条 (“符合当地最低生活保障家庭财产状况规定”) [V]; the thresholds are local and all
    configurable [M]/[L]: deposits + securities ≤ 标准 × N months × members; homes ≤ max; no non-residential property;
    no vehicle except exempt types or low value; no company or larger 个体工商户; no 财政供养 member.
    """
    use = ParamUse(params)
    std = use.dec(standard_key(area))
    months = use.int("dibao.asset.deposit_months")
    max_homes = use.int("dibao.asset.max_homes")
    exempt_types = [str(x) for x in use.items("dibao.asset.vehicle_exempt_types")]
    exempt_value = use.dec("dibao.asset.vehicle_exempt_value")
    n = max(1, len(members))
    fails: list[str] = []
    liquid = sum((Decimal(a.value) for a in assets if a.kind in ("deposit", "securities")), ZERO)
    limit = std * months * n
    if liquid > limit:
        fails.append(f"存款及有价证券 {yuan(liquid)} 元，超过 低保标准 {yuan(std)} 元 × {months} 个月 × {n} 人 = "
                     f"{yuan(limit)} 元")
    homes = [a for a in assets if a.kind == "property" and a.attributes.get("use", "residential") == "residential"]
    if len(homes) > max_homes:
        fails.append(f"拥有住房 {len(homes)} 套，超过 {max_homes} 套")
    if use.flag("dibao.asset.exclude_nonresidential") and any(
            a.kind == "property" and a.attributes.get("use", "residential") != "residential" for a in assets):
        fails.append("拥有商铺、办公用房等非居住类房产")
    for a in assets:
        if a.kind != "vehicle":
            continue
        vtype = str(a.attributes.get("vehicle_type", ""))
        if vtype and vtype in exempt_types:
            continue
        if exempt_value > 0 and Decimal(a.value) <= exempt_value:
            continue
        fails.append(f"拥有机动车辆（{vtype or a.description or '车辆'}，价值 {yuan(Decimal(a.value))} 元）")
    if use.flag("dibao.asset.exclude_business_owner") and any(
            a.kind == "business" and not a.attributes.get("small") for a in assets):
        fails.append("开办或经营企业、较大规模个体工商户")
    if use.flag("dibao.asset.exclude_public_employee"):
        staff = [m.name for m in members if m.public_employee]
        if staff:
            fails.append(f"家庭成员中有财政供养人员（{'、'.join(staff)}）")
    text = "家庭财产符合当地低保规定" if not fails else "家庭财产不符合当地低保规定：" + "；".join(fails)
    return Decision("dibao.asset_test", dibao_version(use), not fails, ZERO, text,
                    inputs={"assets": [asdict(a) for a in assets], "members": n, "area": area},
                    params=use.list(), reasons=fails, details={"liquid": liquid, "liquid_limit": limit})
