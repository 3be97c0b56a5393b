"""挂起 (hold) and 解除挂起 (release): a payee whose line cannot be paid is set aside so the rest of the roster is paid.

- Holding is done on a draft, by the township (the maker), with a reason; it takes the payee's whole transfer (all
  their lines in the roster, a netted recovery included). A held line is not sent to the bank and not booked as spent.
- In a draft, releasing puts the line back (it must then be payable or held again before submitting).
- In a committed roster, releasing says "fixed": the payee's current details are checked first; the line is then
  paid again (补发) in the next month's roster or a 补充花名册 (engine.insert_repayments).
- A payment that fails at the bank twice is held by the bank-return import (bankfiles.import_return).
Every hold and release is audited; the one who held a line in a roster cannot approve it (services.is_maker).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.registry.models import Enrollment

from . import payees, preflight
from .models import COMMITTED, HELD_STATUSES, LineStatus, Payroll, PayrollLine, PayrollStatus


class HoldError(ValidationError):
    """A hold or release that cannot be done as asked; the message says why."""


def refresh_held(payroll: Payroll) -> None:
    """Held count and total of a draft (frozen with the roster once submitted)."""
    agg = payroll.lines.filter(status__in=HELD_STATUSES).aggregate(n=Count("id"), t=Sum("amount"))
    payroll.held_count, payroll.held_total = agg["n"] or 0, agg["t"] or 0
    Payroll.objects.filter(pk=payroll.pk).update(held_count=payroll.held_count, held_total=payroll.held_total)


def _locked(payroll: Payroll) -> Payroll:
    return Payroll.objects.select_for_update().select_related("programme", "township").get(pk=payroll.pk)


def hold(*, payroll: Payroll, user: Any, enrollment_ids: list[int], reason: str) -> int:
    """Hold the payees' lines in a draft roster; returns the number of lines held."""
    require_edit(user, payroll, Cap.EDIT_BUSINESS)
    reason = (reason or "").strip()
    if not reason:
        raise HoldError("挂起必须填写原因")
    with transaction.atomic():
        p = _locked(payroll)
        if p.status != PayrollStatus.DRAFT:
            raise HoldError(f"花名册{p.get_status_display()}，只有草稿可以挂起明细；"
                            "已审批未生成银行文件的可由审批人退回后挂起，已发放的在下月处理")
        lines = p.lines.filter(enrollment_id__in=enrollment_ids)
        if not lines.exists():
            raise HoldError("花名册中没有这些明细")
        todo = lines.filter(status=LineStatus.PENDING)
        if not todo.exists():
            raise HoldError("这些明细已经挂起")
        ids = list(todo.values_list("id", flat=True))
        n = todo.update(status=LineStatus.HELD, hold_reason=reason[:200], held_by=user, held_at=dates.now())
        refresh_held(p)
        record("payments.hold", obj=p, summary=f"挂起 {p.title} 明细 {n} 笔：{reason}",
               detail={"lines": ids, "enrollments": enrollment_ids, "reason": reason})
    return n


def hold_blocked(*, payroll: Payroll, user: Any) -> int:
    """Hold every line the pre-flight check found unpayable, each with its own reason."""
    require_edit(user, payroll, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        p = _locked(payroll)
        if p.status != PayrollStatus.DRAFT:
            raise HoldError(f"花名册{p.get_status_display()}，只有草稿可以挂起明细")
        blocked = preflight.blocking([p.pk])
        if not blocked:
            raise HoldError("没有不能发放的明细")
        now, n = dates.now(), 0
        by_enrollment: dict[int, str] = {}
        for b in blocked:
            by_enrollment.setdefault(b.enrollment_id, b.message)
        for eid, why in by_enrollment.items():
            n += p.lines.filter(enrollment_id=eid, status=LineStatus.PENDING).update(
                status=LineStatus.HELD, hold_reason=why[:200], held_by=user, held_at=now)
        refresh_held(p)
        record("payments.hold", obj=p, summary=f"挂起 {p.title} 不能发放的明细 {n} 笔（{len(by_enrollment)} 人）",
               detail={"enrollments": by_enrollment})
    return n


def release(*, line: PayrollLine, user: Any, note: str = "") -> int:
    """Release a payee's held lines in a roster. In a draft they return to the roster; in a committed roster the
    payee's details must now be payable, and the lines are paid again in a later roster. Returns lines released."""
    payroll = line.payroll
    require_edit(user, payroll, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        p = _locked(payroll)
        group = p.lines.filter(enrollment_id=line.enrollment_id)
        held = group.filter(status=LineStatus.HELD)
        if not held.exists():
            if group.filter(status=LineStatus.RELEASED).exists():
                raise HoldError("已经解除挂起，将在下月花名册或补充花名册中补发")
            raise HoldError("该明细没有挂起")
        ids = list(held.values_list("id", flat=True))
        if p.status == PayrollStatus.DRAFT:
            n = held.update(status=LineStatus.PENDING, hold_reason="", held_by=None, held_at=None)
            refresh_held(p)
            record("payments.unhold", obj=p, summary=f"取消挂起 {p.title} {line.payee_name} {n} 笔",
                   detail={"lines": ids, "note": note})
            return n
        if p.status not in COMMITTED or p.status == PayrollStatus.PREPARED:
            raise HoldError("花名册待审批，不能解除挂起；请由审批人退回后处理")
        amount = held.aggregate(t=Sum("amount"))["t"]
        # Today's details, read afresh: the fix may have been saved after `line` was loaded.
        enrollment = Enrollment.objects.select_related("household__head", "person").get(pk=line.enrollment_id)
        verdict = payees.check(enrollment, None)
        if not verdict.ok:
            raise HoldError(f"仍不能发放：{verdict.message}。请先在档案中补正再解除挂起")
        n = held.update(status=LineStatus.RELEASED, released_by=user, released_at=dates.now())
        record("payments.release", obj=p, summary=f"解除挂起 {p.title} {line.payee_name} {n} 笔，"
               f"{amount} 元将在下月花名册或补充花名册中补发", detail={"lines": ids, "note": note})
    return n
