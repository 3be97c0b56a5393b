"""Writes of the purchased-services app, one module per step. Each checks capability and jurisdiction itself
(views, the API and the CLI are thin) and runs in one transaction; single-row writes are audited by audit.signals,
batch jobs record one summary entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, is_outside
from minzheng.audit import context as audit_context


def who(actor: Actor | None) -> str:
    return actor.username if actor is not None else (audit_context.current().username or "系统")


def require_government(actor: Actor | None, cap: str = Cap.EDIT_BUSINESS) -> None:
    """Steps only the buyer's officers take (None is the operator at the CLI or the demo loader)."""
    if actor is None:
        return
    if is_outside(actor) or not actor.has_cap(cap):
        raise PermissionDenied("您的角色没有此操作权限")
