"""Demo data: allowance facts loaded from department files, allowances decided, and the last three months' rosters
generated, checked, approved and paid, with fund allocations, work funds and their spending. Deterministic and
idempotent.

The months tell the story a township lives: payees the pre-flight check finds without an account are held (挂起) and
everyone else is paid; next month most accounts have been recorded, the holds released and paid as 补发; a bank
transfer that fails is refunded and reissued, and one that fails again is held for the township to check. Two
payees of 梅山街道 still have no account, so the current month shows the check on a roster the user generates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q, Sum

from minzheng.accounts.models import User
from minzheng.audit.services import batched, record
from minzheng.core import dates
from minzheng.core.pdf import Document
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, EnrollmentStatus, Person, ProgrammeFamily

from . import allowances, bankfiles, demo_facts, funds, holds, preflight, services, spending
from .accounts import luhn_digit
from .models import (
    WORK_FUNDS,
    BankFileLayout,
    FundEntry,
    FundEntryKind,
    LineKind,
    LineProblem,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
    SpendingCategory,
)

MONTHS_BACK = 3
SHOWCASE = "梅山街道"      # keeps two payees without an account for the current month
LEFT_FOR_THE_USER = 2


def _officers() -> tuple[dict[int, User], User | None, User | None]:
    """Township officers by township, the district admin (acts where a township has no demo login), the approver."""
    officers = {u.division_id: u for u in User.objects.filter(role="township_officer", is_demo=True,
                                                              division__isnull=False) if u.division_id is not None}
    return officers, User.objects.filter(username="qu_admin").first(), User.objects.filter(username="qu_shenpi").first()


def _hold_blocked(month: dt.date, officers: dict[int, User], admin: User | None) -> int:
    """What a township does with the pre-flight list: hold the lines that cannot be paid, pay the rest."""
    held = 0
    drafts = Payroll.objects.filter(month=month, status=PayrollStatus.DRAFT).select_related("programme", "township")
    for p in drafts:
        user = officers.get(p.township_id) or admin
        if user is not None and preflight.blocking_lines([p.pk]).exists():
            held += holds.hold_blocked(payroll=p, user=user)
    return held


def _approve_all(month: dt.date, preparer: User | None, approver: User | None) -> list[Payroll]:
    """Demo shortcut for every township at once: submitted by the township, approved by the district."""
    done = []
    with batched():
        for p in Payroll.objects.filter(month=month, status=PayrollStatus.DRAFT).select_related("programme",
                                                                                              "township"):
            if preflight.blocking_lines([p.pk]).exists():
                continue   # never approve what the check refuses (no demo login could hold it)
            p.status, p.prepared_at, p.approved_at = PayrollStatus.APPROVED, dates.now(), dates.now()
            p.prepared_by = preparer if preparer and preparer.division_id == p.township_id else None
            p.approved_by = approver
            p.save(update_fields=["status", "prepared_by", "prepared_at", "approved_by", "approved_at"])
            services.close_reissued(p)
            funds.record_disbursement(p)
            done.append(p)
        record("payments.demo_approve", summary=f"演示：{month:%Y-%m} 花名册 {len(done)} 本审批",
               detail={"month": str(month)})
    return done


def _bank_round_trip(p: Payroll, fail: set[int]) -> int:
    """Export a roster's bank file and import a return in which the transfers at the `fail` positions failed."""
    layout = BankFileLayout.objects.get(code="csv_gbk")
    _, data = bankfiles.export(payroll=p, user=None, layout=layout)
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))
    body = rows[2:]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(rows[0])
    w.writerow([*rows[1], "处理结果", "失败原因"])
    for i, r in enumerate(body):
        w.writerow([*r, "失败" if i in fail else "成功", "账户已冻结" if i in fail else ""])
    br = bankfiles.import_return(data=out.getvalue().encode("gbk"), file_name=f"回盘-{p.pk}.csv", user=None,
                                 layout=layout, payroll=p)
    return br.failed


def _random_failures(p: Payroll, rng: random.Random) -> set[int]:
    n = len(bankfiles.transfers(p)[0])
    return set(rng.sample(range(n), k=min(2, max(0, n - 1))))


def _reissue_failures(p: Payroll) -> set[int]:
    """The positions of transfers that reissue an earlier failure: failing again, they are held."""
    reissued = set(p.lines.filter(kind=LineKind.REISSUE).values_list("enrollment_id", flat=True))
    return {i for i, t in enumerate(bankfiles.transfers(p)[0]) if t.enrollment_id in reissued}


