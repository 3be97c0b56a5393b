"""Reads of purchased services: what each user may see (published to core.scoping for outside organisations),
delivery against the standard, and a contract's budget/paid/remaining reconciled with the fund ledger."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from minzheng.accounts.roles import Role, is_outside
from minzheng.core import dates, scoping
from minzheng.core.scoping import visible, visible_divisions

from .models import (
    Assessment,
    Contract,
    ContractArea,
    CreditNote,
    EvaluatorAssignment,
    Milestone,
    MilestoneStatus,
    Provider,
    ProviderStaff,
    Qualification,
    RecordStatus,
    ServiceOrder,
    ServiceRecord,
)


def _provider_staff(user: Any) -> QuerySet[Any]:
    return ProviderStaff.objects.filter(user_id=getattr(user, "pk", None), active=True)


def _assigned_contracts(user: Any) -> QuerySet[Any]:
    return EvaluatorAssignment.objects.filter(evaluator_id=getattr(user, "pk", None)).values("contract_id")


def publish_to_outside() -> None:
    """A provider's worker sees the orders assigned to them (their beneficiaries), those orders' records, and their
    provider's contracts; an evaluator sees the contracts the district assigned to it (their providers) and the
    assessments of the assigned periods, never a person, a payment or another contract."""

    def staff_only(path: str) -> scoping.OutsideView:
        def view(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
            if getattr(user, "role", "") != Role.SOCIAL_ORG:
                return qs.none()
            return qs.filter(**{f"{path}__in": _provider_staff(user).values("pk")})
        return view

    def provider_or_evaluator(path: str, contract_path: str | None) -> scoping.OutsideView:
        """`path` leads to the provider; `contract_path` to the contract (None: not published to evaluators)."""
        def view(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
            if getattr(user, "role", "") == Role.EVALUATOR:
                if contract_path is None:
                    return qs.none()
                return qs.filter(**{f"{contract_path}__in": _assigned_contracts(user)})
            if getattr(user, "role", "") != Role.SOCIAL_ORG:
                return qs.none()
            return qs.filter(**{f"{path}__in": _provider_staff(user).values("provider_id")})
        return view

    def assessments(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        if getattr(user, "role", "") == Role.EVALUATOR:
            return qs.filter(Exists(EvaluatorAssignment.objects.filter(
                evaluator_id=user.pk, contract_id=OuterRef("contract_id"), period_start=OuterRef("period_start"),
                period_end=OuterRef("period_end"))))
        return provider_or_evaluator("contract__provider", None)(qs, user)

    def assignments(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        if getattr(user, "role", "") != Role.EVALUATOR:
            return qs.none()
        return qs.filter(evaluator_id=user.pk)

    def providers_of_assigned(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        if getattr(user, "role", "") == Role.EVALUATOR:
            return qs.filter(pk__in=Contract.objects.filter(pk__in=_assigned_contracts(user)).values("provider_id"))
        return provider_or_evaluator("pk", None)(qs, user)

    scoping.publish_to_outside(ServiceOrder, staff_only("staff"))
    scoping.publish_to_outside(ServiceRecord, staff_only("order__staff"))
    scoping.publish_to_outside(ProviderStaff, staff_only("pk"))
    scoping.publish_to_outside(Contract, provider_or_evaluator("provider", "pk"))
    scoping.publish_to_outside(Provider, providers_of_assigned)
    scoping.publish_to_outside(Assessment, assessments)
    scoping.publish_to_outside(EvaluatorAssignment, assignments)
    scoping.publish_to_outside(Milestone, provider_or_evaluator("contract__provider", None))

    def of_visible_provider(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
        return qs.filter(provider__in=providers_of_assigned(Provider.objects.all(), user))

    for model in (Qualification, CreditNote):
        scoping.publish_to_outside(model, of_visible_provider)


def contracts_for(user: Any) -> QuerySet[Contract]:
    """Contracts the user bought, or that cover one of the user's townships (a township officer assigns there)."""
    if is_outside(user):
        return visible(Contract, user)
    areas = visible(ContractArea, user).values("contract_id")
    return Contract.objects.filter(Q(pk__in=visible(Contract, user).values("pk")) | Q(pk__in=areas))


def contract_for(user: Any, contract_id: int) -> Contract:
    return _one(contracts_for(user), contract_id)


