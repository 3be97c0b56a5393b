"""Submitting jobs and finding the ones a user may see. Views, the API and the CLI call these."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import context
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.models import Job, JobStatus
from minzheng.core.scoping import visible
from minzheng.regions.models import Division

from . import kinds

HEAVY_QUEUE = "heavy"
DEFAULT_QUEUE = "default"


def submit(kind: str, *, params: dict[str, Any] | None = None, user: Actor | None = None,
           division: Division | None = None, title: str = "", dedupe_key: str | None = None,
           reuse_live: bool = False) -> Job:
    """Queue a job: the Job row, its django-tasks task and the audit entry commit together (or not at all).

    With a dedupe_key, a job ever queued under that key is returned instead of a second one; with reuse_live, a job
    of the same kind, parameters and division still queued or running (a double click, a second officer)."""
    from .tasks import run_job

    spec = kinds.get(kind)
    who = context.current()
    if dedupe_key and (existing := Job.objects.filter(dedupe_key=dedupe_key).first()) is not None:
        return existing
    division = division if division is not None else getattr(user, "division", None)
    if reuse_live:
        for twin in Job.objects.filter(kind=kind, division=division,
                                       status__in=[JobStatus.QUEUED, JobStatus.RUNNING]):
            if twin.params == (params or {}):
                return twin
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind, title=(title or spec.label)[:200], params=params or {}, heavy=spec.heavy,
                created_by=user if user is not None and getattr(user, "pk", None) else None,
                actor_name=who.username or (user.get_username() if user is not None else "")[:150],
                actor_role=who.role or getattr(user, "role", "") or "", actor_ip=who.ip[:64],
                division=division,
                dedupe_key=dedupe_key, created_at=dates.now())
            result = run_job.using(queue_name=HEAVY_QUEUE if spec.heavy else DEFAULT_QUEUE).enqueue(job.pk)
            job.task_result_id = str(result.id)
            job.save(update_fields=["task_result_id"])
            audit.record("task.queue", obj=job, summary=f"提交后台任务：{job.title}",
                         detail={"kind": kind, "job": job.pk, "params": job.params})
    except IntegrityError:
        if dedupe_key and (existing := Job.objects.filter(dedupe_key=dedupe_key).first()) is not None:
            return existing     # a second worker queued the same batch a moment earlier
        raise
    return job


def jobs_for(user: Actor | None) -> QuerySet[Job]:
    """Jobs the user started, and jobs of divisions within their jurisdiction; nothing for an account without a
    business role in force (the 三员, a role suspended after a password reset): jobs carry business data."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_cap(Cap.VIEW_BUSINESS):
        return Job.objects.none()
    mine = Q(created_by_id=user.pk)
    return Job.objects.filter(mine | Q(pk__in=visible(Job, user).values("pk"))).select_related("division")


def get_job(user: Actor | None, job_id: int) -> Job:
    job = jobs_for(user).filter(pk=job_id).first()
    if job is None:
        raise Http404("后台任务不存在或不在您的辖区内")
    return job


def as_dict(job: Job) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "title": job.title, "status": job.status, "phase": job.phase,
            "done": job.done, "total": job.total, "percent": job.percent, "message": job.message,
            "result": job.result, "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at, "started_by": job.actor_name,
            "division": job.division.name if job.division is not None else ""}
