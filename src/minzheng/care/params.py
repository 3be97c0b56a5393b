"""关爱走访 parameters, from ../shared/docs/policy-rules-wave2.md §1.8 (children), §2.6 (特困 care), §3.6 (elderly
visits) and §4 (优抚). Where the rules say [GAP] the value is a working default, marked is_demo / certainty DEMO."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

GROUP = "关爱走访"

# Source documents (policy-rules-wave2 §1.1, §2.1, §3.1, §4).
LEFT_BEHIND_2016 = "国务院关于加强农村留守儿童关爱保护工作的意见（国发〔2016〕13号）"
DIFFICULT_2016 = "国务院关于加强困境儿童保障工作的意见（国发〔2016〕36号）"
ORPHAN_2010 = "国务院办公厅关于加强孤儿保障工作的意见（国办发〔2010〕54号）"
SERVICE_2019 = "民政部等关于进一步健全农村留守儿童和困境儿童关爱服务体系的意见（民发〔2019〕34号）"
UNSUPPORTED_2019 = "民政部等关于进一步加强事实无人抚养儿童保障工作的意见（民发〔2019〕62号）"
MINORS_LAW = "中华人民共和国未成年人保护法（2020年修订，2021-06-01施行）"
FJ_CHILD_2019 = "福建省民政厅等：每村(居)1名儿童主任、每乡镇(街道)1名儿童督导员（2019-10）"
TEKUN_2016 = "国务院关于进一步健全特困人员救助供养制度的意见（国发〔2016〕14号）"
TEKUN_2021 = "特困人员认定办法（民发〔2021〕43号）"
RELIEF_ART19 = "社会救助暂行办法 第十九条"
ELDER_2022 = "民政部等关于开展特殊困难老年人探访关爱服务的指导意见（2022-10）"
ELDER_LAW = "中华人民共和国老年人权益保障法"
YOUFU_LOCAL = "优抚对象年度确认（湖北竹山、广东中山做法）"
DEMO = "演示值：延平区未见规定"

_CHILD_FROM = dt.date(2019, 6, 1)
_ELDER_FROM = dt.date(2022, 10, 1)
_TEKUN_FROM = dt.date(2021, 7, 1)


def _one(key: str, label: str, value: object, source: str, *, unit: str = "", kind: str = "int",
         certainty: str = "V-sec", since: dt.date = _CHILD_FROM, note: str = "", help: str = "") -> None:
    declare(key, label, unit=unit, kind=kind, group=GROUP, help=help,
            seeds=[Seed(key, value, since, source, certainty=certainty, is_demo=certainty == "DEMO", note=note)])


# --- children (§1.8) ----------------------------------------------------------------------------------------------
_one("care.child.left_behind_max_age", "农村留守儿童年龄上限（不满）", 16, LEFT_BEHIND_2016, unit="周岁")
_one("care.child.orphan_max_age", "孤儿、事实无人抚养儿童年龄上限（不满）", 18, UNSUPPORTED_2019, unit="周岁")
_one("care.child.unsupported_min_months", "失联、服刑在押等持续时间（不少于）", 6, UNSUPPORTED_2019, unit="个月",
     note="失联须6个月以上未履行抚养义务；限制人身自由须6个月以上")
_one("care.child.severe_disability", "重残认定（事实无人抚养儿童父母）", {"grades": [1, 2], "mental_grades": [3, 4]},
     UNSUPPORTED_2019, kind="json", help="grades：任一类别的等级；mental_grades：精神、智力残疾另加的等级")

# --- visit frequency per group and risk (days between visits) ------------------------------------------------------
# Children: no national figure ([GAP]); working default monthly for higher risk, quarterly otherwise ([M]).
_one("care.visit.interval.child", "儿童走访间隔（按风险等级）", {"high": 30, "medium": 30, "low": 90}, SERVICE_2019,
     unit="天", kind="json", certainty="DEMO", help="high/medium/low → 天；34号文未规定频次，按每月/每季度的工作默认值")
# Elders: monthly visit rate 100% by end-2025 (§3.3); high-risk weekly is a local tier ([L] 内蒙古).
_one("care.visit.interval.elder", "特殊困难老年人走访间隔（按风险等级）", {"high": 7, "medium": 30, "low": 30},
     ELDER_2022, unit="天", kind="json", since=_ELDER_FROM,
     note="2025年底月探访率100%（每人每月至少一次）；高风险每周一次为内蒙古地方做法[L]")
_one("care.visit.interval.tekun", "特困人员走访间隔（按风险等级）", {"high": 7, "medium": 30, "low": 30}, TEKUN_2016,
     unit="天", kind="json", certainty="M", since=_TEKUN_FROM, note="分散供养照料协议每月检查一次")
_one("care.visit.interval.youfu", "优抚对象走访间隔（按风险等级）", {"high": 30, "medium": 90, "low": 180}, DEMO,
     unit="天", kind="json", certainty="DEMO", since=_TEKUN_FROM, note="春节、八一另有节日走访")
_one("care.visit.interval.disabled", "残疾人走访间隔（按风险等级）", {"high": 30, "medium": 60, "low": 90}, DEMO,
     unit="天", kind="json", certainty="DEMO", since=_TEKUN_FROM)
_one("care.visit.monthly_rate_target", "月探访率目标", 100, ELDER_2022, unit="%", since=_ELDER_FROM)
_one("care.visit.photo_max_kb", "走访照片大小上限", 5120, "系统设置", unit="KB", certainty="DEMO")
_one("care.escalate.township_days", "走访逾期提级到乡镇(街道)（逾期超过）", 0, DEMO, unit="天", certainty="DEMO",
     help="逾期超过该天数由乡镇(街道)督办")
_one("care.escalate.county_days", "走访逾期提级到区民政局（逾期超过）", 15, DEMO, unit="天", certainty="DEMO")

# --- structured visit forms per group (form definitions as data) -------------------------------------------------
# Each field: code, label, type (bool | choice | text), choices (for choice), required.
_YN = "bool"
FORMS = {
    "child": [
        {"code": "seen_child", "label": "见到儿童本人", "type": _YN, "required": True},
        {"code": "guardian_present", "label": "监护人/照料人在家", "type": _YN, "required": True},
        {"code": "schooling", "label": "就学情况", "type": "choice", "required": True,
         "choices": ["正常就学", "学龄前", "辍学", "休学"]},
        {"code": "living", "label": "生活照料", "type": "choice", "required": True, "choices": ["良好", "一般", "较差"]},
        {"code": "safety_risk", "label": "发现安全风险（受侵害、独居、失踪等）", "type": _YN, "required": True},
        {"code": "note", "label": "其他情况", "type": "text", "required": False},
    ],
    "elder": [
        {"code": "seen_person", "label": "见到本人", "type": _YN, "required": True},
        {"code": "health", "label": "身体状况", "type": "choice", "required": True, "choices": ["良好", "一般", "较差"]},
        {"code": "living", "label": "居住环境安全", "type": _YN, "required": True},
        {"code": "carer_duty", "label": "赡养人履行赡养义务", "type": "choice", "required": True,
         "choices": ["履行", "部分履行", "未履行", "无赡养人"]},
        {"code": "note", "label": "其他情况", "type": "text", "required": False},
    ],
    "tekun": [
        {"code": "seen_person", "label": "见到本人", "type": _YN, "required": True},
        {"code": "care_delivered", "label": "照料服务落实（分散供养月度检查）", "type": "choice", "required": True,
         "choices": ["落实", "部分落实", "未落实", "集中供养"]},
        {"code": "health", "label": "身体状况", "type": "choice", "required": True, "choices": ["良好", "一般", "较差"]},
        {"code": "note", "label": "其他情况", "type": "text", "required": False},
    ],
    "youfu": [
        {"code": "seen_person", "label": "见到本人", "type": _YN, "required": True},
        {"code": "living", "label": "生活状况", "type": "choice", "required": True, "choices": ["良好", "一般", "困难"]},
        {"code": "note", "label": "其他情况", "type": "text", "required": False},
    ],
    "disabled": [
        {"code": "seen_person", "label": "见到本人", "type": _YN, "required": True},
        {"code": "care_need", "label": "照护需求", "type": "choice", "required": True,
         "choices": ["无", "部分照护", "长期照护"]},
        {"code": "rehab", "label": "康复服务", "type": "choice", "required": True, "choices": ["已接受", "需要", "不需要"]},
        {"code": "note", "label": "其他情况", "type": "text", "required": False},
    ],
}
_FORM_LABELS = {"child": "儿童", "elder": "老年人", "tekun": "特困", "youfu": "优抚", "disabled": "残疾人"}
for _g, _fields in FORMS.items():
    _one(f"care.form.{_g}", f"走访表（{_FORM_LABELS[_g]}）",
         _fields, DEMO, kind="json", certainty="DEMO", since=_CHILD_FROM,
         note="记录内容参照政策规则 §1.6、§3.4（走访日期、方式、发现、风险、转介）")

# --- 特困 care (§2.6) --------------------------------------------------------------------------------------------
_one("care.tekun.agreement_required_tiers", "分散供养须签订照料协议的照料等级", ["half", "full"], TEKUN_2016,
     kind="json", certainty="M", since=_TEKUN_FROM, note="生活不能完全自理的分散供养对象由乡镇委托照料")
_one("care.tekun.institution_priority_tier", "优先集中供养提示的照料等级", "full", TEKUN_2016, kind="text",
     certainty="M", since=_TEKUN_FROM, note="完全丧失生活自理能力的优先安排集中供养（只提示，不强制）")
_one("care.tekun.services", "照料服务内容", ["日常看护", "生活照料", "住院陪护", "助餐", "助浴"], TEKUN_2021,
     kind="json", certainty="M", since=_TEKUN_FROM)
_one("care.tekun.annual_review_month", "特困供养证年审月份", 12, TEKUN_2021, unit="月", since=_TEKUN_FROM)

# --- elders (§3.6) -----------------------------------------------------------------------------------------------
_one("care.elder.age_floor", "特殊困难老年人年龄下限", 60, ELDER_LAW, unit="周岁", certainty="V", since=_ELDER_FROM)
_one("care.elder.advanced_age", "高龄年龄下限", 80, ELDER_LAW, unit="周岁", certainty="V", since=_ELDER_FROM,
     note="老年人权益保障法第三十三条（高龄津贴）")
_one("care.elder.severe_grades", "重残等级", [1, 2], ELDER_2022, kind="json", certainty="M", since=_ELDER_FROM)
_one("care.elder.left_behind_min_months", "留守老年人子女外出时间（不少于）", 6, ELDER_2022, unit="个月",
     certainty="L", since=_ELDER_FROM)

# --- 优抚 (§4) --------------------------------------------------------------------------------------------------
_one("care.youfu.verification_month", "优抚对象年度确认起始月份", 12, YOUFU_LOCAL, unit="月", certainty="L",
     since=_TEKUN_FROM)
_one("care.youfu.holiday_occasions", "优抚对象节日走访", ["春节", "八一"], YOUFU_LOCAL, kind="json", certainty="L",
     since=_TEKUN_FROM)
