from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from minzheng.accounts.actor import AuthedRequest
from minzheng.regions.models import Division

from .inputs import RecordId
from .scoping import visible_divisions

router = Router(tags=["系统"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    division_code: str | None
    division_name: str | None


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    is_urban: bool


def _division_out(d: Division) -> DivisionOut:
    return DivisionOut(code=d.code, name=d.name, level=d.level,
                       parent_code=d.parent.code if d.parent_id else None, is_urban=d.is_urban)


@router.get("/me", response=MeOut)
def me(request: AuthedRequest) -> MeOut:
    u = request.user
    return MeOut(username=u.username, full_name=u.full_name, role=u.role, role_label=u.role_label,
                 division_code=u.division.code if u.division else None,
                 division_name=u.division.name if u.division else None)


@router.get("/divisions", response=list[DivisionOut])
def divisions(request: AuthedRequest, level: str | None = None) -> list[DivisionOut]:
    qs = visible_divisions(request.user).select_related("parent")
    if level:
        qs = qs.filter(level=level)
    return [_division_out(d) for d in qs]


@router.get("/divisions/{code}", response=DivisionOut)
def division(request: AuthedRequest, code: str) -> DivisionOut:
    from django.shortcuts import get_object_or_404

    return _division_out(get_object_or_404(visible_divisions(request.user).select_related("parent"), code=code))


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    phase: str
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    started_by: str
    division: str


@router.get("/tasks", response=list[JobOut])
def jobs(request: AuthedRequest) -> list[dict[str, Any]]:
    """Background jobs (imports, 核对, payroll generation, daily sweeps) the caller started or that belong to their
    jurisdiction, newest first."""
    from .worker import services as worker

    return [worker.as_dict(j) for j in worker.jobs_for(request.user)[:100]]


@router.get("/tasks/{job_id}", response=JobOut)
def job(request: AuthedRequest, job_id: RecordId) -> dict[str, Any]:
    """One background job: its status and progress (poll until status is done or failed) and its result."""
    from .worker import services as worker

    return worker.as_dict(worker.get_job(request.user, job_id))
