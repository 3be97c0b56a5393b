"""Leak-test support for the ledger import pages (registry:import_* with `importjob_id`).

`plant(village, owner)` runs a real preview import of a small ledger of `village` as `owner`, so the job page,
its progress and its error workbook all exist and show that village's people. Listed in tests/leakcheck/__init__.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import override_settings

from minzheng.registry.idnumber import check_char

from .planted import Planted

NAME_OK = "柳暗明"
NAME_BAD = "花又村"


def _id(birth: dt.date, order: int) -> str:
    first17 = f"350702{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.registry.ledger import jobs

    good = _id(dt.date(1961, 2, 3), 871)
    bad = _id(dt.date(1962, 3, 4), 872)[:17] + "0"
    if bad == _id(dt.date(1962, 3, 4), 872):
        bad = bad[:17] + "1"
    town = village.parent.name if village.parent_id else ""
    text = ("姓名,身份证号,与户主关系,乡镇,村\n"
            f"{NAME_OK},{good},户主,{town},{village.name}\n"
            f"{NAME_BAD},{bad},户主,{town},{village.name}\n")
    job = jobs.create_job(owner, "泄露测试台账.csv", [text.encode("gbk")])
    with override_settings(MINZHENG_IMPORT_INLINE=True):
        jobs.start(job, jobs.Mode.PREVIEW)
    return Planted(scoped={"importjob_id": job.id}, secrets=[NAME_OK, NAME_BAD, good, bad])
