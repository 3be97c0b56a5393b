"""第三方评估: the district assigns a contract's period to an evaluator's account (财政部令第102号 Art 3, 绩效管理 may
use a third party). The evaluator then sees that contract and scores that period, nothing else (selectors.publish)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, Role
from minzheng.core import dates
from minzheng.core.scoping import require_edit

from ..models import Assessment, Contract, EvaluatorAssignment
from . import require_government, who
from .contracts import require_district


@transaction.atomic
def assign(*, actor: Actor | None, contract: Contract, evaluator: Actor, period_start: dt.date,
           period_end: dt.date) -> EvaluatorAssignment:
    if actor is not None:
        require_edit(actor, contract, Cap.ASSESS_SERVICES)
        require_district(actor)
    require_government(actor, Cap.ASSESS_SERVICES)
    if getattr(evaluator, "role", "") != Role.EVALUATOR or not getattr(evaluator, "is_active", True):
        raise ValidationError({"evaluator": "只能指派“第三方评估机构”角色的在用账号"})
    if evaluator.division is None or (not contract.buyer.path.startswith(evaluator.division.path) and \
            not evaluator.division.path.startswith(contract.buyer.path)):
        raise ValidationError({"evaluator": "该评估机构账号不属于本区"})
    if period_end < period_start:
        raise ValidationError({"period_end": "评估期止不能早于评估期起"})
    if period_start < contract.start or period_end > contract.end:
        raise ValidationError({"period_start": f"评估期应在合同期 {contract.start}–{contract.end} 之内"})
    if EvaluatorAssignment.objects.filter(contract=contract, period_start=period_start,
                                          period_end=period_end).exists():
        raise ValidationError({"period_start": "该评估期已指派评估机构"})
    if Assessment.objects.filter(contract=contract, period_start=period_start, period_end=period_end).exists():
        raise ValidationError({"period_start": "该评估期已评估"})
    return EvaluatorAssignment.objects.create(contract=contract, evaluator=evaluator, period_start=period_start,
                                              period_end=period_end, assigned_by=who(actor),
                                              assigned_at=dates.now())


def assigned_to(actor: Actor, contract: Contract, period_start: dt.date, period_end: dt.date) -> bool:
    return EvaluatorAssignment.objects.filter(contract=contract, evaluator_id=actor.pk, period_start=period_start,
                                              period_end=period_end).exists()
