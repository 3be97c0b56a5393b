"""Posts and staff: the post list and roster export, appointing, hand-overs and a person's record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.models import User
from minzheng.accounts.roles import Cap, Role
from minzheng.audit import services as audit
from minzheng.core.excel import workbook_bytes
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, home_division, require_edit, visible, visible_divisions
from minzheng.regions.models import Division, Level
from minzheng.regions.selectors import township_of

from .. import forms, handover_pdf, staff
from ..models import Attendance, Handover, Post, PostHolding, PostKind, StaffMember
from .common import _can_edit, _today, _townships


@require_cap(Cap.VIEW_DASHBOARD)
def posts_page(request: AuthedRequest) -> HttpResponse:
    qs = visible(Post, request.user).select_related("division__parent")
    kind = request.GET.get("kind", "")
    if kind in PostKind.values:
        qs = qs.filter(kind=kind)
    town = request.GET.get("township", "")
    if town.isdigit():
        qs = qs.filter(Q(division_id=town) | Q(division__parent_id=town))
    open_h = {h.post_id: h for h in visible(PostHolding, request.user).filter(end__isnull=True, post__in=qs)
              .select_related("staff")}
    if request.GET.get("vacant"):
        qs = qs.exclude(pk__in=list(open_h))
    today = _today()
    rows = [{"post": p, "h": open_h.get(p.pk), "age": open_h[p.pk].staff.age_on(today) if p.pk in open_h else None}
            for p in qs[:1000]]
    return render(request, "workforce/posts.html", {
        "rows": rows, "kinds": PostKind.choices, "kind": kind, "townships": _townships(request.user),
        "township": town, "can_edit": _can_edit(request.user), "can_export": request.user.has_cap(Cap.EXPORT)})


@require_cap(Cap.EXPORT)
@require_GET
def staff_export(request: AuthedRequest) -> HttpResponse:
    hs = (visible(PostHolding, request.user).select_related("staff", "post__division__parent")
          .order_by("post__division__code", "post__kind", "-start"))
    today = _today()
    rows = [(_township_or_self(h.post.division).name,
             h.post.division.name, h.post.get_kind_display(), h.staff.name, h.staff.get_sex_display(),
             h.staff.age_on(today) or "", h.staff.get_education_display(), h.get_employment_display(),
             h.staff.other_duties, h.staff.phone, str(h.start), str(h.end or ""), h.get_end_reason_display(),
             h.cohort or "") for h in hs]
    data = workbook_bytes([("民政队伍花名册", ["乡镇(街道)", "村(社区)/单位", "岗位", "姓名", "性别", "年龄", "文化程度", "专兼职",
                                         "兼任职务", "联系电话", "到岗日期", "离岗日期", "离岗原因", "招录批次"], rows)])
    audit.record_output("export", what="民政队伍花名册", count=len(rows))
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E6%B0%91%E6%94%BF%E9%98%9F%E4%BC%8D.xlsx"
    return resp


@require_cap(Cap.EDIT_BUSINESS)
def post_new(request: AuthedRequest) -> HttpResponse:
    form = forms.PostForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = staff.create_post(division=d["division"], kind=d["kind"], title=d["title"],
                                  established=d["established"], is_head=d["is_head"], actor=request.user)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "岗位已设立，请任命在岗人员")
            return redirect("workforce:post_detail", post_id=p.pk)
    return render(request, "workforce/form.html", {"form": form, "title": "设立岗位"})


def _person_from(form: forms.PersonFields, division: Division, actor: Actor) -> StaffMember | None:
    d = form.cleaned_data
    if d.get("existing"):
        return d["existing"]
    if not (d.get("name") or "").strip():
        return None
    return staff.create_staff(division=division, name=d["name"], actor=actor, sex=d.get("sex") or "",
                              birth_date=d.get("birth_date"), education=d.get("education") or "",
                              phone=d.get("phone") or "", other_duties=d.get("other_duties") or "")


def _township_or_self(division: Division) -> Division:
    """A village's township (the officers who may receive its handover); any other division itself."""
    return (township_of(division) if division.level == Level.VILLAGE else None) or division


def _post_context(request: AuthedRequest, post: Post) -> dict[str, Any]:
    staff_qs = visible(StaffMember, request.user).filter(division=post.division)
    receivers = User.objects.filter(is_active=True, division__path__startswith=(
        _township_or_self(post.division).path),
        role__in=[Role.TOWNSHIP_OFFICER, Role.DISTRICT_ADMIN, Role.VILLAGE_COORDINATOR])
    return {"post": post, "current": post.current,
            "holdings": post.holdings.select_related("staff").order_by("-start"),
            "handovers": post.handovers.select_related("leaver", "successor"),
            "appoint_form": forms.AppointForm(staff_qs, prefix="a"),
            "handover_form": forms.HandoverForm(staff_qs, receivers, prefix="h"),
            "can_edit": _can_edit(request.user) and post.division.path.startswith(home_division(request.user).path),
            "today": _today()}


