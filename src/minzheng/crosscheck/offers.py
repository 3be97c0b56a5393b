"""What a finding's page offers the user (core.workflow): 核实结果 and 指定经办人 while the finding is open, by an
editor of its township (services.record_outcome / assign)."""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import workflow
from minzheng.core.scoping import may_edit

from .models import Finding


def finding_offers(finding: Finding, actor: Actor) -> set[str]:
    return {"record_outcome", "assign"} if finding.is_open and may_edit(actor, finding, Cap.EDIT_BUSINESS) else set()


def register() -> None:
    workflow.register(Finding, ["record_outcome", "assign"], finding_offers)
