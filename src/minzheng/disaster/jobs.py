"""Disaster reports: open due update rounds and list overdue reports, daily in the worker (kind disaster.overdue)."""

from __future__ import annotations

from typing import Any

from minzheng.core import dates


def overdue_task(run: Any, *, day: str) -> dict[str, Any]:
    from . import services
    from .models import Event, EventStatus

    at = dates.now()
    opened = services.open_due_rounds(now=at)
    rows = []
    for ev in Event.objects.exclude(status=EventStatus.CLOSED):
        for d in services.dues(ev, now=at):
            if d.overdue and not d.done:
                rows.append({"event": ev.name, "round": str(d.round), "division": d.division.name,
                             "due_at": dates.local(d.round.due_at).isoformat()})
    return {"summary": f"发起续报期次 {len(opened)} 个；逾期未报 {len(rows)} 份", "opened": len(opened),
            "overdue": rows[:200]}
