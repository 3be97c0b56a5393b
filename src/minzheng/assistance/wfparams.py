"""The few procedure parameters the workflow reads that params.py (the rules module's catalogue) does not declare.

A key below is declared only when params.py has not declared it (apps.ready imports params first), so if the
rules catalogue later adopts one of these keys, its declaration wins.
"""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, catalog, declare

D2012 = dt.date(2012, 9, 26)   # 民发〔2012〕220号
GROUP = "社会救助·程序"

_SPECS: list[tuple[str, str, str, str, list[Seed]]] = [
    ("assistance.workdays.investigating", "家庭经济状况调查（入户调查）时限", "工作日", "int", [
        Seed("assistance.workdays.investigating", 10, D2012, "地方实施细则（10个工作日内完成调查，示例）", "L")]),
    ("assistance.workdays.checking", "信息核对时限", "工作日", "int", [
        Seed("assistance.workdays.checking", 5, D2012, "演示值：延平区信息核对时限待核实", "DEMO", True)]),
    ("assistance.objection_rate_per_hour", "公示异议每IP每小时提交上限", "次", "int", [
        Seed("assistance.objection_rate_per_hour", 5, D2012, "演示值：防止恶意刷提交（非政策规定）", "DEMO", True)]),
]


def declare_missing() -> None:
    for key, label, unit, kind, seeds in _SPECS:
        if key not in catalog.specs:
            declare(key, label, unit=unit, kind=kind, group=GROUP, seeds=seeds)


declare_missing()
