"""Pages: rosters (造册、审核、打印), the approval queue, funds and allowances. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, filebounds, inputs, listexport
from minzheng.core.forms import error_messages, flash_errors
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.core.worker import services as worker
from minzheng.policy.services import MissingParameter
from minzheng.regions.models import Level
from minzheng.registry.masking import shown
from minzheng.registry.models import Person, Programme

from . import allowances, bankfiles, facts, funds, offers, outputs, payees, preflight, services, supplements
from .engine import parse_month
from .models import (
    HELD_STATUSES,
    BankFileLayout,
    FundEntryKind,
    FundSource,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
    YoufuCategory,
    YoufuStatus,
)


def _month_param(request: AuthedRequest, default: dt.date | None = None) -> dt.date:
    raw = request.GET.get("month") or request.POST.get("month")
    if raw:
        try:
            return parse_month(raw)
        except ValidationError:
            pass
    return default or dates.month_start(dates.today())


def download(name: str, body: bytes, content_type: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(body, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


class GenerateForm(forms.Form):
    month = forms.CharField(label="发放月份", max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    programme = forms.ModelChoiceField(label="项目", queryset=Programme.objects.filter(active=True), required=False,
                                       empty_label="全部项目")


@require_cap(Cap.VIEW_BUSINESS)
def index(request: AuthedRequest) -> HttpResponse:
    month = _month_param(request)
    qs = services.payrolls_for(request.user).filter(month=month)
    status = request.GET.get("status", "")
    if status in PayrollStatus.values:
        qs = qs.filter(status=status)
    form = GenerateForm(initial={"month": f"{month:%Y-%m}"})
    summary = outputs.township_summary(services.payrolls_for(request.user).filter(month=month))
    months = [dates.add_months(dates.month_start(dates.today()), -i) for i in range(0, 12)]
    if listexport.requested(request):
        return _rosters_export(request, qs.order_by("township__code", "programme__order", "id"),
                               f"发放花名册{month:%Y%m}")
    payrolls = [{"p": p, "tone": STATUS_TONE.get(p.status, "green")}
                for p in qs.order_by("township__code", "programme__order", "id")]
    return render(request, "payments/index.html", {
        "payrolls": payrolls, "month": month, "form": form,
        "statuses": PayrollStatus.choices, "status": status, "summary": summary, "months": months,
        "can_generate": request.user.has_cap(Cap.EDIT_BUSINESS),
        "totals": qs.aggregate(n=Count("id"), lines=Sum("line_count"), total=Sum("total")),
    })


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def generate(request: AuthedRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写发放月份")
        return redirect("payments:index")
    try:
        month = parse_month(form.cleaned_data["month"])
        services.check_generate(month=month, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
        return redirect("payments:index")
    # Generating a month's rosters is a heavy job: the worker process runs it; the task page follows it.
    programme = form.cleaned_data["programme"]
    job = worker.submit("payments.generate", user=request.user, reuse_live=True,
                        params={"month": f"{month:%Y-%m}", "programme_id": programme.pk if programme else None},
                        title=f"生成 {month:%Y-%m} 花名册" + (f"（{programme.name}）" if programme else ""))
    return redirect("core:job", job_id=job.pk)


def _url(name: str, **kw: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kw or None)


# Badge colours: presentation only (which actions exist is offers.payroll_offers' business).
STATUS_TONE: dict[str, str] = {PayrollStatus.DRAFT: "orange", PayrollStatus.PREPARED: "blue"}
LINE_TONE: dict[str, str] = {LineStatus.FAILED: "red", LineStatus.HELD: "orange", LineStatus.RELEASED: "blue"}
KIND_TONE: dict[str, str] = {LineKind.RECOVERY: "red", LineKind.ARREARS: "orange", LineKind.REISSUE: "orange"}


@require_cap(Cap.VIEW_BUSINESS)
def payroll_detail(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id)
    lines = visible(PayrollLine, request.user).filter(payroll=p).select_related("village")
    kind = request.GET.get("kind", "")
    if kind in LineKind.values:
        lines = lines.filter(kind=kind)
    show = request.GET.get("show", "")
    if show == "held":
        lines = lines.filter(status__in=HELD_STATUSES)
    elif show == "blocked":
        lines = lines.exclude(problem="")
    q = request.GET.get("q", "").strip()
    if q:
        lines = lines.filter(Q(payee_name__contains=q) | Q(id_number__endswith=q) | Q(village__name__contains=q))
    user = request.user
    if listexport.requested(request):
        ordered = lines.order_by("village__code", "enrollment_id", "id")
        if (queued := listexport.offload(request, ordered.count(), what=f"花名册明细{p.pk}")) is not None:
            return queued
        return listexport.response(request, what=f"花名册明细{p.pk}", headers=[
            "村(社区)", "领款人", "公民身份号码", "开户银行", "银行账号", "类型", "所属月份", "保障人数", "金额(元)",
            "状态", "问题"], rows=(
            [ln.village.name, ln.payee_name, shown(user, ln.id_number, "id"), ln.bank_name,
             shown(user, ln.bank_account, "account"), ln.get_kind_display(), f"{ln.period_month:%Y-%m}",
             ln.covered_persons, ln.amount, ln.get_status_display(), ln.get_problem_display()] for ln in ordered.iterator()))
    page = Paginator(lines.order_by("village__code", "enrollment_id", "id"), 100).get_page(request.GET.get("page"))
    rows = [{"line": line, "id": shown(user, line.id_number, "id"), "account": shown(user, line.bank_account, "account"),
             "tone": LINE_TONE.get(line.status, ""), "kind_tone": KIND_TONE.get(line.kind, "")} for line in page]
    for line in page:
        line.payroll = p   # the line offers (hold / release) read the roster's state
    blocked = preflight.blocking([p.pk])
    return render(request, "payments/payroll.html", {
        "p": p, "page": page, "rows": rows, "kind": kind, "q": q, "show": show, "kinds": LineKind.choices,
        "per_kind": [(LineKind(k).label, v) for k, v in p.snapshot.get("kinds", {}).items() if k in LineKind.values],
        "layouts": BankFileLayout.objects.all(), "tone": STATUS_TONE.get(p.status, "green"),
        "awaits_other_approver": offers.awaits_other_approver(p, user),
        "why_not_returned": offers.why_not_returned(p, user), "supplement_why": supplements.blocker(p),
        "blocked": blocked,
        "unrostered": preflight.unrostered(p.month, [p]) if p.status == PayrollStatus.DRAFT else [],
        "returns": p.bank_returns.order_by("-imported_at"), "send_backs": p.snapshot.get("returns", []),
        "failed": lines.filter(status=LineStatus.FAILED).count(),
        "held": visible(PayrollLine, user).filter(payroll=p, status__in=HELD_STATUSES).count(),
        "supplements": p.supplements.order_by("id"), "owed": supplements.owed(p).count()
        if p.supplement_of_id is None else 0,
    })


def _act(request: AuthedRequest, payroll_id: int, fn: Any, ok: str, **kw: Any) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    try:
        fn(payroll=p, user=request.user, **kw)
        messages.success(request, ok)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    return redirect("payments:payroll", payroll_id=p.pk)


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def prepare(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    return _act(request, payroll_id, services.prepare, "已提交区民政局审批")


@require_POST
@require_cap(Cap.APPROVE)
def approve(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    return _act(request, payroll_id, services.approve, "已审批")


@require_POST
@require_cap(Cap.APPROVE)
def send_back(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    return _act(request, payroll_id, services.send_back, "已退回乡镇", reason=request.POST.get("reason", ""))


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def regenerate(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    try:
        res = services.generate(month=p.month, user=request.user, programme=p.programme, township=p.township)
        messages.success(request, f"已重新生成：{sum(x.line_count for x in res.payrolls)} 笔，{res.total} 元")
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
        return redirect("payments:payroll", payroll_id=p.pk)
    new = Payroll.objects.filter(programme=p.programme, township=p.township, month=p.month).first()
    return redirect("payments:payroll", payroll_id=new.pk) if new else redirect("payments:index")


@require_GET
@require_cap(Cap.EXPORT)
def roster_xlsx(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    name, body = outputs.roster_xlsx(p, request.user)
    return download(name, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_GET
@require_cap(Cap.EXPORT)
def roster_pdf(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    name, body = outputs.roster_pdf(p, request.user)
    return download(name, body, "application/pdf")


@require_POST
@require_cap(Cap.EXPORT)
def bankfile(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    layout = BankFileLayout.objects.filter(code=request.POST.get("layout", "")).first()
    if layout is None:
        messages.error(request, "请选择银行文件格式")
        return redirect("payments:payroll", payroll_id=p.pk)
    try:
        name, body = bankfiles.export(payroll=p, user=request.user, layout=layout)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
        return redirect("payments:payroll", payroll_id=p.pk)
    return download(name, body, "application/octet-stream")


@require_POST
@require_cap(Cap.IMPORT)
def bank_return(request: AuthedRequest, payroll_id: int) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    upload = request.FILES.get("file")
    layout = BankFileLayout.objects.filter(code=request.POST.get("layout", "")).first()
    if upload is None or layout is None:
        messages.error(request, "请选择回盘文件和文件格式")
        return redirect("payments:payroll", payroll_id=p.pk)
    try:
        filebounds.check_upload(upload)
        br = bankfiles.import_return(data=upload.read(), file_name=upload.name or "", user=request.user, layout=layout,
                                     payroll=p)
        messages.success(request, f"已导入回盘：{br.rows} 笔，失败 {br.failed} 笔（下月花名册自动重发）")
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    return redirect("payments:payroll", payroll_id=p.pk)


@require_cap(Cap.VIEW_BUSINESS)
def line_detail(request: AuthedRequest, payline_id: int) -> HttpResponse:
    line = get_visible(PayrollLine.objects.select_related("payroll__programme", "payroll__township", "village",
                                                          "enrollment__household__head", "reissue_of__payroll",
                                                          "held_by", "released_by"),
                       request.user, pk=payline_id)
    from minzheng.registry.models import EnrollmentAmount

    version = EnrollmentAmount.objects.filter(pk=line.amount_version_id).first() if line.amount_version_id else None
    history = visible(PayrollLine, request.user).filter(enrollment=line.enrollment).select_related(
        "payroll").order_by("period_month", "paid_month", "id")
    payee = payees.payee_person(line.enrollment)
    return render(request, "payments/line.html", {
        "line": line, "version": version, "history": history, "payee_id": payee.pk if payee else None,
        "show_due": line.kind in (LineKind.ARREARS, LineKind.RECOVERY),
        "id": shown(request.user, line.id_number, "id"), "account": shown(request.user, line.bank_account, "account"),
    })


@require_cap(Cap.APPROVE)
def approvals(request: AuthedRequest) -> HttpResponse:
    qs = services.payrolls_for(request.user).filter(status=PayrollStatus.PREPARED).order_by("month",
                                                                                           "township__code")
    if listexport.requested(request):
        return _rosters_export(request, qs, "待审批花名册")
    return render(request, "payments/approvals.html", {"payrolls": qs})


def _rosters_export(request: AuthedRequest, qs: Any, what: str) -> HttpResponse:
    return listexport.response(request, what=what, headers=[
        "发放月份", "乡镇(街道)", "项目", "状态", "笔数", "合计金额(元)", "挂起笔数", "挂起金额(元)", "备注"], rows=(
        [f"{p.month:%Y-%m}", p.township.name, p.programme.name, p.get_status_display(), p.line_count, p.total,
         p.held_count, p.held_total, p.note] for p in qs.select_related("township", "programme")))


@require_GET
@require_cap(Cap.EXPORT)
def summary_xlsx(request: AuthedRequest) -> HttpResponse:
    month = _month_param(request)
    name, body = outputs.summary_xlsx(services.payrolls_for(request.user).filter(month=month), f"{month:%Y-%m}")
    return download(name, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class FundEntryForm(forms.Form):
    fund = forms.ChoiceField(label="资金项目")
    source = forms.ChoiceField(label="资金来源", choices=FundSource.choices)
    kind = forms.ChoiceField(label="类型", choices=[(FundEntryKind.BUDGET, "年度预算"),
                                                   (FundEntryKind.ALLOCATION, "下达(拨付)"),
                                                   (FundEntryKind.EXPENSE, "其他支出")])
    township = forms.ChoiceField(label="乡镇(街道)")
    month = forms.CharField(label="月份", max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.DecimalField(label="金额(元)", max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    spent_on = forms.ChoiceField(label="用途(支出时)", required=False)
    note = forms.CharField(label="摘要", max_length=200, required=False)

    def __init__(self, *args: Any, user: Actor, **kw: Any) -> None:
        super().__init__(*args, **kw)
        names = list(funds.fund_names().items())
        # django-stubs types form.fields[...] as the base Field, which has no choices
        self.fields["fund"].choices = names  # type: ignore[attr-defined]
        self.fields["spent_on"].choices = [("", "与资金项目相同"), *names]  # type: ignore[attr-defined]
        self.fields["township"].choices = [  # type: ignore[attr-defined]
            (d.pk, d.name) for d in visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code")]


@require_cap(Cap.VIEW_BUSINESS)
def funds_page(request: AuthedRequest) -> HttpResponse:
    year = inputs.get_year(request, default=dates.today().year)
    form = FundEntryForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                from minzheng.regions.models import Division

                funds.add_entry(user=request.user, fund=d["fund"], source=d["source"], kind=d["kind"],
                                township=Division.objects.get(pk=d["township"]), month=parse_month(d["month"]),
                                amount=d["amount"], spent_on=d["spent_on"], note=d["note"])
                messages.success(request, "已记账")
                return redirect(f"{_url('payments:funds')}?year={year}")
            except (ValidationError, PermissionDenied) as exc:
                for m in error_messages(exc):
                    form.add_error(None, m)
    rows = funds.ledger(request.user, year=year)
    spending = funds.township_spending(request.user, year=year, rows=rows)
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": ["下达", "支出"]},
        "grid": {"left": 60, "right": 20, "bottom": 90},
        "xAxis": {"type": "category", "data": [r["township"] for r in spending], "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "value", "name": "元"},
        "series": [{"name": "下达", "type": "bar", "data": [float(r["allocated"]) for r in spending]},
                   {"name": "支出", "type": "bar", "data": [float(r["spent"]) for r in spending]}],
    }
    return render(request, "payments/funds.html", {
        "year": year, "rows": rows, "alerts": funds.alerts(request.user, year=year, rows=rows), "chart": chart, "form": form,
        "can_edit": request.user.has_cap(Cap.EDIT_BUSINESS),
        "can_work_funds": request.user.has_cap(Cap.APPROVE),
        "totals": {k: sum((getattr(r, k) for r in rows), Decimal(0)) for k in ("budget", "allocated", "disbursed",
                                                                              "expense", "balance")},
    })


@require_POST
@require_cap(Cap.APPROVE)
def work_funds(request: AuthedRequest) -> HttpResponse:
    raw = request.POST.get("month", "")
    try:
        month = parse_month(raw)
    except ValidationError as exc:
        messages.error(request, error_messages(exc)[0])
        return redirect("payments:funds")
    made = funds.budget_work_funds(month=month, user=request.user)
    paid = funds.pay_work_funds(month=month, user=request.user)
    messages.success(request, f"{month:%Y-%m} 工作经费：预算 {len(made)} 个乡镇，拨付 {len(paid)} 个乡镇")
    return redirect(f"{_url('payments:funds')}?year={month.year}")


class FactsForm(forms.Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    needs_long_term_care = forms.NullBooleanField(label="需长期照护(护理补贴)", required=False, widget=forms.Select(
        choices=[("unknown", "未认定（不改动已有护理补贴）"), ("true", "是，经认定需长期照护"), ("false", "否")]))
    work_injury_care = forms.BooleanField(label="享受工伤保险生活护理费", required=False)
    youfu_category = forms.ChoiceField(label="优抚对象类别", choices=[("", "—"), *YoufuCategory.choices],
                                       required=False)
    youfu_status = forms.ChoiceField(label="优抚对象状态", choices=[("", "—"), *YoufuStatus.choices], required=False)
    service_years = forms.IntegerField(label="服役年限", required=False, min_value=0, max_value=60)


@require_cap(Cap.VIEW_BUSINESS)
def allowances_page(request: AuthedRequest) -> HttpResponse:
    month = _month_param(request)
    form = FactsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = visible(Person, request.user).filter(id_number=d["id_number"].strip().upper()).first()
        if person is None:
            form.add_error("id_number", "辖区内没有此身份证号的人员")
        else:
            try:
                # What the officer left empty stays as recorded (unknown is never written over a known fact).
                values: dict[str, Any] = {"work_injury_care": d["work_injury_care"]}
                if d["needs_long_term_care"] is not None:
                    values["needs_long_term_care"] = d["needs_long_term_care"]
                if d["youfu_category"]:
                    values.update(youfu_category=d["youfu_category"], youfu_status=d["youfu_status"] or "active",
                                  service_years=d["service_years"])
                allowances.set_facts(person=person, user=request.user, **values)
                messages.success(request, f"已登记 {person.name} 的认定信息（手工录入），下次核定时生效")
                return redirect("payments:allowances")
            except (ValidationError, PermissionDenied) as exc:
                for m in error_messages(exc):
                    form.add_error(None, m)
    upcoming = allowances.upcoming_gaoling(month=month, user=request.user)
    from minzheng.registry.models import Enrollment

    counts = (visible(Enrollment, request.user).filter(programme__code__in=allowances.rules.ALLOWANCES,
                                                       status="active")
              .values("programme__name").annotate(n=Count("id"), total=Sum("monthly_amount")).order_by(
                  "programme__name"))
    missing = facts.missing(request.user, on=month)
    by_town: dict[str, list[facts.Missing]] = {}
    for lack in missing:
        by_town.setdefault(lack.township, []).append(lack)
    if listexport.requested(request):
        user = request.user
        return listexport.response(request, what=f"津贴预告与待补认定{month:%Y%m}", headers=[
            "类别", "乡镇(街道)", "村(社区)", "姓名", "公民身份号码", "项目/档次", "金额(元)", "说明"], rows=[
            *(["下月高龄津贴", "", "", u.person.name, shown(user, u.person.id_number, "id"), u.band.label,
               u.band.amount, f"原档次 {u.previous.label}" if u.previous else "新增"] for u in upcoming),
            *(["待补认定信息", m.township, m.village, m.person.name, shown(user, m.person.id_number, "id"),
               m.programme_name, "", m.what] for m in missing)])
    return render(request, "payments/allowances.html", {
        "month": month, "next": dates.add_months(month, 1), "form": form, "counts": counts,
        "upcoming": [{"u": u, "id": shown(request.user, u.person.id_number, "id")} for u in upcoming[:300]],
        "upcoming_total": len(upcoming), "can_edit": request.user.has_cap(Cap.EDIT_BUSINESS),
        "missing": sorted(by_town.items()), "missing_total": len(missing),
    })


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def allowances_refresh(request: AuthedRequest) -> HttpResponse:
    raw = request.POST.get("month", "")
    try:
        month = parse_month(raw)
        allowances.check_refresh(month=month, user=request.user)
    except (ValidationError, PermissionDenied, MissingParameter) as exc:
        flash_errors(request, exc)
        return redirect("payments:allowances")
    # A county's refresh reads tens of thousands of people: the worker process runs it; the task page follows it.
    job = worker.submit("payments.allowances", user=request.user, reuse_live=True,
                        params={"month": f"{month:%Y-%m}"}, title=f"{month:%Y-%m} 津贴补贴核定")
    return redirect("core:job", job_id=job.pk)
