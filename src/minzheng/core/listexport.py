"""导出 Excel for any list page: the same filters and jurisdiction as the page, audited, formula-safe, bounded.

A list view calls `requested(request)` and, when true, returns `response(...)` with rows built from the very
queryset the page shows (before paging). The link is `{% include "core/_export.html" %}` in the list's toolbar.

Big exports (more rows than MINZHENG_EXPORT_INLINE_MAX_ROWS) do not run in the request: they are queued as a
"core.export" job (core/exportjobs.py) that calls the same view, with the same query string, as the same user inside
the task worker; the user follows its progress on the job page and downloads the file from a link only they can use.
A view that builds its own workbook calls `offload(request, count, what=...)` first to get the same behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output

from . import dates, excel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_HEADER = "X-Minzheng-Export-Rows"
# Set on the request the export job builds inside the worker: the JobRun that reports progress.
IN_WORKER = "minzheng_export_run"


def requested(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def max_rows() -> int:
    return int(getattr(settings, "MINZHENG_EXPORT_MAX_ROWS", 200_000))


def inline_max() -> int:
    return int(getattr(settings, "MINZHENG_EXPORT_INLINE_MAX_ROWS", 5_000))


def _check_cap(request: HttpRequest, cap: str) -> None:
    if not getattr(request.user, "has_cap", lambda c: False)(cap):
        raise PermissionDenied("您的角色没有导出权限")


def _in_worker(request: HttpRequest) -> Any:
    return getattr(request, IN_WORKER, None)


def offload(request: HttpRequest, count: int, *, what: str, cap: str = Cap.EXPORT) -> HttpResponse | None:
    """Queue the export as a background job when it is big (and we are not the job already): the redirect to the
    job page, or None to export in the request."""
    _check_cap(request, cap)
    if _in_worker(request) is not None or count <= inline_max():
        return None
    from .exportjobs import submit

    job = submit(request, what=what, rows=count)
    return redirect("core:job", job_id=job.pk)


def response(request: HttpRequest, *, what: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
             division_code: str = "", cap: str = Cap.EXPORT) -> HttpResponse:
    _check_cap(request, cap)
    limit = max_rows()
    run = _in_worker(request)
    inline = inline_max()
    body: list[Sequence[Any]] = []
    for row in rows:
        if len(body) >= limit:
            raise PermissionDenied(f"导出超过 {limit} 行，请缩小筛选范围后再导出")
        if run is None and len(body) >= inline:
            moved = offload(request, inline + 1, what=what, cap=cap)
            assert moved is not None
            return moved
        body.append(row)
        if run is not None and len(body) % 500 == 0:
            run.progress("整理数据", len(body), max(run.total, len(body)))
    if run is None:  # a file built by the job is audited when its owner downloads it
        division = getattr(request.user, "division", None)
        record_output("export", what=what, count=len(body),
                      division_code=division_code or (division.code if division is not None else ""))
    else:
        run.progress("生成 Excel 文件", len(body), len(body))
    data = excel.workbook_bytes([(what, headers, body)],
                                title=f"{what}（{dates.local():%Y-%m-%d %H:%M} 导出，共 {len(body)} 条）")
    return xlsx_response(data, f"{what}_{dates.today():%Y%m%d}.xlsx", rows=len(body))


def xlsx_response(data: bytes, name: str, *, rows: int | None = None) -> HttpResponse:
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    if rows is not None:
        resp[ROWS_HEADER] = str(rows)
    return resp


def stamp(when: Any) -> str:
    """A moment as Beijing wall time text for a cell (Excel cells have no time zone)."""
    return dates.local(when).strftime("%Y-%m-%d %H:%M") if when else ""
