"""疑点 after a run: the township's outcome, assignment, the lists and summaries, to-do items and hand-over."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from minzheng.accounts.actor import Actor, Principal
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.scoping import in_scope, require_edit, visible
from minzheng.regions.models import Division

from .. import rules
from ..models import Finding, FindingStatus, OutcomeAction


@transaction.atomic
def record_outcome(finding: Finding, *, actor: Actor, status: str, action: str = "", note: str = "",
                   recovered_amount: Decimal | None = None) -> Finding:
    """The township's result: confirmed (with the action taken) or cleared (with the reason)."""
    require_edit(actor, finding, Cap.EDIT_BUSINESS)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != FindingStatus.OPEN:
        raise ValidationError("该疑点已处理，不能重复录入结果")
    note = (note or "").strip()
    if status == FindingStatus.CONFIRMED:
        if action not in OutcomeAction.values:
            raise ValidationError({"action": "疑点属实时必须选择已采取的处理措施"})
        if not note:
            raise ValidationError({"note": "请填写核实情况"})
    elif status == FindingStatus.CLEARED:
        if not note:
            raise ValidationError({"note": "排除疑点必须填写理由"})
        action = ""
        recovered_amount = None
    else:
        raise ValidationError({"status": "处理结果只能是“属实已处理”或“已排除”"})
    if recovered_amount is not None and recovered_amount < 0:
        raise ValidationError({"recovered_amount": "追回金额不能为负数"})
    finding.status = status
    finding.outcome_action = action
    finding.outcome_note = note
    finding.recovered_amount = recovered_amount
    finding.decided_by = actor.username
    finding.decided_at = dates.now()
    finding.save()
    return finding


@transaction.atomic
def assign(finding: Finding, *, actor: Actor, to_user: Actor | None) -> Finding:
    require_edit(actor, finding, Cap.EDIT_BUSINESS)
    if to_user is not None and not (to_user.has_cap(Cap.EDIT_BUSINESS) and in_scope(to_user, finding.township)):
        raise ValidationError({"assigned_to": "经办人须是负责该乡镇(街道)的业务人员"})
    finding.assigned_to = to_user
    finding.save()
    return finding


def findings_for(user: Principal, *, township: str = "", rule: str = "", status: str = "", q: str = "") -> QuerySet:
    qs = visible(Finding, user).select_related("township", "village")
    if township:
        qs = qs.filter(township__code=township)
    if rule:
        qs = qs.filter(rule_code=rule)
    if status == "overdue":
        qs = qs.filter(status=FindingStatus.OPEN, deadline__lt=dates.today())
    elif status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(person_name__contains=q) | Q(id_number=q.upper()))
    return qs


@dataclass
class Summary:
    rows: list[dict[str, Any]] = field(default_factory=list)    # per township
    rules: list[dict[str, Any]] = field(default_factory=list)   # per rule
    total: dict[str, int] = field(default_factory=dict)


def summary_for(user: Principal) -> Summary:
    """Counts per township and per rule (open / overdue / confirmed / cleared) within the user's jurisdiction."""
    today = dates.today()
    qs = visible(Finding, user)
    agg = dict(
        total=Count("id"),
        open=Count("id", filter=Q(status=FindingStatus.OPEN)),
        overdue=Count("id", filter=Q(status=FindingStatus.OPEN, deadline__lt=today)),
        confirmed=Count("id", filter=Q(status=FindingStatus.CONFIRMED)),
        cleared=Count("id", filter=Q(status=FindingStatus.CLEARED)),
    )
    s = Summary()
    names = dict(Division.objects.filter(level="township").values_list("code", "name"))
    for row in qs.values("township__code").annotate(**agg).order_by("township__code"):
        row["name"] = names.get(row["township__code"], row["township__code"])
        s.rows.append(row)
    rule_names = {r.code: r.name for r in rules.RULES}
    for row in qs.values("rule_code").annotate(**agg).order_by("rule_code"):
        row["name"] = rule_names.get(row["rule_code"], row["rule_code"])
        s.rules.append(row)
    s.total = qs.aggregate(**agg)
    return s


def matrix_for(user: Principal) -> tuple[list[str], list[dict[str, Any]]]:
    """Township × rule counts of open findings, for the summary table."""
    qs = visible(Finding, user).filter(status=FindingStatus.OPEN)
    codes = [r.code for r in rules.RULES]
    names = dict(Division.objects.filter(level="township").values_list("code", "name"))
    table: dict[str, dict[str, int]] = {}
    for t, code, n in qs.values_list("township__code", "rule_code").annotate(n=Count("id")).values_list(
            "township__code", "rule_code", "n"):
        table.setdefault(t, {})[code] = n
    rows = [{"code": t, "name": names.get(t, t), "cells": [table[t].get(c, 0) for c in codes],
             "total": sum(table[t].values())} for t in sorted(table)]
    return codes, rows


def tasks_for(user: Actor) -> list[Any]:
    from minzheng.core.tasks import TaskItem

    if not getattr(user, "is_authenticated", False) or not user.has_cap(Cap.EDIT_BUSINESS):
        return []
    qs = visible(Finding, user).filter(status=FindingStatus.OPEN).select_related("township")
    if user.division is not None and user.division.level == "county":
        return []  # the county sees the summary, not every township's to-do
    today = dates.today()
    from django.urls import reverse

    items = []
    for f in qs.order_by("deadline", "id")[:50]:
        items.append(TaskItem(kind="核对疑点", title=f.summary[:80], url=reverse("crosscheck:finding",
                                                                                 kwargs={"finding_id": f.pk}),
                              due=f.deadline, overdue=f.deadline < today, division=f.township.name))
    return items


def move_assigned(from_user: Actor, to_user: Actor) -> dict[str, int]:
    n = Finding.objects.filter(assigned_to=from_user, status=FindingStatus.OPEN).update(assigned_to=to_user)
    if n:
        audit.record("crosscheck.finding.handover", summary=f"核对疑点移交：{from_user.username} → "
                                                            f"{to_user.username}，{n} 条",
                     detail={"from": from_user.username, "to": to_user.username, "count": n})
    return {"核对疑点": n}


def count_assigned(user: Actor) -> dict[str, int]:
    return {"核对疑点": Finding.objects.filter(assigned_to=user, status=FindingStatus.OPEN).count()}
