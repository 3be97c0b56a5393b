"""Pages of 队伍建设. Thin: parse, call a service, render. Rows are read only through core.scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.decorators import require_cap
from minzheng.accounts.models import User
from minzheng.accounts.roles import Cap, Role
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.excel import workbook_bytes
from minzheng.core.scoping import get_visible, require_edit, visible, visible_divisions
from minzheng.regions.models import Division, Level

from . import assessment as assess
from . import charts, circulars, external, forms, handover_pdf, needs, overview, selectors, staff, training
from .models import (
    AssessmentScheme,
    Attendance,
    Award,
    Circular,
    CircularReceipt,
    CoordinatorMeeting,
    Handover,
    Indicator,
    IndicatorScore,
    NeedReport,
    NeedStatus,
    Post,
    PostHolding,
    PostKind,
    StaffMember,
    TownshipResult,
    TownshipTarget,
    TrainingLevel,
    TrainingMaterial,
    TrainingPlan,
    TrainingSession,
    WorkNote,
)

# The 2018 report's own figures, printed beside what the data says.
REPORT_HEADS = {"大专以上": 8, "中专(高中)": 8, "初中": 5, "50岁及以上": 8, "40至50岁": 9, "40岁以下": 4}


def _today() -> dt.date:
    return dates.today()


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or _today().year)
    except ValueError:
        return _today().year


def _date(request: HttpRequest, name: str = "on") -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get(name) or "")
    except ValueError:
        return _today()


def _townships(user: Any) -> list[Division]:
    return list(visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"))


def _is_county(user: Any) -> bool:
    return user.division is not None and user.division.level == Level.COUNTY


def _can_edit(user: Any) -> bool:
    return user.has_cap(Cap.EDIT_BUSINESS) and user.role != Role.VILLAGE_COORDINATOR


# --- Overview, staffing, bureau report -----------------------------------------------------------------------


@require_cap(Cap.VIEW_DASHBOARD)
def overview_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = overview.build(request.user, _townships(request.user), year=year, on=_today())
    return render(request, "workforce/overview.html", {"ov": data, "year": year})


@require_cap(Cap.VIEW_DASHBOARD)
def staffing_page(request: HttpRequest) -> HttpResponse:
    on = _date(request)
    rows = selectors.staffing(_townships(request.user), on=on)
    return render(request, "workforce/staffing.html", {
        "rows": rows, "on": on, "chart": charts.staffing_chart(rows),
        "short": sum(1 for r in rows if r.status == "不足"), "population": sum(r.population or 0 for r in rows)})


@require_cap(Cap.VIEW_DASHBOARD)
def report_page(request: HttpRequest) -> HttpResponse:
    """队伍建设报告: the 2018 report's tables, recomputed from the data."""
    on = _date(request)
    holdings = visible(PostHolding, request.user)
    heads = selectors.office_heads(holdings, on=on)
    cohorts = selectors.cohort_turnover(holdings, on=on)
    rows = selectors.staffing(_townships(request.user), on=on)
    comp = training.by_township(training.compliance(holdings, year=on.year, on=on))
    part_time = holdings.filter(end__isnull=True, employment="part").values("post__kind").annotate(n=Count("id"))
    full = holdings.filter(end__isnull=True).values("post__kind").annotate(n=Count("id"))
    kinds = dict(PostKind.choices)
    mix = [{"kind": kinds[r["post__kind"]], "n": r["n"],
            "part": next((p["n"] for p in part_time if p["post__kind"] == r["post__kind"]), 0)} for r in full]
    funds_ok = external.provider("work_funds") is not None
    funds = [(t.township, external.work_funds(t.township, on.year) if funds_ok else None) for t in rows]
    if request.method == "GET" and request.GET.get("print"):
        audit.record_output("print", what="队伍建设报告", count=heads.total)
    return render(request, "workforce/report.html", {
        "on": on, "heads": heads, "cohorts": cohorts, "rows": rows, "comp": comp, "mix": mix,
        "report": REPORT_HEADS, "show_report_col": _is_county(request.user), "funds": funds, "funds_ok": funds_ok,
        "one_person": sum(1 for r in rows if r.assistants_filled <= 1),
        "short": sum(1 for r in rows if r.status == "不足"),
    })


