"""Pages of the assistance workflow: intake, the case file with its actions, queues, 公示, 近亲属, 动态管理.

Views are thin: they read through selectors/core.scoping and change state only through actions/services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record_output
from minzheng.core import dates, inputs, listexport
from minzheng.core.forms import add_errors_to_form, flash_errors
from minzheng.core.scoping import get_visible, may_edit, visible, visible_divisions
from minzheng.regions.picker import DivisionField
from minzheng.registry import selectors as registry_selectors
from minzheng.registry import validators
from minzheng.registry.masking import can_see_sensitive, shown
from minzheng.registry.models import Household, Person, ProgrammeFamily

from . import actions, documents, rules, selectors, services, workflow
from .models import (
    Application,
    Channel,
    CheckSource,
    KinshipRegistration,
    LinshiType,
    Objection,
    Publicity,
    PublicityStatus,
    ReviewSchedule,
    RuleSet,
    StaffRole,
    Status,
    SupporterRelation,
)

PROGRAMME_CHOICES = [("dibao_urban", "城市低保"), ("dibao_rural", "农村低保"), ("tekun_dispersed", "特困供养(分散)"),
                     ("tekun_central", "特困供养(集中)"), ("linshi", "临时救助")]


# --- lists and queues ----------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def case_list(request: AuthedRequest) -> HttpResponse:
    g = request.GET
    qs = selectors.filtered(request.user, status=g.get("status", "open"), programme=g.get("programme", ""),
                            flag=g.get("flag", ""), q=g.get("q", "").strip(), township=g.get("township", ""))
    today = dates.today()
    if listexport.requested(request):
        cases = qs.order_by("step_due", "-id").select_related("programme", "applicant", "township", "division")
        return listexport.response(request, what="救助案件", headers=_CASE_HEADERS,
                                   rows=(_case_row(a) for a in cases.iterator(chunk_size=2000)))
    page = Paginator(qs.order_by("step_due", "-id"), 50).get_page(g.get("page"))
    rows = [{"app": a, "flags": selectors.flags(a, today), "step": workflow.step_label(a, a.status)} for a in page]
    return render(request, "assistance/list.html", {
        "page": page, "rows": rows, "statuses": Status.choices, "programmes": PROGRAMME_CHOICES,
        "townships": visible_divisions(request.user).filter(level="township"), "g": g,
        "can_create": request.user.has_cap(Cap.EDIT_BUSINESS)})


_CASE_HEADERS = ["案件编号", "救助项目", "申请人", "乡镇(街道)", "村(社区)", "受理日期", "状态", "本环节期限",
                 "拟保障金额(元)"]


def _case_row(a: Application) -> list[Any]:
    return [a.number, a.programme.name, a.applicant.name, a.township.name, a.division.name, a.received_on,
            a.get_status_display(), a.step_due or "", a.proposed_amount if a.proposed_amount is not None else ""]


@require_cap(Cap.APPROVE)
def queue(request: AuthedRequest) -> HttpResponse:
    today = dates.today()
    flag = request.GET.get("flag", "")
    qs = selectors.county_queue(request.user)
    if flag == "kinship":
        qs = qs.filter(kinship_flag=True)
    elif flag == "objection":
        qs = qs.filter(objection_flag=True)
    elif flag == "overdue":
        qs = qs.filter(status=Status.COUNTY_REVIEW).filter(Q(step_due__lt=today) | Q(overall_due__lt=today))
    elif flag == "spot_check":
        qs = qs.filter(spot_check=True)
    todos: list[tuple[Application, str]] = []
    for a in qs[:500]:
        if a.status == Status.APPROVED:
            todo = "事后入户抽查"
        elif a.confirm_level == "township":
            todo = "县级入户（乡镇确认前）"
        elif a.spot_check or a.county_visit_required:
            todo = "入户核查后审核确认"
        else:
            todo = "审核确认"
        todos.append((a, todo))
    if listexport.requested(request):
        return listexport.response(request, what="县级审核确认", headers=[*_CASE_HEADERS, "待办"],
                                   rows=([*_case_row(a), todo] for a, todo in todos))
    rows = [{"app": a, "flags": selectors.flags(a, today), "todo": todo} for a, todo in todos]
    tabs = [("", "全部"), ("kinship", "近亲属"), ("objection", "有异议"), ("overdue", "逾期"),
            ("spot_check", "抽查样本")]
    return render(request, "assistance/queue.html", {"rows": rows, "flag": flag, "tabs": tabs, "today": today})


# --- intake ----------------------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    programme = forms.ChoiceField(label="救助项目", choices=PROGRAMME_CHOICES)
    applicant = forms.TypedChoiceField(label="申请人", coerce=int)
    person = forms.TypedChoiceField(label="救助对象（特困、单人保）", coerce=int, required=False, empty_value=None)
    channel = forms.ChoiceField(label="申请方式", choices=Channel.choices)
    entrusted_to = forms.CharField(label="受委托人", required=False, max_length=64)
    rule_set = forms.ChoiceField(label="适用办法", choices=[("", "按当前参数"), *list(RuleSet.choices)],
                                 required=False)
    linshi_type = forms.ChoiceField(label="临时救助类型", choices=[("", "—"), *list(LinshiType.choices)],
                                    required=False)
    months = forms.IntegerField(label="临时救助月数", required=False, min_value=1, max_value=12)
    expense_amount = forms.DecimalField(label="支出型：家庭自付支出(元)", required=False, min_value=0.01,
                                        max_digits=12, decimal_places=2)
    single_person = forms.BooleanField(label="单人保", required=False)
    selfcare_failed = forms.MultipleChoiceField(label="特困：不能达到的自理项目", required=False,
                                                choices=list(rules.SELF_CARE_ITEMS.items()),
                                                widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    declared_kinship = forms.CharField(label="是否为民政经办人员或村(居)委会成员的近亲属（申报）", required=False,
                                       max_length=200, help_text="如：村委会主任张三的女儿；无则留空")
    # ISO value: a type=date input shows nothing for the locale's 2026/11/29 format
    received_on = forms.DateField(label="受理日期",
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args: Any, members: list[Person], **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = [(p.pk, f"{p.name}（{p.get_relation_display()}）") for p in members]
        self.fields["applicant"].choices = choices  # type: ignore[attr-defined]  # stubs: base Field
        self.fields["person"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]


@require_cap(Cap.EDIT_BUSINESS)
def intake(request: AuthedRequest) -> HttpResponse:
    """受理: find the household in the registry, then file the application (本人/委托/主动发现)."""
    q = request.GET.get("q", "").strip()
    found: list[Household] = []
    if q:
        # the same search as everywhere else: name, pinyin initials, ID number or its last digits, phone
        people = registry_selectors.search_persons(request.user, q, include_deceased=False)
        found = list(visible(Household, request.user).filter(pk__in=people.values("household_id")[:30])
                     .select_related("head", "division")[:30])
    household = None
    hh_id = inputs.as_id(request.POST.get("household") or request.GET.get("household"), "household")
    if hh_id:
        household = get_visible(Household, request.user, pk=hh_id)
    form = None
    if household is not None:
        members = list(household.members.filter(is_deceased=False).order_by("id"))
        initial = {"received_on": dates.today(), "channel": Channel.SELF,
                   "applicant": household.head_id}
        if request.user.has_cap(Cap.REPORT_NEEDS):  # the village coordinator found the family
            initial["channel"] = Channel.DISCOVERED
        form = IntakeForm(request.POST or None, members=members, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            by_pk = {p.pk: p for p in members}
            try:
                app = services.create_application(
                    actor=request.user, programme_code=d["programme"], household=household,
                    applicant=by_pk[d["applicant"]], person=by_pk.get(d["person"]) if d["person"] else None,
                    channel=d["channel"], entrusted_to=d["entrusted_to"], rule_set=d["rule_set"] or None,
                    linshi_type=d["linshi_type"], months=d["months"], single_person=d["single_person"],
                    selfcare_failed=d["selfcare_failed"], reason=d["reason"],
                    declared_kinship=d["declared_kinship"], received_on=d["received_on"],
                    expense_amount=d["expense_amount"])
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, f"已受理，案件编号 {app.number}")
                if app.kinship_flag:
                    messages.warning(request, "本案涉及近亲属备案，须县级入户调查")
                return redirect("assistance:detail", application_id=app.pk)
    return render(request, "assistance/intake.html", {"q": q, "found": found, "household": household,
                                                      "form": form})


# --- the case file ---------------------------------------------------------------------------------------------


def _case_context(request: AuthedRequest, app: Application) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    steps = workflow.path(app)
    current = Status(app.status)
    idx = steps.index(current) if current in steps else len(steps)
    allowed = workflow.allowed_actions(app, user)
    members = [{"p": p, "id": shown(user, p.id_number, "id"), "phone": shown(user, p.phone, "phone")}
               for p in app.household.members.filter(is_deceased=False).order_by("id")]
    pub = app.publicities.order_by("-start_date", "-id").first()
    decision, preview, preview_error = app.decision, False, ""
    if not decision and app.is_open and app.status in (Status.TOWNSHIP_REVIEW, Status.ACCEPTED, Status.CHECKING):
        # The rules explain themselves where the officer decides: run them now (nothing stored until 初审).
        try:
            decision, preview = services.assess(app), True
        except ValidationError as exc:
            preview_error = "；".join(exc.messages)
    due_in = (app.step_due - today).days if app.step_due and app.is_open else None
    # The step that moves the case on (never a refusal or a withdrawal), for the banner at the top.
    spot_pending = hasattr(app, "spot_check_record") and not app.spot_check_record.done
    skip = {"withdraw", "township_refuse", "county_refuse", "county_return", "handle_objection"}
    if not spot_pending:
        skip.add("record_spot_check")  # an unplanned county visit is possible, but it is not the next step
    primary = [a for a in allowed if a.code not in skip]
    next_action = primary[0] if primary else None
    waiting = ""
    if app.status == Status.PUBLICITY and pub is not None and pub.end_date >= today:
        next_action = None
        waiting = f"公示中，至 {pub.end_date:%Y-%m-%d} 止；期满且异议处理完毕后报审核确认"
    if next_action is None and app.status == Status.COUNTY_REVIEW:
        waiting = "等待乡镇(街道)审核确认" if workflow.township_confirms(app) else "等待县级审核确认"
    return {
        "preview": preview, "error": preview_error, "due_in": due_in, "next_action": next_action,
        "waiting": waiting,
        "step_label": workflow.step_label(app, app.status),
        "after_check": workflow.pending_after_check(app),
        "app": app, "steps": [(workflow.step_label(app, s), i < idx, i == idx) for i, s in enumerate(steps)],
        "allowed": allowed, "flags": selectors.flags(app, today), "members": members,
        "opinions": [{"o": o, "step": workflow.step_label(app, o.to_status) if o.to_status in Status.values
                      else o.get_to_status_display()}
                     for o in app.opinions.select_related("actor").order_by("at", "id")],
        "investigations": app.investigations.all(), "checks": app.checks.all(), "reviews": app.reviews.all(),
        "publicity": pub, "objections": app.objections.order_by("-submitted_at"),
        "spot": getattr(app, "spot_check_record", None) if hasattr(app, "spot_check_record") else None,
        "refusal": getattr(app, "refusal", None) if hasattr(app, "refusal") else None,
        "matches": selectors.matches_for(app), "decision": decision, "today": today,
        "overdue": workflow.is_overdue(app, today), "sensitive": can_see_sensitive(user),
        "self_care_items": rules.SELF_CARE_ITEMS, "check_sources": CheckSource.choices,
        "deadline_warnings": selectors.deadline_warnings(app),
        "is_tekun": app.programme.family == ProgrammeFamily.TEKUN, "supporters": app.supporters.all(),
        "supporter_relations": SupporterRelation.choices, "may_edit": may_edit(user, app),
    }


@require_cap(Cap.VIEW_BUSINESS)
def detail(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    return render(request, "assistance/detail.html", _case_context(request, app))


@require_cap(Cap.VIEW_BUSINESS)
def assess(request: AuthedRequest, application_id: int) -> HttpResponse:
    """The rules run now on the household as it stands (preview before 初审; nothing is stored)."""
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    try:
        decision = services.assess(app)
        error = ""
    except ValidationError as exc:
        decision, error = {}, "；".join(exc.messages)
    return render(request, "assistance/_decision.html", {"decision": decision, "error": error, "preview": True})


@require_POST
@require_cap(Cap.VIEW_BUSINESS)
def act(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    code = request.POST.get("action", "")
    try:
        msg = actions.dispatch(app, code, request.user, request.POST)
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限")
    except LookupError as exc:  # a policy parameter without a version in force: nothing was saved; say which
        messages.error(request, str(exc))
    else:
        messages.success(request, msg)
    return redirect("assistance:detail", application_id=app.pk)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def add_check(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    try:
        services.add_check_result(app, actor=request.user, source=request.POST.get("source", "other"),
                                  matched=request.POST.get("matched") == "1",
                                  summary=request.POST.get("summary", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "已添加核对结果")
    return redirect("assistance:detail", application_id=app.pk)


def _pdf_or_print(request: AuthedRequest, render_pdf: Any, template: str, ctx: dict[str, Any], what: str,
                  filename: str) -> HttpResponse:
    """A4 PDF (documents.py, CJK font embedded); `?format=html` gives the printable HTML page instead."""
    record_output("print", what=what, count=1)
    if request.GET.get("format") == "html":
        return render(request, template, ctx)
    resp = HttpResponse(render_pdf(), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


@require_cap(Cap.VIEW_BUSINESS)
def form_pdf(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    sensitive = can_see_sensitive(request.user)
    return _pdf_or_print(request, lambda: documents.approval_form(app, sensitive=sensitive),
                         "assistance/print_case.html", _case_context(request, app), f"申请审批表 {app.number}",
                         f"{app.number}-form.pdf")


@require_cap(Cap.VIEW_BUSINESS)
def survey_pdf(request: AuthedRequest, application_id: int) -> HttpResponse:
    """入户调查表: the latest survey, or one named by ?investigation= (e.g. the county's 县级入户核查表)."""
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    sensitive = can_see_sensitive(request.user)
    which: Any = app
    inv_id = request.GET.get("investigation", "")
    if inv_id.isdigit():
        which = app.investigations.filter(pk=int(inv_id)).first() or app
    return _pdf_or_print(request, lambda: documents.survey_form(which, sensitive=sensitive),
                         "assistance/print_case.html", _case_context(request, app), f"入户调查表 {app.number}",
                         f"{app.number}-survey.pdf")


@require_cap(Cap.VIEW_BUSINESS)
def refusal_pdf(request: AuthedRequest, application_id: int) -> HttpResponse:
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    notice = getattr(app, "refusal", None) if hasattr(app, "refusal") else None
    if notice is None:
        messages.error(request, "本案没有不予批准告知书")
        return redirect("assistance:detail", application_id=app.pk)
    return _pdf_or_print(request, lambda: documents.refusal_notice(notice), "assistance/print_refusal.html",
                         {"app": app, "notice": notice}, f"不予批准告知书 {app.number}", f"{app.number}-refusal.pdf")


# --- 公示 (internal) -----------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def publicities(request: AuthedRequest) -> HttpResponse:
    qs = visible(Publicity, request.user).select_related("application", "division").order_by("-start_date", "-id")
    status = request.GET.get("status", PublicityStatus.ACTIVE)
    if status:
        qs = qs.filter(status=status)
    if listexport.requested(request):
        return listexport.response(request, what="公示", headers=[
            "案件编号", "公示村(社区)", "公示类型", "姓名(公示)", "类别", "月金额(元)", "公示开始", "公示截止", "状态"],
            rows=([p.application.number, p.division.name, p.get_kind_display(), p.entry.get("name", ""),
                   p.entry.get("category", ""), p.entry.get("monthly_amount", ""), p.start_date, p.end_date,
                   p.get_status_display()] for p in qs.iterator(chunk_size=2000)))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "assistance/publicities.html", {"page": page, "status": status,
                                                           "statuses": PublicityStatus.choices})


