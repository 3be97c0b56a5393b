"""What each user may do next on purchased-service records (core.workflow). Only `record` on an order is ever offered
to a provider's worker, and only `assess` on a contract to an evaluator: the outside codes below."""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import workflow
from minzheng.core.scoping import may_edit, visible

from .models import (
    CallbackItem,
    CallbackOutcome,
    Contract,
    FlagStatus,
    Milestone,
    MilestoneStatus,
    RecordFlag,
    ServiceOrder,
)


def order_offers(order: ServiceOrder, actor: Actor) -> set[str]:
    if order.end is not None:
        return set()
    out = set()
    if actor.has_cap(Cap.DELIVER_SERVICES) and visible(ServiceOrder, actor).filter(pk=order.pk).exists():
        out.add("record")
    if may_edit(actor, order):
        out |= {"end", "issue_code", "reassign"}
    return out


def contract_offers(contract: Contract, actor: Actor) -> set[str]:
    out = set()
    if actor.has_cap(Cap.ASSESS_SERVICES) and visible(Contract, actor).filter(pk=contract.pk).exists():
        out.add("assess")
    if may_edit(actor, contract):
        out |= {"add_milestone", "end"} if contract.status == "active" else set()
    return out


def milestone_offers(m: Milestone, actor: Actor) -> set[str]:
    out = set()
    if m.status != MilestoneStatus.APPROVED and may_edit(actor, m):
        out.add("prepare")
    if m.status == MilestoneStatus.PREPARED and may_edit(actor, m, Cap.APPROVE) and actor.username != m.prepared_by:
        out.add("approve")
    return out


def flag_offers(flag: RecordFlag, actor: Actor) -> set[str]:
    return {"settle"} if flag.status == FlagStatus.OPEN and may_edit(actor, flag) else set()


def item_offers(item: CallbackItem, actor: Actor) -> set[str]:
    return {"record_outcome"} if may_edit(actor, item) and item.outcome == CallbackOutcome.PENDING else set()


def register() -> None:
    workflow.register(ServiceOrder, ["record", "end", "issue_code", "reassign"], order_offers,
                      outside_codes=["record"])
    workflow.register(Contract, ["assess", "add_milestone", "end"], contract_offers, outside_codes=["assess"])
    workflow.register(Milestone, ["prepare", "approve"], milestone_offers)
    workflow.register(RecordFlag, ["settle"], flag_offers)
    workflow.register(CallbackItem, ["record_outcome"], item_offers)
