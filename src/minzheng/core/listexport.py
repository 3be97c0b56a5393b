"""导出 Excel for any list page: the same filters and jurisdiction as the page, audited, formula-safe, bounded.

A list view calls `requested(request)` and, when true, returns `response(...)` with rows built from the very
queryset the page shows (before paging). The link is `{% include "core/_export.html" %}` in the list's toolbar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output

from . import dates, excel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def requested(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def max_rows() -> int:
    return int(getattr(settings, "MINZHENG_EXPORT_MAX_ROWS", 200_000))


def response(request: HttpRequest, *, what: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
             division_code: str = "") -> HttpResponse:
    user = request.user
    if not getattr(user, "has_cap", lambda c: False)(Cap.EXPORT):
        raise PermissionDenied("您的角色没有导出权限")
    limit = max_rows()
    body: list[Sequence[Any]] = []
    for row in rows:
        if len(body) >= limit:
            raise PermissionDenied(f"导出超过 {limit} 行，请缩小筛选范围后再导出")
        body.append(row)
    division = getattr(user, "division", None)
    record_output("export", what=what, count=len(body),
                  division_code=division_code or (division.code if division is not None else ""))
    data = excel.workbook_bytes([(what, headers, body)],
                                title=f"{what}（{dates.local():%Y-%m-%d %H:%M} 导出，共 {len(body)} 条）")
    resp = HttpResponse(data, content_type=XLSX)
    name = f"{what}_{dates.today():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