@require_cap(Cap.VIEW_BUSINESS)
def publicity_print(request: AuthedRequest, publicity_id: int) -> HttpResponse:
    """The A4 notice for the village board: this 公示 with the permitted fields only."""
    pub = get_visible(Publicity, request.user, pk=publicity_id)
    rows = selectors.public_rows(Publicity.objects.filter(pk=pub.pk))
    return _pdf_or_print(request, lambda: documents.publicity_notice(pub), "assistance/print_publicity.html",
                         {"rows": rows, "village": pub.division, "pub": pub}, f"公示 {pub.division.name}",
                         f"publicity-{pub.pk}.pdf")


@require_cap(Cap.VIEW_BUSINESS)
def objection(request: AuthedRequest, objection_id: int) -> HttpResponse:
    obj = get_visible(Objection.objects.select_related("application", "publicity"), request.user, pk=objection_id)
    if request.method == "POST":
        data = request.POST.copy()
        data["objection_id"] = str(obj.pk)
        try:
            msg = actions.dispatch(obj.application, "handle_objection", request.user, data)
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "没有权限")
        else:
            messages.success(request, msg)
            return redirect("assistance:detail", application_id=obj.application_id)
    return render(request, "assistance/objection.html", {"obj": obj, "app": obj.application,
                                                         "sensitive": can_see_sensitive(request.user)})


