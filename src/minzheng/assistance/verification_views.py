"""存量核查 pages: the township's list of imported records (rules' result, bulk confirmation of matches, one-by-one
decisions on differences) and the district's carry-over decision. Thin: services.verification decides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs, listexport
from minzheng.core.forms import flash_errors
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Level

from .models import CarryOver, CheckOutcome, CheckStatus, LedgerCheck
from .services import verification

COMPUTE_PER_CLICK = 5000   # a page request computes at most this many; the command line has no limit


@require_cap(Cap.VIEW_BUSINESS)
def ledger_checks(request: AuthedRequest) -> HttpResponse:
    show = request.GET.get("show", "differences")
    qs = verification.checks(request.user, status=CheckStatus.PENDING)
    if show == "matches":
        qs = qs.filter(outcome=CheckOutcome.MATCH)
    elif show == "decided":
        qs = verification.checks(request.user).exclude(status=CheckStatus.PENDING)
    else:
        show = "differences"
        qs = qs.exclude(outcome=CheckOutcome.MATCH)
    if listexport.requested(request):
        return listexport.response(request, what="存量核查", headers=[
            "家庭", "村(社区)", "项目", "台账金额(元/月)", "台账保障人数", "规则测算金额(元/月)", "规则保障人数",
            "核算结果", "规则说明", "处理状态", "处理理由", "处理日期"], rows=(
            [str(c.enrollment.household), c.enrollment.household.division.name, str(c.enrollment.programme),
             c.imported_amount, c.imported_covered, c.engine_amount, c.engine_covered, c.get_outcome_display(),
             c.explanation, c.get_status_display(), c.reason, c.decided_on]
            for c in qs.select_related("enrollment__household__division", "enrollment__household__head",
                                                   "enrollment__programme").iterator()))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    county = getattr(request.user, "division", None)
    return render(request, "assistance/ledger_checks.html", {
        "page": page, "show": show, "summary": verification.summary(request.user),
        "decisions": verification.DECISIONS,
        "may_carry": request.user.has_cap(Cap.APPROVE) and county is not None and county.level == Level.COUNTY,
        "divisions": visible_divisions(request.user).filter(level__in=[Level.COUNTY, Level.TOWNSHIP]).order_by("code"),
        "carry_overs": visible(CarryOver, request.user).select_related("division")[:20],
    })


@require_POST
@require_cap(Cap.EDIT_BUSINESS)
def ledger_compute(request: AuthedRequest) -> HttpResponse:
    try:
        done = verification.compute(user=request.user, limit=COMPUTE_PER_CLICK)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已按规则核算 {done.checked} 项导入记录")
    return redirect("assistance:ledger_checks")


@require_POST
@require_cap(Cap.PROCESS_CASES)
def ledger_confirm(request: AuthedRequest) -> HttpResponse:
    try:
        n = verification.confirm_matches(user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已确认与规则一致的记录 {n} 项，自下次造册起发放")
    return redirect("assistance:ledger_checks")


@require_POST
@require_cap(Cap.PROCESS_CASES)
def ledger_decide(request: AuthedRequest, ledger_check_id: int) -> HttpResponse:
    check = get_visible(LedgerCheck, request.user, pk=ledger_check_id)
    try:
        done = verification.decide(check, user=request.user, action=request.POST.get("action", ""),
                                   reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已处理：{done.get_status_display()}")
        if done.application_id:
            return redirect("assistance:detail", application_id=done.application_id)
    return redirect("assistance:ledger_checks")


@require_POST
@require_cap(Cap.APPROVE)
def ledger_carry_over(request: AuthedRequest) -> HttpResponse:
    division_id = inputs.as_id(request.POST.get("division"), "division")
    division = visible_divisions(request.user).filter(pk=division_id).first() if division_id else None
    months = request.POST.get("months", "").strip()
    try:
        if division is None:
            raise ValidationError({"division": "请选择适用区划"})
        if not (months.isascii() and months.isdigit()):
            raise ValidationError({"months": "过渡月数应为正整数"})
        decision = verification.carry_over(user=request.user, division=division, months=int(months),
                                           reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"已决定过渡期发放：{decision.enrollments} 项，{decision.months} 个月")
    return redirect("assistance:ledger_checks")
