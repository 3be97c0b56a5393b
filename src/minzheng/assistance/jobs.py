"""The daily social-assistance sweep as a task of the worker process (kind assistance.sweep)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def sweep_task(run: Any, *, day: str) -> dict[str, Any]:
    from . import services

    result = services.sweep(today=dt.date.fromisoformat(day))
    return {"summary": f"公示期满报县级审核 {result['moved']} 件，撤下公示 {result['ended']} 件", **result}