def _card(person: Person) -> str:
    payload = "6217" + f"{(person.pk * 7919 + 123456789) % 10**14:014d}"
    return payload + luhn_digit(payload)


def _fix_and_release(month: dt.date, officers: dict[int, User], admin: User | None, showcase: Division | None) -> int:
    """Between two months the townships record the missing accounts and release the holds (补发 next month);
    two payees of the showcase township are left for the user."""
    held = (PayrollLine.objects.filter(payroll__month=month, status=LineStatus.HELD,
                                       problem__in=[LineProblem.NO_ACCOUNT, LineProblem.BAD_ACCOUNT])
            .select_related("payroll", "enrollment__household__head", "enrollment__person").order_by("id"))
    seen: set[int] = set()
    kept: set[int] = set()
    released = 0
    for line in held:
        if line.enrollment_id in seen:
            continue
        seen.add(line.enrollment_id)
        payee = line.enrollment.person or line.enrollment.household.head
        if payee is None:
            continue
        if showcase is not None and line.payroll.township_id == showcase.pk and (
                payee.pk in kept or len(kept) < LEFT_FOR_THE_USER):
            kept.add(payee.pk)
            continue
        if not payee.bank_account or payee.bank_account != _card(payee):
            payee.bank_name, payee.bank_account = "中国邮政储蓄银行南平分行", _card(payee)
            payee.save(update_fields=["bank_name", "bank_account", "updated_at"])
        user = officers.get(line.payroll.township_id) or admin
        if user is not None:
            released += holds.release(line=line, user=user, note="演示：已补录账户")
    return released


def _leave_for_the_user(showcase: Division | None) -> int:
    """Make sure the showcase township has payees without an account this month (a card closed by the bank);
    returns how many it has."""
    if showcase is None:
        return 0
    due = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, household__division__parent=showcase)
    payees = Person.objects.filter(Q(pk__in=due.values("person_id")) | Q(
        pk__in=due.filter(person__isnull=True).values("household__head_id")), is_deceased=False)
    missing = payees.filter(bank_account="").count()
    for p in payees.exclude(bank_account="").order_by("id")[:max(0, LEFT_FOR_THE_USER - missing)]:
        p.bank_name, p.bank_account, p.note = "", "", (p.note + "；" if p.note else "") + "银行卡已销户，待补录"
        p.save(update_fields=["bank_name", "bank_account", "note", "updated_at"])
        missing += 1
    return missing


def load(out: TextIO, *, scale: float) -> None:
    rng = random.Random(20260605)
    bankfiles.seed_layouts()
    this_month = dates.month_start(dates.today())
    months = [dates.add_months(this_month, -i) for i in range(MONTHS_BACK, 0, -1)]
    if Payroll.objects.filter(month=months[-1], status__in=[PayrollStatus.APPROVED, PayrollStatus.EXPORTED,
                                                            PayrollStatus.PAID]).exists():
        out.write("资金发放演示数据已存在，跳过\n")
        return
    officers, admin, approver = _officers()
    showcase = Division.objects.filter(name=SHOWCASE).first()
    preparer = officers.get(showcase.pk) if showcase else None
    demo_facts.load(out)
    demo_facts.seed_guardian(out, preparer)
    res = allowances.refresh(month=months[0])
    out.write(f"津贴补贴核定：新增 {len(res.created)} 人次，缺认定信息 {len(res.missing)} 项（保留待补）\n")
    failed = held_again = 0
    first: list[Payroll] = []
    for i, month in enumerate(months):
        released = 0
        if i:
            allowances.refresh(month=month)
            released = _fix_and_release(months[i - 1], officers, admin, showcase)
        gen = services.generate(month=month)
        held = _hold_blocked(month, officers, admin)
        done = _approve_all(month, preparer, approver)
        if i == 0:
            first = [p for p in done if p.programme.family == ProgrammeFamily.DIBAO][:3]
            for p in first:
                failed += _bank_round_trip(p, _random_failures(p, rng))
        elif i == 1:
            # The same townships' next rosters: the reissued transfers fail again and are held for checking.
            for p in done:
                if any(p.programme_id == f.programme_id and p.township_id == f.township_id for f in first):
                    held_again += _bank_round_trip(p, _reissue_failures(p))
        out.write(f"{month:%Y-%m} 花名册 {len(gen.payrolls)} 本，{sum(p.line_count for p in gen.payrolls)} 笔，"
                  f"{gen.total} 元；发放前检查挂起 {held} 笔，上月补正后补发 {released} 笔；已审批\n")
    # The current month's allowances decided too: what `verify amounts` and this month's roster read.
    allowances.refresh(month=this_month)
    left = _leave_for_the_user(showcase)
    _funds(months, rng)
    spent = _spending(months, rng, officers, admin)
    out.write(f"资金台账：下达、工作经费和支出 {spent} 笔已记账；演示银行回盘失败 {failed} 笔（已退回并在次月重发），"
              f"再次失败 {held_again} 笔已挂起待核实；{SHOWCASE} 有 {left} 名领款人待补录账户（本月造册时可见）\n")


