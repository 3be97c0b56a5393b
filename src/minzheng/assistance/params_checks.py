"""Parameters added for issue 14: 存量核查 (imported ledgers), income item codes and their exclusion status, and
the bounds policy places on other parameters. Declarations and seeds only (see params.py for the conventions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.core.income_codes import INCOME_ITEMS
from minzheng.policy.catalog import catalog, declare

from .params import (
    DEMO_DOC,
    DIBAO_2012,
    DIBAO_2021_DOC,
    FJ_LINSHI_2018,
    SSA_2014,
    TEKUN_2016,
    TEKUN_2021_DOC,
    _s,
)

G_LEDGER = "存量核查"
declare("ledger.carry_over_max_months", "存量核查过渡期最长月数", unit="月", kind="int", group=G_LEDGER,
        help="区级决定对未完成核查的导入记录过渡发放时，最多可发放的月数",
        seeds=[_s("ledger.carry_over_max_months", 3, SSA_2014, DEMO_DOC, "DEMO", demo=True)])

G_INCOME = "收入项目"
# Codes from registry.income_codes; whether each counts is these parameters, never a match on free text.
DIBAO_EXCLUDED = ["youdai", "family_planning", "scholarship", "hero", "assistance", "basic_pension",
                  "disability_allowance", "gaoling"]
TEKUN_EXCLUDED = ["basic_pension", "medical_insurance", "social_insurance", "youdai", "gaoling", "assistance"]
_CODES_HELP = "收入项目代码列表：" + "、".join(f"{k}={v[0]}" for k, v in INCOME_ITEMS.items())
declare("income.excluded_codes.dibao", "低保不计入家庭收入的收入项目（代码）", kind="json", group=G_INCOME,
        help=_CODES_HELP, seeds=[_s("income.excluded_codes.dibao", DIBAO_EXCLUDED, DIBAO_2012,
                                    DIBAO_2021_DOC + " 收入豁免清单；国发〔2015〕52号（两项补贴不计入）", "M")])
declare("income.excluded_codes.tekun", "特困“无生活来源”不计入的收入项目（代码）", kind="json", group=G_INCOME,
        help=_CODES_HELP, seeds=[_s("income.excluded_codes.tekun", TEKUN_EXCLUDED, TEKUN_2016,
                                    TEKUN_2021_DOC + " 第六条（贵州转述）", "V-sec")])

declare("linshi.income_limit", "支出型临时救助收入上限（上年居民人均可支配收入，月均）", unit="元/人/月",
        group="临时救助", help="支出型救助家庭月人均收入原则上应低于该数额（上年居民人均可支配收入 ÷ 12）",
        seeds=[_s("linshi.income_limit", "3300", FJ_LINSHI_2018, DEMO_DOC + "；policy-rules.md §3 支出型", "DEMO",
                  demo=True)])

G_BOUNDS = "参数约束"
declare("tekun.basic_ratio.minimum", "特困基本生活标准下限（倍低保标准）", unit="倍", group=G_BOUNDS,
        help="特困人员基本生活标准不得低于低保标准的该倍数；低于时拒绝新的参数版本",
        seeds=[_s("tekun.basic_ratio.minimum", "1.3", SSA_2014, "国发〔2016〕14号（不低于当地低保标准的1.3倍）", "V-sec")])


def _tekun_ratio_floor(value: Any, on: dt.date, division: Any) -> str:
    """特困 基本生活标准 = 低保标准 × tekun.basic_ratio must stay ≥ tekun.basic_ratio.minimum × 低保标准."""
    from minzheng.policy.services import MissingParameter, resolve

    try:
        floor = resolve("tekun.basic_ratio.minimum", on=on, division=division).decimal
    except MissingParameter:
        return ""
    if Decimal(str(value)) < floor:
        return (f"特困人员基本生活标准系数 {value} 低于政策下限：基本生活标准不得低于低保标准的 {floor} 倍"
                "（国发〔2016〕14号），该版本不予保存")
    return ""


def _linshi_ratio_bounds(value: Any, on: dt.date, division: Any) -> str:
    """The county's 临时救助 standard ratio must lie within the province's ±25% band."""
    from minzheng.policy.services import MissingParameter, resolve

    try:
        lo = resolve("linshi.ratio_min", on=on, division=division).decimal
        hi = resolve("linshi.ratio_max", on=on, division=division).decimal
    except MissingParameter:
        return ""
    if not lo <= Decimal(str(value)) <= hi:
        return f"临时救助标准比例 {value} 超出省定范围 {lo}–{hi} 倍城市低保标准，该版本不予保存"
    return ""


catalog.bound("tekun.basic_ratio", _tekun_ratio_floor)
catalog.bound("linshi.standard_ratio", _linshi_ratio_bounds)
