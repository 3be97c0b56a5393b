"""Training: plans, sessions with attendance and materials, and who is behind."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs, listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, home_division, require_edit, visible

from .. import charts, forms, training
from ..models import (
    Attendance,
    PostHolding,
    StaffMember,
    TrainingLevel,
    TrainingMaterial,
    TrainingPlan,
    TrainingSession,
)
from .common import _can_edit, _today, _year


@require_cap(Cap.VIEW_DASHBOARD)
def training_page(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    user = request.user
    # Sessions a user may open: organised in their subtree; township users also see district sessions by name.
    sessions = visible(TrainingSession, user).filter(date__year=year).annotate(
        n=Count("attendance", filter=Q(attendance__present=True)))
    rows = training.compliance(visible(PostHolding, user), year=year, on=_today())
    if request.GET.get("behind"):
        people = [r for r in rows if r.behind or not r.ok]
    else:
        people = rows
    comp = training.by_township(rows)
    if listexport.requested(request):
        return listexport.response(request, what=f"{year}年培训达标情况", headers=[
            "姓名", "岗位", "乡镇(街道)", "层级", "应参训", "已参训", "截至目前应参训", "达标"], rows=(
            [r.staff.name, r.post_kind, r.township.name if r.township else "", r.level, r.required, r.attended,
             r.expected_by_now, "是" if r.ok else "否"] for r in people))
    form = forms.SessionForm(user, request.POST if request.POST.get("action") != "plan" else None,
                             initial={"date": _today()})
    if request.method == "POST":
        if not _can_edit(user):
            raise PermissionDenied("您的角色不能登记培训")
        if request.POST.get("action") == "plan":
            try:
                training.create_plan(actor=user, division=home_division(user), year=year,
                                     title=request.POST.get("title", ""),
                                     planned_sessions=inputs.form_int(request.POST, "planned_sessions", label="计划场次",
                                                                      lo=0, hi=1000, default=0),
                                     content=request.POST.get("content", ""))
            except (ValidationError, ValueError) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
            else:
                messages.success(request, "培训计划已保存")
            return redirect(f"{reverse('workforce:training')}?year={year}")
        if form.is_valid():
            d = form.cleaned_data
            try:
                s = training.create_session(actor=user, division=d["division"], level=d["level"], date=d["date"],
                                            topic=d["topic"], place=d["place"], trainer=d["trainer"])
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, "培训已登记，请录入签到")
                return redirect("workforce:session_detail", session_id=s.pk)
    district_sessions = (TrainingSession.objects.filter(level=TrainingLevel.DISTRICT, date__year=year)
                         .values("date", "topic"))
    return render(request, "workforce/training.html", {
        "year": year, "sessions": sessions, "people": people[:500], "people_total": len(people), "comp": comp,
        "form": form, "can_edit": _can_edit(user), "chart": charts.training_chart(comp),
        "plans": visible(TrainingPlan, user).filter(year=year), "district_sessions": district_sessions,
        "behind": bool(request.GET.get("behind"))})


@require_cap(Cap.VIEW_BUSINESS)
def session_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    s = get_visible(TrainingSession.objects.select_related("division"), request.user, pk=session_id)
    staff_qs = visible(StaffMember, request.user)
    eligible = training.eligible_staff(s, staff_qs)
    mform = forms.MaterialForm()
    if request.method == "POST":
        if not _can_edit(request.user):
            raise PermissionDenied("您的角色不能登记培训")
        require_edit(request.user, s)
        if request.POST.get("action") == "material":
            mform = forms.MaterialForm(request.POST, request.FILES)
            if mform.is_valid():
                try:
                    training.add_material(actor=request.user, session=s, title=mform.cleaned_data["title"],
                                          file=mform.cleaned_data["file"], link=mform.cleaned_data["link"])
                except ValidationError as exc:
                    add_errors_to_form(mform, exc)
                else:
                    messages.success(request, "资料已上传")
                    return redirect("workforce:session_detail", session_id=s.pk)
        elif request.POST.get("action") == "attendance":
            ids = {int(x) for x in request.POST.getlist("present") if x.isdigit()}
            n = training.record_attendance(actor=request.user, session=s, present_ids=ids, eligible=eligible)
            messages.success(request, f"已保存签到（{n} 人）")
            return redirect("workforce:session_detail", session_id=s.pk)
    present = set(Attendance.objects.filter(session=s, present=True).values_list("staff_id", flat=True))
    return render(request, "workforce/session.html", {
        "s": s, "eligible": eligible, "present": present, "mform": mform,
        "materials": s.materials.all(), "can_edit": _can_edit(request.user)})


@require_cap(Cap.VIEW_BUSINESS)
def material_download(request: AuthedRequest, material_id: int) -> HttpResponseBase:
    m = get_visible(TrainingMaterial.objects.select_related("session"), request.user, pk=material_id)
    if m.file:
        return FileResponse(m.file.open("rb"), as_attachment=True, filename=m.file.name.rsplit("/", 1)[-1])
    if m.link:
        return HttpResponseRedirect(m.link)
    raise Http404("资料不存在")
