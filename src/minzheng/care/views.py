"""关爱走访 pages: the files list and export, a visitor's due/overdue list (phone-first), a file with its visits,
referrals and group facts, the visit form, institutions with occupancy, and the overview per group and division.

Read-only pages answer GET only (a POST is 405 and writes nothing); every write goes through care.services."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.models import User
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs, listexport
from minzheng.core.scoping import get_visible, may_edit, visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry.masking import can_see_sensitive, mask_id
from minzheng.registry.models import Enrollment, Person

from . import access, selectors
from .models import (
    Admission,
    CareFile,
    ChildProfile,
    FileStatus,
    Group,
    GuardianshipStatus,
    Institution,
    ParentStatus,
    ReferralTo,
    Risk,
    Visit,
    VisitMode,
)
from .services import files as file_services
from .services import registers, tekun, visits
from .services.common import EVENT_LABELS, params

VIEWS = {"all": "全部在册", "due": "30日内应访", "overdue": "逾期未访", "escalated": "逾期督办", "closed": "已结案"}


def _errors(exc: ValidationError | PermissionDenied) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc) or "输入有误"])


def _filtered(request: AuthedRequest, today: dt.date) -> tuple[Any, dict[str, str]]:
    user = request.user
    qs = access.files_for(user).select_related("person", "village__parent", "responsible")
    group = request.GET.get("group", "")
    if group and group in access.groups_for(user):
        qs = qs.filter(group=group)
    view = request.GET.get("view", "all")
    if view not in VIEWS:
        view = "all"
    if view == "closed":
        qs = qs.filter(status=FileStatus.CLOSED)
    else:
        qs = qs.filter(status=FileStatus.OPEN)
    if view == "due":
        qs = selectors.due_within(qs, today, 30)
    elif view == "overdue":
        qs = selectors.overdue(qs, today)
    elif view == "escalated":
        qs = qs.filter(escalation__gt=0)
    risk = request.GET.get("risk", "")
    if risk in Risk.values:
        qs = qs.filter(risk=risk)
    village = inputs.get_id(request, "village")
    if village:
        qs = qs.filter(Q(village_id=village) | Q(village__parent_id=village))
    return qs.order_by("next_due", "id"), {"group": group, "view": view, "risk": risk}


@require_GET
@require_cap(Cap.VIEW_BUSINESS)
def files_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = dates.today()
    if not access.groups_for(user):
        raise PermissionDenied("您的角色不查看关爱档案")
    qs, f = _filtered(request, today)
    sensitive = can_see_sensitive(user)
    if listexport.requested(request):
        return listexport.response(request, what="关爱档案", headers=[
            "类别", "姓名", "公民身份号码", "乡镇(街道)", "村(社区)", "对象类型", "风险等级", "走访责任人", "最近走访",
            "下次走访期限", "督办"], rows=([
                c.get_group_display(), c.person.name, c.person.id_number if sensitive else mask_id(c.person.id_number),
                c.village.parent.name if c.village.parent else "", c.village.name,
                "、".join(file_services.label_categories(c)), c.get_risk_display(),
                c.responsible.full_name or c.responsible.username if c.responsible else "", c.last_visit_on or "",
                c.next_due, ["", "乡镇", "区"][c.escalation]] for c in qs.iterator(chunk_size=2000)))
    page = list(qs[:300])
    for c in page:
        c.labels = file_services.label_categories(c)
        c.id_shown = c.person.id_number if sensitive else mask_id(c.person.id_number)
    if any(c.group == Group.CHILD for c in page):
        from minzheng.audit import services as audit

        audit.record("care.child.list", summary="查看儿童关爱档案列表", detail={"filters": f})
    return render(request, "care/files.html", {
        "files": page, "count": qs.count(), "f": f, "views": VIEWS, "today": today,
        "groups": [(g, Group(g).label) for g in access.groups_for(user)], "risks": Risk.choices,
        "can_derive": user.has_cap(Cap.EDIT_BUSINESS), "sensitive": sensitive})


@require_GET
@require_cap(Cap.CARE_VISIT)
def mine_page(request: AuthedRequest) -> HttpResponse:
    """A visitor's list on the phone: overdue first, then due within the week, then the rest."""
    today = dates.today()
    qs = selectors.mine(request.user).select_related("person", "village")
    over = list(selectors.overdue(qs, today).order_by("next_due")[:100])
    soon = list(selectors.due_within(qs, today, 7).order_by("next_due")[:100])
    later = list(qs.filter(next_due__gt=today + dt.timedelta(days=7)).order_by("next_due")[:100])
    if any(c.group == Group.CHILD for c in over + soon + later):
        from minzheng.audit import services as audit

        audit.record("care.child.list", summary="查看我的儿童走访对象")
    return render(request, "care/mine.html", {"overdue": over, "soon": soon, "later": later, "today": today})