# --- Posts and staff ----------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_DASHBOARD)
def posts_page(request: HttpRequest) -> HttpResponse:
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
def staff_export(request: HttpRequest) -> HttpResponse:
    hs = (visible(PostHolding, request.user).select_related("staff", "post__division__parent")
          .order_by("post__division__code", "post__kind", "-start"))
    today = _today()
    rows = [(h.post.division.parent.name if h.post.division.level == Level.VILLAGE else h.post.division.name,
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
def post_new(request: HttpRequest) -> HttpResponse:
    form = forms.PostForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = staff.create_post(division=d["division"], kind=d["kind"], title=d["title"],
                                  established=d["established"], is_head=d["is_head"], actor=request.user)
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, "岗位已设立，请任命在岗人员")
            return redirect("workforce:post_detail", post_id=p.pk)
    return render(request, "workforce/form.html", {"form": form, "title": "设立岗位"})


def _person_from(form: forms.PersonFields, division: Division, actor: Any) -> StaffMember | None:
    d = form.cleaned_data
    if d.get("existing"):
        return d["existing"]
    if not (d.get("name") or "").strip():
        return None
    return staff.create_staff(division=division, name=d["name"], actor=actor, sex=d.get("sex") or "",
                              birth_date=d.get("birth_date"), education=d.get("education") or "",
                              phone=d.get("phone") or "", other_duties=d.get("other_duties") or "")


def _post_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    staff_qs = visible(StaffMember, request.user).filter(division=post.division)
    receivers = User.objects.filter(is_active=True, division__path__startswith=(
        post.division.parent.path if post.division.level == Level.VILLAGE else post.division.path),
        role__in=[Role.TOWNSHIP_OFFICER, Role.DISTRICT_ADMIN, Role.VILLAGE_COORDINATOR])
    return {"post": post, "current": post.current,
            "holdings": post.holdings.select_related("staff").order_by("-start"),
            "handovers": post.handovers.select_related("leaver", "successor"),
            "appoint_form": forms.AppointForm(staff_qs, prefix="a"),
            "handover_form": forms.HandoverForm(staff_qs, receivers, prefix="h"),
            "can_edit": _can_edit(request.user) and post.division.path.startswith(request.user.division.path),
            "today": _today()}


@require_cap(Cap.VIEW_BUSINESS)
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
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
                forms.add_errors(form, exc)
        ctx["appoint_form" if action == "appoint" else "handover_form"] = form
    return render(request, "workforce/post_detail.html", ctx)


@require_cap(Cap.VIEW_BUSINESS)
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
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
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    h = get_visible(Handover.objects.select_related("post__division", "leaver", "successor", "receiver"),
                    request.user, pk=handover_id)
    return render(request, "workforce/handover.html", {"h": h})


@require_cap(Cap.VIEW_BUSINESS)
@require_GET
def handover_pdf_view(request: HttpRequest, handover_id: int) -> HttpResponse:
    h = get_visible(Handover.objects.select_related("post__division", "leaver", "successor", "receiver"),
                    request.user, pk=handover_id)
    audit.record_output("print", what="工作交接清单", count=1, division_code=h.post.division.code)
    resp = HttpResponse(handover_pdf.render(h), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="handover-{h.pk}.pdf"'
    return resp


# --- Training -----------------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_DASHBOARD)
def training_page(request: HttpRequest) -> HttpResponse:
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
    form = forms.SessionForm(user, request.POST if request.POST.get("action") != "plan" else None,
                             initial={"date": _today()})
    if request.method == "POST":
        if not _can_edit(user):
            raise PermissionDenied("您的角色不能登记培训")
        if request.POST.get("action") == "plan":
            try:
                training.create_plan(actor=user, division=user.division, year=year,
                                     title=request.POST.get("title", ""),
                                     planned_sessions=int(request.POST.get("planned_sessions") or 0),
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
                forms.add_errors(form, exc)
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
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
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
                    forms.add_errors(mform, exc)
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
def material_download(request: HttpRequest, material_id: int) -> HttpResponse:
    m = get_visible(TrainingMaterial.objects.select_related("session"), request.user, pk=material_id)
    if m.file:
        return FileResponse(m.file.open("rb"), as_attachment=True, filename=m.file.name.rsplit("/", 1)[-1])
    if m.link:
        return HttpResponseRedirect(m.link)
    raise Http404("资料不存在")


# --- Assessment ---------------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_DASHBOARD)
def assessment_page(request: HttpRequest) -> HttpResponse:
    # The county's 考核细则 is sent down to every township: reference data, like a parameter. Township rows
    # (scores, results, targets, awards) are read through visible().
    schemes = AssessmentScheme.objects.filter(division__level=Level.COUNTY).order_by("-year")
    if request.method == "POST":
        if not (_can_edit(request.user) and _is_county(request.user)):
            raise PermissionDenied("考核方案由区民政局制定")
        try:
            year = int(request.POST.get("year", ""))
            s = assess.create_scheme(year=year, division=request.user.division, actor=request.user)
        except (ValueError, ValidationError) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "已下达年度考核方案")
            return redirect("workforce:assessment_year", assess_year=s.year)
    awards = visible(Award, request.user).select_related("division", "staff")[:30]
    return render(request, "workforce/assessment.html", {
        "schemes": schemes, "awards": awards, "can_manage": _can_edit(request.user) and _is_county(request.user),
        "next_year": _today().year + (1 if _today().month >= 11 else 0)})


@require_cap(Cap.VIEW_DASHBOARD)
def assessment_year(request: HttpRequest, assess_year: int) -> HttpResponse:
    scheme = AssessmentScheme.objects.filter(division__level=Level.COUNTY, year=assess_year).first()
    if scheme is None:
        raise Http404("该年度没有考核方案")
    user = request.user
    can_manage = _can_edit(user) and _is_county(user) and scheme.division.path.startswith(user.division.path)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("考核由区民政局组织")
        action = request.POST.get("action")
        try:
            if action == "score":
                assess.score_scheme(scheme=scheme, actor=user)
                messages.success(request, "已完成年终评分和排名")
            elif action == "finalize":
                assess.finalize(scheme=scheme, actor=user)
                messages.success(request, "考核结果已定稿")
            elif action == "manual":
                ind = scheme.indicators.get(pk=int(request.POST.get("indicator", "0")))
                town = visible_divisions(user).get(pk=int(request.POST.get("township", "0")), level=Level.TOWNSHIP)
                assess.set_manual_score(actor=user, indicator=ind, township=town,
                                        score=Decimal(request.POST.get("score", "")), note=request.POST.get("note", ""))
                messages.success(request, "已录入评分")
            elif action == "target":
                ind = scheme.indicators.get(pk=int(request.POST.get("indicator", "0")))
                town = visible_divisions(user).get(pk=int(request.POST.get("township", "0")), level=Level.TOWNSHIP)
                raw = request.POST.get("target", "").strip()
                assess.set_target(actor=user, indicator=ind, township=town,
                                  target=Decimal(raw) if raw else None, task=request.POST.get("task", ""))
                messages.success(request, "已下达目标")
            elif action == "award":
                town = visible_divisions(user).get(pk=int(request.POST.get("township", "0")))
                assess.give_award(actor=user, division=town, year=scheme.year, title=request.POST.get("title", ""),
                                  reward=request.POST.get("reward", ""), date=_today())
                messages.success(request, "已记录表彰")
        except (ValidationError, ValueError, InvalidOperation, Indicator.DoesNotExist, Division.DoesNotExist) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
        return redirect("workforce:assessment_year", assess_year=scheme.year)
    indicators = list(scheme.indicators.all())
    towns = _townships(user)
    scores = {(s.indicator_id, s.township_id): s for s in visible(IndicatorScore, user).filter(indicator__scheme=scheme)}
    targets = {(t.indicator_id, t.township_id): t for t in
               visible(TownshipTarget, user).filter(indicator__scheme=scheme)}
    results = {r.township_id: r for r in visible(TownshipResult, user).filter(scheme=scheme)}
    table = [{"town": t, "result": results.get(t.pk),
              "cells": [{"ind": i, "score": scores.get((i.pk, t.pk)), "target": targets.get((i.pk, t.pk))}
                        for i in indicators]} for t in towns]
    table.sort(key=lambda r: (r["result"] is None or r["result"].rank is None,
                              r["result"].rank if r["result"] and r["result"].rank else 0, r["town"].code))
    ranked = [r["result"] for r in table if r["result"] and r["result"].total is not None]
    return render(request, "workforce/assessment_year.html", {
        "scheme": scheme, "indicators": indicators, "table": table, "can_manage": can_manage,
        "towns": towns, "weight_sum": sum(i.weight for i in indicators),
        "chart": charts.assessment_chart(sorted(ranked, key=lambda r: r.township.code)) if ranked else None,
        "awards": visible(Award, user).filter(year=scheme.year).select_related("division", "staff")})


@require_cap(Cap.VIEW_BUSINESS)
def coordinators_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    year = _year(request)
    towns = _townships(user)
    town = next((t for t in towns if str(t.pk) == request.GET.get("township")), None) or (towns[0] if towns else None)
    if request.method == "POST":
        if not _can_edit(user):
            raise PermissionDenied("您的角色不能登记例会和检查")
        action = request.POST.get("action")
        try:
            if action == "meeting":
                t = visible_divisions(user).get(pk=int(request.POST.get("township", "0")), level=Level.TOWNSHIP)
                ids = {int(x) for x in request.POST.getlist("attendees") if x.isdigit()}
                assess.record_meeting(actor=user, township=t, date=dt.date.fromisoformat(request.POST["date"]),
                                      topic=request.POST.get("topic", "") or "协管员例会", attendee_ids=ids,
                                      minutes=request.POST.get("minutes", ""))
                messages.success(request, "例会已登记")
            elif action == "check":
                person = get_visible(StaffMember, user, pk=int(request.POST.get("staff", "0")))
                assess.record_check(actor=user, staff=person, year=int(request.POST["year"]),
                                    quarter=int(request.POST["quarter"]), score=Decimal(request.POST["score"]),
                                    date=_today(), findings=request.POST.get("findings", ""))
                messages.success(request, "季度检查已登记")
        except (ValidationError, ValueError, KeyError, InvalidOperation, Division.DoesNotExist) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", ["输入有误"])))
        return redirect(f"{reverse('workforce:coordinators')}?township={request.POST.get('township', '')}")
    scores = assess.coordinator_scores(town, year) if town else []
    meetings = visible(CoordinatorMeeting, user).filter(date__year=year)
    if town:
        meetings = meetings.filter(township=town)
    return render(request, "workforce/coordinators.html", {
        "year": year, "towns": towns, "town": town, "scores": scores,
        "meetings": meetings.annotate(n=Count("attendees")), "can_edit": _can_edit(user), "today": _today(),
        "quarter": (_today().month - 1) // 3 + 1})


@require_cap(Cap.VIEW_BUSINESS)
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    m = get_visible(CoordinatorMeeting.objects.select_related("township"), request.user, pk=meeting_id)
    return render(request, "workforce/meeting.html", {"m": m, "attendees": visible(StaffMember, request.user)
                                                      .filter(meetings=m).select_related("division")})


# --- 民情直通车 ----------------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def needs_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.VILLAGE_COORDINATOR:
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
    base = visible(NeedReport, user)
    counts = {"open": base.exclude(status=NeedStatus.RESOLVED).count(),
              "escalated": needs.district_queue(base, today).count(),
              "resolved": base.filter(status=NeedStatus.RESOLVED).count()}
    return render(request, "workforce/needs.html", {"items": qs[:300], "view": view, "counts": counts,
                                                    "today": today, "category": cat,
                                                    "categories": NeedReport._meta.get_field("category").choices})


@require_cap(Cap.VIEW_BUSINESS)
def needs_mine(request: HttpRequest) -> HttpResponse:
    items = visible(NeedReport, request.user).filter(reported_by=request.user).select_related("village")[:50]
    return render(request, "workforce/needs_mine.html", {"items": items, "today": _today()})


@require_cap(Cap.VIEW_BUSINESS)
def need_new(request: HttpRequest) -> HttpResponse:
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
                             source="coordinator" if user.role == Role.VILLAGE_COORDINATOR else "staff")
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, f"已上报，编号 {r.reference}，{r.village.parent.name}将在 {r.deadline:%m月%d日} 前办理")
            return redirect("workforce:need_detail", needreport_id=r.pk)
    return render(request, "workforce/need_new.html", {"form": form})


@require_cap(Cap.VIEW_BUSINESS)
def need_detail(request: HttpRequest, needreport_id: int) -> HttpResponse:
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
                to = User.objects.get(pk=int(request.POST.get("assignee", "0")))
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
        "r": r, "events": r.events.all(), "can_handle": _can_edit(user), "today": _today(),
        "reporter": r.reporter_name if sensitive else mask_name(r.reporter_name),
        "phone": r.reporter_phone if sensitive else mask_phone(r.reporter_phone), "assignees": assignees})


