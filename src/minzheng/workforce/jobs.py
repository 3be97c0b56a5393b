"""民情逾期提级 as a daily task of the worker process (kind workforce.escalate)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def escalate_task(run: Any, *, day: str) -> dict[str, Any]:
    from . import needs

    n = needs.escalate_overdue(dt.date.fromisoformat(day))
    return {"summary": f"已提级 {n} 件逾期民情事项", "escalated": n}