def _file_context(request: AuthedRequest, f: CareFile) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    sensitive = can_see_sensitive(user)
    ctx: dict[str, Any] = {
        "f": f, "today": today, "categories": file_services.label_categories(f),
        "id_number": f.person.id_number if sensitive else mask_id(f.person.id_number),
        "age": f.person.age_on(today), "visits": _visit_rows(f, today),
        "referrals": f.referrals.all(), "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in f.events.all()],
        "can_write": _can_write(user, f), "can_visit": access.may_visit(user, f),
        "referral_to": ReferralTo.choices, "risks": Risk.choices,
        # Payments linked to the file: the person's benefits (特困, 优抚, 两项补贴, 高龄, 孤儿 …).
        "enrollments": Enrollment.objects.filter(person=f.person).select_related("programme").order_by("-start_month"),
    }
    if ctx["can_write"]:
        ctx["visitors"] = _visitors(f)
    if f.group == Group.CHILD:
        ctx["child"] = ChildProfile.objects.filter(file=f).first()
        ctx["guardianship"] = GuardianshipStatus.choices
        ctx["parent_status"] = ParentStatus.choices
    elif f.group == Group.TEKUN:
        ctx.update({"admission": tekun.open_admission(f), "agreement": tekun.live_agreement(f),
                    "agreements": f.agreements.all(), "admissions": f.admissions.select_related("institution"),
                    "arrangement": tekun.arrangement(f), "tier": tekun.TIER_LABELS.get(tekun.self_care_tier(f, today), "未评估"),
                    "needs_agreement": tekun.needs_agreement(f, today),
                    "priority": tekun.institution_priority(f, today),
                    "services": list(params(today, f.village)("care.tekun.services")),
                    "institutions": visible(Institution, user) if ctx["can_write"] else [],
                    "annual": f.annual_checks.all()})
    elif f.group == Group.YOUFU:
        from minzheng.payments.models import BeneficiaryFacts

        ctx.update({"facts": BeneficiaryFacts.objects.filter(person=f.person).first(), "annual": f.annual_checks.all(),
                    "documents": (f.details or {}).get("documents", []),
                    "occasions": list(params(today, f.village)("care.youfu.holiday_occasions"))})
    elif f.group == Group.DISABLED:
        from minzheng.payments.models import BeneficiaryFacts

        ctx["facts"] = BeneficiaryFacts.objects.filter(person=f.person).first()
    elif f.group == Group.ELDER:
        ctx["children_away"] = (f.details or {}).get("children_away_months", 0)
    return ctx


def _visit_rows(f: CareFile, today: dt.date) -> list[Visit]:
    labels = {fd["code"]: fd["label"] for fd in visits.form_for(f.group, today, f.village)[0]}
    out = list(f.visits.all()[:50])
    for v in out:
        v.rows = [(labels.get(k, k), "是" if a is True else "否" if a is False else a)  # type: ignore[attr-defined]
                  for k, a in (v.answers or {}).items()]
    return out


def _can_write(user: Any, f: CareFile) -> bool:
    return may_edit(user, f, Cap.EDIT_BUSINESS) or (f.group == Group.CHILD and access.may_visit(user, f))


def _visitors(f: CareFile) -> list[User]:
    township = f.village.parent
    divs = [f.village_id] + ([township.pk] if township else [])
    users = User.objects.filter(is_active=True, division_id__in=divs).order_by("username")
    return [u for u in users if u.has_cap(Cap.CARE_VISIT) and f.group in access.groups_for(u)]


@require_http_methods(["GET", "POST"])
@require_cap(Cap.VIEW_BUSINESS)
def file_page(request: AuthedRequest, file_id: int) -> HttpResponseBase:
    user = request.user
    f = access.open_file(user, file_id)
    if request.method == "POST":
        try:
            msg = _file_action(request, f)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, msg)
        return redirect("care:file", file_id=f.pk)
    return render(request, "care/file.html", _file_context(request, f))