@require_cap(Cap.VIEW_BUSINESS)
def need_photo(request: HttpRequest, needreport_id: int) -> HttpResponse:
    r = get_visible(NeedReport, request.user, pk=needreport_id)
    if not r.photo:
        raise Http404("没有照片")
    return FileResponse(r.photo.open("rb"), content_type=needs.PHOTO_FORMATS.get(
        {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}.get(r.photo.name.rsplit(".", 1)[-1].lower(), ""), ("", "image/jpeg"))[1])


@require_cap(Cap.VIEW_DASHBOARD)
def needs_stats(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    qs = visible(NeedReport, request.user).filter(created_at__year=year)
    st = needs.stats(qs)
    villages = [f"{v['village__parent__name'] or ''}{v['village__name']}" for v in st["by_village"]]
    return render(request, "workforce/needs_stats.html", {
        "year": year, "st": st, "total": qs.count(),
        "on_time": qs.filter(status=NeedStatus.RESOLVED).count(),
        "pie": charts.pie(st["by_category"]),
        "villages": charts.bar(villages, [("件数", [v["n"] for v in st["by_village"]], charts.RED)])})


# --- Documents downward ---------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def circulars_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    inbox = (CircularReceipt.objects.filter(recipient=user.division).select_related("circular__issuer")
             .order_by("-circular__published_at")[:100]) if user.division else []
    outbox = visible(Circular, user).annotate(
        total=Count("receipts"), read=Count("receipts", filter=Q(receipts__read_at__isnull=False)))[:100]
    can_issue = _can_edit(user) and user.division and user.division.level in (Level.COUNTY, Level.TOWNSHIP)
    return render(request, "workforce/circulars.html", {"inbox": inbox, "outbox": outbox, "can_issue": can_issue})