def _one(qs: QuerySet[Contract], pk: int) -> Contract:
    from django.http import Http404

    try:
        return qs.select_related("provider", "buyer").get(pk=pk)
    except (Contract.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在或不在您的辖区内") from exc


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    m = dates.month_start(month)
    return dates.start_of_day(m), dates.start_of_day(dates.next_month_start(m))


def expected_visits(order: ServiceOrder, per_month: int, month: dt.date) -> int:
    """Visits the standard asks of an order in a month, in proportion to the days it was open (rounded up)."""
    first, last = dates.month_start(month), dates.month_end(month)
    start, end = max(first, order.start), min(last, order.end or last)
    if end < start:
        return 0
    days = (last - first).days + 1
    return math.ceil(per_month * ((end - start).days + 1) / days)


@dataclass
class DeliveryRow:
    order: ServiceOrder
    expected: int
    recorded: int
    verified: int
    failed: int

    @property
    def delivered(self) -> int:
        return min(self.verified, self.expected)

    @property
    def rate(self) -> float | None:
        return self.delivered / self.expected if self.expected else None


def delivery(orders: QuerySet[ServiceOrder], month: dt.date) -> list[DeliveryRow]:
    """Per beneficiary: the standard's visits for the month against what was recorded, verified and failed."""
    start, end = month_bounds(month)
    first, last = dates.month_start(month), dates.month_end(month)
    orders = orders.filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first)).select_related(
        "contract", "person", "village__parent", "staff").annotate(
        n_rec=Count("records", filter=Q(records__started_at__gte=start, records__started_at__lt=end)),
        n_ver=Count("records", filter=Q(records__started_at__gte=start, records__started_at__lt=end,
                                        records__status=RecordStatus.VERIFIED)),
        n_fail=Count("records", filter=Q(records__started_at__gte=start, records__started_at__lt=end,
                                         records__status=RecordStatus.FAILED)))
    return [DeliveryRow(o, expected_visits(o, o.contract.visits_per_month, month), o.n_rec, o.n_ver, o.n_fail)
            for o in orders]


@dataclass
class DeliverySummary:
    label: str
    orders: int
    expected: int
    delivered: int
    recorded: int
    failed: int

    @property
    def rate(self) -> float | None:
        return self.delivered / self.expected if self.expected else None


def summarise(rows: list[DeliveryRow], key: str = "provider") -> list[DeliverySummary]:
    groups: dict[str, DeliverySummary] = {}
    for r in rows:
        label = r.order.contract.provider.name if key == "provider" else str(r.order.contract.number)
        s = groups.setdefault(label, DeliverySummary(label, 0, 0, 0, 0, 0))
        s.orders += 1
        s.expected += r.expected
        s.delivered += r.delivered
        s.recorded += r.recorded
        s.failed += r.failed
    return sorted(groups.values(), key=lambda s: s.label)


@dataclass(frozen=True)
class Reconciliation:
    budget: Decimal
    planned: Decimal
    approved: Decimal
    ledger: Decimal
    remaining: Decimal

    @property
    def balanced(self) -> bool:
        return self.approved == self.ledger and self.approved + self.remaining == self.budget


def reconcile(contract: Contract) -> Reconciliation:
    """Budget = paid + remaining, and what the milestones paid is exactly what the fund ledger booked."""
    from minzheng.payments import selectors as payments

    ms = list(contract.milestones.all())
    approved = sum((m.amount for m in ms if m.status == MilestoneStatus.APPROVED), Decimal("0"))
    return Reconciliation(budget=contract.budget, planned=sum((m.cap for m in ms), Decimal("0")), approved=approved,
                          ledger=payments.purchase_payments(contract.pk), remaining=contract.budget - approved)


def public_contracts() -> list[dict[str, Any]]:
    """For the public page: provider, amount, period, service, townships and the latest assessment. No person."""
    out = []
    for c in Contract.objects.select_related("provider", "buyer").prefetch_related("areas__township").order_by(
            "-start", "number"):
        last = c.assessments.order_by("-period_end").first()
        out.append({"number": c.number, "title": c.title, "service": c.get_service_display(),
                    "provider": c.provider.name, "credit_code": c.provider.credit_code, "buyer": c.buyer.name,
                    "budget": c.budget, "start": c.start, "end": c.end, "procurement": c.get_procurement_display(),
                    "townships": "、".join(a.township.name for a in c.areas.all()),
                    "assessment": f"{last.grade}（{last.score} 分，{last.period_start:%Y-%m}至{last.period_end:%Y-%m}）"
                    if last else "尚未评估", "provider_id": c.provider_id})
    return out


def _accounts_in(user: Any, role: str) -> QuerySet[Any]:
    """Accounts of `role` bound to a division inside the officer's jurisdiction (the accounts app's users)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role=role, is_active=True,
                                           division__in=visible_divisions(user)).order_by("username")


def bindable_accounts(user: Any) -> QuerySet[Any]:
    return _accounts_in(user, Role.SOCIAL_ORG).exclude(provider_bindings__active=True)


def evaluators_for(user: Any) -> QuerySet[Any]:
    return _accounts_in(user, Role.EVALUATOR)