# --- 近亲属备案 ---------------------------------------------------------------------------------------------------


class KinshipForm(forms.Form):
    division: DivisionField = DivisionField(label="工作单位所在区划", queryset=None)
    staff_name = validators.PersonNameField(label="工作人员姓名", max_length=64)
    staff_id_number = forms.CharField(label="工作人员身份证号", max_length=18)
    staff_role = forms.ChoiceField(label="身份", choices=StaffRole.choices)
    post = forms.CharField(label="职务", max_length=64, required=False)
    relative_name = validators.PersonNameField(label="近亲属姓名", max_length=64)
    relative_id_number = forms.CharField(label="近亲属身份证号", max_length=18)
    relation = forms.ChoiceField(label="关系")

    def __init__(self, *args: Any, user: Actor, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"].queryset = (  # type: ignore[attr-defined]  # stubs: base Field
            visible_divisions(user).exclude(level="village").order_by("code"))
        self.fields["relation"].choices = [(x, x) for x in services.kin_relation_labels()]  # type: ignore[attr-defined]


@require_cap(Cap.VIEW_BUSINESS)
def kinship(request: AuthedRequest) -> HttpResponse:
    form = KinshipForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有此操作权限")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.register_kinship(actor=request.user, **d)
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, "已登记备案；在办案件已重新比对")
                return redirect("assistance:kinship")
    regs = visible(KinshipRegistration, request.user).select_related("division").order_by("division__code",
                                                                                             "staff_name")
    if listexport.requested(request):
        return listexport.response(request, what="近亲属备案", headers=[
            "工作单位所在区划", "工作人员姓名", "工作人员身份证号", "身份", "职务", "近亲属姓名", "近亲属身份证号", "关系",
            "有效", "登记日期"], rows=(
            [r.division.name, r.staff_name, shown(request.user, r.staff_id_number, "id"), r.get_staff_role_display(),
             r.post, r.relative_name, shown(request.user, r.relative_id_number, "id"), r.relation,
             "是" if r.active else "否", r.registered_on] for r in regs))
    rows = [{"r": r, "staff_id": shown(request.user, r.staff_id_number, "id"),
             "relative_id": shown(request.user, r.relative_id_number, "id")} for r in regs[:500]]
    return render(request, "assistance/kinship.html", {"form": form, "rows": rows,
                                                       "can_edit": request.user.has_cap(Cap.EDIT_BUSINESS)})