@require_cap(Cap.EDIT_BUSINESS)
def circular_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _can_edit(user) or user.division.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise PermissionDenied("只有区民政局和乡镇(街道)可以下达文件")
    form = forms.CircularForm(user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        recipients = list(d["recipients"])
        if d.get("include_villages"):
            recipients += list(visible_divisions(user).filter(parent__in=recipients, level=Level.VILLAGE))
        try:
            c = circulars.publish(actor=user, issuer=user.division, title=d["title"], recipients=recipients,
                                  body=d["body"], doc_number=d["doc_number"], attachment=d.get("attachment"),
                                  link=d.get("link") or "")
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, f"已下达 {c.receipts.count()} 个单位")
            return redirect("workforce:circular_detail", circular_id=c.pk)
    return render(request, "workforce/form.html", {"form": form, "title": "下达文件", "multipart": True})


@require_cap(Cap.VIEW_BUSINESS)
def circular_detail(request: HttpRequest, circular_id: int) -> HttpResponse:
    c = get_visible(Circular.objects.select_related("issuer"), request.user, pk=circular_id)
    receipts = list(c.receipts.select_related("recipient__parent"))
    return render(request, "workforce/circular.html", {
        "c": c, "receipts": receipts, "unread": [r for r in receipts if r.read_at is None]})