def _file_action(request: AuthedRequest, f: CareFile) -> str:
    user, post = request.user, request.POST
    action = post.get("action", "")
    if action == "risk":
        file_services.set_risk(actor=user, file=f, risk=post.get("risk", ""), reasons=post.get("reasons", "").splitlines())
        return "已更新风险等级"
    if action == "plan":
        file_services.set_plan(actor=user, file=f, plan=post.get("plan", ""))
        return "已保存关爱计划"
    if action == "assign":
        uid = inputs.form_id(post, "responsible", label="走访责任人")
        file_services.assign(actor=user, file=f, responsible=User.objects.filter(pk=uid).first())
        return "已指定走访责任人"
    if action == "refer":
        file_services.refer(actor=user, file=f, to=post.get("to", ""), reason=post.get("reason", ""))
        return "已转介"
    if action == "close_referral":
        rid = inputs.form_id(post, "referral", label="转介")
        r = f.referrals.filter(pk=rid).first()
        if r is None:
            raise ValidationError({"referral": "转介不存在"})
        file_services.close_referral(actor=user, referral=r, outcome=post.get("outcome", ""))
        return "转介已办结"
    if action == "close":
        file_services.close(actor=user, file=f, reason=post.get("reason", ""))
        return "已结案"
    if action == "child":
        file_services.save_child(actor=user, file=f, data={k: post.get(k, "") for k in file_services.CHILD_FIELDS})
        return "已保存儿童信息，类型和风险等级已按规则更新"
    if action == "agreement":
        tekun.sign_agreement(actor=user, file=f, carer_name=post.get("carer_name", ""),
                             carer_relation=post.get("carer_relation", ""), services=post.getlist("services"),
                             monthly_fee=post.get("monthly_fee", "0"))
        return "已签订委托照料协议"
    if action == "admit":
        iid = inputs.form_id(post, "institution", label="供养服务机构")
        inst = get_visible(Institution, user, pk=iid)
        tekun.admit(actor=user, file=f, institution=inst, bed=post.get("bed", ""))
        return "已办理入住（集中供养）"
    if action == "discharge":
        adm = tekun.open_admission(f)
        if adm is None:
            raise ValidationError({"admission": "该对象不在机构"})
        tekun.discharge(actor=user, admission=adm, reason=post.get("reason", ""), to_home=post.get("to_home") == "1",
                        carer_name=post.get("carer_name", ""), services=post.getlist("services"),
                        monthly_fee=post.get("monthly_fee", "0"), carer_relation=post.get("carer_relation", ""))
        return "已办理离院"
    if action == "annual":
        year = inputs.form_int(post, "year", label="年度", lo=2000, hi=dates.today().year)
        registers.annual_check(actor=user, file=f, year=year, result=post.get("result", ""))
        return "已记录年度确认"
    if action == "documents":
        registers.set_documents(actor=user, file=f, documents=post.get("documents", "").splitlines())
        return "已保存认定文书"
    if action == "care_need":
        registers.set_care_need(actor=user, file=f, needs_long_term_care=post.get("needs_long_term_care") == "1")
        return "已更新照护需求（残疾人护理补贴同用此认定）"
    if action == "children_away":
        months = inputs.form_int(post, "children_away_months", label="子女外出月数", lo=0, hi=600)
        registers.record_children_away(actor=user, file=f, months=months)
        return "已记录子女外出情况"
    raise ValidationError({"action": "未知操作"})


@require_http_methods(["GET", "POST"])
@require_cap(Cap.CARE_VISIT)
def visit_new(request: AuthedRequest, file_id: int) -> HttpResponseBase:
    """The visit form on the phone: the group's fields (from its form parameter), findings, photo, needs."""
    user = request.user
    f = access.open_file(user, file_id)
    today = dates.today()
    fields, _ = visits.form_for(f.group, today, f.village)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        post = request.POST
        data: dict[str, Any] = {
            "visited_on": post.get("visited_on") or today.isoformat(), "mode": post.get("mode", ""),
            "answers": {fd["code"]: post.get(f"a_{fd['code']}", "") for fd in fields},
            "findings": post.get("findings", ""), "risk": post.get("risk", ""), "occasion": post.get("occasion", ""),
            "client_id": post.get("client_id", "")}
        if post.get("need_category"):
            data["need"] = {"category": post.get("need_category"), "description": post.get("need_description", "")}
        if post.get("referral_to"):
            data["referral"] = {"to": post.get("referral_to"), "reason": post.get("referral_reason", "")}
        try:
            visits.record_visit(user, f, data, photo=request.FILES.get("photo"))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, f"已记录对 {f.person.name} 的走访")
            if user.division is not None and user.division.level == Level.VILLAGE:
                return redirect("care:mine")  # the village visitor goes back to their list, on to the next person
            return redirect("care:file", file_id=f.pk)
    return render(request, "care/visit_new.html", {
        "f": f, "fields": fields, "modes": VisitMode.choices, "risks": Risk.choices, "today": today,
        # One id per filled form: a double tap or a resend after a dropped connection records the visit once.
        "client_id": request.POST.get("client_id") or f"web-{uuid.uuid4().hex}",
        "errors": errors, "post": request.POST, "visited_on": request.POST.get("visited_on") or today.isoformat(), "need_categories": visits.NEED_CATEGORIES.items(),
        "referral_to": ReferralTo.choices,
        "occasions": list(params(today, f.village)("care.youfu.holiday_occasions"))
        if f.group == Group.YOUFU else []}, status=422 if errors else 200)