@require_cap(Cap.VIEW_BUSINESS)
def kinship_report(request: AuthedRequest) -> HttpResponse:
    return render(request, "assistance/kinship_report.html", {
        "rows": selectors.kinship_report(request.user), "cases": selectors.kinship_cases(request.user)[:300]})


# --- 动态管理 ---------------------------------------------------------------------------------------------------


@require_cap(Cap.VIEW_BUSINESS)
def reviews(request: AuthedRequest) -> HttpResponse:
    days = inputs.get_days(request, default=30)
    rows = selectors.due_reviews(request.user, within_days=days)[:500]
    if listexport.requested(request):
        return listexport.response(request, what="动态管理待复核", headers=[
            "家庭", "项目", "家庭类别", "复核周期(月)", "适用办法", "下次复核", "月金额(元)"],
            rows=([str(s.enrollment.household), s.enrollment.programme.name, s.get_household_class_display(),
                   s.interval_months, s.rule_set, s.next_due, s.enrollment.monthly_amount] for s in rows))
    return render(request, "assistance/reviews.html", {"rows": rows, "days": days, "today": dates.today()})


@require_cap(Cap.VIEW_BUSINESS)
def review(request: AuthedRequest, review_schedule_id: int) -> HttpResponse:
    sched = get_visible(ReviewSchedule.objects.select_related("enrollment", "enrollment__programme",
                                                              "enrollment__household"),
                        request.user, pk=review_schedule_id)
    enr = sched.enrollment
    if request.method == "POST":
        try:
            if request.POST.get("action") == "terminate":
                term = services.propose_termination(enr, actor=request.user, reason=request.POST.get("reasons", ""))
                messages.success(request, f"已发起终止供养案件 {term.number}")
                return redirect("assistance:detail", application_id=term.pk)
            adj = services.review_enrollment(enr, actor=request.user, reasons=request.POST.get("reasons", ""),
                                             work_income_rise=request.POST.get("work_income_rise") == "1",
                                             stop=request.POST.get("action") == "stop")
        except ValidationError as exc:
            flash_errors(request, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "没有权限")
        else:
            messages.success(request, f"复核决定：{adj.get_kind_display()}，{adj.old_amount} → {adj.new_amount} 元，"
                                      f"自{adj.effective_month:%Y年%m月}起")
            return redirect("assistance:review", review_schedule_id=sched.pk)
    return render(request, "assistance/review.html", {
        "sched": sched, "enr": enr, "adjustments": enr.adjustments.all()[:20],
        "amounts": enr.amounts.order_by("from_month", "id"),
        "is_tekun": enr.programme.family == ProgrammeFamily.TEKUN})
