"""What a roster page offers the user (core.workflow): each rule mirrors the checks of the service it leads to."""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import workflow
from minzheng.core.scoping import may_edit

from .models import Payroll, PayrollStatus
from .services import is_maker

ACTIONS = ("regenerate", "prepare", "approve", "send_back", "bankfile", "bank_return")


def payroll_offers(p: Payroll, actor: Actor) -> set[str]:
    """草稿: the township rebuilds or submits it (services.generate / prepare); 已提交: an approver who neither
    generated nor submitted it approves or returns it (services.approve / send_back); after approval the bank
    file (bankfiles.export) and, once a file went out, the bank's return (bankfiles.import_return)."""
    out: set[str] = set()
    if p.status == PayrollStatus.DRAFT and may_edit(actor, p, Cap.EDIT_BUSINESS):
        out |= {"regenerate", "prepare"}
    if p.status == PayrollStatus.PREPARED and may_edit(actor, p, Cap.APPROVE) and not is_maker(p, actor):
        out |= {"approve", "send_back"}
    if p.status in (PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID) \
            and may_edit(actor, p, Cap.EXPORT):
        out.add("bankfile")
    if p.status in (PayrollStatus.EXPORTED, PayrollStatus.PAID) and may_edit(actor, p, Cap.IMPORT):
        out.add("bank_return")
    return out


def awaits_other_approver(p: Payroll, actor: Actor) -> bool:
    """A submitted roster the actor made: someone else must approve it (shown instead of the buttons)."""
    return p.status == PayrollStatus.PREPARED and is_maker(p, actor)


def register() -> None:
    workflow.register(Payroll, ACTIONS, payroll_offers)
