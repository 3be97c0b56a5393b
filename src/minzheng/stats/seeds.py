"""The 民政事业统计月报 lines a county fills from its own data (policy-rules-wave2 §6.2). Names and units follow the
published 月报; codes YZH… are the 四川 2020 edition's [L]; where that page was cut off (特困, 临时救助, allowances)
the code is a local one (LOC…) until the district enters the current year's list. `minzheng init` adds lines
that are missing and never overwrites a line the district edited; a line an earlier seed wrote differently is
brought up to date by a data migration while it still reads as seeded (0002: 孤儿 / 事实无人抚养儿童)."""

from __future__ import annotations

from typing import TextIO

from .models import Indicator, Measure

M = Measure
ALL = ["dibao_urban", "dibao_rural", "tekun_dispersed", "tekun_central", "linshi", "gaoling", "canji_life",
       "canji_care", "orphan", "youfu"]
ASSIST = ["family:dibao", "family:tekun", "family:linshi"]
WELFARE = ["gaoling", "canji_life", "canji_care", "orphan"]
LOCAL = "本地编码：该行代码待按当年报表制度核定"
CHILD_NOTE = "孤儿基本生活费发放对象，按儿童关爱档案认定的类型区分；无档案认定的按孤儿统计"

# code, name, unit, indent, measure, programmes, note
LINES: list[tuple[str, str, str, int, str, list[str], str]] = [
    ("YZH011000000", "一、综合", "", 0, M.HEADER, [], ""),
    ("YZH011110000", "乡级行政区划", "个", 1, M.TOWNSHIPS, [], ""),
    ("YZH011200000", "民政事业费累计支出", "万元", 1, M.AMOUNT_CUM, ALL, "本系统发放的各项目合计（已审批花名册）"),
    ("YZH011210000", "社会福利", "万元", 2, M.AMOUNT_CUM, WELFARE, "高龄津贴、残疾人两项补贴、孤儿基本生活费"),
    ("YZH011220000", "社会救助", "万元", 2, M.AMOUNT_CUM, ASSIST, ""),
    ("YZH011221000", "其中:最低生活保障", "万元", 3, M.AMOUNT_CUM, ["family:dibao"], ""),
    ("YZH011221100", "A 城市低保累计支出", "万元", 4, M.AMOUNT_CUM, ["dibao_urban"], ""),
    ("YZH011221200", "B 农村低保累计支出", "万元", 4, M.AMOUNT_CUM, ["dibao_rural"], ""),
    ("LOC011222000", "特困人员救助供养累计支出", "万元", 3, M.AMOUNT_CUM, ["family:tekun"], LOCAL),
    ("LOC011223000", "临时救助累计支出", "万元", 3, M.AMOUNT_CUM, ["linshi"], LOCAL),
    ("LOC011260000", "优抚累计支出", "万元", 2, M.AMOUNT_CUM, ["youfu"], LOCAL + "（2018 年后优抚属退役军人事务部门）"),
    ("YZH012000000", "二、社会工作", "", 0, M.HEADER, [], ""),
    ("YZH012300000", "儿童福利", "", 1, M.HEADER, [], ""),
    ("YZH012311000", "孤儿", "人", 2, M.CHILDREN_ORPHAN, ["orphan"], CHILD_NOTE),
    ("YZH012320000", "事实无人抚养儿童", "人", 2, M.CHILDREN_UNSUPPORTED, ["orphan"], CHILD_NOTE),
    ("YZH012400000", "社会救助", "", 1, M.HEADER, [], ""),
    ("YZH012410000", "最低生活保障", "", 2, M.HEADER, [], ""),
    ("LOC012411100", "城市低保人数", "人", 3, M.PERSONS, ["dibao_urban"], LOCAL),
    ("LOC012411200", "城市低保户数", "户", 3, M.HOUSEHOLDS, ["dibao_urban"], LOCAL),
    ("LOC012412100", "农村低保人数", "人", 3, M.PERSONS, ["dibao_rural"], LOCAL),
    ("LOC012412200", "农村低保户数", "户", 3, M.HOUSEHOLDS, ["dibao_rural"], LOCAL),
    ("LOC012413000", "低保月人均补助水平", "元", 3, M.AVG_PER_PERSON, ["family:dibao"], LOCAL),
    ("LOC012420000", "特困人员救助供养", "", 2, M.HEADER, [], ""),
    ("LOC012421000", "城市特困人员救助供养人数", "人", 3, M.PERSONS_URBAN, ["family:tekun"], LOCAL),
    ("LOC012422000", "农村特困人员救助供养人数", "人", 3, M.PERSONS_RURAL, ["family:tekun"], LOCAL),
    ("LOC012423000", "其中:集中供养人数", "人", 4, M.PERSONS, ["tekun_central"], LOCAL),
    ("LOC012424000", "分散供养人数", "人", 4, M.PERSONS, ["tekun_dispersed"], LOCAL),
    ("LOC012430000", "临时救助", "", 2, M.HEADER, [], ""),
    ("LOC012431000", "临时救助户次(本月)", "户次", 3, M.NEW_HOUSEHOLDS, ["linshi"], LOCAL),
    ("LOC012432000", "临时救助支出(本月)", "万元", 3, M.AMOUNT, ["linshi"], LOCAL),
    ("YZH012500000", "老年人和残疾人福利", "", 1, M.HEADER, [], ""),
    ("LOC012510000", "享受高龄津贴人数", "人", 2, M.PERSONS, ["gaoling"], LOCAL),
    ("LOC012520000", "享受困难残疾人生活补贴人数", "人", 2, M.PERSONS, ["canji_life"], LOCAL),
    ("LOC012530000", "享受重度残疾人护理补贴人数", "人", 2, M.PERSONS, ["canji_care"], LOCAL),
    ("LOC012600000", "优抚对象", "", 1, M.HEADER, [], ""),
    ("LOC012610000", "享受定期抚恤补助人数", "人", 2, M.PERSONS, ["youfu"], LOCAL),
    ("LOC012620000", "定期抚恤补助支出(本月)", "万元", 2, M.AMOUNT, ["youfu"], LOCAL),
]


def seed(out: TextIO) -> None:
    existing = set(Indicator.objects.filter(form="monthly").values_list("code", flat=True))
    new = [Indicator(form="monthly", code=code, name=name, unit=unit, order=(i + 1) * 10, indent=indent,
                     measure=measure, programmes=progs, note=note)
           for i, (code, name, unit, indent, measure, progs, note) in enumerate(LINES) if code not in existing]
    if new:
        Indicator.objects.bulk_create(new)
        out.write(f"已录入统计月报指标 {len(new)} 项\n")
