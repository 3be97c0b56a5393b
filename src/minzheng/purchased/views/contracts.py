"""Providers and contracts for the county and the townships: lists, details, milestones, assignment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap, is_outside
from minzheng.core import dates, listexport
from minzheng.core.forms import add_errors_to_form
from minzheng.core.inputs import form_date, form_id
from minzheng.core.scoping import get_visible, home_division, visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry.models import Person

from .. import forms, selectors
from ..models import Assessment, EvaluatorAssignment, Milestone, Provider, ProviderStaff, ServiceOrder
from ..services import assessment, contracts, delivery, evaluation, payments, providers
from .common import act, act_strictly, post_date


@require_cap(Cap.VIEW_BUSINESS)
def contracts_page(request: AuthedRequest) -> HttpResponse:
    rows = selectors.contracts_for(request.user).select_related("provider", "buyer").prefetch_related(
        "areas__township").order_by("-start", "number")
    if listexport.requested(request):
        return listexport.response(request, what="购买服务合同", headers=[
            "合同编号", "项目名称", "服务类别", "承接主体", "购买主体", "服务区域", "起始日期", "截止日期", "合同金额(元)",
            "状态"], rows=([c.number, c.title, c.get_service_display(), c.provider.name, c.buyer.name,
                            "、".join(a.township.name for a in c.areas.all()), c.start, c.end, c.budget,
                            c.get_status_display()] for c in rows))
    user = request.user
    return render(request, "purchased/contracts.html", {
        "contracts": rows[:300], "can_create": _may_contract(user)})


def _may_contract(user: Any) -> bool:
    division = getattr(user, "division", None)
    return (user.has_cap(Cap.EDIT_BUSINESS) and not is_outside(user) and division is not None
            and division.level == Level.COUNTY)


@require_cap(Cap.EDIT_BUSINESS)
def contract_new(request: AuthedRequest) -> HttpResponse:
    """The district signs a contract: validated as a whole by the service, audited, nothing written on refusal."""
    user = request.user
    if not _may_contract(user):
        raise PermissionDenied("购买服务合同由区民政局签订")
    from minzheng.payments import selectors as funds

    form = forms.ContractForm(visible(Provider, user).order_by("name"),
                              visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"),
                              funds.fund_names(), funds.fund_sources(), request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                c = contracts.create(
                    actor=user, buyer=home_division(user), provider=d["provider"], number=d["number"],
                    title=d["title"], service=d["service"], procurement=d["procurement"],
                    procurement_ref=d["procurement_ref"], fund=d["fund"], fund_source=d["fund_source"],
                    budget=d["budget"], start=d["start"], end=d["end"], townships=list(d["townships"]),
                    visits_per_month=d["visits_per_month"], min_minutes=d["min_minutes"], unit_price=d["unit_price"],
                    deduction_per_failed=d["deduction_per_failed"], unit_label=d["unit_label"],
                    require_photo=d["require_photo"], require_confirmation=d["require_confirmation"],
                    milestones=contracts.parse_milestones(d["milestones"]))
            except ValidationError as exc:
                add_errors_to_form(form, exc)
            else:
                messages.success(request, f"已签订合同 {c.number}")
                return redirect("purchased:contract", contract_id=c.pk)
        status = 400
    return render(request, "purchased/contract_new.html", {"form": form}, status=status)


@require_cap(Cap.VIEW_BUSINESS)
def contract_detail(request: AuthedRequest, contract_id: int) -> HttpResponse:
    user = request.user
    c = selectors.contract_for(user, contract_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "assess":
            return act(request, "已完成绩效评估", lambda: assessment.assess(
                actor=user, contract=c, period_start=post_date(request, "period_start"),
                period_end=post_date(request, "period_end")), "purchased:contract", contract_id=c.pk)
        if action == "end":
            return act_strictly(request, "合同已终止：此后不能派单和记录服务", lambda: contracts.end(
                actor=user, contract=c, on=form_date(request.POST, "on", label="终止日期"),
                reason=request.POST.get("reason", "")), "purchased:contract", contract_id=c.pk)
        if action == "assign_evaluator":
            def assign() -> object:
                evaluator = selectors.evaluators_for(user).filter(
                    pk=form_id(request.POST, "evaluator", label="评估机构账号")).first()
                if evaluator is None:
                    raise ValidationError({"evaluator": "请选择本区的第三方评估机构账号"})
                return evaluation.assign(actor=user, contract=c, evaluator=evaluator,
                                         period_start=form_date(request.POST, "period_start", label="评估期起"),
                                         period_end=form_date(request.POST, "period_end", label="评估期止"))
            return act_strictly(request, "已指派第三方评估机构", assign, "purchased:contract", contract_id=c.pk)
        if action == "add_milestone":
            return act(request, "已添加结算节点", lambda: contracts.add_milestone(
                actor=user, contract=c, title=request.POST.get("title", ""),
                period_start=post_date(request, "period_start"), period_end=post_date(request, "period_end"),
                cap=request.POST.get("cap", "")), "purchased:contract", contract_id=c.pk)
        raise PermissionDenied("未知操作")
    orders = visible(ServiceOrder, user).filter(contract=c).select_related("person", "village__parent", "staff")
    return render(request, "purchased/contract.html", {
        "c": c, "areas": c.areas.select_related("township"), "milestones": visible(Milestone, user).filter(contract=c),
        "assessments": visible(Assessment, user).filter(contract=c),
        "assignments": visible(EvaluatorAssignment, user).filter(contract=c).select_related("evaluator"),
        "evaluators": selectors.evaluators_for(user) if _may_contract(user) else [], "may_contract": _may_contract(user),
        # the county assesses any period; an evaluator only the periods assigned to it (its tasks page)
        "may_assess_any": user.has_cap(Cap.ASSESS_SERVICES) and not is_outside(user),
        "orders": orders[:300], "recon": selectors.reconcile(c), "today": dates.today()})


@require_POST
@require_cap(Cap.VIEW_BUSINESS)
def milestone_action(request: AuthedRequest, milestone_id: int) -> HttpResponse:
    user = request.user
    m = get_visible(Milestone.objects.select_related("contract"), user, pk=milestone_id)
    action = request.POST.get("action", "")
    if action == "prepare":
        return act(request, "已测算，待另一名审批人审批", lambda: payments.prepare(
            actor=user, milestone=m, amount=request.POST.get("amount") or None),
            "purchased:contract", contract_id=m.contract_id)
    if action == "approve":
        return act(request, "已审批，付款已记入资金台账", lambda: payments.approve(actor=user, milestone=m),
                   "purchased:contract", contract_id=m.contract_id)
    raise PermissionDenied("未知操作")


@require_cap(Cap.EDIT_BUSINESS)
def assign_page(request: AuthedRequest, contract_id: int) -> HttpResponse:
    """The township assigns a beneficiary from the registry (by ID number) to the contract and a worker."""
    user = request.user
    c = selectors.contract_for(user, contract_id)
    staff = ProviderStaff.objects.filter(provider=c.provider, active=True)
    if request.method == "POST":
        idn = request.POST.get("id_number", "").strip().upper()
        person = visible(Person, user).select_related("household__division").filter(id_number=idn).first()
        if person is None:
            messages.error(request, f"身份证号 {idn[:18]} 不在您辖区的人员库中")
        else:
            raw = request.POST.get("staff", "")
            worker = staff.filter(pk=int(raw)).first() if raw.isdigit() else None
            try:
                o = delivery.assign(actor=user, contract=c, person=person, staff=worker)
            except ValidationError as exc:
                from minzheng.core.forms import flash_errors

                flash_errors(request, exc)
            else:
                messages.success(request, f"已将 {person.name} 派给 {c.provider.name}")
                return redirect("purchased:order", order_id=o.pk)
    return render(request, "purchased/assign.html", {"c": c, "staff": staff})


@require_cap(Cap.VIEW_BUSINESS)
def providers_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = forms.ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = providers.register(actor=user, division=home_division(user), **d)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"已登记 {p.name}")
            return redirect("purchased:provider", provider_id=p.pk)
    rows = visible(Provider, user).order_by("name")
    if listexport.requested(request):
        return listexport.response(request, what="承接主体", headers=[
            "名称", "统一社会信用代码", "类型", "登记管理机关", "登记日期", "法定代表人", "联系电话", "地址"], rows=(
            [p.name, p.credit_code, p.get_kind_display(), p.registered_with, p.registered_on, p.legal_rep, p.phone,
             p.address] for p in rows))
    return render(request, "purchased/providers.html", {
        "providers": rows, "form": form,
        "can_add": user.has_cap(Cap.EDIT_BUSINESS)})


@require_cap(Cap.VIEW_BUSINESS)
def provider_detail(request: AuthedRequest, provider_id: int) -> HttpResponse:
    user = request.user
    p = get_visible(Provider, user, pk=provider_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "qualification":
            def add_q() -> object:
                raw = request.POST.get("valid_until", "").strip()
                return providers.add_qualification(actor=user, provider=p, name=request.POST.get("name", ""),
                                                   number=request.POST.get("number", ""),
                                                   valid_until=post_date(request, "valid_until") if raw else None)
            return act(request, "已添加资质", add_q, "purchased:provider", provider_id=p.pk)
        if action == "bind":
            def bind() -> object:
                account = selectors.bindable_accounts(user).filter(
                    pk=form_id(request.POST, "user", label="服务人员账号")).first()
                if account is None:
                    raise ValidationError({"user": "请选择本辖区“社会组织”角色的账号"})
                return providers.bind_staff(actor=user, provider=p, user=account,
                                            name=request.POST.get("name", "")[:64])
            return act_strictly(request, "已绑定服务人员", bind, "purchased:provider", provider_id=p.pk)
        if action == "unbind":
            staff = get_visible(ProviderStaff, user, pk=form_id(request.POST, "staff", label="服务人员"), provider=p)
            return act_strictly(request, f"已解绑 {staff.name}，其账号即时失去服务对象的访问权限",
                                lambda: providers.unbind_staff(actor=user, staff=staff,
                                                               reason=request.POST.get("reason", "")),
                                "purchased:provider", provider_id=p.pk)
        if action == "credit":
            return act(request, "已记录信用信息", lambda: providers.add_credit_note(
                actor=user, provider=p, kind=request.POST.get("kind", ""), start=post_date(request, "start"),
                text=request.POST.get("text", "")), "purchased:provider", provider_id=p.pk)
        raise PermissionDenied("未知操作")
    return render(request, "purchased/provider.html", {
        "p": p, "quals": p.qualifications.all(), "notes": p.credit_notes.all(),
        "staff": visible(ProviderStaff, user).filter(provider=p).select_related("user"), "today": dates.today(),
        "accounts": selectors.bindable_accounts(user) if user.has_cap(Cap.EDIT_BUSINESS) and not is_outside(user) else [],
        "blacklisted": providers.blacklisted_on(p, dates.today()), "can_edit": user.has_cap(Cap.EDIT_BUSINESS),
        "contracts": selectors.contracts_for(user).filter(provider=p), "zero": Decimal("0")})
