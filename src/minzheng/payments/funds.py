"""Special-fund ledger (专项资金台账) and township work funds (工作经费).

Each approved roster books its total as a disbursement, split over the funding levels by the programme's share
parameter; budgets and allocations are entered by the bureau. 专款专用: an expense whose purpose differs from the fund's
own programme, and spending above what was allocated, raise alerts. Work funds follow the bureau report's proposal:
a township's monthly work-fund budget is a ratio (parameter) of the special funds it handled that month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core.scoping import require_division, visible
from minzheng.policy.services import resolve
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Programme

from .models import WORK_FUNDS, FundEntry, FundEntryKind, FundSource, Payroll

CENT = Decimal("0.01")


def shares_for(programme_code: str, on: dt.date) -> tuple[dict[str, Decimal], dict[str, Any]]:
    pv = resolve("payments.fund_shares", on=on)
    table = pv.value or {}
    raw = table.get(programme_code) or table.get("*") or {"county": "1"}
    shares = {s: Decimal(str(raw.get(s, "0"))) for s in FundSource.values}
    if sum(shares.values()) != Decimal("1"):
        raise ValidationError(f"资金分担比例参数中 {programme_code} 的各级比例之和不是 1")
    return shares, pv.ref()


def split(total: Decimal, shares: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split to the fen; the county (兜底) takes the rounding remainder so the parts add up exactly."""
    parts = {s: (total * share).quantize(CENT, ROUND_HALF_UP) for s, share in shares.items()}
    parts[FundSource.COUNTY] += total - sum(parts.values())
    return parts


def _book(payroll: Payroll, kind: str, total: Decimal, note: str, basis: dict[str, Any]) -> list[FundEntry]:
    """Idempotent per roster, source and kind. The caller's transaction has locked the roster's row (approval selects
    it for update, a bank return updates it), so one read of what is booked replaces a get_or_create per level."""
    shares, ref = shares_for(payroll.programme.code, payroll.month)
    booked = {e.source: e for e in FundEntry.objects.filter(payroll=payroll, kind=kind)}
    out = []
    for source, amount in split(total, shares).items():
        if amount == 0:
            continue
        entry = booked.get(source)
        if entry is None:
            entry = FundEntry.objects.create(
                payroll=payroll, source=source, kind=kind, fund=payroll.programme.code, township=payroll.township,
                month=payroll.month, amount=amount, spent_on=payroll.programme.code, note=note,
                basis={"shares": ref, **basis})
        out.append(entry)
    return out


def record_disbursement(payroll: Payroll) -> list[FundEntry]:
    """Book an approved roster against its programme's funds (idempotent per roster and source): what leaves the
    fund is the roster total less the lines held back."""
    return _book(payroll, FundEntryKind.DISBURSEMENT, payroll.payable_total, f"{payroll.title} 发放",
                 {"total": str(payroll.total), "held": str(payroll.held_total)})


def record_refund(payroll: Payroll, amount: Decimal, bank_return_id: int) -> list[FundEntry]:
    """Transfers the bank returned (failed) are back in the fund until reissued in a later roster, which books them
    again; so spending counts money that actually left, to the fen."""
    if amount <= 0:
        return []
    return _book(payroll, FundEntryKind.REFUND, amount, f"{payroll.title} 银行退回", {"bank_return": bank_return_id})


def add_entry(*, user: Actor, fund: str, source: str, kind: str, township: Division, month: dt.date, amount: Decimal,
              spent_on: str = "", note: str = "") -> FundEntry:
    """Budgets and allocations are entered by the district; expenses by the township or the district."""
    cap = Cap.EDIT_BUSINESS if kind == FundEntryKind.EXPENSE else Cap.APPROVE
    require_division(user, township, cap)
    if fund != WORK_FUNDS and not Programme.objects.filter(code=fund).exists():
        raise ValidationError({"fund": f"未知资金项目：{fund}"})
    if source not in FundSource.values:
        raise ValidationError({"source": f"未知资金来源：{source}"})
    if kind not in (FundEntryKind.BUDGET, FundEntryKind.ALLOCATION, FundEntryKind.EXPENSE):
        raise ValidationError({"kind": "发放支出由审批后的花名册自动记账，不能手工录入"})
    if amount <= 0:
        raise ValidationError({"amount": "金额必须大于 0"})
    with transaction.atomic():
        return FundEntry.objects.create(fund=fund, source=source, kind=kind, township=township,
                                        month=month.replace(day=1), amount=amount, spent_on=spent_on or fund,
                                        note=note, created_by=getattr(user, "username", ""))


# Entry kind → (LedgerRow column, sign): a bank refund reduces what was paid out.
LEDGER_COLUMNS: dict[str, tuple[str, int]] = {
    FundEntryKind.BUDGET: ("budget", 1), FundEntryKind.ALLOCATION: ("allocated", 1),
    FundEntryKind.DISBURSEMENT: ("disbursed", 1), FundEntryKind.REFUND: ("disbursed", -1),
    FundEntryKind.EXPENSE: ("expense", 1),
}


@dataclass
class LedgerRow:
    fund: str
    fund_name: str
    source: str
    township: str
    township_name: str
    budget: Decimal = Decimal("0")
    allocated: Decimal = Decimal("0")
    disbursed: Decimal = Decimal("0")
    expense: Decimal = Decimal("0")

    @property
    def spent(self) -> Decimal:
        return self.disbursed + self.expense

    @property
    def source_label(self) -> str:
        try:
            return str(FundSource(self.source).label)
        except ValueError:
            return self.source

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent

    @property
    def over(self) -> bool:
        return self.spent > self.allocated


def fund_names() -> dict[str, str]:
    names = dict(Programme.objects.values_list("code", "name"))
    names[WORK_FUNDS] = "工作经费"
    return names


