"""Milestone payments: computed from verified delivery under the contract's terms, prepared by one officer (maker),
approved by another (checker), and booked in the fund ledger through payments.purchases, per township served."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.payments import purchases as ledger
from minzheng.regions.models import Division

from ..models import Milestone, MilestoneStatus, RecordStatus, ServiceOrder, ServiceRecord
from ..selectors import delivery, reconcile
from . import require_government, who
from .assessment import _months
from .contracts import money

CENT = Decimal("0.01")


def compute(milestone: Milestone) -> dict[str, Any]:
    """Verified units (per beneficiary and month at most the standard's frequency), failed records, and the amount:
    units × unit price − failed × deduction, at most the milestone's cap and what is left of the budget."""
    c = milestone.contract
    units_by_town: Counter[int] = Counter()
    failed = flagged = 0
    orders = ServiceOrder.objects.filter(contract=c)
    for m in _months(milestone.period_start, milestone.period_end):
        for row in delivery(orders, m):
            units_by_town[row.order.village.parent_id or row.order.village_id] += row.delivered
            failed += row.failed
    span = (dates.start_of_day(milestone.period_start), dates.start_of_day(milestone.period_end + dt.timedelta(days=1)))
    flagged = ServiceRecord.objects.filter(order__contract=c, started_at__gte=span[0], started_at__lt=span[1],
                                           status__in=[RecordStatus.FLAGGED, RecordStatus.RECORDED]).count()
    units = sum(units_by_town.values())
    gross = units * c.unit_price
    deduction = failed * c.deduction_per_failed
    paid_elsewhere = sum((m.amount for m in c.milestones.filter(status=MilestoneStatus.APPROVED)
                          .exclude(pk=milestone.pk)), Decimal("0"))
    amount = max(Decimal("0"), min(gross - deduction, milestone.cap, c.budget - paid_elsewhere)).quantize(CENT)
    return {"units": units, "failed": failed, "unverified": flagged, "gross": gross, "deduction": deduction,
            "amount": amount, "by_township": {str(k): v for k, v in sorted(units_by_town.items())}}


@transaction.atomic
def prepare(*, actor: Actor | None, milestone: Milestone, amount: Any = None) -> Milestone:
    """The maker: computes the verified amount and proposes what to pay (never more than verified)."""
    if actor is not None:
        require_edit(actor, milestone)
    require_government(actor)
    if milestone.status == MilestoneStatus.APPROVED:
        raise ValidationError({"status": "该期已审批入账"})
    if milestone.period_end >= dates.today():
        raise ValidationError({"period_end": "结算期尚未结束，不能测算"})
    figures = compute(milestone)
    verified = figures["amount"]
    proposed = verified if amount in (None, "") else money(amount, "amount", positive=False)
    if proposed > verified:
        raise ValidationError({"amount": f"拟付金额 {proposed} 元超过核实应付金额 {verified} 元"})
    milestone.verified_units = figures["units"]
    milestone.failed_records = figures["failed"]
    milestone.verified_amount = verified
    milestone.amount = proposed
    milestone.basis = {k: str(v) if isinstance(v, Decimal) else v for k, v in figures.items()}
    milestone.status = MilestoneStatus.PREPARED
    milestone.prepared_by = who(actor)
    milestone.prepared_at = dates.now()
    milestone.approved_by = ""
    milestone.save()
    return milestone


def _split(amount: Decimal, units: dict[str, int]) -> dict[int, Decimal]:
    """Share of the payment per township by verified units, to the fen; the largest share takes the remainder."""
    total = sum(units.values())
    if not total or amount <= 0:
        return {}
    parts = {int(t): (amount * n / total).quantize(CENT, ROUND_DOWN) for t, n in units.items() if n}
    top = max(parts, key=lambda t: (parts[t], -t))
    parts[top] += amount - sum(parts.values())
    return {t: a for t, a in parts.items() if a > 0}


@transaction.atomic
def approve(*, actor: Actor | None, milestone: Milestone) -> Milestone:
    """The checker (not the maker) approves; the payment enters the fund ledger at once."""
    if actor is not None:
        require_edit(actor, milestone, Cap.APPROVE)
        if actor.username == milestone.prepared_by:
            raise PermissionDenied("测算人不能审批自己测算的付款（经办与审批分离）")
    require_government(actor, Cap.APPROVE)
    milestone = Milestone.objects.select_for_update().select_related("contract").get(pk=milestone.pk)
    if milestone.status != MilestoneStatus.PREPARED:
        raise ValidationError({"status": "只能审批已测算的结算节点"})
    if milestone.amount > milestone.verified_amount:
        raise ValidationError({"amount": "拟付金额超过核实应付金额"})
    c = milestone.contract
    if milestone.amount > reconcile(c).remaining:
        raise ValidationError({"amount": "拟付金额超过合同剩余金额"})
    towns = {d.pk: d for d in Division.objects.filter(pk__in=[int(k) for k in milestone.basis.get("by_township", {})])}
    for town_id, part in _split(milestone.amount, milestone.basis.get("by_township", {})).items():
        ledger.book_purchase_payment(
            fund=c.fund, source=c.fund_source, township=towns[town_id], month=milestone.period_end,
            amount=part, contract_id=c.pk, milestone_id=milestone.pk, approved_by=who(actor),
            note=f"购买服务 {c.number} {milestone.title}（{c.provider.name}）")
    milestone.status = MilestoneStatus.APPROVED
    milestone.approved_by = who(actor)
    milestone.approved_at = dates.now()
    milestone.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record("purchased.milestone.approve", obj=milestone,
                 summary=f"审批购买服务付款 {c.number} {milestone.title} {milestone.amount} 元并记入资金台账",
                 detail={"amount": str(milestone.amount), "verified": str(milestone.verified_amount)})
    return milestone


def compute_due(*, as_of: dt.date) -> list[tuple[Milestone, dict[str, Any]]]:
    """For the CLI: figures of every open milestone whose period has ended (nothing is written)."""
    return [(m, compute(m)) for m in Milestone.objects.filter(status=MilestoneStatus.OPEN).exclude(period_end__gte=as_of)
            .select_related("contract__provider").order_by("contract__number", "seq")]