@require_GET
@require_cap(Cap.VIEW_BUSINESS)
def visit_photo(request: AuthedRequest, visit_id: int) -> HttpResponseBase:
    v = get_visible(Visit.objects.select_related("file"), request.user, pk=visit_id)
    access.open_file(request.user, v.file_id)  # a child's photo only to roles with the need, audited
    if not v.photo:
        raise Http404("没有照片")
    return FileResponse(v.photo.open("rb"), content_type="image/jpeg")


@require_http_methods(["GET", "POST"])
@require_cap(Cap.EDIT_BUSINESS)
def file_new(request: AuthedRequest) -> HttpResponseBase:
    """登记: open a file for a person found by 公民身份号码."""
    user = request.user
    groups = [(g, Group(g).label) for g in access.groups_for(user)]
    error = ""
    if request.method == "POST":
        number = request.POST.get("id_number", "").strip().upper()
        person = visible(Person, user).filter(id_number=number).first()
        try:
            if person is None:
                raise ValidationError({"id_number": "辖区内没有该公民身份号码的人员"})
            f = file_services.open_file(actor=user, person=person, group=request.POST.get("group", ""))
        except (ValidationError, PermissionDenied) as exc:
            error = _errors(exc)
        else:
            messages.success(request, "已建档")
            return redirect("care:file", file_id=f.pk)
    return render(request, "care/file_new.html", {"groups": groups, "error": error}, status=422 if error else 200)


@require_http_methods(["POST"])
@require_cap(Cap.EDIT_BUSINESS)
def derive_page(request: AuthedRequest) -> HttpResponseBase:
    """从人口库生成名册 for the officer's own jurisdiction (老年人, 特困, 优抚, 残疾人)."""
    user = request.user
    group = request.POST.get("group", "")
    if group not in access.groups_for(user) or group == Group.CHILD or user.division is None:
        messages.error(request, "请选择老年人、特困人员、优抚对象或残疾人")
        return redirect("care:files")
    try:
        n = registers.derive(group, divisions=[user.division])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已新建{Group(group).label}关爱档案 {n} 份")
    return redirect(f"{_url('care:files')}?group={group}")


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@require_GET
@require_cap(Cap.VIEW_BUSINESS)
def overview_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    rows = selectors.overview(user)
    if listexport.requested(request):
        return listexport.response(request, what="关爱走访概况", headers=selectors.OVERVIEW_HEADERS,
                                   rows=selectors.overview_rows(rows))
    return render(request, "care/overview.html", {"rows": rows, "totals": selectors.totals(rows),
                                                  "today": dates.today()})


@require_http_methods(["GET", "POST"])
@require_cap(Cap.OFFICE_WORK)
def institutions_page(request: AuthedRequest) -> HttpResponseBase:
    user = request.user
    if request.method == "POST":
        div = visible_divisions(user).filter(pk=inputs.form_id(request.POST, "division", label="所在乡镇(街道)")).first()
        try:
            if div is None:
                raise ValidationError({"division": "请选择辖区内的乡镇(街道)"})
            tekun.create_institution(actor=user, division=div, name=request.POST.get("name", ""),
                                     kind=request.POST.get("kind", ""),
                                     beds=inputs.form_int(request.POST, "beds", label="床位数", lo=1, hi=5000))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "已登记供养服务机构")
        return redirect("care:institutions")
    from .models import InstitutionKind

    rows = tekun.occupancy(visible(Institution, user))
    if listexport.requested(request):
        return listexport.response(request, what="供养服务机构", headers=[
            "名称", "类型", "所在乡镇(街道)", "床位数", "在住", "空床", "入住率（%）"], rows=(
            [r["institution"].name, r["institution"].get_kind_display(), r["institution"].division.name, r["beds"],
             r["occupied"], r["free"], r["rate"]] for r in rows))
    return render(request, "care/institutions.html", {
        "rows": rows, "kinds": InstitutionKind.choices,
        "townships": visible_divisions(user).filter(level__in=[Level.TOWNSHIP, Level.COUNTY]).order_by("code"),
        "can_edit": user.has_cap(Cap.EDIT_BUSINESS)})


@require_GET
@require_cap(Cap.OFFICE_WORK)
def institution_page(request: AuthedRequest, institution_id: int) -> HttpResponse:
    user = request.user
    inst = get_visible(Institution, user, pk=institution_id)
    residents = (access.scoped(Admission, user).filter(institution=inst, discharged_on__isnull=True)
                 .select_related("file__person").order_by("bed"))
    past = (access.scoped(Admission, user).filter(institution=inst, discharged_on__isnull=False)
            .select_related("file__person")[:50])
    return render(request, "care/institution.html", {"inst": inst, "residents": residents, "past": past,
                                                     "tiers": tekun.TIER_LABELS,
                                                     "occupancy": tekun.occupancy(Institution.objects.filter(pk=inst.pk))[0]})
