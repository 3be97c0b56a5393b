"""The 今日工作 panel: a business role's home starts with its own open work, overdue first (from core.tasks)."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest

from . import tasks

SHOWN = 8


def today(request: AuthedRequest) -> dict[str, Any]:
    items = tasks.for_user(request.user)
    return {"items": items[:SHOWN], "count": len(items), "overdue": sum(t.overdue for t in items),
            "more": max(0, len(items) - SHOWN)}
