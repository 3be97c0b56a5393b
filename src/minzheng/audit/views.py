from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs, listexport

from . import anchor, services
from .masking import masked
from .models import AuditEntry


@require_cap(Cap.VIEW_AUDIT)
def entry_list(request: AuthedRequest) -> HttpResponse:
    qs = AuditEntry.objects.order_by("-seq")
    q = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "object_id", "date_from", "date_to")}
    if q["actor"]:
        qs = qs.filter(actor__icontains=q["actor"])
    if q["action"]:
        qs = qs.filter(action__startswith=q["action"])
    if q["object_id"]:
        qs = qs.filter(object_id=q["object_id"])
    if date_from := inputs.get_date(request, "date_from"):
        qs = qs.filter(at__date__gte=date_from)
    if date_to := inputs.get_date(request, "date_to"):
        qs = qs.filter(at__date__lte=date_to)
    if listexport.requested(request):
        # the 审计管理员 exports what they may read (VIEW_AUDIT), masked as on the page; the export is logged too
        if (queued := listexport.offload(request, qs.count(), what="审计日志", cap=Cap.VIEW_AUDIT)) is not None:
            return queued
        return listexport.response(request, what="审计日志", cap=Cap.VIEW_AUDIT, headers=[
            "序号", "时间", "操作人", "角色", "来源地址", "操作", "对象类型", "对象", "区划", "摘要"], rows=(
            [e.seq, listexport.stamp(e.at), e.actor, e.actor_role, e.ip, e.action, e.object_type, masked(e.object_id),
             e.division_code, masked(e.summary)] for e in qs.iterator()))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for e in page:
        e.summary = masked(e.summary)
        e.object_id = masked(e.object_id)
    result = services.verify() if request.GET.get("verify") else None
    return render(request, "audit/list.html", {"page": page, "q": q, "verify": result})


@require_cap(Cap.VIEW_AUDIT)
def checkpoints(request: AuthedRequest) -> HttpResponse:
    """The checkpoint file for the auditor to keep offline (see `minzheng audit verify --checkpoints`)."""
    path = anchor.path()
    if not path.exists():
        raise Http404("检查点文件不存在")
    data = path.read_bytes()
    services.record_output("export", what="审计检查点", count=data.count(b"\n"))
    name = f"audit_checkpoints_{dates.local():%Y%m%d_%H%M%S}.log"
    resp = HttpResponse(data, content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
