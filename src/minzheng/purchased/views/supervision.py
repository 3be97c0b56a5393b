"""Supervision: delivery against the standard per provider and beneficiary, the automatic checks' findings, and the
monthly callback samples."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap, is_outside
from minzheng.core import dates
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Division, Level

from .. import selectors
from ..models import CallbackItem, CallbackOutcome, CallbackSample, FlagStatus, RecordFlag, ServiceOrder
from ..services import callbacks, checks
from .common import act, month_param


@require_cap(Cap.VIEW_BUSINESS)
def supervision_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    month = month_param(request)
    if request.method == "POST":
        if is_outside(user) or not user.has_cap(Cap.APPROVE):
            raise PermissionDenied("自动核查由区民政局运行")
        ids = list(selectors.contracts_for(user).values_list("pk", flat=True))
        return act(request, f"已核查 {month:%Y年%m月} 的服务记录", lambda: checks.run(month=month, contract_ids=ids),
                   "purchased:supervision")
    rows = selectors.delivery(visible(ServiceOrder, user), month)
    flags = (visible(RecordFlag, user).filter(status=FlagStatus.OPEN)
             .select_related("record__order__person", "record__order__village__parent", "record__staff")[:300])
    return render(request, "purchased/supervision.html", {
        "month": month, "by_provider": selectors.summarise(rows), "rows": rows[:300], "flags": flags,
        "can_run": user.has_cap(Cap.APPROVE) and not is_outside(user),
        "prev": dates.shift_months(month, -1), "next": dates.shift_months(month, 1)})


@require_cap(Cap.VIEW_BUSINESS)
def callbacks_page(request: AuthedRequest) -> HttpResponse:
    user = request.user
    towns = visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code")
    if request.method == "POST":
        month = month_param(request, post=True)
        raw = request.POST.get("township", "")
        town = towns.filter(pk=int(raw)).first() if raw.isdigit() else None
        if town is None:
            raise PermissionDenied("请选择您辖区内的乡镇(街道)")
        return act(request, f"已抽取 {town.name} {month:%Y年%m月} 的回访样本",
                   lambda: callbacks.draw(actor=user, township=town, month=month), "purchased:callbacks")
    samples = visible(CallbackSample, user).select_related("township")[:120]
    return render(request, "purchased/callbacks.html", {
        "samples": samples, "towns": towns if not is_outside(user) else Division.objects.none(),
        "month": dates.shift_months(dates.current_month(), -1)})


@require_cap(Cap.VIEW_BUSINESS)
def sample_detail(request: AuthedRequest, sample_id: int) -> HttpResponse:
    user = request.user
    s = get_visible(CallbackSample.objects.select_related("township"), user, pk=sample_id)
    if request.method == "POST":
        raw = request.POST.get("item", "")
        item = get_visible(CallbackItem, user, pk=int(raw) if raw.isdigit() else 0, sample=s)
        return act(request, "已记录回访结果", lambda: callbacks.record_outcome(
            actor=user, item=item, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")),
            "purchased:sample", sample_id=s.pk)
    items = visible(CallbackItem, user).filter(sample=s).select_related(
        "order__person__household", "order__village", "order__contract__provider")
    return render(request, "purchased/sample.html", {"s": s, "items": items, "outcomes": [
        c for c in CallbackOutcome.choices if c[0] != CallbackOutcome.PENDING]})
