"""Leak-test planter for the core routes: the division tree addressed by a village code, and a finished big export
(core:export_download with `export_id`) that only its owner may download."""

from __future__ import annotations

from typing import Any

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    """Everything in `village` (in one township), created on behalf of `owner`."""
    from minzheng.core import dates, exportjobs
    from minzheng.core.models import Job, JobStatus

    now = dates.now()
    job = Job.objects.create(kind=exportjobs.KIND, title="导出 测试列表", created_by=owner, actor_name=owner.username,
                             division=village, status=JobStatus.DONE, created_at=now, finished_at=now, params={})
    stored = f"{job.pk}-leakcheck.xlsx"
    (exportjobs.root() / stored).write_bytes(b"PK\x03\x04 leak-test export")
    job.result = {"file": stored, "name": "测试列表.xlsx", "rows": 1, "what": "测试列表",
                  "download": f"/exports/{job.pk}/"}
    job.save(update_fields=["result"])
    return Planted(scoped={"code": village.code, "export_id": job.pk}, plain={"user_id": owner.pk})