@require_cap(Cap.VIEW_BUSINESS)
def post_detail(request: AuthedRequest, post_id: int) -> HttpResponse:
    post = get_visible(Post.objects.select_related("division"), request.user, pk=post_id)
    ctx = _post_context(request, post)
    if request.method == "POST":
        if not _can_edit(request.user):
            raise PermissionDenied("您的角色不能调整岗位人员")
        require_edit(request.user, post)
        action = request.POST.get("action")
        form = ctx["appoint_form"] if action == "appoint" else ctx["handover_form"]
        form = type(form)(*([form.fields["existing"].queryset] + (
            [form.fields["receiver"].queryset] if action != "appoint" else [])), request.POST, prefix=form.prefix)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if action == "appoint":
                    s = _person_from(form, post.division, request.user)
                    assert s is not None
                    staff.appoint(post=post, staff=s, start=d["start"], employment=d["employment"],
                                  cohort=d.get("cohort"), actor=request.user)
                    messages.success(request, f"已任命 {s.name}")
                    return redirect("workforce:post_detail", post_id=post.pk)
                successor = None if d.get("vacant") else _person_from(form, post.division, request.user)
                h = staff.hand_over(post=post, on=d["start"], reason=d["reason"], successor=successor,
                                    employment=d["employment"], cohort=d.get("cohort"), receiver=d.get("receiver"),
                                    note=d.get("note") or "", actor=request.user)
                messages.success(request, f"交接完成：移交 {h.moved_total} 项事项，离岗人名下无遗留")
                return redirect("workforce:handover_detail", handover_id=h.pk)
            except ValidationError as exc:
                add_errors_to_form(form, exc)
        ctx["appoint_form" if action == "appoint" else "handover_form"] = form
    return render(request, "workforce/post_detail.html", ctx)


@require_cap(Cap.VIEW_BUSINESS)
def staff_detail(request: AuthedRequest, staff_id: int) -> HttpResponse:
    person = get_visible(StaffMember.objects.select_related("division", "user"), request.user, pk=staff_id)
    form = forms.StaffEditForm(request.POST or None, initial={
        "name": person.name, "sex": person.sex, "birth_date": person.birth_date, "education": person.education,
        "phone": person.phone, "other_duties": person.other_duties,
        "account": person.user.username if person.user else ""})
    if request.method == "POST":
        if not _can_edit(request.user):
            raise PermissionDenied("您的角色不能修改人员信息")
        require_edit(request.user, person)
        if form.is_valid():
            d = form.cleaned_data
            for f in ("sex", "birth_date", "education", "phone", "other_duties"):
                setattr(person, f, d.get(f) or ("" if f != "birth_date" else None))
            if (d.get("name") or "").strip():
                person.name = d["name"].strip()
            account = (d.get("account") or "").strip()
            if account:
                user = User.objects.filter(username=account, division__in=visible_divisions(request.user)).first()
                taken = user is not None and StaffMember.objects.filter(user=user).exclude(pk=person.pk).exists()
                if user is None or taken:
                    form.add_error("account", "账号不存在、不在您的辖区内或已关联其他人员")
                    return render(request, "workforce/staff_detail.html", {
                        "person": person, "form": form, "age": person.age_on(_today()), "can_edit": True,
                        "holdings": person.holdings.select_related("post__division"), "attendance": [],
                        "awards": person.awards.all(), "checks": person.checks.all()})
                person.user = user
            else:
                person.user = None
            person.save()
            messages.success(request, "已保存")
            return redirect("workforce:staff_detail", staff_id=person.pk)
    today = _today()
    return render(request, "workforce/staff_detail.html", {
        "person": person, "form": form, "age": person.age_on(today), "can_edit": _can_edit(request.user),
        "holdings": person.holdings.select_related("post__division"),
        "attendance": Attendance.objects.filter(staff=person).select_related("session").order_by("-session__date")[:30],
        "awards": person.awards.all(), "checks": person.checks.all()})


@require_cap(Cap.VIEW_BUSINESS)
def handover_detail(request: AuthedRequest, handover_id: int) -> HttpResponse:
    h = get_visible(Handover.objects.select_related("post__division", "leaver", "successor", "receiver"),
                    request.user, pk=handover_id)
    return render(request, "workforce/handover.html", {"h": h})


@require_cap(Cap.VIEW_BUSINESS)
@require_GET
def handover_pdf_view(request: AuthedRequest, handover_id: int) -> HttpResponse:
    h = get_visible(Handover.objects.select_related("post__division", "leaver", "successor", "receiver"),
                    request.user, pk=handover_id)
    audit.record_output("print", what="工作交接清单", count=1, division_code=h.post.division.code)
    resp = HttpResponse(handover_pdf.render(h), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="handover-{h.pk}.pdf"'
    return resp
