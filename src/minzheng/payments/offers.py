"""What a roster page offers the user (core.workflow): each rule mirrors the checks of the service it leads to."""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import workflow
from minzheng.core.scoping import may_edit

from . import preflight, supplements
from .models import COMMITTED, LineStatus, Payroll, PayrollLine, PayrollStatus
from .services import is_maker, return_blocker

ACTIONS = ("regenerate", "hold_blocked", "prepare", "approve", "send_back", "bankfile", "bank_return", "supplement")
LINE_ACTIONS = ("hold", "release")
# Approved and later: what the bank file, returns and supplements work on.
SETTLED = (PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID)


def payroll_offers(p: Payroll, actor: Actor) -> set[str]:
    """草稿: the township rebuilds it, holds what the pre-flight check refuses (holds.hold_blocked) and submits it once
    nothing unpayable is left (services.prepare); 已提交: an approver who neither generated, submitted nor held lines
    in it approves or returns it (services.approve / send_back); 已审批 with no bank file yet: an approver may still
    return it; after approval the bank file (bankfiles.export), once a file went out the bank's one return
    (bankfiles.import_return), and a 补充花名册 when held or failed lines are owed (supplements.generate)."""
    out: set[str] = set()
    if p.status == PayrollStatus.DRAFT and may_edit(actor, p, Cap.EDIT_BUSINESS):
        out.add("regenerate")
        if preflight.blocking_lines([p.pk]).exists():
            out.add("hold_blocked")
        elif p.line_count:
            out.add("prepare")
    if p.status == PayrollStatus.PREPARED and may_edit(actor, p, Cap.APPROVE) and not is_maker(p, actor):
        out |= {"approve", "send_back"}
    if p.status == PayrollStatus.APPROVED and may_edit(actor, p, Cap.APPROVE) and not return_blocker(p):
        out.add("send_back")
    if p.status in SETTLED and may_edit(actor, p, Cap.EXPORT):
        out.add("bankfile")
    if p.status in (PayrollStatus.EXPORTED, PayrollStatus.PAID) and may_edit(actor, p, Cap.IMPORT) \
            and not p.bank_returns.exists():
        out.add("bank_return")
    if p.status in SETTLED and p.supplement_of_id is None and may_edit(actor, p, Cap.EDIT_BUSINESS) \
            and not supplements.blocker(p):
        out.add("supplement")
    return out


def line_offers(line: PayrollLine, actor: Actor) -> set[str]:
    """A payee's lines in a draft are held or put back (holds.hold / release); a held line of an approved roster is
    released once the details are fixed, to be paid again later (holds.release)."""
    p = line.payroll
    if not may_edit(actor, p, Cap.EDIT_BUSINESS):
        return set()
    if p.status == PayrollStatus.DRAFT:
        return {"hold"} if line.status == LineStatus.PENDING else {"release"} if line.status == LineStatus.HELD else set()
    if line.status == LineStatus.HELD and p.status in COMMITTED and p.status != PayrollStatus.PREPARED:
        return {"release"}
    return set()


def awaits_other_approver(p: Payroll, actor: Actor) -> bool:
    """A submitted roster the actor made: someone else must approve it (shown instead of the buttons)."""
    return p.status == PayrollStatus.PREPARED and is_maker(p, actor)


def why_not_returned(p: Payroll, actor: Actor) -> str:
    """For an approver looking at an approved roster that can no longer be returned: the reason, said on the page."""
    if p.status in SETTLED and may_edit(actor, p, Cap.APPROVE):
        return return_blocker(p)
    return ""


def register() -> None:
    workflow.register(Payroll, ACTIONS, payroll_offers)
    workflow.register(PayrollLine, LINE_ACTIONS, line_offers)
