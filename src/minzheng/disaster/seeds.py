"""Reference data every installation needs: disaster types, the supply catalogue and the validation rules."""

from __future__ import annotations

from typing import TextIO

from . import indicators as ind
from .models import DisasterType, Item, ValidationRule

# GB/T 28921-2012 自然灾害分类与代码 (the types a county meets; others can be added as data).
TYPES = [
    ("010100", "干旱灾害", "disaster.update_interval_drought_days"),
    ("010200", "洪涝灾害", ""),
    ("010300", "台风灾害", ""),
    ("010400", "暴雨灾害", ""),
    ("010500", "大风灾害", ""),
    ("010600", "冰雹灾害", ""),
    ("010700", "雷电灾害", ""),
    ("010800", "低温灾害", ""),
    ("010900", "冰雪灾害", ""),
    ("020100", "地震灾害", ""),
    ("020300", "崩塌灾害", ""),
    ("020400", "滑坡灾害", ""),
    ("020500", "泥石流灾害", ""),
    ("040300", "森林火灾", ""),
    ("990000", "其他自然灾害", ""),
]

ITEMS = [
    ("JZ01", "帐篷", "顶", "救灾帐篷"), ("JZ02", "棉被", "床", "衣被"), ("JZ03", "棉大衣", "件", "衣被"),
    ("JZ04", "折叠床", "张", "生活用品"), ("JZ05", "毛毯", "床", "衣被"), ("JZ06", "大米", "袋(25kg)", "食品"),
    ("JZ07", "食用油", "桶(5L)", "食品"), ("JZ08", "矿泉水", "箱", "食品"), ("JZ09", "应急灯", "个", "生活用品"),
    ("JZ10", "家庭应急包", "个", "生活用品"),
]

_SRC_SYS = "自然灾害情况统计制度 / 农业灾情统计指南"
_HH = [("collapsed", "倒塌"), ("severe", "严重损坏"), ("minor", "一般损坏")]

RULES: list[dict[str, object]] = [
    dict(code="E01", name="人口、房屋为非负整数", expression="$ >= 0 and is_int($)", each=ind.INT_CODES,
         severity="error", message="{label}必须是非负整数", source="统计制度填报说明", order=1),
    dict(code="E02", name="面积、损失不为负", expression="$ >= 0", each=ind.DECIMAL_CODES, severity="error",
         message="{label}不能为负数", source="统计制度填报说明", order=2),
    dict(code="E10", name="绝收≤成灾", expression="crop_lost <= crop_damaged", severity="error",
         message="农作物绝收面积不能大于成灾面积（成灾含绝收）", source=_SRC_SYS, order=10,
         fields=["crop_lost", "crop_damaged"]),
    dict(code="E11", name="成灾≤受灾", expression="crop_damaged <= crop_affected", severity="error",
         message="农作物成灾面积不能大于受灾面积", source=_SRC_SYS, order=11, fields=["crop_damaged", "crop_affected"]),
    dict(code="E20", name="转移安置≤受灾人口", expression="pop_relocated <= pop_affected", severity="error",
         message="紧急转移安置人口不能大于受灾人口", source="统计制度", order=20,
         fields=["pop_relocated", "pop_affected"]),
    dict(code="E21", name="需救助≤受灾人口", expression="pop_need_aid <= pop_affected", severity="error",
         message="需紧急生活救助人口不能大于受灾人口", source="统计制度", order=21,
         fields=["pop_need_aid", "pop_affected"]),
    *[dict(code=f"E3{i}", name=f"{lab}户数≤间数", expression=f"house_{k}_hh <= house_{k}_rooms", severity="error",
           message=f"{lab}房屋户数不能大于间数（每户至少一间）", source="统计制度", order=30 + i,
           fields=[f"house_{k}_hh", f"house_{k}_rooms"]) for i, (k, lab) in enumerate(_HH)],
    dict(code="E40", name="分项损失≤直接经济损失", expression="$ <= loss_total", each=ind.LOSS_COMPONENTS,
         severity="error", message="{label}不能大于直接经济损失总额", source="统计制度", order=40),
    dict(code="E41", name="分项合计≤直接经济损失",
         expression="sum(" + ", ".join(ind.LOSS_COMPONENTS) + ") <= loss_total", severity="error",
         message="直接经济损失各分项之和不能大于总额", source="统计制度", order=41, fields=["loss_total"]),
    dict(code="E50", name="核报死亡人数与台账一致", expression="pop_dead == register.dead", severity="error",
         kinds=["final"], message="核报的因灾死亡人口必须与因灾死亡失踪人员台账一致", source="三本台账要求", order=50,
         fields=["pop_dead"]),
    dict(code="E51", name="核报失踪人数与台账一致", expression="pop_missing == register.missing", severity="error",
         kinds=["final"], message="核报的因灾失踪人口必须与因灾死亡失踪人员台账一致", source="三本台账要求", order=51,
         fields=["pop_missing"]),
    dict(code="W01", name="续报数字减少须说明", expression="$ >= prev.$ or explained", each=ind.CODES,
         severity="warning", kinds=["update", "final"],
         message="{label}比上次报告（{prev}）减少，请在“数据变动说明”中写明原因", source="省级灾情统计办法第九条",
         order=60),
    dict(code="W10", name="死亡人数与台账不符", expression="pop_dead == register.dead", severity="warning",
         kinds=["initial", "update"], message="因灾死亡人口与台账人数不一致，请补录台账或核实", source="三本台账要求",
         order=70, fields=["pop_dead"]),
    dict(code="W11", name="失踪人数与台账不符", expression="pop_missing == register.missing", severity="warning",
         kinds=["initial", "update"], message="因灾失踪人口与台账人数不一致，请补录台账或核实", source="三本台账要求",
         order=71, fields=["pop_missing"]),
    *[dict(code=f"W2{i}", name=f"{lab}户数与台账不符", expression=f"house_{k}_hh == register.{k}_hh",
           severity="warning", message=f"{lab}房屋户数与倒损住房户台账不一致", source="三本台账要求", order=80 + i,
           fields=[f"house_{k}_hh"]) for i, (k, lab) in enumerate(_HH[:2])],
    dict(code="W30", name="乡镇数与村级合计不符", expression="$ == villages.$", each=ind.CODES,
         severity="warning", message="{label}与所辖村(社区)已审核报告的合计不一致", source="逐级汇总", order=90),
]


def seed(out: TextIO) -> None:
    made = 0
    for code, name, key in TYPES:
        _, c = DisasterType.objects.get_or_create(
            code=code, defaults={"name": name, "update_interval_key": key or "disaster.update_interval_days"})
        made += c
    for code, name, unit, cat in ITEMS:
        _, c = Item.objects.get_or_create(code=code, defaults={"name": name, "unit": unit, "category": cat})
        made += c
    for r in RULES:
        # Rules already there are the district's data (possibly edited): never overwritten here.
        _, c = ValidationRule.objects.get_or_create(code=r["code"], defaults={k: v for k, v in r.items() if k != "code"})
        made += c
    if made:
        out.write(f"已录入灾害类型、救灾物资目录和灾情校验规则 {made} 条\n")
