"""Helpers every disaster page shares: the page context and the user's divisions (form errors and flash messages
come from minzheng.core.forms)."""

from __future__ import annotations

from typing import Any

from minzheng.core.scoping import visible_divisions

from .. import services


def _ctx(**kw: Any) -> dict[str, Any]:
    return {"department": services.department(), **kw}


def _divisions(user: Any, *levels: str) -> Any:
    return visible_divisions(user).filter(level__in=levels).order_by("code")
