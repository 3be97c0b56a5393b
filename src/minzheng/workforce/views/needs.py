"""民情直通车 for staff: the queues, reporting, handling, photos and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.models import User
from minzheng.accounts.roles import Cap, Role
from minzheng.core import dates, inputs, listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, require_edit, visible, visible_divisions
from minzheng.regions.models import Level

from .. import charts, forms, needs
from ..models import NeedReport, NeedStatus
from .common import _can_edit, _reports_only, _today, _year


@require_cap(Cap.VIEW_BUSINESS)
def needs_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if _reports_only(user):
        return redirect("workforce:needs_mine")
    today = _today()
    qs = visible(NeedReport, user).select_related("village__parent", "assignee")
    view = request.GET.get("view", "open")
    if view == "escalated":
        qs = needs.district_queue(qs, today)
    elif view == "open":
        qs = qs.exclude(status=NeedStatus.RESOLVED)
    elif view == "resolved":
        qs = qs.filter(status=NeedStatus.RESOLVED)
    cat = request.GET.get("category", "")
    if cat:
        qs = qs.filter(category=cat)
    qs = qs.order_by("deadline" if view != "resolved" else "-resolved_at")
    if listexport.requested(request):
        return listexport.response(request, what="民情直通车", headers=[
            "类别", "乡镇(街道)", "村(社区)", "来源", "状态", "上报时间", "办理期限", "承办人", "情况描述"],
            rows=([r.get_category_display(), r.village.parent.name if r.village.parent else "", r.village.name,
                   r.get_source_display(), r.get_status_display(), f"{dates.local(r.created_at):%Y-%m-%d %H:%M}", r.deadline,
                   r.assignee.full_name if r.assignee else "", r.description] for r in qs.iterator(chunk_size=2000)))
    base = visible(NeedReport, user)
    counts = {"open": base.exclude(status=NeedStatus.RESOLVED).count(),
              "escalated": needs.district_queue(base, today).count(),
              "resolved": base.filter(status=NeedStatus.RESOLVED).count()}
    return render(request, "workforce/needs.html", {"items": qs[:300], "view": view, "counts": counts,
                                                    "today": today, "category": cat,
                                                    "categories": NeedReport._meta.get_field("category").choices})


@require_cap(Cap.VIEW_BUSINESS)
def needs_mine(request: AuthedRequest) -> HttpResponse:
    items = visible(NeedReport, request.user).filter(reported_by=request.user).select_related("village")[:50]
    return render(request, "workforce/needs_mine.html", {"items": items, "today": _today()})


@require_cap(Cap.VIEW_BUSINESS)
def need_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (user.has_cap(Cap.REPORT_NEEDS) or _can_edit(user)):
        raise PermissionDenied("您的角色不能上报民情")
    villages = visible_divisions(user).filter(level=Level.VILLAGE).select_related("parent").order_by("code")
    form = forms.NeedForm(villages, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            r = needs.submit(village=d["village"], category=d["category"], description=d["description"],
                             photo=d.get("photo"), reporter_name=d.get("reporter_name") or "",
                             reporter_phone=d.get("reporter_phone") or "", actor=user,
                             source="coordinator" if _reports_only(user) else "staff")
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"已上报，编号 {r.reference}，{(r.village.parent or r.village).name}将在 {r.deadline:%m月%d日} 前办理")
            return redirect("workforce:need_detail", needreport_id=r.pk)
    return render(request, "workforce/need_new.html", {"form": form})


@require_cap(Cap.VIEW_BUSINESS)
def need_detail(request: AuthedRequest, needreport_id: int) -> HttpResponse:
    user = request.user
    r = get_visible(NeedReport.objects.select_related("village__parent", "assignee", "reported_by"), user,
                    pk=needreport_id)
    if request.method == "POST":
        if not _can_edit(user):
            raise PermissionDenied("办理由乡镇(街道)或区民政局进行")
        action = request.POST.get("action")
        try:
            if action == "accept":
                needs.accept(actor=user, report=r)
                messages.success(request, "已受理")
            elif action == "resolve":
                needs.resolve(actor=user, report=r, resolution=request.POST.get("resolution", ""))
                messages.success(request, "已办结，上报人可看到办理结果")
            elif action == "assign":
                to = User.objects.get(pk=inputs.form_id(request.POST, "assignee", label="转交给"))
                needs.assign(actor=user, report=r, to_user=to)
                messages.success(request, "已转交")
            else:
                require_edit(user, r)
        except (ValidationError, ValueError, User.DoesNotExist) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
        return redirect("workforce:need_detail", needreport_id=r.pk)
    from minzheng.registry.masking import can_see_sensitive, mask_name, mask_phone

    sensitive = can_see_sensitive(user)
    assignees = User.objects.filter(is_active=True, division__in=[r.village.parent_id, r.village_id],
                                    role=Role.TOWNSHIP_OFFICER) if _can_edit(user) else []
    return render(request, "workforce/need_detail.html", {
        "r": r, "events": r.events.all(), "today": _today(),
        "reporter": r.reporter_name if sensitive else mask_name(r.reporter_name),
        "phone": r.reporter_phone if sensitive else mask_phone(r.reporter_phone), "assignees": assignees})


@require_cap(Cap.VIEW_BUSINESS)
def need_photo(request: AuthedRequest, needreport_id: int) -> HttpResponseBase:
    r = get_visible(NeedReport, request.user, pk=needreport_id)
    if not r.photo:
        raise Http404("没有照片")
    return FileResponse(r.photo.open("rb"), content_type=needs.PHOTO_FORMATS.get(
        {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}.get(r.photo.name.rsplit(".", 1)[-1].lower(), ""), ("", "image/jpeg"))[1])


@require_cap(Cap.VIEW_DASHBOARD)
def needs_stats(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    qs = visible(NeedReport, request.user).filter(created_at__year=year)
    st = needs.stats(qs)
    villages = [f"{v['village__parent__name'] or ''}{v['village__name']}" for v in st["by_village"]]
    if listexport.requested(request):
        return listexport.response(request, what=f"{year}年民情统计", headers=["分类", "项目", "件数"], rows=[
            *(["类别", k, n] for k, n in st["by_category"].items()),
            *(["状态", k, n] for k, n in st["by_status"].items()),
            *(["村(社区)", name, v["n"]] for name, v in zip(villages, st["by_village"], strict=True))])
    return render(request, "workforce/needs_stats.html", {
        "year": year, "st": st, "total": qs.count(),
        "on_time": qs.filter(status=NeedStatus.RESOLVED).count(),
        "pie": charts.pie(st["by_category"]),
        "villages": charts.bar(villages, [("件数", [v["n"] for v in st["by_village"]], charts.RED)])})
