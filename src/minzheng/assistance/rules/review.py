"""动态管理 of 低保: what a review decides (增发、减发、渐退、停发), how often a household is reviewed, and the
first paid month after approval.

Source: 社会救助暂行办法 第十三条; 2012 / 2021 rules for the review cycle; 2020 意见 / 2021 办法 for 渐退.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from minzheng.core import dates

from .common import AREA_LABEL, ZERO, Decision, Params, ParamUse, as_bool, dibao_version, money, yuan


def review_outcome(current_amount: Decimal, assessment: Decision, *, income_rise_from_work: bool,
                   taper_months_used: int, params: Params) -> Decision:
    """What a review or change of circumstances means for a 低保 household: increase, decrease, stop, or 渐退.

    Source: 社会救助暂行办法 第十三条 [V] (增发、减发、停发, a stop in writing with reasons); 渐退 for households whose
    income rises above the standard through a member's work, generally ≤ 6 months (2020 意见 / 2021 办法 [M],
    `dibao.taper.months`); `dibao.taper.keep_amount` keeps the old amount or tapers it evenly to zero.
    details["action"]: increase | decrease | unchanged | taper | stop.
    """
    use = ParamUse(params)
    use.add(assessment)
    current = Decimal(current_amount)
    if assessment.eligible:
        new = assessment.amount
        action = "increase" if new > current else "decrease" if new < current else "unchanged"
        verb = {"increase": "增发", "decrease": "减发", "unchanged": "金额不变"}[action]
        text = f"复核后仍符合条件，月保障金由 {yuan(current)} 元 调整为 {yuan(new)} 元（{verb}）"
        return Decision("dibao.review", assessment.version, True, new, text,
                        inputs={"current_amount": current, "assessment": assessment.rule},
                        params=use.list(), details={"action": action, "taper_months_left": 0})
    months = use.int("dibao.taper.months")
    if income_rise_from_work and taper_months_used < months:
        left = months - taper_months_used
        if use.flag("dibao.taper.keep_amount"):
            amount = current
        else:
            amount = money(current * left / (left + 1), params)
        text = (f"因家庭成员就业收入增加不再符合条件，给予渐退期（共 {months} 个月，剩余 {left} 个月），"
                f"本月发放 {yuan(amount)} 元")
        return Decision("dibao.review", assessment.version, True, amount, text,
                        inputs={"current_amount": current, "taper_months_used": taper_months_used},
                        params=use.list(),
                        details={"action": "taper", "taper_months_left": left - 1})
    why = "；".join(assessment.reasons) or assessment.explanation
    text = f"复核后不再符合条件，停发低保金（原 {yuan(current)} 元）。理由：{why}"
    if income_rise_from_work:
        text += f"（渐退期 {months} 个月已满）"
    return Decision("dibao.review", assessment.version, False, ZERO, text,
                    inputs={"current_amount": current, "taper_months_used": taper_months_used},
                    params=use.list(), reasons=list(assessment.reasons) or [why],
                    details={"action": "stop", "taper_months_left": 0})


_HOUSEHOLD_TYPES = {"stable": "收入稳定（三无、重病重残等）", "short_term": "短期内收入变化不大",
                    "irregular": "收入不固定且有劳动能力"}


def review_cycle(household_type: str, *, area: str, params: Params) -> Decision:
    """Review cycle in months by household type and rule version.

    Source: 社会救助暂行办法 第十三条 [V]; 2012 rules [V-sec]: 三无/重病重残稳定 yearly, little change half-yearly,
    irregular income with able members monthly (urban) / quarterly (rural); 2021 rules [V-sec]: stable yearly,
    irregular half-yearly (`dibao.review.months.*`, versioned). amount = months.
    """
    if household_type not in _HOUSEHOLD_TYPES:
        raise ValueError(f"未知家庭类型：{household_type}")
    if area not in AREA_LABEL:
        raise ValueError(f"未知城乡类别：{area}")
    use = ParamUse(params)
    key = f"irregular_{area}" if household_type == "irregular" else household_type
    months = use.int(f"dibao.review.months.{key}")
    every = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}.get(months, f"每 {months} 个月")
    text = f"{_HOUSEHOLD_TYPES[household_type]}的{AREA_LABEL[area]}低保家庭，按 {dibao_version(use)} 年规则{every}复核一次"
    return Decision("dibao.review_cycle", dibao_version(use), True, Decimal(months), text,
                    inputs={"household_type": household_type, "area": area}, params=use.list(),
                    details={"months": months})


def next_review_date(last: dt.date, months: int) -> dt.date:
    """The date the next periodic review falls due (same day of month, clipped to the month's end)."""
    return dates.shift_months(last, months)


def benefit_start(decided_on: dt.date, *, params: Params) -> dt.date:
    """First paid month: the month after the approval decision (2021 办法, 郑州“下月起” [V-sec];
    `workflow.benefit_start_next_month`), else the decision month. Returns the first day of that month."""
    first = decided_on.replace(day=1)
    return dates.shift_months(first, 1) if as_bool(params.get("workflow.benefit_start_next_month").value) else first
