"""How every case action runs: lock the case row, check the version the actor saw, the state, the jurisdiction
and the capability, move to the next step with its deadline, and write the Opinion (审批意见) row.

Every transition locks the case row (select_for_update; SQLite transactions are IMMEDIATE) and checks the
optimistic `version` the actor saw, so two people acting on the same case at once cannot both succeed: the second
gets a ConcurrentUpdate with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core.scoping import require_edit

from .. import workflow
from ..models import OPEN_STATUSES, Application, Opinion, Status
from ..workflow import ConcurrentUpdate


def workflow_open() -> list[str]:
    """The statuses of a case still in progress."""
    return [s.value for s in OPEN_STATUSES]


def is_case_officer(actor: Actor | None) -> bool:
    """The township officer a case is assigned to: processes cases and leaves the approval to the county."""
    return actor is not None and actor.has_cap(Cap.PROCESS_CASES) and not actor.has_cap(Cap.APPROVE)


def actor_name(actor: Actor | None) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "full_name", "") or getattr(actor, "username", "")


def record_opinion(app: Application, *, action: str, from_status: str, actor: Actor | None, text: str = "",
                   decision: dict[str, Any] | None = None) -> Opinion:
    return Opinion.objects.create(application=app, action=action, from_status=from_status, to_status=app.status,
                                  actor=actor if getattr(actor, "pk", None) else None, actor_name=actor_name(actor),
                                  text=text, decision=decision or {})


def _locked(app: Application, expected_version: int | None) -> Application:
    """The case row, locked for this transaction, if nobody changed it since the actor loaded it."""
    fresh = Application.objects.select_for_update().select_related("programme", "division", "township").get(
        pk=app.pk)
    expected = app.version if expected_version is None else int(expected_version)
    if fresh.version != expected:
        raise ConcurrentUpdate(f"案件 {fresh.number} 已被他人处理（当前状态：{fresh.get_status_display()}），"
                               "请刷新页面后重试")
    return fresh


def enter_step(app: Application, status: Status, today: dt.date) -> None:
    app.status = status
    app.step_due = workflow.step_deadline(app, status, today)


def save_case(app: Application) -> None:
    app.version += 1
    app.save()


def begin_action(app: Application, code: str, actor: Actor | None, expected_version: int | None) -> tuple[Application, str]:
    """Lock, check the version, the state, the jurisdiction and the capability of one action."""
    fresh = _locked(app, expected_version)
    action = workflow.check_action(fresh, code)
    if actor is not None:
        require_edit(actor, fresh, action.cap)
        # A part-time village coordinator files cases and helps with the home visit; the township decides.
        if not workflow.step_is_theirs(actor, code):
            raise PermissionDenied("村(居)协管员可以受理、主动发现和协助入户调查；初审、公示和审核由乡镇(街道)经办人员办理")
    return fresh, fresh.status
