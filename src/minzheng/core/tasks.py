"""One to-do list per user (我的待办), fed by every app: applications due, 疑点 to handle, reports overdue …"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minzheng.accounts.actor import Actor


@dataclass(frozen=True)
class TaskItem:
    kind: str          # e.g. "低保审核", "核对疑点", "灾情初报"
    title: str
    url: str
    due: dt.date | dt.datetime | None = None
    overdue: bool = False
    division: str = ""


_sources: list[Callable[[Any], list[TaskItem]]] = []


def register(source: Callable[[Any], list[TaskItem]]) -> None:
    """source(user) returns that user's open tasks, already limited to their jurisdiction."""
    if source not in _sources:
        _sources.append(source)


def for_user(user: Actor) -> list[TaskItem]:
    items: list[TaskItem] = []
    for source in _sources:
        items.extend(source(user))

    def key(t: TaskItem) -> tuple[int, str]:
        due = t.due.isoformat() if t.due is not None else "9999"
        return (0 if t.overdue else 1, due)

    return sorted(items, key=key)
