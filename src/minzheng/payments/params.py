"""Payment and allowance parameters. 延平区 amounts are unknown ([GAP] in policy-rules §12), so the seeds are demo
values marked is_demo; the bureau enters the real standards (with their documents) as new versions."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

START = dt.date(2016, 1, 1)
GROUP = "资金发放"
DEMO_SRC = "演示值：延平区标准缺本地依据，请区民政局按正式文件补录"

declare("payments.arrears_lookback_months", "补发/追回追溯月数", unit="月", kind="int", group=GROUP,
        help="生成花名册时，对最近若干个已造册月份重新计算应发金额，差额补发或追回", seeds=[
            Seed("payments.arrears_lookback_months", 12, START, "系统设计默认值（可调整）", "DEMO", True,
                 note="补发/追回核算的回溯窗口"),
        ])

declare("payments.gaoling.bands", "高龄津贴年龄段及月标准", unit="元/人/月", kind="json", group="高龄津贴",
        help="每档：起始年龄、截止年龄（不填为不设上限）、月标准", seeds=[
            Seed("payments.gaoling.bands", [
                {"min_age": 80, "max_age": 89, "amount": "100"},
                {"min_age": 90, "max_age": 99, "amount": "200"},
                {"min_age": 100, "max_age": None, "amount": "500"},
            ], START, DEMO_SRC, "DEMO", True, note="policy-rules §5：福建年龄段及金额 [GAP]"),
        ])

declare("payments.gaoling.start_rule", "高龄津贴起发月份", kind="text", group="高龄津贴",
        help="年满起始年龄的次月起发，或满龄当月起发", seeds=[
            Seed("payments.gaoling.start_rule", "next_month", START, DEMO_SRC, "DEMO", True),
        ])

declare("payments.canji_life.amounts", "困难残疾人生活补贴月标准(按残疾等级)", unit="元/人/月", kind="json",
        group="残疾人两项补贴", help="按残疾等级（一至四级）的月标准", seeds=[
            Seed("payments.canji_life.amounts", {"1": "100", "2": "100", "3": "60", "4": "60"}, START, DEMO_SRC,
                 "DEMO", True, note="国发〔2015〕52号：标准由省级制定；福建/南平金额 [GAP]"),
        ])

declare("payments.canji_care.amounts", "重度残疾人护理补贴月标准(按残疾等级)", unit="元/人/月", kind="json",
        group="残疾人两项补贴", help="按残疾等级的月标准（仅一、二级）", seeds=[
            Seed("payments.canji_care.amounts", {"1": "100", "2": "80"}, START, DEMO_SRC, "DEMO", True,
                 note="国发〔2015〕52号：对象为残疾等级一级、二级且需长期照护；金额 [GAP]"),
        ])

declare("payments.allowance.higher_of", "同类补贴就高发放的项目组", kind="json", group="残疾人两项补贴",
        help="同一人同时符合一组内多个项目时只发金额最高的一项，例如高龄津贴与困难残疾人生活补贴", seeds=[
            Seed("payments.allowance.higher_of", [["gaoling", "canji_life"]], START,
                 "国发〔2015〕52号（丹东市转述）：同时符合高龄津贴等同类补贴条件的，按就高原则享受", "V-sec", False),
        ])

declare("payments.youfu.standards", "优抚对象定期抚恤补助月标准(按类别)", unit="元/人/月", kind="json", group="优抚",
        help="各优抚类别的月标准；农村籍老义务兵按服役年限另计", seeds=[
            Seed("payments.youfu.standards", {
                "disabled": "1500", "martyr_family": "1800", "duty_family": "1600", "illness_family": "1500",
                "demobilised": "1200", "ill_veteran": "900", "war_veteran": "800", "martyr_child": "500",
            }, START, DEMO_SRC + "（退役军人事务部、财政部每年调整，见 policy-rules §6）", "DEMO", True),
        ])

declare("payments.youfu.per_service_year", "农村籍老义务兵每服役一年月补助", unit="元/年/月", group="优抚", seeds=[
    Seed("payments.youfu.per_service_year", "10", dt.date(2011, 8, 1), "湘民办发〔2011〕52号（外地示例）", "V-sec",
         False, note="早期标准"),
    Seed("payments.youfu.per_service_year", "35", dt.date(2020, 8, 1), "2020 年标准（二手资料）", "V-sec", False),
])

declare("payments.youfu.old_conscript_age", "农村籍老义务兵享受定期补助的起始年龄", unit="周岁", kind="int",
        group="优抚", seeds=[
    Seed("payments.youfu.old_conscript_age", 60, dt.date(2011, 8, 1), "民发〔2011〕110号（部分农村籍退役士兵老年生活补助，待核实）",
         "M", False),
])

declare("payments.fund_shares", "专项资金各级分担比例", kind="json", group=GROUP,
        help="各项目资金由中央、省、市、县分担的比例；“*”为未单列项目的默认比例", seeds=[
            Seed("payments.fund_shares", {
                "*": {"central": "0.5", "provincial": "0.2", "municipal": "0.1", "county": "0.2"},
                "dibao_urban": {"central": "0.6", "provincial": "0.2", "municipal": "0.1", "county": "0.1"},
                "dibao_rural": {"central": "0.6", "provincial": "0.2", "municipal": "0.1", "county": "0.1"},
                "gaoling": {"central": "0", "provincial": "0.3", "municipal": "0.2", "county": "0.5"},
            }, START, DEMO_SRC, "DEMO", True),
        ])

declare("payments.work_fund_ratio", "乡镇工作经费占经办专项资金比例", unit="比例", group=GROUP,
        help="报告建议：工作经费按乡镇经办的专项资金的一定比例按月预算、按月拨付", seeds=[
            Seed("payments.work_fund_ratio", "0.01", START, "延平区民政局工作报告建议（比例为演示值）", "DEMO", True),
        ])

declare("payments.account_schemes", "银行账户类型及校验规则", kind="json", group=GROUP,
        help='按顺序匹配，第一个号段和位数都符合的类型决定是否做校验位(Luhn)检查：'
             '[{"code": "unionpay", "name": "银联卡", "prefixes": ["62"], "lengths": ["16-19"], "luhn": true}, …]；'
             'prefixes 为空表示任意号段（如存折账号，不做校验位检查）', seeds=[
            Seed("payments.account_schemes", [
                {"code": "unionpay", "name": "银联卡", "prefixes": ["62"], "lengths": ["16-19"], "luhn": True},
                {"code": "visa", "name": "Visa 卡", "prefixes": ["4"], "lengths": [16, 19], "luhn": True},
                {"code": "mastercard", "name": "万事达卡", "prefixes": ["51", "52", "53", "54", "55", "22", "23",
                                                                      "24", "25", "26", "27"],
                 "lengths": [16], "luhn": True},
                {"code": "passbook", "name": "存折/结算账户", "prefixes": [], "lengths": ["8-25"], "luhn": False},
            ], START, "ISO/IEC 7812（银行卡号 Luhn 校验位）；存折账号无统一校验位，号段长度为系统设计默认值", "V-sec",
                 False, note="各银行账号规则不一，可按开户行补充"),
        ])
