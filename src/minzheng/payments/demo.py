"""Demo data: allowances decided and the last three months' rosters generated, approved and paid, with fund
allocations and work funds, so the dashboards have something to show. Deterministic and idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.db.models import Sum

from minzheng.accounts.models import User
from minzheng.audit.services import record
from minzheng.core import dates

from . import allowances, bankfiles, funds, services
from .models import BankFileLayout, FundEntry, FundEntryKind, Payroll, PayrollStatus

MONTHS_BACK = 3


def _approve_all(month: dt.date, preparer: User | None, approver: User | None) -> list[Payroll]:
    """Demo shortcut for every township at once: submitted by the township, approved by the district."""
    done = []
    with transaction.atomic():
        for p in Payroll.objects.filter(month=month, status=PayrollStatus.DRAFT).select_related("programme",
                                                                                              "township"):
            p.status, p.prepared_at, p.approved_at = PayrollStatus.APPROVED, dates.now(), dates.now()
            p.prepared_by = preparer if preparer and preparer.division_id == p.township_id else None
            p.approved_by = approver
            p.save(update_fields=["status", "prepared_by", "prepared_at", "approved_by", "approved_at"])
            funds.record_disbursement(p)
            done.append(p)
        record("payments.demo_approve", summary=f"演示：{month:%Y-%m} 花名册 {len(done)} 本审批",
               detail={"month": str(month)})
    return done


def _bank_round_trip(p: Payroll, rng: random.Random) -> int:
    """Export a roster's bank file and import a return in which one or two accounts failed."""
    layout = BankFileLayout.objects.get(code="csv_gbk")
    try:
        _, data = bankfiles.export(payroll=p, user=None, layout=layout)
    except Exception:  # e.g. a payee without an account in imported demo data: leave it approved
        return 0
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))
    body = rows[2:]
    fail = set(rng.sample(range(len(body)), k=min(2, max(0, len(body) - 1))))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(rows[0])
    w.writerow([*rows[1], "处理结果", "失败原因"])
    for i, r in enumerate(body):
        w.writerow([*r, "失败" if i in fail else "成功", "账户已冻结" if i in fail else ""])
    br = bankfiles.import_return(data=out.getvalue().encode("gbk"), file_name=f"回盘-{p.pk}.csv", user=None,
                                 layout=layout, payroll=p)
    return br.failed


def load(out: TextIO, *, scale: float) -> None:
    rng = random.Random(20260605)
    bankfiles.seed_layouts()
    this_month = dates.today().replace(day=1)
    months = [dates.add_months(this_month, -i) for i in range(MONTHS_BACK, 0, -1)]
    if Payroll.objects.filter(month=months[-1], status__in=[PayrollStatus.APPROVED, PayrollStatus.EXPORTED,
                                                            PayrollStatus.PAID]).exists():
        out.write("资金发放演示数据已存在，跳过\n")
        return
    approver = User.objects.filter(username="qu_shenpi").first()
    preparer = User.objects.filter(username="meishan").first()
    res = allowances.refresh(month=months[0])
    out.write(f"津贴补贴核定：新增 {len(res.created)} 人次\n")
    failed = 0
    for i, month in enumerate(months):
        if i:
            allowances.refresh(month=month)
        gen = services.generate(month=month)
        done = _approve_all(month, preparer, approver)
        if i == 0:
            for p in done[:3]:
                failed += _bank_round_trip(p, rng)
        out.write(f"{month:%Y-%m} 花名册 {len(gen.payrolls)} 本，{sum(p.line_count for p in gen.payrolls)} 笔，"
                  f"{gen.total} 元，已审批\n")
    _funds(months, rng)
    out.write(f"资金台账：下达和工作经费已记账；演示银行回盘失败 {failed} 笔（已在次月重发）\n")


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
