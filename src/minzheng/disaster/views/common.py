"""Helpers every disaster page shares: the page context and the user's divisions (form errors and flash messages
come from minzheng.core.forms)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minzheng.accounts.actor import Principal
from minzheng.core.scoping import visible_divisions
from minzheng.regions.models import Division

from .. import services


def _ctx(**kw: Any) -> dict[str, Any]:
    return {"department": services.department(), **kw}


def _divisions(user: Principal, *levels: str) -> QuerySet[Division]:
    return visible_divisions(user).filter(level__in=levels).order_by("code")


def _division_code(user: Principal) -> str:
    """The division an export or print is audited under (empty for an account without one)."""
    return user.division.code if user.division else ""
