"""绩效评估: a period's weighted indicators (delivery rate, callback satisfaction, complaints, evidence), scored and
graded by parameter, by the county or a third-party evaluator."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, Role
from minzheng.core import dates
from minzheng.core.scoping import visible
from minzheng.policy import services as policy

from ..models import (
    Assessment,
    CallbackItem,
    CallbackOutcome,
    Complaint,
    Confirmation,
    Contract,
    ServiceOrder,
    ServiceRecord,
)
from ..selectors import delivery
from . import who


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    out, m = [], dates.month_start(start)
    while m <= end:
        out.append(m)
        m = dates.next_month_start(m)
    return out


def indicators(contract: Contract, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Each indicator in 0..1 (None when there is nothing to measure), with the counts behind it."""
    orders = ServiceOrder.objects.filter(contract=contract)
    expected = delivered = 0
    for m in _months(start, end):
        for row in delivery(orders, m):
            expected += row.expected
            delivered += row.delivered
    items = CallbackItem.objects.filter(order__contract=contract, sample__month__gte=dates.month_start(start),
                                        sample__month__lte=end).exclude(
        outcome__in=[CallbackOutcome.PENDING, CallbackOutcome.UNREACHABLE])
    reached = items.count()
    satisfied = items.filter(outcome=CallbackOutcome.SATISFIED).count()
    served = orders.filter(start__lte=end).exclude(end__lt=start).count()
    towns = contract.areas.values("township_id")
    complaints = Complaint.objects.filter(provider=contract.provider, village__parent__in=towns,
                                          created_at__gte=dates.start_of_day(start),
                                          created_at__lt=dates.start_of_day(end + dt.timedelta(days=1))).count()
    zero_at = int(policy.value("purchased.assessment.complaints_per_100", on=end))
    per_100 = complaints * 100 / served if served else 0.0
    recs = ServiceRecord.objects.filter(order__contract=contract, started_at__gte=dates.start_of_day(start),
                                        started_at__lt=dates.start_of_day(end + dt.timedelta(days=1)))
    total = recs.count()
    good = recs
    if contract.require_photo:
        good = good.exclude(photo="")
    if contract.require_confirmation:
        good = good.exclude(confirmation=Confirmation.NONE)
    evidence = good.count()
    return {
        "delivery": {"value": delivered / expected if expected else None, "delivered": delivered,
                     "expected": expected, "label": "服务完成率"},
        "callback": {"value": satisfied / reached if reached else None, "satisfied": satisfied, "reached": reached,
                     "label": "回访满意率"},
        "complaints": {"value": max(0.0, 1 - per_100 / zero_at) if zero_at else None, "count": complaints,
                       "served": served, "label": "投诉情况"},
        "evidence": {"value": evidence / total if total else None, "complete": evidence, "records": total,
                     "label": "凭证完整率"},
    }


def score(ind: dict[str, Any], weights: dict[str, Any]) -> Decimal:
    """Weighted mean ×100 over the indicators that have a value (weights of the others are left out)."""
    used = {k: Decimal(str(w)) for k, w in weights.items() if ind.get(k, {}).get("value") is not None}
    total = sum(used.values(), Decimal("0"))
    if not total:
        return Decimal("0.0")
    raw = sum((w * Decimal(str(ind[k]["value"])) for k, w in used.items()), Decimal("0")) * 100 / total
    return raw.quantize(Decimal("0.1"), ROUND_HALF_UP)


def grade(points: Decimal, bands: list[dict[str, Any]]) -> str:
    for band in sorted(bands, key=lambda b: -float(b["min"])):
        if points >= Decimal(str(band["min"])):
            return str(band["grade"])
    return "不合格"


@transaction.atomic
def assess(*, actor: Actor | None, contract: Contract, period_start: dt.date, period_end: dt.date) -> Assessment:
    if actor is not None:
        if not actor.has_cap(Cap.ASSESS_SERVICES):
            raise PermissionDenied("绩效评估由区民政局或第三方评估机构进行")
        if not visible(Contract, actor).filter(pk=contract.pk).exists():
            raise PermissionDenied("该合同不在您的评估范围内")
        if getattr(actor, "role", "") == Role.EVALUATOR:
            from .evaluation import assigned_to

            if not assigned_to(actor, contract, period_start, period_end):
                raise PermissionDenied("区民政局没有把该合同这一评估期指派给您")
    if period_end < period_start:
        raise ValidationError({"period_end": "评估期止不能早于评估期起"})
    if period_start < contract.start or period_end > contract.end:
        raise ValidationError({"period_start": f"评估期应在合同期 {contract.start}–{contract.end} 之内"})
    if period_end >= dates.today():
        raise ValidationError({"period_end": "评估期尚未结束"})
    if Assessment.objects.filter(contract=contract, period_start=period_start, period_end=period_end).exists():
        raise ValidationError({"period_start": "该评估期已评估"})
    wv = policy.resolve("purchased.assessment.weights", on=period_end)
    bands = policy.value("purchased.assessment.grades", on=period_end)
    ind = indicators(contract, period_start, period_end)
    points = score(ind, wv.value)
    return Assessment.objects.create(contract=contract, period_start=period_start, period_end=period_end,
                                     indicators=ind, weights={"values": wv.value, "param": wv.ref()}, score=points,
                                     grade=grade(points, bands), assessor=who(actor),
                                     assessor_role=getattr(actor, "role", "") or "system", created_at=dates.now())
