"""Payee details follow the fix: after an account is corrected in the household record (or a guardian's account is
recorded), the unpaid lines of open rosters that still carry the old copy are offered for update, with a diff.

Open = draft, submitted or approved but no bank file yet. A roster whose bank file was made is never changed (the
file may be at the bank): a failed or held payment is paid again later with the current details. A changed account
on an approved roster is confirmed by an approver who did not make that roster (maker-checker: the account money goes
to is part of what was approved). Every update is audited with what changed, and the pre-flight problem re-checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core.followups import Followup
from minzheng.core.scoping import require_edit
from minzheng.registry.masking import mask_account, mask_id
from minzheng.registry.models import Person

from . import payees
from .models import LineProblem, LineStatus, Payroll, PayrollLine, PayrollStatus

OPEN = (PayrollStatus.DRAFT, PayrollStatus.PREPARED, PayrollStatus.APPROVED)
LABELS = {"payee_name": "领款人", "id_number": "身份证号", "bank_name": "开户银行", "bank_account": "银行账号"}
MASKED = {"bank_account": mask_account, "id_number": mask_id}


@dataclass
class LineDiff:
    line: PayrollLine
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)   # field → (old, new)

    def shown(self) -> list[tuple[str, str, str]]:
        """(label, old, new) with accounts and ID numbers masked: what an officer compares, what the log keeps."""
        out = []
        for f, (old, new) in self.changes.items():
            if f in MASKED:
                old, new = MASKED[f](old) if old else "", MASKED[f](new) if new else ""
            out.append((LABELS[f], old or "（无）", new or "（无）"))
        return out


def _lines_for(person: Person) -> QuerySet[PayrollLine]:
    # The payee is the enrollment's person, or the household head for a household enrollment.
    # A line held in a submitted or approved roster is not sent; it is paid again later with the details of then.
    return PayrollLine.objects.filter(
        Q(person=person) | Q(person__isnull=True, household__head=person),
        Q(status=LineStatus.PENDING) | Q(status=LineStatus.HELD, payroll__status=PayrollStatus.DRAFT),
        payroll__status__in=OPEN,
    ).select_related("payroll__programme", "payroll__township", "enrollment__household")


def pending(person: Person) -> list[LineDiff]:
    """Lines of open rosters whose payee details differ from the person's (or guardian's) details today."""
    now = payees.current(person).fields
    out = []
    for line in _lines_for(person).order_by("payroll__month", "id"):
        changes = {f: (getattr(line, f), v) for f, v in now.items() if getattr(line, f) != v}
        if changes:
            out.append(LineDiff(line, changes))
    return out


def held(person: Person) -> list[PayrollLine]:
    """The person's held lines in any roster: released here once the details are fixed."""
    return list(PayrollLine.objects.filter(
        Q(person=person) | Q(person__isnull=True, household__head=person), status=LineStatus.HELD,
    ).select_related("payroll__programme", "payroll__township", "enrollment__household").order_by("payroll__month",
                                                                                                  "id")[:100])


def sent(person: Person) -> list[PayrollLine]:
    """Lines already in a bank file: shown, never changed."""
    return list(PayrollLine.objects.filter(
        Q(person=person) | Q(person__isnull=True, household__head=person),
        payroll__status__in=[PayrollStatus.EXPORTED, PayrollStatus.PAID],
        status__in=[LineStatus.PENDING, LineStatus.FAILED, LineStatus.HELD],
    ).select_related("payroll__programme", "payroll__township").order_by("-payroll__month")[:20])


def needs_checker(line: PayrollLine, user: Any) -> bool:
    """An approved roster's payee details change only with an approver who did not make the roster."""
    from .services import is_maker

    if line.payroll.status != PayrollStatus.APPROVED:
        return False
    return not user.has_cap(Cap.APPROVE) or is_maker(line.payroll, user)


def apply(*, person: Person, user: Any, line_ids: list[int] | None = None) -> int:
    """Copy today's payee details onto the chosen (default: all) pending lines; returns lines updated. Lines of an
    approved roster are left for an approver (needs_checker) and refused when asked for explicitly."""
    require_edit(user, person, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        diffs = pending(person)
        if line_ids is not None:
            wanted = set(line_ids)
            diffs = [d for d in diffs if d.line.pk in wanted]
            if any(needs_checker(d.line, user) for d in diffs):
                raise PermissionDenied("已审批花名册的领款信息变更须由未参与造册的审批人确认（或由审批人退回后重新生成）")
        diffs = [d for d in diffs if not needs_checker(d.line, user)]
        if not diffs:
            return 0
        rosters = Payroll.objects.select_for_update().filter(pk__in={d.line.payroll_id for d in diffs})
        still_open = {p.pk for p in rosters if p.status in OPEN}
        now = payees.current(person).fields
        done = []
        for d in diffs:
            line = d.line
            if line.payroll_id not in still_open:
                continue   # a bank file was made meanwhile: leave it alone
            for f, v in now.items():
                setattr(line, f, v)
            verdict = payees.check(line.enrollment, line.amount if line.amount >= 0 else None)
            # A duplicate account is re-checked when the roster is generated again; other problems follow the fix.
            if line.problem != LineProblem.DUPLICATE_ACCOUNT or not verdict.ok:
                line.problem = verdict.problem if line.amount >= 0 else ""
            line.save(update_fields=[*now.keys(), "problem"])
            done.append(d)
        record("payments.payee_sync", obj=person,
               summary=f"同步 {person.name} 的领款信息到未发放的花名册明细 {len(done)} 笔",
               detail={"lines": [{"line": d.line.pk, "payroll": d.line.payroll_id,
                                  "changes": [list(c) for c in d.shown()]}
                                 for d in done]})
    return len(done)


def followup(user: Any, person: Person) -> Followup | None:
    """After the household record is saved: send the officer to the lines still carrying the old details."""
    if not user.has_cap(Cap.EDIT_BUSINESS):
        return None
    diffs = pending(person)
    if not diffs:
        return None
    return Followup(f"{person.name} 的领款信息已变更，还有 {len(diffs)} 笔未发放的花名册明细是旧信息，请核对后同步",
                    reverse("payments:payee", kwargs={"person_id": person.pk}))
