"""Parameters of disaster statistics and relief (自然灾害情况统计制度, 自然灾害救助条例). No constants in code."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

G = "灾情统计与救灾"
SINCE = dt.date(2016, 1, 1)
SYS = "自然灾害情况统计制度(2016)及省级预案"

declare("disaster.initial_report_hours", "初报时限", unit="小时", kind="int", group=G,
        help="灾害发生(登记)后乡镇/区县报送初报的时限",
        seeds=[Seed("disaster.initial_report_hours", 2, SINCE, SYS, "V-sec")])
declare("disaster.update_interval_days", "续报间隔(一般灾害)", unit="天", kind="int", group=G,
        seeds=[Seed("disaster.update_interval_days", 7, SINCE, "自然灾害情况统计制度(2016)", "M")])
declare("disaster.update_interval_drought_days", "续报间隔(干旱)", unit="天", kind="int", group=G,
        seeds=[Seed("disaster.update_interval_drought_days", 10, SINCE, SYS, "V-sec")])
declare("disaster.update_interval_major_days", "重大灾害零报告间隔", unit="天", kind="int", group=G,
        help="重大灾害稳定前实行24小时零报告",
        seeds=[Seed("disaster.update_interval_major_days", 1, SINCE, "省、县自然灾害救助应急预案(24小时零报告)",
                    "V-sec")])
declare("disaster.update_report_hours", "续报报送时限(一般灾害)", unit="小时", kind="int", group=G,
        help="续报期次统计截止后报送的时限",
        seeds=[Seed("disaster.update_report_hours", 24, SINCE, "自然灾害情况统计制度(2016)", "M")])
declare("disaster.daily_report_hour", "零报告报送时刻(区县)", unit="时", kind="int", group=G,
        help="区县每日报送截至前一日24时的灾情",
        seeds=[Seed("disaster.daily_report_hour", 9, SINCE, "省、县自然灾害救助应急预案", "V-sec")])
declare("disaster.final_report_workdays", "核报时限", unit="工作日", kind="int", group=G,
        help="灾情稳定后区县报送核报的时限",
        seeds=[Seed("disaster.final_report_workdays", 2, SINCE, "省级自然灾害灾情统计核报规定(典型)", "V-sec")])
declare("disaster.public_mask_names", "救灾物资公示隐去姓名中间字", kind="bool", group=G,
        help="公示时姓名按“张*三”显示；不显示身份证号和电话",
        seeds=[Seed("disaster.public_mask_names", True, SINCE, "个人信息保护法第二十八条；本地公示做法", "DEMO",
                    is_demo=True)])
declare("disaster.winter_survey_start", "冬春救助需求调查开始(月-日)", kind="text", group=G,
        seeds=[Seed("disaster.winter_survey_start", "09-20", SINCE, "受灾人员冬春生活救助工作规程", "V-sec",
                    note="乡镇9月下旬开始入户调查")])
declare("disaster.winter_survey_end", "冬春救助需求上报截止(月-日)", kind="text", group=G,
        seeds=[Seed("disaster.winter_survey_end", "10-15", SINCE, "受灾人员冬春生活救助工作规程", "V-sec",
                    note="县级10月15日前上报需求评估")])
declare("disaster.winter_period_start_month", "冬春救助期开始月份", unit="月", kind="int", group=G,
        seeds=[Seed("disaster.winter_period_start_month", 12, SINCE, "受灾人员冬春生活救助工作规程", "V-sec")])
declare("disaster.winter_period_end_month", "冬春救助期结束月份(次年)", unit="月", kind="int", group=G,
        seeds=[Seed("disaster.winter_period_end_month", 5, SINCE, "受灾人员冬春生活救助工作规程", "V-sec",
                    note="单季作物区可至7月")])
declare("disaster.winter_notice_days", "冬春救助公示天数", unit="天", kind="int", group=G,
        seeds=[Seed("disaster.winter_notice_days", 7, SINCE, "参照社会救助公示期", "DEMO", is_demo=True)])
