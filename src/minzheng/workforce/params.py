"""Workforce parameters. Source for the staffing norm, training frequencies and coordinator assessment: the bureau's
own research report (延平区民政局课题组《全面加强基层民政工作研究》, 南平市民政局《民政工作简报》2018年第16期,
2018-08-27). It is a proposal, not a binding regulation; where it is silent the value is a demo value."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

REPORT_2018 = "延平区民政局课题组《全面加强基层民政工作研究》（南平市《民政工作简报》2018年第16期）"
_FROM = dt.date(2018, 1, 1)
GROUP = "队伍建设"

# Population bands → 民政助理员 posts. The report: 1–2万 → 2, over 2万 → 3–4. Below 1万 it says nothing; the
# current establishment (每个乡镇只定编民政助理员1名) is used.
NORM_BANDS = [
    {"min": 0, "max": 10000, "posts_min": 1, "posts_max": 1},
    {"min": 10000, "max": 20000, "posts_min": 2, "posts_max": 2},
    {"min": 20000, "max": None, "posts_min": 3, "posts_max": 4},
]

declare("workforce.staffing.norm_bands", "乡镇民政助理员编制标准（按人口）", kind="json", group=GROUP,
        help="人口区间 [min, max) → 建议民政助理员岗位数 posts_min–posts_max",
        seeds=[Seed("workforce.staffing.norm_bands", NORM_BANDS, _FROM, REPORT_2018, certainty="V-sec",
                    note="报告建议：1万至2万人设2个，2万人以上设3至4个；1万人以下报告未涉及，按现行每乡镇1名编制")])
declare("workforce.training.township_min_district", "乡镇民政干部每年参加区级培训不少于", unit="次", kind="int",
        group=GROUP, seeds=[Seed("workforce.training.township_min_district", 2, _FROM, REPORT_2018,
                                 certainty="V-sec", note="报告：县(市、区)民政部门组织乡镇民政助理员培训，每年不少于2次")])
declare("workforce.training.village_min_township", "村(居)协管员每年参加乡镇培训不少于", unit="次", kind="int",
        group=GROUP, seeds=[Seed("workforce.training.village_min_township", 3, _FROM, REPORT_2018,
                                 certainty="V-sec", note="报告：乡镇街道对村(居)民政协管员业务培训，每年不少3次")])
declare("workforce.needs.response_workdays", "民情直通车乡镇办理时限", unit="工作日", kind="int", group=GROUP,
        seeds=[Seed("workforce.needs.response_workdays", 5, _FROM, "演示值：延平区未见规定", certainty="DEMO",
                    is_demo=True)])
declare("workforce.needs.public_hourly_limit", "公众民情上报每小时每来源上限", unit="条", kind="int", group=GROUP,
        seeds=[Seed("workforce.needs.public_hourly_limit", 5, _FROM, "系统安全设置（防刷）", certainty="DEMO",
                    is_demo=True)])
declare("workforce.needs.photo_max_kb", "民情照片大小上限", unit="KB", kind="int", group=GROUP,
        seeds=[Seed("workforce.needs.photo_max_kb", 5120, _FROM, "系统设置", certainty="DEMO", is_demo=True)])
declare("workforce.coordinator.meeting_weight", "协管员考核：例会出勤权重", unit="%", kind="int", group=GROUP,
        seeds=[Seed("workforce.coordinator.meeting_weight", 40, _FROM, REPORT_2018, certainty="DEMO", is_demo=True,
                    note="报告要求“一月一例会、一季一检查”，权重为演示值")])
declare("workforce.coordinator.check_weight", "协管员考核：季度检查权重", unit="%", kind="int", group=GROUP,
        seeds=[Seed("workforce.coordinator.check_weight", 60, _FROM, REPORT_2018, certainty="DEMO", is_demo=True,
                    note="报告要求“一月一例会、一季一检查”，权重为演示值")])
declare("workforce.turnover.window_years", "队伍流失统计窗口", unit="年", kind="int", group=GROUP,
        seeds=[Seed("workforce.turnover.window_years", 3, _FROM, REPORT_2018, certainty="V-sec",
                    note="报告：2015年第一批招入的助老协理员70%已经辞职（至2018年，三年内）")])
