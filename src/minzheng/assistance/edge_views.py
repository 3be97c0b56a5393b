"""特困 supporters on a case, and the 低保边缘家庭 register (page and export). Thin: services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core.excel import workbook_bytes
from minzheng.core.forms import flash_errors
from minzheng.core.scoping import get_visible

from . import selectors
from .services import supporters as supporter_service

EDGE_HEAD = ["乡镇(街道)", "村(社区)", "户主", "认定日期", "月人均收入(元)", "边缘线(元)", "案件编号", "规则说明"]


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def supporters(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    p = request.POST
    none = p.get("mode") == "none"
    rows: list[dict[str, Any]] = [] if none else [*({"name": s.name, "relation": s.relation, "age": s.age, "id_number": s.id_number,
                                "in_tekun": s.in_tekun, "in_dibao": s.in_dibao,
                                "disability_category": s.disability_category, "disability_grade": s.disability_grade,
                                "income_below_disposable": s.income_below_disposable,
                                "assets_within_limits": s.assets_within_limits,
                                "no_legal_capacity": s.no_legal_capacity, "declared_missing": s.declared_missing,
                                "imprisoned": s.imprisoned, "note": s.note} for s in app.supporters.all()),
                            {k: p.get(k, "") for k in ("name", "relation", "age", "disability_grade", "in_tekun",
                                                       "in_dibao", "income_below_disposable", "no_legal_capacity",
                                                       "declared_missing", "imprisoned")}]
    try:
        supporter_service.record_supporters(app, actor=request.user, supporters=rows, none=none,
                                            orphan_criteria=p.get("orphan_criteria") == "1")
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已登记法定义务人情况")
    return redirect("assistance:detail", application_id=app.pk)


@require_cap(Cap.VIEW_BUSINESS)
def edge_register(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.edge_register(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "assistance/edge_register.html", {"page": page})


@require_GET
@require_cap(Cap.EXPORT)
def edge_export(request: AuthedRequest) -> HttpResponse:
    rows = [[r.household.division.parent.name if r.household.division.parent else "", r.household.division.name,
             str(r.household), r.found_on.isoformat(), str(r.per_capita_income), str(r.limit),
             r.application.number if r.application else "", r.explanation]
            for r in selectors.edge_register(request.user)[:100_000]]
    record_output("export", what="低保边缘家庭名册", count=len(rows),
                  division_code=getattr(request.user.division, "code", "") if request.user.division else "")
    resp = HttpResponse(workbook_bytes([("低保边缘家庭", EDGE_HEAD, rows)]),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''dibao_edge.xlsx"
    return resp
