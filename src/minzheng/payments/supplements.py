"""补充花名册 (supplementary roster): in the same month, pay the lines that were held and since released, and the
bank payments that failed, once their details are fixed — without waiting for next month or reopening the month's
roster, whose snapshot stays as approved.

A supplement belongs to the latest month of its programme and township (a later roster would pay the same lines
itself), goes through the same pre-flight, holds and maker-checker approval, and pays each owed line once (the
database refuses a second re-payment of a line: payline_reissued_once).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.core.scoping import require_edit

from . import engine, preflight
from .models import COMMITTED, LineStatus, Payroll, PayrollLine, PayrollStatus
from .services import ENGINE_VERSION, PayrollError


def owed(base: Payroll) -> QuerySet[PayrollLine]:
    """Lines of the programme's and township's committed rosters up to `base`'s month still owed: failed at the bank
    and not yet reissued, or released from a hold and not yet paid again."""
    return PayrollLine.objects.filter(
        payroll__programme_id=base.programme_id, payroll__township_id=base.township_id,
        payroll__month__lte=base.month, payroll__status__in=COMMITTED,
        status__in=[LineStatus.FAILED, LineStatus.RELEASED], reissues__isnull=True)


def blocker(base: Payroll) -> str:
    """Why no supplement can be made for `base` now ('' when one can)."""
    if base.supplement_of_id is not None:
        return "请在原花名册上生成补充花名册"
    if base.status not in COMMITTED or base.status == PayrollStatus.PREPARED:
        return "花名册审批后才能生成补充花名册"
    if Payroll.objects.filter(programme_id=base.programme_id, township_id=base.township_id,
                              month__gt=base.month).exists():
        return "已有更晚月份的花名册，挂起解除和发放失败的款项将在该月补发"
    if base.supplements.filter(status=PayrollStatus.PREPARED).exists():
        return "已有一本待审批的补充花名册，请先审批或退回"
    rebuilding = base.supplements.filter(status=PayrollStatus.DRAFT).exists()
    if not rebuilding and not owed(base).exists():
        return "没有待补发的明细（挂起的明细需先补正档案并解除挂起）"
    return ""


def generate(*, payroll: Payroll, user: Any) -> Payroll:
    """Make (or rebuild, while still a draft) the supplementary roster of `payroll`'s month: one re-payment per owed
    line. Holds made in a rebuilt draft are lost with its lines; the officer holds again what still cannot be paid."""
    base = payroll.supplement_of or payroll
    require_edit(user, base, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7410555)")   # the same lock as services.generate
        base = Payroll.objects.select_for_update().select_related("programme", "township").get(pk=base.pk)
        why = blocker(base)
        if why:
            raise PayrollError(why)
        now = dates.now()
        sup = base.supplements.filter(status=PayrollStatus.DRAFT).first()
        if sup is not None:
            engine.delete_lines([sup.pk])
            sup.generated_by, sup.generated_at, sup.held_count, sup.held_total = user, now, 0, Decimal(0)
            sup.save(update_fields=["generated_by", "generated_at", "held_count", "held_total"])
        else:
            sup = Payroll.objects.create(programme=base.programme, township=base.township, month=base.month,
                                         supplement_of=base, status=PayrollStatus.DRAFT, generated_by=user,
                                         generated_at=now)
        engine.insert_repayments(base.month, [sup.pk], same_month=True)
        engine.mark_duplicate_accounts(base.month, [sup.pk])
        kinds = {r["kind"]: {"count": r["n"], "total": str(Decimal(str(r["t"])).quantize(Decimal("0.01")))}
                 for r in sup.lines.values("kind").annotate(n=Count("id"), t=Sum("amount"))}
        sup.line_count = sum(int(v["count"]) for v in kinds.values())
        sup.total = sum((Decimal(v["total"]) for v in kinds.values()), Decimal("0.00"))
        sup.snapshot = {"engine": ENGINE_VERSION, "generated_at": now.isoformat(), "supplement_of": base.pk,
                        "kinds": kinds, "rules": "lines failed at the bank or released from a hold, paid again once "
                                                 "with today's payee details"}
        sup.save(update_fields=["line_count", "total", "snapshot"])
        blocked = preflight.blocking_lines([sup.pk]).count()
        record("payments.supplement", obj=sup, summary=f"生成补充花名册 {sup.title}：{sup.line_count} 笔，"
               f"{sup.total} 元" + (f"；{blocked} 笔仍不能发放" if blocked else ""),
               detail={"supplement_of": base.pk, "kinds": kinds})
    return sup