def ledger(user: Actor, *, year: int, month: dt.date | None = None) -> list[LedgerRow]:
    """Budget, allocation, disbursement and balance per fund, source and township (for a year, or up to a month)."""
    qs = visible(FundEntry, user).filter(month__year=year)
    if month is not None:
        qs = qs.filter(month__lte=month)
    names = fund_names()
    rows: dict[tuple[str, str, int], LedgerRow] = {}
    agg = qs.values("fund", "source", "township_id", "township__code", "township__name", "kind").annotate(
        total=Sum("amount"))
    for r in agg:
        key = (r["fund"], r["source"], r["township_id"])
        row = rows.setdefault(key, LedgerRow(r["fund"], names.get(r["fund"], r["fund"]), r["source"],
                                             r["township__code"], r["township__name"]))
        amount = Decimal(str(r["total"] or 0)).quantize(CENT)   # SQLite sums decimals as floats
        attr, sign = LEDGER_COLUMNS[r["kind"]]
        setattr(row, attr, getattr(row, attr) + sign * amount)
    return sorted(rows.values(), key=lambda r: (r.township, r.fund, r.source))


@dataclass(frozen=True)
class Alert:
    level: str
    text: str
    township: str = ""


def alerts(user: Actor, *, year: int, rows: list[LedgerRow] | None = None) -> list[Alert]:
    """Over-spending (spent > allocated) and 专款专用 violations (a fund spent on another purpose); `rows` is the
    year's ledger when the caller has it already."""
    out = []
    names = fund_names()
    src = dict(FundSource.choices)
    for r in ledger(user, year=year) if rows is None else rows:
        if r.over:
            out.append(Alert("red", f"{r.township_name} {r.fund_name}（{src.get(r.source, r.source)}资金）"
                                    f"支出 {r.spent} 元，超过下达额度 {r.allocated} 元", r.township_name))
    misuse = visible(FundEntry, user).filter(month__year=year).filter(
        kind__in=[FundEntryKind.EXPENSE, FundEntryKind.DISBURSEMENT]).exclude(spent_on="").exclude(
        Q(spent_on=models_f("fund"))).select_related("township")
    for e in misuse:
        out.append(Alert("red", f"{e.township.name} {names.get(e.fund, e.fund)}专项资金 {e.amount} 元被用于"
                                f"“{names.get(e.spent_on, e.spent_on)}”（{e.month:%Y-%m}，{e.note}），违反专款专用",
                         e.township.name))
    from . import spending

    out += [Alert(level, text, town) for level, text, town in spending.alerts(user, year=year)]
    return out


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def township_spending(user: Actor, *, year: int, rows: list[LedgerRow] | None = None) -> list[dict[str, Any]]:
    """Per township: allocated vs spent in the year, for the funds chart."""
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"allocated": Decimal(0), "spent": Decimal(0)})
    for r in ledger(user, year=year) if rows is None else rows:
        if r.fund == WORK_FUNDS:
            continue
        t = per[r.township_name]
        t["allocated"] += r.allocated
        t["spent"] += r.spent
    return [{"township": k, **v} for k, v in sorted(per.items())]


def budget_work_funds(*, month: dt.date, user: Actor | None = None) -> list[FundEntry]:
    """工作经费: each township's monthly budget = ratio × the special funds it disbursed that month (county money).

    The ratio is the parameter payments.work_fund_ratio (the bureau report's proposal); re-running replaces nothing:
    a township already budgeted for the month keeps its entry."""
    month = month.replace(day=1)
    pv = resolve("payments.work_fund_ratio", on=month)
    ratio = pv.decimal
    qs = FundEntry.objects.filter(kind=FundEntryKind.DISBURSEMENT, month=month).exclude(fund=WORK_FUNDS)
    if user is not None:
        qs = visible(qs, user)
    handled = qs.values("township_id").annotate(total=Sum("amount"))
    out = []
    with transaction.atomic():
        for r in handled:
            amount = (Decimal(r["total"]) * ratio).quantize(CENT, ROUND_HALF_UP)
            if amount <= 0:
                continue
            entry, made = FundEntry.objects.get_or_create(
                fund=WORK_FUNDS, kind=FundEntryKind.BUDGET, township_id=r["township_id"], month=month,
                source=FundSource.COUNTY, payroll=None,
                defaults={"amount": amount, "spent_on": WORK_FUNDS, "note": f"按经办专项资金 {r['total']} 元的 {ratio} 预算",
                          "basis": {"ratio": pv.ref(), "handled": str(r["total"])}})
            if made:
                out.append(entry)
        if out:
            record("payments.work_funds", summary=f"{month:%Y-%m} 乡镇工作经费预算 {len(out)} 条",
                   detail={"month": str(month), "ratio": pv.ref()})
    return out


def pay_work_funds(*, month: dt.date, user: Actor | None = None) -> list[FundEntry]:
    """Allocate (pay out) each township's budgeted work funds of the month: paid monthly, as the report asks."""
    month = month.replace(day=1)
    out = []
    with transaction.atomic():
        for b in FundEntry.objects.filter(fund=WORK_FUNDS, kind=FundEntryKind.BUDGET, month=month):
            entry, made = FundEntry.objects.get_or_create(
                fund=WORK_FUNDS, kind=FundEntryKind.ALLOCATION, township_id=b.township_id, month=month,
                source=FundSource.COUNTY, payroll=None,
                defaults={"amount": b.amount, "spent_on": WORK_FUNDS, "note": "工作经费按月拨付"})
            if made:
                out.append(entry)
    return out


def townships() -> list[Division]:
    return list(Division.objects.filter(level=Level.TOWNSHIP).order_by("code"))