def _funds(months: list[dt.date], rng: random.Random) -> None:
    """Allocations a little above spending (one township short, to show the alert), and monthly work funds."""
    with transaction.atomic():
        rows = (FundEntry.objects.filter(kind=FundEntryKind.DISBURSEMENT, month__in=months)
                .values("fund", "source", "township_id", "month").annotate(total=Sum("amount")))
        short = None
        entries = []
        for r in rows:
            short = short or r["township_id"]
            factor = Decimal("0.95") if r["township_id"] == short and r["fund"] == "dibao_rural" else Decimal(
                str(1 + rng.choice([0.02, 0.05, 0.1])))
            entries.append(FundEntry(fund=r["fund"], source=r["source"], kind=FundEntryKind.ALLOCATION,
                                     township_id=r["township_id"], month=r["month"],
                                     amount=(r["total"] * factor).quantize(Decimal("0.01")), note="演示：按月下达",
                                     created_by="minzheng-demo"))
        FundEntry.objects.bulk_create(entries, batch_size=1000)
        record("payments.demo_funds", summary=f"演示：资金下达 {len(entries)} 条")
    for month in months:
        funds.budget_work_funds(month=month)
        funds.pay_work_funds(month=month)


def _voucher_pdf(township: str, voucher: str, amount: Decimal) -> SimpleUploadedFile:
    doc = Document("记账凭证（演示）", subtitle=f"{township} 凭证号 {voucher}")
    doc.paragraph(f"工作经费支出 {amount} 元。此为演示数据生成的凭证扫描件。")
    return SimpleUploadedFile(f"{voucher}.pdf", doc.render(), content_type="application/pdf")


def _spending(months: list[dt.date], rng: random.Random, officers: dict[int, User], admin: User | None) -> int:
    """Each township spends part of its monthly work funds; townships with a demo login scan their vouchers, and
    one spends beyond what it was allocated (the red alert)."""
    n = 0
    allocations = (FundEntry.objects.filter(fund=WORK_FUNDS, kind=FundEntryKind.ALLOCATION, month__in=months)
                   .select_related("township").order_by("township__code", "month"))
    over = None
    planned: list[dict[str, Any]] = []
    for a in allocations:
        user = officers.get(a.township_id) or admin
        if user is None:
            continue
        over = over or (a.township_id if a.township_id not in officers else None)
        share = Decimal("2.6") if a.township_id == over and a.month == months[-1] else Decimal(
            str(rng.choice([0.3, 0.45, 0.6])))
        categories = rng.sample(list(SpendingCategory.values), k=2)
        amounts = [(a.amount * share * Decimal("0.6")).quantize(Decimal("0.01"))]
        amounts.append((a.amount * share).quantize(Decimal("0.01")) - amounts[0])
        for k, (category, amount) in enumerate(zip(categories, amounts, strict=True)):
            if amount <= 0:
                continue
            voucher = f"记-{a.month:%Y%m}-{a.township.code[-3:]}{k + 1:02d}"
            day = min(dates.month_end(a.month), dates.today()) - dt.timedelta(days=3 * k + 2)
            attachment = _voucher_pdf(a.township.name, voucher, amount) if a.township_id in officers else None
            planned.append({"user": user, "township": a.township, "category": category, "amount": amount,
                            "spent_date": max(day, a.month), "voucher_no": voucher,
                            "note": f"{SpendingCategory(category).label}（演示）", "attachment": attachment})
    # The vouchers are drawn first: the one transaction that books them (entries chained once) stays short.
    with batched():
        for row in planned:
            spending.record_spending(**row)
            n += 1
    return n

