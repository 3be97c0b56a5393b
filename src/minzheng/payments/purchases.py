"""Purchased-service payments in the fund ledger (专项资金台账): the purchased app calls this after its own
maker-checker approval, so the payment shows as spending of the contract's fund in each township it served.

The entry is an EXPENSE whose `spent_on` is the fund itself (buying services for the fund's own beneficiaries is a
use of that fund, not a 专款专用 violation) and whose `basis` names the contract and milestone, so the ledger and the
contract reconcile (selectors.purchase_payments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.regions.models import Division, Level

from .models import FundEntry, FundEntryKind, FundSource
from .selectors import fund_names


@transaction.atomic
def book_purchase_payment(*, fund: str, source: str, township: Division, month: dt.date, amount: Decimal,
                          contract_id: int, milestone_id: int, note: str, approved_by: str) -> FundEntry:
    """One township's share of an approved milestone payment (idempotent per milestone and township)."""
    if fund not in fund_names():
        raise ValidationError({"fund": f"未知资金项目：{fund}"})
    if source not in FundSource.values:
        raise ValidationError({"source": f"未知资金来源：{source}"})
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": "资金台账按乡镇(街道)记账"})
    if amount <= 0:
        raise ValidationError({"amount": "金额必须大于 0"})
    existing = FundEntry.objects.filter(basis__purchase_milestone=milestone_id, township=township).first()
    if existing is not None:
        return existing
    return FundEntry.objects.create(
        fund=fund, source=source, kind=FundEntryKind.EXPENSE, township=township, month=month.replace(day=1),
        amount=amount, spent_on=fund, note=note[:200], created_by=approved_by, spent_date=month,
        basis={"purchase_contract": contract_id, "purchase_milestone": milestone_id})
