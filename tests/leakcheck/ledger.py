"""Leak-test support for the ledger import pages (registry:import_* with `importjob_id`) and the worker's job pages
(core:job, /api/core/tasks/{job_id} with `job_id`).

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
    from minzheng.core.worker import runner
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
    jobs.start(job, jobs.Mode.PREVIEW, user=owner)
    with override_settings(MINZHENG_IMPORT_INLINE=True):
        runner.drain()      # the worker's loop, in this process
    job = jobs.get_job(owner, job.id)
    # job_id: the worker's record of the run (core:job, /api/core/tasks/{job_id}), titled with the file name
    return Planted(scoped={"importjob_id": job.id, "job_id": job.state["task"]},
                   secrets=[NAME_OK, NAME_BAD, good, bad, "泄露测试台账"])
