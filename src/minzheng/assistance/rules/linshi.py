"""临时救助: the amount (月标准 × 人数 × 月数, with the township's approval limit and the 先行救助 cap) and the
支出型 months by band of self-paid expense.

Source: 社会救助暂行办法 第四十七至四十九条; 福建省 2018 实施意见. Numbers come from `linshi.*` parameters.
"""

from __future__ import annotations

from decimal import Decimal

from .common import LINSHI_LABEL, ZERO, Decision, Params, ParamUse, fmt_ratio, money, yuan


def linshi_months_for_expense(expense: Decimal, *, params: Params) -> Decision:
    """支出型 months from the family's self-paid medical/education expense, by band (`linshi.expense_bands`, demo).

    Source: 福建省 2018 实施意见 [V-sec]: “也可按自付医疗、教育费用分档” — the bands themselves are local ([GAP],
    demo values); the result is still capped by `linshi.max_months` in `linshi_amount`.
    """
    use = ParamUse(params)
    bands = sorted(((Decimal(str(b["min"])), int(b["months"])) for b in use.items("linshi.expense_bands")),
                   key=lambda b: b[0])
    cost = Decimal(expense)
    months = 0
    floor = ZERO
    for low, m in bands:
        if cost >= low:
            months, floor = m, low
    text = (f"自付支出 {yuan(cost)} 元，属于 {yuan(floor)} 元以上档，救助 {months} 个月" if months
            else f"自付支出 {yuan(cost)} 元，未达到分档起点")
    return Decision("linshi.expense_band", "FJ2018", months > 0, Decimal(months), text, inputs={"expense": cost},
                    params=use.list(), reasons=[] if months else [text], details={"months": months})


def linshi_amount(kind: str, *, persons: int, months: int, params: Params, per_capita_income: Decimal | None = None,
                  income_limit: Decimal | None = None, expense: Decimal | None = None) -> Decision:
    """临时救助 amount = 临时救助月标准 × 救助人数 × 月数.

    Source: 社会救助暂行办法 第四十七至四十九条 [V]; 福建省 2018 实施意见 [V-sec]: monthly standard within ±25% of
    the urban 低保 monthly standard (`linshi.ratio_min/max`, county choice `linshi.standard_ratio`, clamped into the
    bounds); 支出型 months ≤ 6 (`linshi.max_months`); 急难型 months ≤ `linshi.emergency.max_months` (demo). 支出型
    in principle needs per-capita income below last year's 人均可支配收入 (checked when both figures are given).
    With `expense` given, a 支出型 amount is capped at it when `linshi.cap_at_expense` (demo) is on.
    details: township_may_approve (≤ `linshi.township_approval_max`), quick_max (先行救助 cap).
    """
    if kind not in LINSHI_LABEL:
        raise ValueError(f"未知临时救助类型：{kind}")
    use = ParamUse(params)
    std = use.dec("dibao.standard.urban")
    lo, hi = use.dec("linshi.ratio_min"), use.dec("linshi.ratio_max")
    chosen = use.dec("linshi.standard_ratio")
    ratio = min(max(chosen, lo), hi)
    cap = use.int("linshi.max_months" if kind == "expenditure" else "linshi.emergency.max_months")
    town_max = use.dec("linshi.township_approval_max")
    quick_max = use.dec("linshi.emergency.quick_max")
    monthly = money(std * ratio, params)
    used_months = max(0, min(months, cap))
    inputs = {"kind": kind, "persons": persons, "months": months, "per_capita_income": per_capita_income,
              "income_limit": income_limit, "expense": expense}
    reasons: list[str] = []
    if persons <= 0:
        reasons.append("救助人数为 0")
    if months <= 0:
        reasons.append("救助月数为 0")
    if kind == "expenditure" and per_capita_income is not None and income_limit is not None \
            and Decimal(per_capita_income) >= Decimal(income_limit):
        reasons.append(f"家庭月人均收入 {yuan(Decimal(per_capita_income))} 元 不低于上年人均可支配收入月均 "
                       f"{yuan(Decimal(income_limit))} 元")
    text = f"临时救助月标准 = 城市低保标准 {yuan(std)} 元 × {fmt_ratio(ratio)} = {yuan(monthly)} 元"
    if ratio != chosen:
        text += f"（设定比例 {fmt_ratio(chosen)} 超出 {fmt_ratio(lo)}–{fmt_ratio(hi)}，已按边界计算）"
    if reasons:
        return Decision("linshi.amount", "FJ2018", False, ZERO, text + "；不予救助：" + "；".join(reasons),
                        inputs=inputs, params=use.list(), reasons=reasons, details={"monthly_standard": monthly})
    amount = money(monthly * persons * used_months, params)
    text += f"；{LINSHI_LABEL[kind]} {yuan(monthly)} 元 × {persons} 人 × {used_months} 个月 = {yuan(amount)} 元"
    if used_months < months:
        text += f"（申请 {months} 个月，{LINSHI_LABEL[kind]}最多 {cap} 个月）"
    if kind == "expenditure" and expense is not None and use.flag("linshi.cap_at_expense") \
            and amount > Decimal(expense):
        amount = money(Decimal(expense), params)
        text += f"，超过自付支出，按自付支出 {yuan(amount)} 元救助"
    may_town = amount <= town_max
    text += "；乡镇可直接审批" if may_town else f"；超过乡镇审批额度 {yuan(town_max)} 元，报区民政局审批"
    return Decision("linshi.amount", "FJ2018", True, amount, text, inputs=inputs, params=use.list(),
                    details={"monthly_standard": monthly, "months": used_months, "ratio": ratio,
                             "township_may_approve": may_town, "quick_max": quick_max})
