"""Versioned policy parameters of 低保, 特困供养 and 临时救助 (declarations and seed versions only).

Every number the assistance rules use lives here as a dated, sourced parameter; the `rules` package reads them
through `minzheng.policy.services.resolve`, and each decision stores the `ParamValue.ref()` it was made under. This
module only calls `minzheng.policy.catalog.declare`, so importing it never touches the database or a model.

Certainty codes follow shared/docs/policy-rules.md: V, V-sec, L, L-FJ, M, GAP, DEMO. Where the real 延平区 figure is
a [GAP] the seed is a plausible Fujian-style demo value with ``is_demo=True`` and certainty ``DEMO``; district staff
replace it with the figure from the 南平市/延平区 notice (a new version, never an overwrite).

Rule-set dates: 低保 审核审批 民发〔2012〕220号 (seeded from 2012-12-12) → 审核确认办法 民发〔2021〕57号
(2021-07-01); 特困 认定办法 民发〔2016〕178号 (2016-10-10) → revised 办法 (2021-07-01).

===================================== ======== ==================================== ===========================
Key                                   Unit     Meaning                              Seeds (from → value, cert.)
===================================== ======== ==================================== ===========================
dibao.rule_version                    text     低保 rule set in force ("2012"/"2021") 2012-12-12 2012; 2021-07-01
                                                                                    2021 (V-sec)
dibao.standard.urban                  元/人/月 城市低保标准                          2018…2026 yearly, DEMO
dibao.standard.rural                  元/人/月 农村低保标准                          2018…2026 yearly, DEMO
dibao.edge_multiple                   倍       低保边缘: income ≤ multiple × 标准     1.5 (V-sec)
dibao.household.religious_away_years  年       宗教教职人员 away ≥ N years excluded   3 (V-sec)
dibao.income.exclusions               json     income items not counted             list (M / V-sec)
dibao.income.employment_cost          元/人/月 就业成本 deducted per working member 0 (M, off by default)
dibao.asset.deposit_months            月       deposits+securities ≤ N × 标准 × 人数  24 (L)
dibao.asset.max_homes                 套       more homes than this → excluded       1 (L)
dibao.asset.exclude_nonresidential    bool     non-residential property excludes     true (L)
dibao.asset.vehicle_exempt_types      json     vehicle types that never exclude      list (L)
dibao.asset.vehicle_exempt_value      元       vehicles worth ≤ this do not exclude  30000 (DEMO)
dibao.asset.exclude_business_owner    bool     owning/running a company excludes     true (L)
dibao.asset.exclude_public_employee   bool     a 财政供养 member excludes            true (L)
dibao.rounding                        json     {"quantum","mode"} of money amounts  0.01 half-up (M)
dibao.min_amount                      元/户/月 保底 amount per household (0 = none)  0 (GAP)
dibao.supplement.elderly              倍标准   分类施保 per 老年人                    0.10 (DEMO)
dibao.supplement.minor                倍标准   分类施保 per 未成年人                  0.10 (DEMO)
dibao.supplement.severe_disability    倍标准   分类施保 per 重度残疾人                0.20 (DEMO)
dibao.supplement.serious_illness      倍标准   分类施保 per 重病患者                  0.15 (DEMO)
dibao.supplement.stacking             text     "max" one category / "sum" all        max (DEMO)
dibao.supplement.elderly_age          岁       老年人 from this age                  60 (V)
dibao.supplement.severe_max_grade     级       重度残疾 = grade ≤ this               2 (V-sec)
person.minor_age                      岁       未成年人 = under this age             18 (V)
dibao.single.disability_max_grade     级       单人保: 残疾 grade ≤ this             2 (V-sec)
dibao.single.intellectual_max_grade   级       单人保: 智力/精神 grade ≤ this        3 (V-sec)
dibao.single.religious_years          年       单人保: 宗教教职 ≥ N years in venue    3 (V-sec)
dibao.taper.months                    月       渐退期 length (≤)                     6 (M)
dibao.taper.keep_amount               bool     渐退期 keeps the last amount          true (DEMO)
dibao.review.months.stable            月       review cycle, stable household       12 (V-sec)
dibao.review.months.short_term        月       little short-term change (2012)      6 (2012) / 12 (2021)
dibao.review.months.irregular_urban   月       irregular income, able to work, 城市 1 (2012) / 6 (2021)
dibao.review.months.irregular_rural   月       irregular income, able to work, 农村 3 (2012) / 6 (2021)
workflow.wd.survey_start              工作日   start 家庭经济状况调查 after 受理      3 (M)
workflow.wd.democratic_review         工作日   民主评议 after the investigation       5 (V-sec)
workflow.wd.township_opinion          工作日   乡镇初审意见 after investigation       10 (L)
workflow.wd.county_decision           工作日   county decision (公示 excluded)       10 (L/M)
workflow.wd.refusal_notice            工作日   written refusal after the decision   3 (V-sec)
workflow.wd.objection_recheck         工作日   re-investigate after an objection    10 (L)
workflow.wd.total                     工作日   受理 → 审核确认, normal               30 (M, 2021)
workflow.wd.total_extended            工作日   受理 → 审核确认, special cases        45 (M, 2021)
workflow.days.publicity               天       初审公示 (calendar days)              7 (V-sec)
workflow.democratic_review.required   bool     民主评议 mandatory                    2012 true / 2021 false
workflow.democratic_review.pass_ratio 比例     votes needed: more than this share   0.5 (V-sec)
workflow.democratic_review.quorum     比例     attendance quorum                    0.6667 (L 腾冲)
workflow.democratic_review.min_people 人       minimum reviewers                    0 (L: 13 in 仙霞镇)
workflow.spot_check_ratio             比例     county 入户抽查 share                 0.30 (V-sec/M)
workflow.kin_home_visit_ratio         比例     county home visits, 近亲属备案        1.0 (V-sec)
workflow.investigators_min            人       入户调查 investigators                2 (V-sec)
workflow.benefit_start_next_month     bool     pay from the month after approval    true (V-sec)
kin.relations                         json     近亲属 relation set                   固原 list (L)
publicity.mask_name                   bool     mask a character of names in 公示     true (M)
publicity.fields                      json     permitted 公示 fields                 §1.4 set (V-sec/M)
tekun.rule_version                    text     特困 rule set ("2016"/"2021")         2016-10-10; 2021-07-01
tekun.basic_ratio                     倍       基本生活标准 ≥ ratio × 低保标准        1.3 (V-sec / L-FJ)
tekun.min_wage                        元/月    local minimum wage (care base)        DEMO by year
tekun.care.self_care                  比例     全自理 care = share of minimum wage   0.10 (L-FJ 三明)
tekun.care.half                       比例     半护理                               0.25 (L-FJ 三明)
tekun.care.full                       比例     全护理                               0.40 (L-FJ 三明)
tekun.central.self_care               倍       集中 vs 分散, 全自理                   1.2 (L-FJ 三明)
tekun.central.half                    倍       集中 vs 分散, 半护理                   1.3 (L-FJ 三明)
tekun.central.full                    倍       集中 vs 分散, 全护理                   1.4 (L-FJ 三明)
tekun.selfcare.full_loss_min_failed   项       ≥ N of 6 items failed = 完全丧失       4 (V-sec)
tekun.no_work.age_min                 岁       无劳动能力: aged ≥ N                  60 (V-sec)
tekun.no_work.minor_under             岁       无劳动能力 / target: under N          16 (V-sec)
tekun.no_work.intellectual_max_grade  级       智力/精神 grade ≤ N                   2 (2016) / 3 (2021)
tekun.no_work.physical_max_grade      级       肢体 grade ≤ N                        1 (2016) / 2 (2021)
tekun.no_work.visual_max_grade        级       视力 grade ≤ N (0 = not a ground)     0 (2016) / 1 (2021)
tekun.income.exclusions               json     income items not counted for 特困      list (V-sec 贵州)
tekun.supporter.elderly_age           岁       supporter in 低保 aged ≥ N: unable    60 (V-sec)
tekun.supporter.old_age_2021          岁       supporter aged ≥ N, low income       70 (V-sec, 2021)
tekun.support_until_age               岁       minors supported until this age      18 (V-sec)
tekun.wd.township_investigation       工作日   乡镇 investigation                    20 (2016) / 15 (2021 L-FJ)
tekun.wd.county_decision              工作日   county decision                      20 (2016) / 10 (2021 L-FJ)
tekun.days.publicity                  天       特困 公示                              7 (L-FJ)
tekun.publicity.hide_under_age        岁       persons under N not listed in 公示    18 (L-FJ 长乐)
tekun.termination.publicity_days      天       termination 公示                      7 (V-sec)
tekun.termination.objection_wd        工作日   decide an objection to termination   15 (V-sec)
linshi.ratio_min                      倍       临时救助标准 ≥ ratio × urban 低保标准   0.75 (V-sec FJ 2018)
linshi.ratio_max                      倍       临时救助标准 ≤ ratio × urban 低保标准   1.25 (V-sec FJ 2018)
linshi.standard_ratio                 倍       the county's chosen ratio             1.0 (DEMO)
linshi.max_months                     月       支出型 months (≤)                     6 (V-sec FJ 2018)
linshi.emergency.max_months           月       急难型 months (≤)                     3 (DEMO)
linshi.emergency.quick_max            元       先行救助 small amount (≤)              800 (L 甘肃)
linshi.expense_bands                  json     支出型 months by self-paid expense    bands (DEMO)
linshi.cap_at_expense                 bool     支出型 amount ≤ the self-paid expense true (DEMO)
linshi.township_approval_max          元       乡镇 may approve up to this amount     1000 (DEMO)
===================================== ======== ==================================== ===========================
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.policy.catalog import Seed, declare

D = dt.date
# Effective dates of the rule sets (policy-rules.md §0).
SSA_2014 = D(2014, 5, 1)  # 社会救助暂行办法 (国务院令第649号)
DIBAO_2012 = D(2012, 12, 12)  # 民发〔2012〕220号, 印发之日施行 [M]
DIBAO_2021 = D(2021, 7, 1)  # 民发〔2021〕57号 [V-sec]
TEKUN_2016 = D(2016, 10, 10)  # 民发〔2016〕178号 [M date]
TEKUN_2021 = D(2021, 7, 1)  # revised 特困人员认定办法 [V-sec]
FJ_LINSHI_2018 = D(2018, 12, 16)  # 福建省临时救助实施意见 (reported 2018-12-16) [V-sec]

SSA = "社会救助暂行办法（国务院令第649号，2019年第709号修订）"
DIBAO_2012_DOC = "最低生活保障审核审批办法（试行）（民发〔2012〕220号）"
DIBAO_2021_DOC = "最低生活保障审核确认办法（民发〔2021〕57号）"
TEKUN_2016_DOC = "特困人员认定办法（民发〔2016〕178号）"
TEKUN_2021_DOC = "特困人员认定办法（2021年修订，2021-07-01施行）"
FJ_LINSHI_DOC = "福建省民政厅 福建省财政厅 关于进一步加强和改进临时救助工作的实施意见（2018）"
SANMING = "三明市特困人员供养标准（福建省内外地规定，示例）"
DEMO_DOC = "演示值：南平市/延平区依据文件待补录（policy-rules.md 标注 GAP）"
POLICY_MD = "shared/docs/policy-rules.md"


def _s(key: str, value: Any, since: dt.date, source: str, certainty: str, *, demo: bool = False,
       note: str = "") -> Seed:
    return Seed(key, value, since, source, certainty, is_demo=demo, note=note)


def _one(key: str, label: str, value: Any, since: dt.date, source: str, certainty: str, *, unit: str = "",
         kind: str = "decimal", group: str, help: str = "", demo: bool = False, note: str = "") -> None:
    declare(key, label, unit=unit, kind=kind, group=group, help=help,
            seeds=[_s(key, value, since, source, certainty, demo=demo, note=note)])


# ---------------------------------------------------------------------------------------------------- 低保

G_DIBAO = "低保"

declare("dibao.rule_version", "低保审核规则版本", kind="text", group=G_DIBAO,
        help="2012 = 民发〔2012〕220号（民主评议必经）；2021 = 民发〔2021〕57号", seeds=[
            _s("dibao.rule_version", "2012", DIBAO_2012, DIBAO_2012_DOC, "V-sec"),
            _s("dibao.rule_version", "2021", DIBAO_2021, DIBAO_2021_DOC, "V-sec",
               note="施行日期 2021-07-01 待与原文核对"),
        ])

# Demo 低保标准: Fujian-style yearly raises with urban and rural converging (三明 unified in 2018 [L-FJ]).
_URBAN = {2018: 620, 2019: 660, 2020: 700, 2021: 730, 2022: 760, 2023: 790, 2024: 820, 2025: 850, 2026: 870}
_RURAL = {2018: 540, 2019: 600, 2020: 650, 2021: 700, 2022: 740, 2023: 790, 2024: 820, 2025: 850, 2026: 870}
declare("dibao.standard.urban", "城市低保标准", unit="元/人/月", group=G_DIBAO,
        help="社会救助暂行办法 第十条：由省或设区的市公布", seeds=[
            _s("dibao.standard.urban", str(v), D(y, 1, 1), DEMO_DOC, "DEMO", demo=True,
               note="南平/延平 实际标准缺（GAP），按福建各地水平设演示值")
            for y, v in _URBAN.items()
        ])
declare("dibao.standard.rural", "农村低保标准", unit="元/人/月", group=G_DIBAO,
        help="社会救助暂行办法 第十条；城乡标准统一后两者取同值", seeds=[
            _s("dibao.standard.rural", str(v), D(y, 1, 1), DEMO_DOC, "DEMO", demo=True,
               note="南平/延平 实际标准缺（GAP），按福建各地水平设演示值")
            for y, v in _RURAL.items()
        ])

_one("dibao.edge_multiple", "低保边缘家庭收入倍数", "1.5", D(2020, 8, 25),
     "中办国办《关于改革完善社会救助制度的意见》；各地 2021 办法转述", "V-sec", unit="倍", group=G_DIBAO,
     help="家庭月人均收入不高于低保标准的该倍数且财产符合低保规定，为低保边缘家庭")
_one("dibao.household.religious_away_years", "宗教教职人员离家年限", 3, DIBAO_2012,
     f"{DIBAO_2012_DOC} 第六条；{DIBAO_2021_DOC} 第七条", "V-sec", unit="年", kind="int", group=G_DIBAO,
     help="连续离家在宗教场所居住满该年限（含）的宗教教职人员不计入共同生活家庭成员")

_EXCLUSIONS = ["优待抚恤金", "计划生育奖励与扶助金", "奖学金", "见义勇为奖励", "社会救助款物", "基础养老金",
               "残疾人两项补贴", "困难残疾人生活补贴", "重度残疾人护理补贴", "高龄津贴"]
_one("dibao.income.exclusions", "不计入家庭收入的项目", _EXCLUSIONS, DIBAO_2012,
     f"{DIBAO_2021_DOC} 收入豁免清单；国发〔2015〕52号（两项补贴不计入）", "M", kind="json", group=G_DIBAO,
     help="收入项目名称（与收入记录的“收入项目”一致）；设区的市以上规定的其他项目可追加",
     note="国家 2021 清单为 M（回忆）；两项补贴 V-sec；高龄津贴按特困口径（贵州转述）一并豁免，可删")
_one("dibao.income.employment_cost", "就业成本扣除", "0", DIBAO_2012, POLICY_MD + " §1.7（部分地方做法）", "M",
     unit="元/人/月", group=G_DIBAO, help="有工资收入的成员每人每月扣除的必要就业成本；0 = 不扣除")

G_ASSET = "低保财产"
_one("dibao.asset.deposit_months", "存款及有价证券上限（月数）", 24, SSA_2014,
     "社会救助暂行办法 第九条（由当地规定）；外地常见 24 或 36 个月", "L", unit="月", kind="int",
     group=G_ASSET, help="家庭存款和有价证券合计不超过 低保标准 × 该月数 × 家庭人数")
_one("dibao.asset.max_homes", "住房套数上限", 1, SSA_2014, "社会救助暂行办法 第九条；外地常见“拥有2套及以上住房”排除",
     "L", unit="套", kind="int", group=G_ASSET)
_one("dibao.asset.exclude_nonresidential", "拥有非居住类房产即排除", True, SSA_2014, "外地常见规定（示例）", "L",
     kind="bool", group=G_ASSET, help="商铺、写字楼等非居住用房")
_one("dibao.asset.vehicle_exempt_types", "不影响认定的车辆类型", ["残疾人机动轮椅车", "残疾人代步车", "农用车",
     "拖拉机", "三轮车", "摩托车"], SSA_2014, "外地常见规定（示例）", "L", kind="json", group=G_ASSET,
     help="车辆财产的 attributes.vehicle_type 在此列表中的不排除")
_one("dibao.asset.vehicle_exempt_value", "低值生产经营用车价值上限", "30000", SSA_2014, DEMO_DOC, "DEMO",
     unit="元", group=G_ASSET, demo=True, help="价值不超过该金额的车辆不排除；0 = 只看类型")
_one("dibao.asset.exclude_business_owner", "开办企业或较大个体工商户即排除", True, SSA_2014, "外地常见规定（示例）",
     "L", kind="bool", group=G_ASSET)
_one("dibao.asset.exclude_public_employee", "有财政供养人员即排除", True, SSA_2014, "外地常见规定（示例）", "L",
     kind="bool", group=G_ASSET, help="家庭成员中有公务员、参公或事业单位等财政供养人员")

_one("dibao.rounding", "金额取整规则", {"quantum": "0.01", "mode": "ROUND_HALF_UP"}, SSA_2014,
     "未找到依据文件：默认四舍五入到分（0.01 元）；若当地规定取整到元，将取整单位改为 1 元", "M", kind="json",
     group=G_DIBAO, help="取整单位 0.01 元或 1 元；方式为四舍五入、向上取整或向下取整")
_one("dibao.min_amount", "保底金额", "0", SSA_2014, DEMO_DOC, "GAP", unit="元/户/月", group=G_DIBAO,
     help="补差低于该金额时按该金额发放；0 = 不设保底（福建/南平规定待补）")

G_SUPP = "分类施保"
_supp_note = "福建/南平分类施保标准缺（GAP）；外地为 160–325 元或标准的 10–35%"
for _key, _label, _v in [("elderly", "老年人", "0.10"), ("minor", "未成年人", "0.10"),
                         ("severe_disability", "重度残疾人", "0.20"), ("serious_illness", "重病患者", "0.15")]:
    _one(f"dibao.supplement.{_key}", f"分类施保：{_label}", _v, SSA_2014, DEMO_DOC, "DEMO", unit="倍低保标准",
         group=G_SUPP, demo=True, help=f"社会救助暂行办法 第十二条第二款；每名{_label}每月加发 低保标准 × 该比例",
         note=_supp_note)
_one("dibao.supplement.stacking", "分类施保叠加方式", "max", SSA_2014, DEMO_DOC, "DEMO", kind="text",
     group=G_SUPP, demo=True, help="max = 同一人符合多类时取最高一类；sum = 累加")
_one("dibao.supplement.elderly_age", "老年人年龄", 60, SSA_2014, "老年人权益保障法 第二条", "V", unit="岁",
     kind="int", group=G_SUPP)
_one("dibao.supplement.severe_max_grade", "重度残疾等级上限", 2, SSA_2014, "国发〔2015〕52号（一、二级为重度）",
     "V-sec", unit="级", kind="int", group=G_SUPP)
_one("person.minor_age", "成年年龄", 18, SSA_2014, "民法典 第十七条", "V", unit="岁", kind="int", group=G_SUPP,
     help="未满该年龄为未成年人")

G_SINGLE = "单人保"
_one("dibao.single.disability_max_grade", "单人保：残疾等级上限", 2, DIBAO_2012,
     "国发〔2015〕7号（成年无业重度残疾人）；2021 办法各地转述（一、二级）", "V-sec", unit="级", kind="int",
     group=G_SINGLE)
_one("dibao.single.intellectual_max_grade", "单人保：智力/精神残疾等级上限", 3, DIBAO_2021,
     DIBAO_2021_DOC + "（富平、灵璧、广州、益阳转述）", "V-sec", unit="级", kind="int", group=G_SINGLE)
_one("dibao.single.religious_years", "单人保：宗教教职人员在场所居住年限", 3, DIBAO_2021,
     DIBAO_2021_DOC + "（各地转述）", "V-sec", unit="年", kind="int", group=G_SINGLE)

G_DYN = "动态管理"
_one("dibao.taper.months", "渐退期", 6, D(2020, 8, 25), "中办国办《关于改革完善社会救助制度的意见》；2021 办法",
     "M", unit="月", kind="int", group=G_DYN, help="因就业收入增加超过标准的，一般不超过该月数继续享受",
     note="福建渐退期长度及是否递减待补（GAP）")
_one("dibao.taper.keep_amount", "渐退期保持原金额", True, D(2020, 8, 25), DEMO_DOC, "DEMO", kind="bool",
     group=G_DYN, demo=True, help="是：渐退期按原金额发放；否：逐月等额递减至零")

_REVIEW_2012 = f"{DIBAO_2012_DOC}（重庆问答、西宁等转述）"
_REVIEW_2021 = f"{DIBAO_2021_DOC}（重庆、郴州等转述）"
for _key, _label, _v12, _v21 in [("stable", "收入稳定（三无、重病重残）", 12, 12),
                                  ("short_term", "短期内变化不大", 6, 12),
                                  ("irregular_urban", "收入不固定、有劳动能力（城市）", 1, 6),
                                  ("irregular_rural", "收入不固定、有劳动能力（农村）", 3, 6)]:
    declare(f"dibao.review.months.{_key}", f"复核周期：{_label}", unit="月", kind="int", group=G_DYN,
            help="社会救助暂行办法 第十三条：定期核查", seeds=[
                _s(f"dibao.review.months.{_key}", _v12, DIBAO_2012, _REVIEW_2012, "V-sec"),
                _s(f"dibao.review.months.{_key}", _v21, DIBAO_2021, _REVIEW_2021, "V-sec",
                   note="2021 只区分 每年 / 每半年" if _key == "short_term" else ""),
            ])

# ---------------------------------------------------------------------------------------------------- 流程时限

G_FLOW = "审核流程"
_one("workflow.wd.survey_start", "受理后启动家庭经济状况调查", 3, DIBAO_2012, POLICY_MD + " §1.3（多地为10个工作日）",
     "M", unit="工作日", kind="int", group=G_FLOW)
_one("workflow.wd.democratic_review", "调查结束后组织民主评议", 5, DIBAO_2012, DIBAO_2012_DOC + "（随州、仙霞镇转述）",
     "V-sec", unit="工作日", kind="int", group=G_FLOW)
_one("workflow.wd.township_opinion", "乡镇提出初审意见", 10, DIBAO_2012, "外地规定（示例）", "L", unit="工作日",
     kind="int", group=G_FLOW, help="自入户调查（或民主评议）结束起")
_one("workflow.wd.county_decision", "县级审核确认", 10, DIBAO_2012, "外地规定；2012 办法 [M]", "L", unit="工作日",
     kind="int", group=G_FLOW, help="公示期不计入")
_one("workflow.wd.refusal_notice", "不予确认书面告知", 3, DIBAO_2012, DIBAO_2021_DOC + "（郑州转述）；福州长乐（特困）",
     "V-sec", unit="工作日", kind="int", group=G_FLOW)
_one("workflow.wd.objection_recheck", "公示有异议时重新调查", 10, DIBAO_2012, "外地规定（示例）", "L",
     unit="工作日", kind="int", group=G_FLOW)
declare("workflow.wd.total", "受理至审核确认总时限", unit="工作日", kind="int", group=G_FLOW, seeds=[
    _s("workflow.wd.total", 30, DIBAO_2012, DEMO_DOC, "DEMO", demo=True, note="2012 试行无总时限，演示沿用 30"),
    _s("workflow.wd.total", 30, DIBAO_2021, DIBAO_2021_DOC, "M", note="郑州收紧为 25（L）"),
])
declare("workflow.wd.total_extended", "特殊情况总时限", unit="工作日", kind="int", group=G_FLOW, seeds=[
    _s("workflow.wd.total_extended", 45, DIBAO_2012, DEMO_DOC, "DEMO", demo=True, note="2012 试行无总时限"),
    _s("workflow.wd.total_extended", 45, DIBAO_2021, DIBAO_2021_DOC, "M", note="郑州收紧为 40（L）"),
])
_one("workflow.days.publicity", "初审公示期", 7, DIBAO_2012, f"{DIBAO_2021_DOC}；{DIBAO_2012_DOC} 第二十一条 [M]",
     "V-sec", unit="天", kind="int", group=G_FLOW, help="在村（居）务公开栏公示的自然日数")
declare("workflow.democratic_review.required", "民主评议为必经程序", kind="bool", group=G_FLOW, seeds=[
    _s("workflow.democratic_review.required", True, DIBAO_2012, DIBAO_2012_DOC, "V-sec"),
    _s("workflow.democratic_review.required", False, DIBAO_2021, DIBAO_2021_DOC, "V-sec",
       note="2021 起可视情组织；公示有异议时可组织"),
])
_one("workflow.democratic_review.pass_ratio", "民主评议通过票数比例（超过）", "0.5", DIBAO_2012,
     DIBAO_2012_DOC + "（安庆等转述：过半数）", "V-sec", unit="比例", group=G_FLOW)
_one("workflow.democratic_review.quorum", "民主评议到会比例", "0.6667", DIBAO_2012, "腾冲规定（示例：2/3）", "L",
     unit="比例", group=G_FLOW)
_one("workflow.democratic_review.min_people", "民主评议最少人数", 0, DIBAO_2012, "安徽仙霞镇为 13 人（示例）；0 = 不限",
     "L", unit="人", kind="int", group=G_FLOW)
_one("workflow.spot_check_ratio", "县级入户抽查比例", "0.30", DIBAO_2012, DIBAO_2012_DOC + " 第二十二条 [M]；各地转述",
     "V-sec", unit="比例", group=G_FLOW, help="审核确认权下放乡镇时，县级抽查不低于该比例")
_one("assistance.confirmation_delegated", "低保/特困审核确认权下放乡镇", False, DIBAO_2021,
     DIBAO_2021_DOC + "（“有条件的地方”可将审核确认权委托乡镇；西安 第三条转述）", "V-sec", kind="bool", group=G_FLOW,
     note="延平区是否下放待核实：默认由县级审核确认；按乡镇(街道)设置版本即可下放",
     help="是：乡镇(街道)审核确认，县级事后按比例入户抽查（近亲属备案、投诉举报案件县级先入户）；否：县级审核确认")
_one("assistance.spot_check_min", "县级抽查每乡镇每月最少户数", 1, DIBAO_2021, DEMO_DOC, "DEMO", unit="户",
     kind="int", group=G_FLOW, demo=True,
     help="审核确认下放后，每个乡镇每月至少抽查的户数（不足时全部抽查）；抽查比例见 workflow.spot_check_ratio")
_one("workflow.kin_home_visit_ratio", "近亲属备案县级入户比例", "1.0", DIBAO_2012, DIBAO_2021_DOC + "（郑州转述）",
     "V-sec", unit="比例", group=G_FLOW)
_one("workflow.investigators_min", "入户调查人数下限", 2, DIBAO_2012, "各地转述（腾冲、仙霞镇）", "V-sec", unit="人",
     kind="int", group=G_FLOW)
_one("workflow.benefit_start_next_month", "批准次月起发放", True, DIBAO_2012, DIBAO_2021_DOC + "（郑州“下月起”）",
     "V-sec", kind="bool", group=G_FLOW)

_KIN = [
    {"code": "spouse", "label": "配偶"},
    {"code": "parent", "label": "父母"},
    {"code": "spouse_parent", "label": "配偶的父母"},
    {"code": "sibling", "label": "兄弟姐妹"},
    {"code": "spouse_sibling", "label": "配偶的兄弟姐妹"},
    {"code": "child", "label": "子女"},
    {"code": "child_spouse", "label": "子女的配偶"},
    {"code": "grandparent", "label": "祖父母、外祖父母"},
    {"code": "grandchild", "label": "孙子女、外孙子女"},
    {"code": "parent_sibling", "label": "伯叔姑舅姨"},
    {"code": "adoptive_step", "label": "有抚养关系的养父母、养子女、继父母、继子女"},
]
_one("kin.relations", "近亲属关系范围", _KIN, DIBAO_2012, "宁夏固原 2022 通知（示例）；国家文件仅称“近亲属”", "L",
     kind="json", group="近亲属备案", help="登记备案时可选的关系；删改即改变自动识别的范围")

G_PUB = "公示"
_one("publicity.mask_name", "公示姓名脱敏", True, SSA_2014, "社会救助暂行办法 第六十一条；个人信息保护法 第五十五条",
     "M", kind="bool", group=G_PUB, help="是：姓名中间字以 * 代替（陈*富）")
_one("publicity.fields", "公示允许字段", ["name", "village", "covered_persons", "category", "monthly_amount",
     "period"], SSA_2014, POLICY_MD + " §1.4 推荐字段（PIPL 第二十八条）", "V-sec", kind="json", group=G_PUB,
     help="从不公示身份证号、电话、银行账号、详细地址、病情残情")

# ---------------------------------------------------------------------------------------------------- 特困

G_TEKUN = "特困供养"
declare("tekun.rule_version", "特困认定规则版本", kind="text", group=G_TEKUN, seeds=[
    _s("tekun.rule_version", "2016", TEKUN_2016, TEKUN_2016_DOC, "V-sec"),
    _s("tekun.rule_version", "2021", TEKUN_2021, TEKUN_2021_DOC, "V-sec", note="文号 民发〔2021〕43号 为 M"),
])
_one("tekun.basic_ratio", "基本生活标准（倍低保标准）", "1.3", D(2016, 2, 10),
     "国发〔2016〕14号；2019 地方通知“不低于当地低保标准的1.3倍”；三明 分散≥130%", "V-sec", unit="倍", group=G_TEKUN,
     help="基本生活标准 = 当地低保标准 × 该倍数（按人员户籍城乡标准）")
_MIN_WAGE = {D(2017, 7, 1): "1500", D(2022, 4, 1): "1810", D(2025, 1, 1): "1900"}
declare("tekun.min_wage", "当地最低工资标准", unit="元/月", group=G_TEKUN,
        help="照料护理标准的计算基数（三明口径）", seeds=[
            _s("tekun.min_wage", v, d, DEMO_DOC, "DEMO", demo=True, note="延平区所属档次及金额待核")
            for d, v in _MIN_WAGE.items()
        ])
for _key, _label, _v in [("self_care", "全自理", "0.10"), ("half", "半护理", "0.25"), ("full", "全护理", "0.40")]:
    _one(f"tekun.care.{_key}", f"照料护理标准：{_label}", _v, D(2016, 2, 10), SANMING, "L-FJ", unit="倍最低工资",
         group=G_TEKUN, help="照料护理标准 = 最低工资 × 该比例")
for _key, _label, _v in [("self_care", "全自理", "1.2"), ("half", "半护理", "1.3"), ("full", "全护理", "1.4")]:
    _one(f"tekun.central.{_key}", f"集中供养系数：{_label}", _v, D(2016, 2, 10), SANMING, "L-FJ", unit="倍分散标准",
         group=G_TEKUN, help="集中供养标准 = 同档分散供养标准（基本生活 + 照料护理）× 该系数")
_one("tekun.selfcare.full_loss_min_failed", "完全丧失生活自理能力（未达到项数）", 4, TEKUN_2016,
     "河南、湖南省级文本；2021 办法第五章 [M]", "V-sec", unit="项", kind="int", group=G_TEKUN,
     help="六项指标中 1 至（该值−1）项不能达到为部分丧失，达到该值及以上为完全丧失")
_one("tekun.no_work.age_min", "无劳动能力：年龄下限", 60, TEKUN_2016, TEKUN_2016_DOC, "V-sec", unit="岁", kind="int",
     group=G_TEKUN)
_one("tekun.no_work.minor_under", "无劳动能力：未满年龄", 16, TEKUN_2016, "社会救助暂行办法 第十四条；" + TEKUN_2016_DOC,
     "V-sec", unit="岁", kind="int", group=G_TEKUN)
for _key, _label, _v16, _v21 in [("intellectual_max_grade", "智力/精神残疾等级上限", 2, 3),
                                  ("physical_max_grade", "肢体残疾等级上限", 1, 2),
                                  ("visual_max_grade", "视力残疾等级上限（0 = 不适用）", 0, 1)]:
    declare(f"tekun.no_work.{_key}", f"无劳动能力：{_label}", unit="级", kind="int", group=G_TEKUN, seeds=[
        _s(f"tekun.no_work.{_key}", _v16, TEKUN_2016, TEKUN_2016_DOC, "V-sec"),
        _s(f"tekun.no_work.{_key}", _v21, TEKUN_2021, TEKUN_2021_DOC + " 第五条", "V-sec"),
    ])
_one("tekun.income.exclusions", "特困认定不计入收入的项目",
     ["基础养老金", "基本医疗保险", "医疗保险报销", "社会保险", "优待抚恤金", "高龄津贴", "社会救助款物"], TEKUN_2016,
     TEKUN_2021_DOC + " 第六条（贵州转述）", "V-sec", kind="json", group=G_TEKUN,
     help="认定无生活来源时不计入的收入项目名称；社会救助款物为推定（M）")
_one("tekun.supporter.elderly_age", "义务人为低保对象且年满", 60, TEKUN_2016, TEKUN_2016_DOC, "V-sec", unit="岁",
     kind="int", group=G_TEKUN, help="此类义务人视为无履行义务能力")
_one("tekun.supporter.old_age_2021", "义务人年满（收入低于上年人均可支配收入）", 70, TEKUN_2021,
     TEKUN_2021_DOC + "（贵州转述）", "V-sec", unit="岁", kind="int", group=G_TEKUN)
_one("tekun.support_until_age", "未成年特困人员供养至", 18, TEKUN_2016, TEKUN_2021_DOC, "V-sec", unit="岁",
     kind="int", group=G_TEKUN, help="满该年龄后仍在义务教育、普通高中或中职就读的继续供养")
declare("tekun.wd.township_investigation", "乡镇调查核实时限", unit="工作日", kind="int", group=G_TEKUN, seeds=[
    _s("tekun.wd.township_investigation", 20, TEKUN_2016, TEKUN_2016_DOC + "（重庆转述）", "V-sec"),
    _s("tekun.wd.township_investigation", 15, TEKUN_2021, "福州长乐区 特困问答（2021）", "L-FJ"),
])
declare("tekun.wd.county_decision", "县级审核确认时限", unit="工作日", kind="int", group=G_TEKUN, seeds=[
    _s("tekun.wd.county_decision", 20, TEKUN_2016, TEKUN_2016_DOC + "（重庆转述）", "V-sec"),
    _s("tekun.wd.county_decision", 10, TEKUN_2021, "福州长乐区 特困问答（2021）", "L-FJ"),
])
_one("tekun.days.publicity", "特困公示期", 7, TEKUN_2016, "福州长乐区 特困问答（2021）", "L-FJ", unit="天",
     kind="int", group=G_TEKUN)
_one("tekun.publicity.hide_under_age", "特困公示不列未满年龄者", 18, TEKUN_2016,
     "福州长乐区 特困问答（未成年人不公示）；个人信息保护法 第二十八条", "L-FJ", unit="岁", kind="int", group=G_TEKUN)
_one("tekun.termination.publicity_days", "终止供养公示期", 7, TEKUN_2021, TEKUN_2021_DOC + " 第六章（转述）", "V-sec",
     unit="天", kind="int", group=G_TEKUN)
_one("tekun.termination.objection_wd", "终止公示有异议的调查决定时限", 15, TEKUN_2021, TEKUN_2021_DOC + " 第六章（转述）",
     "V-sec", unit="工作日", kind="int", group=G_TEKUN)

# ---------------------------------------------------------------------------------------------------- 临时救助

G_LINSHI = "临时救助"
_one("linshi.ratio_min", "临时救助标准下限（倍城市低保标准）", "0.75", FJ_LINSHI_2018, FJ_LINSHI_DOC, "V-sec",
     unit="倍", group=G_LINSHI, help="县级政府在城市低保月标准上下 25% 内确定")
_one("linshi.ratio_max", "临时救助标准上限（倍城市低保标准）", "1.25", FJ_LINSHI_2018, FJ_LINSHI_DOC, "V-sec",
     unit="倍", group=G_LINSHI)
_one("linshi.standard_ratio", "本地临时救助标准（倍城市低保标准）", "1.0", FJ_LINSHI_2018, DEMO_DOC, "DEMO", unit="倍",
     group=G_LINSHI, demo=True, help="延平区确定的比例，须在上下限之间")
_one("linshi.max_months", "支出型救助月数上限", 6, FJ_LINSHI_2018, FJ_LINSHI_DOC, "V-sec", unit="月", kind="int",
     group=G_LINSHI)
_one("linshi.emergency.max_months", "急难型救助月数上限", 3, FJ_LINSHI_2018, DEMO_DOC, "DEMO", unit="月", kind="int",
     group=G_LINSHI, demo=True)
_one("linshi.emergency.quick_max", "先行救助小额上限", "800", FJ_LINSHI_2018, "甘肃规定（示例）", "L", unit="元",
     group=G_LINSHI)
_one("linshi.expense_bands", "支出型救助按自付支出分档（月数）",
     [{"min": "0", "months": 1}, {"min": "5000", "months": 2}, {"min": "10000", "months": 3},
      {"min": "20000", "months": 4}, {"min": "40000", "months": 6}], FJ_LINSHI_2018,
     FJ_LINSHI_DOC + "（“也可按自付医疗、教育费用分档”；档位为演示值）", "DEMO", kind="json", group=G_LINSHI,
     demo=True, help="自付支出 ≥ min 元时救助 months 个月；取满足条件的最高一档")
_one("linshi.cap_at_expense", "支出型救助金额不超过自付支出", True, FJ_LINSHI_2018, DEMO_DOC, "DEMO", kind="bool",
     group=G_LINSHI, demo=True)
_one("linshi.township_approval_max", "乡镇审批金额上限", "1000", FJ_LINSHI_2018,
     "民发〔2018〕23号 授权乡镇审批小额救助 [M]；金额为演示值", "DEMO", unit="元", group=G_LINSHI, demo=True)
