"""关爱走访逾期提级 as a daily task of the worker process (kind care.sweep)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def sweep_task(run: Any, *, day: str) -> dict[str, Any]:
    from .services import sweep

    counts = sweep.escalate_overdue(dt.date.fromisoformat(day))
    return {"summary": f"关爱走访逾期提级：乡镇 {counts['township']} 件，区 {counts['county']} 件", **counts}
