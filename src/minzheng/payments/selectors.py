"""Reads other apps may use: township figures from the special-fund ledger (专项资金台账)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Sum

from minzheng.regions.models import Division

from .models import WORK_FUNDS, FundEntry, FundEntryKind, FundSource


def work_funds_by_township(townships: Iterable[Division], year: int) -> dict[int, dict[str, Decimal]]:
    """工作经费 of each township in `year`, in one query: township id → budget, allocated (paid) and spent; townships
    without a ledger entry that year are left out. For the district's staffing overview and report, which cover every
    township, so counted without a user."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for tid, kind, total in (FundEntry.objects.filter(fund=WORK_FUNDS, township__in=list(townships), month__year=year)
                             .values_list("township_id", "kind").annotate(total=Sum("amount")).order_by()):
        sums[tid][kind] = Decimal(str(total or 0)).quantize(Decimal("0.01"))   # SQLite sums decimals as floats
    zero = Decimal(0)
    return {tid: {"budget": s.get(FundEntryKind.BUDGET, zero), "paid": s.get(FundEntryKind.ALLOCATION, zero),
                  "spent": s.get(FundEntryKind.DISBURSEMENT, zero) + s.get(FundEntryKind.EXPENSE, zero)}
            for tid, s in sums.items()}


def fund_names() -> dict[str, str]:
    """The funds of the ledger (programme codes and 工作经费) with their names, for choosing a contract's fund."""
    from minzheng.registry.models import Programme

    names = dict(Programme.objects.values_list("code", "name"))
    names[WORK_FUNDS] = "工作经费"
    return names


def fund_sources() -> dict[str, str]:
    return {k: str(v) for k, v in FundSource.choices}


def purchase_payments(contract_id: int) -> Decimal:
    """What the ledger shows as paid for a purchased-service contract (all townships, all milestones)."""
    total = FundEntry.objects.filter(basis__purchase_contract=contract_id, kind=FundEntryKind.EXPENSE).aggregate(
        t=Sum("amount"))["t"]
    return Decimal(str(total or 0)).quantize(Decimal("0.01"))


def last_committed_month() -> dt.date | None:
    """The latest month with a roster approved, exported or paid (closed for changes): a 提标 back-dated before
    what the arrears window reaches from there would never be paid."""
    from .models import COMMITTED, Payroll

    return Payroll.objects.filter(status__in=COMMITTED).order_by("-month").values_list("month", flat=True).first()
