"""Purchased-services parameters (政府购买服务). Sources: 财政部令第102号 (2020), 民发〔2017〕153号; where neither
fixes a number (sample sizes, check thresholds, weights) the value is a demo value, marked so."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, catalog, declare

ORDER_102 = "政府购买服务管理办法（财政部令第102号）"
SYSTEM = "系统设置（监管规则，延平区未见规定）"
_FROM = dt.date(2020, 3, 1)
GROUP = "政府购买服务"


def _demo(key: str, value: object, source: str = SYSTEM, note: str = "") -> list[Seed]:
    return [Seed(key, value, _FROM, source, certainty="DEMO", is_demo=True, note=note)]


declare("purchased.contract.max_years", "购买服务合同履行期限上限", unit="年", kind="int", group=GROUP,
        help="一般不超过1年；服务需求稳定、预算有保障的可签订不超过3年的合同",
        seeds=[Seed("purchased.contract.max_years", 3, _FROM, ORDER_102, certainty="M",
                    note="政策研究 §5.5：一般≤1年，最长3年，条款号待核")])
declare("purchased.callback.sample_percent", "回访抽样比例", unit="%", kind="int", group=GROUP,
        seeds=_demo("purchased.callback.sample_percent", 10))
declare("purchased.callback.sample_min", "每乡镇每月回访不少于", unit="人", kind="int", group=GROUP,
        seeds=_demo("purchased.callback.sample_min", 3))
declare("purchased.checks.max_visits_per_day", "单名服务人员每日上门服务上限", unit="次", kind="int", group=GROUP,
        seeds=_demo("purchased.checks.max_visits_per_day", 8))
declare("purchased.checks.photo_distance", "照片相似判定阈值（感知哈希位差）", unit="位", kind="int", group=GROUP,
        help="64 位差异哈希的汉明距离不超过此值即视为同一张照片",
        seeds=_demo("purchased.checks.photo_distance", 4))
declare("purchased.photo_max_kb", "服务照片大小上限", unit="KB", kind="int", group=GROUP,
        seeds=_demo("purchased.photo_max_kb", 8192))
declare("purchased.code.valid_minutes", "一次性确认码有效期", unit="分钟", kind="int", group=GROUP,
        seeds=_demo("purchased.code.valid_minutes", 120))
declare("purchased.record.late_days", "服务记录补录期限", unit="天", kind="int", group=GROUP,
        help="服务结束后超过该天数不得补录",
        seeds=_demo("purchased.record.late_days", 7))
declare("purchased.assessment.weights", "绩效评估指标权重", unit="%", kind="json", group=GROUP,
        help="delivery 服务完成率, callback 回访满意率, complaints 投诉情况, evidence 凭证完整率；合计 100",
        seeds=_demo("purchased.assessment.weights",
                    {"delivery": 40, "callback": 30, "complaints": 15, "evidence": 15},
                    note="102号：购买主体应当加强全过程绩效管理，可委托第三方评价；权重为演示值"))
declare("purchased.assessment.grades", "绩效评估等次（得分下限）", kind="json", group=GROUP,
        seeds=_demo("purchased.assessment.grades",
                    [{"min": 90, "grade": "优秀"}, {"min": 80, "grade": "良好"}, {"min": 60, "grade": "合格"},
                     {"min": 0, "grade": "不合格"}]))
declare("purchased.assessment.complaints_per_100", "投诉指标：每百名服务对象投诉达此数得零分", unit="件",
        kind="int", group=GROUP, seeds=_demo("purchased.assessment.complaints_per_100", 5))
declare("purchased.share_cap_percent", "购买服务占困难群众救助资金比例上限", unit="%", kind="decimal", group=GROUP,
        help="从困难群众救助资金（各救助项目资金）安排的购买服务合同金额，占该年度救助资金预算总额的比例上限；"
             "0 表示不设上限",
        seeds=[Seed("purchased.share_cap_percent", "0", _FROM, "政策研究 §5.4（国家和福建未规定比例）",
                    certainty="GAP", note="广西2018年实施意见为不超过2%，本地未见规定，默认不设上限")])
declare("purchased.code.card_valid_days", "服务卡确认码有效期", unit="天", kind="int", group=GROUP,
        help="乡镇打印给服务对象的服务卡上每个确认码的有效天数",
        seeds=_demo("purchased.code.card_valid_days", 92))
declare("purchased.code.max_attempts", "确认码每小时允许输错次数", unit="次", kind="int", group=GROUP,
        help="同一派单一小时内输错确认码达到此数后暂停以确认码确认，防止猜码",
        seeds=_demo("purchased.code.max_attempts", 5))


def _share_cap_bounds(value: object, on: dt.date, division: object) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        pct = Decimal(str(value))
    except InvalidOperation:
        return "比例上限应为数字"
    return "" if 0 <= pct <= 100 else "比例上限应在 0–100 之间（0 表示不设上限）"


catalog.bound("purchased.share_cap_percent", _share_cap_bounds)