@require_cap(Cap.VIEW_BUSINESS)
def receipt_detail(request: HttpRequest, receipt_id: int) -> HttpResponse:
    rc = get_visible(CircularReceipt.objects.select_related("circular__issuer", "recipient"), request.user,
                     pk=receipt_id)
    circulars.mark_read(user=request.user, receipt=rc)
    return render(request, "workforce/receipt.html", {"rc": rc, "c": rc.circular})


def _serve_attachment(c: Circular) -> HttpResponse:
    if c.attachment:
        return FileResponse(c.attachment.open("rb"), as_attachment=True,
                            filename=c.attachment.name.rsplit("/", 1)[-1])
    if c.link:
        return HttpResponseRedirect(c.link)
    raise Http404("没有附件")


@require_cap(Cap.VIEW_BUSINESS)
def circular_attachment(request: HttpRequest, circular_id: int) -> HttpResponse:
    return _serve_attachment(get_visible(Circular, request.user, pk=circular_id))


@require_cap(Cap.VIEW_BUSINESS)
def receipt_attachment(request: HttpRequest, receipt_id: int) -> HttpResponse:
    rc = get_visible(CircularReceipt.objects.select_related("circular"), request.user, pk=receipt_id)
    circulars.mark_read(user=request.user, receipt=rc)
    return _serve_attachment(rc.circular)


# --- Work notes -----------------------------------------------------------------------------------------------------


@require_cap(Cap.EDIT_BUSINESS)
def notes_page(request: HttpRequest) -> HttpResponse:
    form = forms.NoteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            staff.add_note(actor=request.user, division=d["division"], title=d["title"], body=d["body"],
                           follow_up=d["follow_up"])
        except ValidationError as exc:
            forms.add_errors(form, exc)
        else:
            messages.success(request, "已记下；离岗交接时会随岗位移交给接任人")
            return redirect("workforce:notes")
    notes = visible(WorkNote, request.user).filter(owner=request.user).select_related("division")
    return render(request, "workforce/notes.html", {"notes": notes, "form": form})


@require_cap(Cap.EDIT_BUSINESS)
@require_POST
def note_close(request: HttpRequest, note_id: int) -> HttpResponse:
    note = get_visible(WorkNote, request.user, pk=note_id)
    if note.owner_id != request.user.pk:
        raise PermissionDenied("只能办结自己的笔记")
    staff.close_note(actor=request.user, note=note)
    return redirect("workforce:notes")
