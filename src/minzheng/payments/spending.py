"""工作经费 spending: what a township spent its work funds on (category, amount, date, voucher number, a scan of
the voucher), its balance against the budget and what was allocated, and the alerts that follow.

Budgets and allocations are booked monthly by the district (funds.budget_work_funds / pay_work_funds); spending is
entered by the township. A spending entry is a FundEntry of kind EXPENSE on the WORK_FUNDS fund, so the fund ledger
and the monthly fund report include it without a second bookkeeping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.core.scoping import require_division, visible
from minzheng.regions.models import Division

from .models import WORK_FUNDS, FundEntry, FundEntryKind, FundSource, SpendingCategory

CENT = Decimal("0.01")
ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png"}
ATTACHMENT_MAX = 10 * 1024 * 1024
# Share of the year's budget spent above which the township is warned (资金使用预警).
WARN_SHARE = Decimal("0.9")


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": f"金额“{value}”不是数字"}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "金额必须大于 0"})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": "金额最多两位小数（精确到分）"})
    if amount >= Decimal("1e10"):
        raise ValidationError({"amount": "金额过大"})
    return amount


def _attachment(f: UploadedFile | None) -> UploadedFile | None:
    if f is None:
        return None
    suffix = PurePath(f.name or "").suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ValidationError({"attachment": "凭证附件只能是 PDF、JPG 或 PNG"})
    if (f.size or 0) > ATTACHMENT_MAX:
        raise ValidationError({"attachment": "凭证附件不能超过 10 MB"})
    return f


def record_spending(*, user: Any, township: Division, category: str, amount: Any, spent_date: dt.date,
                    voucher_no: str, note: str = "", attachment: UploadedFile | None = None) -> FundEntry:
    """Enter one payment out of a township's work funds. The voucher number is unique per township."""
    require_division(user, township, Cap.EDIT_BUSINESS)
    errors: dict[str, str] = {}
    if category not in SpendingCategory.values:
        errors["category"] = "请选择支出类别"
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        errors["voucher_no"] = "请填写凭证号"
    elif len(voucher_no) > 40:
        errors["voucher_no"] = "凭证号过长"
    if spent_date > dates.today():
        errors["spent_date"] = "支出日期不能晚于今天"
    elif spent_date.year < 2000:
        errors["spent_date"] = "支出日期不合理"
    if errors:
        raise ValidationError(errors)
    value = _amount(amount)
    upload = _attachment(attachment)
    if FundEntry.objects.filter(township=township, voucher_no=voucher_no).exists():
        raise ValidationError({"voucher_no": f"凭证号 {voucher_no} 已登记过，同一张凭证不能重复记账"})
    try:
        with transaction.atomic():
            entry = FundEntry(fund=WORK_FUNDS, source=FundSource.COUNTY, kind=FundEntryKind.EXPENSE,
                              township=township, month=dates.month_start(spent_date), amount=value,
                              spent_on=WORK_FUNDS, category=category, spent_date=spent_date, voucher_no=voucher_no,
                              note=(note or "").strip()[:200], created_by=getattr(user, "username", ""))
            if upload is not None:
                entry.attachment.save(f"{township.code}-{voucher_no}{PurePath(upload.name or '').suffix.lower()}",
                                      upload, save=False)
            entry.save()
            record("payments.spending", obj=entry, division_code=township.code,
                   summary=f"{township.name} 工作经费支出 {value} 元（{SpendingCategory(category).label}，"
                           f"凭证 {voucher_no}）", detail={"date": str(spent_date), "attachment": bool(upload)})
    except IntegrityError:   # two clerks entering the same voucher at once
        raise ValidationError({"voucher_no": f"凭证号 {voucher_no} 已登记过"}) from None
    return entry


def entries(user: Any, *, year: int, township: Division | None = None) -> QuerySet[FundEntry]:
    qs = visible(FundEntry, user).filter(fund=WORK_FUNDS, kind=FundEntryKind.EXPENSE, month__year=year)
    if township is not None:
        qs = qs.filter(township=township)
    return qs.select_related("township").order_by("-spent_date", "-id")


@dataclass
class Balance:
    """One township's work funds in a year: budget, allocated, spent, what is left, and by category."""

    township: Division
    budget: Decimal = Decimal("0")
    allocated: Decimal = Decimal("0")
    spent: Decimal = Decimal("0")
    entries: int = 0
    without_attachment: int = 0
    by_category: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balance(self) -> Decimal:
        return self.allocated - self.spent

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.spent

    @property
    def used_share(self) -> Decimal:
        return (self.spent / self.budget).quantize(CENT) if self.budget else Decimal("0")

    @property
    def level(self) -> str:
        """red: spent beyond what was allocated; orange: most of the budget used, or vouchers without a scan."""
        if self.spent > self.allocated:
            return "red"
        if (self.budget and self.spent >= self.budget * WARN_SHARE) or self.without_attachment:
            return "orange"
        return ""


def balances(user: Any, *, year: int, upto: dt.date | None = None) -> list[Balance]:
    qs = visible(FundEntry, user).filter(fund=WORK_FUNDS, month__year=year)
    if upto is not None:
        qs = qs.filter(month__lte=upto)
    rows: dict[int, Balance] = {}
    towns = {d.pk: d for d in Division.objects.filter(pk__in=qs.values("township_id"))}

    def row(tid: int) -> Balance:
        return rows.setdefault(tid, Balance(towns[tid]))

    for r in qs.values("township_id", "kind").annotate(t=Sum("amount")):
        amount = Decimal(str(r["t"] or 0)).quantize(CENT)
        b = row(r["township_id"])
        if r["kind"] == FundEntryKind.BUDGET:
            b.budget += amount
        elif r["kind"] == FundEntryKind.ALLOCATION:
            b.allocated += amount
        elif r["kind"] == FundEntryKind.EXPENSE:
            b.spent += amount
    for r in (qs.filter(kind=FundEntryKind.EXPENSE).values("township_id", "category")
              .annotate(t=Sum("amount"), n=Count("id"), bare=Count("id", filter=Q(attachment="")))):
        b = row(r["township_id"])
        b.by_category[r["category"] or SpendingCategory.OTHER] = Decimal(str(r["t"] or 0)).quantize(CENT)
        b.entries += r["n"]
        b.without_attachment += r["bare"]
    return sorted(rows.values(), key=lambda b: b.township.code)


def alerts(user: Any, *, year: int) -> list[tuple[str, str, str]]:
    """(level, text, township) warnings for the funds page; spending beyond the allocation is already a red alert
    of the fund ledger (funds.alerts)."""
    out = []
    for b in balances(user, year=year):
        name = b.township.name
        if b.spent <= b.allocated and b.budget and b.spent >= b.budget * WARN_SHARE:
            out.append(("orange", f"{name} 工作经费已用 {b.spent} 元，达年度预算 {b.budget} 元的 "
                                  f"{(b.used_share * 100).quantize(Decimal('1'))}%", name))
        if b.without_attachment:
            out.append(("orange", f"{name} 有 {b.without_attachment} 笔工作经费支出没有上传凭证附件", name))
    return out
