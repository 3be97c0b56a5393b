"""Providers and contracts for the county and the townships: lists, details, milestones, assignment."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.forms import add_errors_to_form
from minzheng.core.scoping import get_visible, home_division, visible
from minzheng.registry.models import Person

from .. import forms, selectors
from ..models import Milestone, Provider, ProviderStaff, ServiceOrder
from ..services import assessment, contracts, delivery, payments, providers
from .common import act, post_date


@require_cap(Cap.VIEW_BUSINESS)
def contracts_page(request: AuthedRequest) -> HttpResponse:
    rows = selectors.contracts_for(request.user).select_related("provider", "buyer").prefetch_related(
        "areas__township").order_by("-start", "number")
    return render(request, "purchased/contracts.html", {"contracts": rows[:300]})


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
        if action == "add_milestone":
            return act(request, "已添加结算节点", lambda: contracts.add_milestone(
                actor=user, contract=c, title=request.POST.get("title", ""),
                period_start=post_date(request, "period_start"), period_end=post_date(request, "period_end"),
                cap=request.POST.get("cap", "")), "purchased:contract", contract_id=c.pk)
        raise PermissionDenied("未知操作")
    orders = visible(ServiceOrder, user).filter(contract=c).select_related("person", "village__parent", "staff")
    return render(request, "purchased/contract.html", {
        "c": c, "areas": c.areas.select_related("township"), "milestones": visible(Milestone, user).filter(contract=c),
        "assessments": c.assessments.all() if user.has_cap(Cap.VIEW_BUSINESS) else [],
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
    return render(request, "purchased/providers.html", {
        "providers": visible(Provider, user).order_by("name"), "form": form,
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
        if action == "credit":
            return act(request, "已记录信用信息", lambda: providers.add_credit_note(
                actor=user, provider=p, kind=request.POST.get("kind", ""), start=post_date(request, "start"),
                text=request.POST.get("text", "")), "purchased:provider", provider_id=p.pk)
        raise PermissionDenied("未知操作")
    return render(request, "purchased/provider.html", {
        "p": p, "quals": p.qualifications.all(), "notes": p.credit_notes.all(),
        "staff": visible(ProviderStaff, user).filter(provider=p), "today": dates.today(),
        "blacklisted": providers.blacklisted_on(p, dates.today()), "can_edit": user.has_cap(Cap.EDIT_BUSINESS),
        "contracts": selectors.contracts_for(user).filter(provider=p), "zero": Decimal("0")})
