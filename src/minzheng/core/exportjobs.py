"""Big exports as background jobs ("core.export"): the worker calls the list's own view, with the query string the
user exported from, as that user (so the same filters and jurisdiction apply), and keeps the workbook under
EXPORT_ROOT for MINZHENG_EXPORT_KEEP_DAYS days. Only the user who asked may download it; the download is audited.
A daily sweep ("core.export_sweep") deletes expired files."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, QueryDict
from django.urls import Resolver404, resolve, reverse

from minzheng.audit.services import record_output

from . import dates
from .models import Job, JobStatus

KIND = "core.export"


def root() -> Path:
    path = Path(settings.EXPORT_ROOT)
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_days() -> int:
    return int(getattr(settings, "MINZHENG_EXPORT_KEEP_DAYS", 7))


def submit(request: HttpRequest, *, what: str, rows: int) -> Job:
    from .worker import services

    params = request.GET.copy()
    params["export"] = "xlsx"
    params.pop("page", None)
    user: Any = request.user
    return services.submit(KIND, user=user, title=f"导出 {what}"[:200],
                           params={"path": request.path, "query": params.urlencode(), "what": what,
                                   "user_id": user.pk, "estimate": rows})


def _request_as(user: Any, path: str, query: str, run: Any) -> HttpRequest:
    from . import listexport

    req = HttpRequest()
    req.method = "GET"
    req.path = req.path_info = path
    req.GET = QueryDict(query)
    req.META = {"SERVER_NAME": "worker", "SERVER_PORT": "80", "REMOTE_ADDR": "", "QUERY_STRING": query}
    req.user = user
    req.htmx = False  # type: ignore[attr-defined]
    setattr(req, listexport.IN_WORKER, run)
    return req


def run_task(run: Any, *, path: str, query: str, what: str, user_id: int, estimate: int = 0) -> dict[str, Any]:
    from . import listexport

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise PermissionDenied("发起导出的账号已停用")
    try:
        match = resolve(path)
    except Resolver404:
        raise ValidationError("导出的列表已不存在") from None
    run.progress("读取数据", 0, estimate)
    resp = match.func(_request_as(user, path, query, run), *match.args, **match.kwargs)
    if resp.status_code != 200 or resp.get("Content-Type") != listexport.XLSX:
        raise ValidationError(f"导出失败（列表返回 {resp.status_code}）")
    name = f"{what}_{dates.today():%Y%m%d}.xlsx"
    stored = f"{run.job.pk}-{secrets.token_hex(8)}.xlsx"
    (root() / stored).write_bytes(resp.content)
    rows = int(resp.get(listexport.ROWS_HEADER) or estimate or 0)
    return {"summary": f"已生成“{name}”（{rows} 条），{keep_days()} 天内可下载",
            "download": reverse("core:export_download", kwargs={"export_id": run.job.pk}),
            "file": stored, "name": name, "rows": rows, "what": what}


def expires_at(job: Job) -> dt.datetime:
    return (job.finished_at or job.created_at) + dt.timedelta(days=keep_days())


def download(request: HttpRequest, export_id: int) -> FileResponse:
    """The file of a finished export job, to the user who asked for it and no one else, until it expires — and only
    while that user may still export (a role suspended after a password reset, or removed, downloads nothing)."""
    from minzheng.accounts.roles import Cap

    has_cap = getattr(request.user, "has_cap", None)
    if not callable(has_cap) or not has_cap(Cap.EXPORT):
        raise Http404("导出文件不存在")
    job = Job.objects.filter(pk=export_id, kind=KIND, status=JobStatus.DONE,
                             created_by_id=getattr(request.user, "pk", None)).first()
    result = job.result if job is not None and isinstance(job.result, dict) else None
    if job is None or result is None:
        raise Http404("导出文件不存在")
    path = root() / str(result.get("file", ""))
    if expires_at(job) < dates.now() or not path.is_file() or path.parent != root():
        raise Http404("导出文件已过期删除，请重新导出")
    division = getattr(request.user, "division", None)
    record_output("export", what=str(result.get("what", job.title)), count=int(result.get("rows", 0)),
                  division_code=division.code if division is not None else "", detail={"job": job.pk})
    resp = FileResponse(path.open("rb"), as_attachment=True, content_type="application/vnd.openxmlformats-"
                        "officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(str(result.get('name', 'export.xlsx')))}"
    return resp


def sweep_task(run: Any, **_: Any) -> dict[str, Any]:
    """Delete export files older than the keep period (and files whose job is gone)."""
    cutoff = dates.now() - dt.timedelta(days=keep_days())
    live = {str((j.result or {}).get("file", "")) for j in Job.objects.filter(kind=KIND, status=JobStatus.DONE,
                                                                               finished_at__gte=cutoff)}
    removed = 0
    for path in root().glob("*.xlsx"):
        if path.name not in live:
            path.unlink(missing_ok=True)
            removed += 1
    return {"summary": f"清理过期导出文件 {removed} 个", "removed": removed}
