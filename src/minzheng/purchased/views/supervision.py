"""Supervision: delivery against the standard per provider and beneficiary, the automatic checks' findings, and the
monthly callback samples."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap, is_outside
from minzheng.core import dates, listexport
from minzheng.core.inputs import form_id
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Division, Level

from .. import selectors
from ..models import (
    Assessment,
    CallbackItem,
    CallbackOutcome,
    CallbackSample,
    EvaluatorAssignment,
    FlagStatus,
    RecordFlag,
    ServiceOrder,
)
from ..services import assessment, callbacks, checks
from .common import act, act_strictly, month_param


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
    if listexport.requested(request):
        return listexport.response(request, what=f"购买服务完成情况{month:%Y%m}", headers=[
            "合同编号", "承接主体", "乡镇(街道)", "村(社区)", "服务对象", "服务人员", "应服务次数", "已记录", "核实有效",
            "不合格"], rows=(
            [r.order.contract.number, r.order.contract.provider.name, r.order.village.parent.name
             if r.order.village.parent else "", r.order.village.name, r.order.person.name,
             r.order.staff.name if r.order.staff else "", r.expected, r.recorded, r.verified, r.failed]
            for r in rows))
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
    samples_qs = visible(CallbackSample, user).select_related("township")
    if listexport.requested(request):
        return listexport.response(request, what="回访抽样", headers=[
            "乡镇(街道)", "月份", "当月服务对象数", "抽取人数", "抽样人", "抽样时间", "随机种子"], rows=(
            [s.township.name, f"{s.month:%Y-%m}", s.population, s.items.count(), s.drawn_by,
             dates.local(s.drawn_at).strftime("%Y-%m-%d %H:%M"), s.seed] for s in samples_qs))
    samples = samples_qs[:120]
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
        return act_strictly(request, "已记录回访结果", lambda: callbacks.record_outcome(
            actor=user, item=item, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", "")),
            "purchased:sample", sample_id=s.pk)
    items = visible(CallbackItem, user).filter(sample=s).select_related(
        "order__person__household", "order__village", "order__contract__provider")
    return render(request, "purchased/sample.html", {"s": s, "items": items, "outcomes": [
        c for c in CallbackOutcome.choices if c[0] != CallbackOutcome.PENDING]})


@require_cap(Cap.ASSESS_SERVICES)
def evaluations_page(request: AuthedRequest) -> HttpResponse:
    """第三方评估: the evaluator's assigned periods (only those, through core.scoping) and the district's view of all
    assignments; scoring an assigned period runs the weighted indicators (services.assessment)."""
    user = request.user
    rows = visible(EvaluatorAssignment, user).select_related("contract__provider", "evaluator").order_by(
        "-period_end", "contract__number")
    if request.method == "POST":
        a = get_visible(EvaluatorAssignment.objects.select_related("contract"), user,
                        pk=form_id(request.POST, "assignment", label="评估任务"))
        return act_strictly(request, f"已完成 {a.contract.number} 的绩效评估", lambda: assessment.assess(
            actor=user, contract=a.contract, period_start=a.period_start, period_end=a.period_end),
            "purchased:evaluations")
    done = {(x.contract_id, x.period_start, x.period_end): x for x in visible(Assessment, user).filter(
        contract_id__in=rows.values("contract_id"))}
    items = [(a, done.get((a.contract_id, a.period_start, a.period_end))) for a in rows[:300]]
    if listexport.requested(request):
        return listexport.response(request, what="第三方评估任务", headers=[
            "合同编号", "承接主体", "评估期起", "评估期止", "评估机构账号", "指派人", "得分", "等次"], rows=(
            [a.contract.number, a.contract.provider.name, a.period_start, a.period_end, a.evaluator.username,
             a.assigned_by, r.score if r else "", r.grade if r else "未评估"] for a, r in items))
    return render(request, "purchased/evaluations.html", {"items": items, "today": dates.today()})
