"""Statistics and risk-analysis parameters. The forms' own rules (money in 万元 to one decimal, 环比 to two) come
from policy-rules-wave2 §6; the risk thresholds are the bureau's choice — demo values until it sets its own."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

GROUP = "统计分析"
_FROM = dt.date(2018, 1, 1)
STATS_2008 = "民政事业统计报表制度 填报说明（2008）"
BUREAU = "区民政局疑点筛查口径（演示值，由区民政局确定）"


def _demo(key: str, value: object, note: str = "") -> list[Seed]:
    return [Seed(key, value, _FROM, BUREAU, certainty="DEMO", is_demo=True, note=note)]


declare("stats.money_decimals", "报表金额（万元）保留小数位", unit="位", kind="int", group=GROUP,
        seeds=[Seed("stats.money_decimals", 1, _FROM, STATS_2008, certainty="V-sec",
                    note="金额以万元为单位，保留一位小数；其他指标为整数")])
declare("stats.coverage.robust_z", "覆盖率疑点：稳健 z 值阈值", kind="decimal", group=GROUP,
        help="村(社区)低保覆盖率与同类（城镇社区/农村）村中位数之差除以 1.4826×MAD，超过此值列为疑点",
        seeds=_demo("stats.coverage.robust_z", "2.5",
                    "Leys 等（2013）建议以中位数 ±2.5×MAD 为“中等保守”的离群界限；Iglewicz–Hoaglin 用 3.5。"
                    "用于筛查（供核实）取 2.5"))
declare("stats.coverage.min_ratio", "覆盖率疑点：至少为同类中位数的倍数", kind="decimal", group=GROUP,
        help="同时要求覆盖率不低于同类中位数的该倍数，避免同类差异很小时把轻微偏高列为疑点",
        seeds=_demo("stats.coverage.min_ratio", "2.0"))
declare("stats.coverage.min_persons", "覆盖率疑点：村内保障人数下限", unit="人", kind="int", group=GROUP,
        help="保障人数少于此数的村不列覆盖率疑点（人口很少时一户就能改变比例）", seeds=_demo("stats.coverage.min_persons", 5))
declare("stats.growth.window_months", "新增异常：比较的月数", unit="月", kind="int", group=GROUP,
        seeds=_demo("stats.growth.window_months", 6))
declare("stats.growth.min_new", "新增异常：期间新增户数下限", unit="户", kind="int", group=GROUP,
        seeds=_demo("stats.growth.min_new", 4))
declare("stats.growth.robust_z", "新增异常：稳健 z 值阈值", kind="decimal", group=GROUP,
        seeds=_demo("stats.growth.robust_z", "3.5"))
declare("stats.near_max.share", "最高档附近：金额不低于最高金额的比例", kind="decimal", group=GROUP,
        help="低保金额达到同类（城市/农村）最高金额该比例以上的户视为“最高档附近”",
        seeds=_demo("stats.near_max.share", "0.95"))
declare("stats.near_max.min_households", "最高档附近：村内户数下限", unit="户", kind="int", group=GROUP,
        seeds=_demo("stats.near_max.min_households", 3))
declare("stats.near_max.z", "最高档附近：超出全区比例的标准差倍数", kind="decimal", group=GROUP,
        help="村内最高档附近户数超过按全区比例应有户数的该倍数个标准差（二项分布）才列为聚集",
        seeds=_demo("stats.near_max.z", "3"))
declare("stats.fast.min_days", "审批过快：受理到审批至少应有的天数", unit="天", kind="int", group=GROUP,
        help="入户调查、民主评议、公示(7天)和审核确认所需的最短天数；更快办结的案件列为疑点",
        seeds=_demo("stats.fast.min_days", 12, "公示 7 天加调查、评议和审核确认各至少 1–2 天"))
declare("stats.shared.min_households", "共用账号/电话：涉及户数下限", unit="户", kind="int", group=GROUP,
        seeds=_demo("stats.shared.min_households", 3))
declare("stats.sample.ratio", "疑点抽查：抽取家庭比例", kind="decimal", group=GROUP,
        seeds=_demo("stats.sample.ratio", "0.3"))
declare("stats.sample.min", "疑点抽查：至少抽取户数", unit="户", kind="int", group=GROUP,
        help="疑点涉及的家庭少于此数时全部入户", seeds=_demo("stats.sample.min", 5))
