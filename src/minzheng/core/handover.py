"""Hand-over (工作交接): when a post changes hands, every app moves the leaver's open work to the successor.

Each app registers `move(from_user, to_user) -> {label: count}` for the things it assigns to a person (cases,
tasks, 疑点, reports …) and `count_open(user) -> {label: count}` so a hand-over can prove nothing is left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minzheng.accounts.actor import Actor


@dataclass(frozen=True)
class Handler:
    move: Callable[[Any, Any], dict[str, int]]
    count_open: Callable[[Any], dict[str, int]]


_handlers: list[Handler] = []


def register(move: Callable[[Any, Any], dict[str, int]], count_open: Callable[[Any], dict[str, int]]) -> None:
    if all(h.move is not move for h in _handlers):
        _handlers.append(Handler(move, count_open))


def move_all(from_user: Actor, to_user: Actor) -> dict[str, int]:
    moved: dict[str, int] = {}
    for h in _handlers:
        moved.update(h.move(from_user, to_user))
    return moved


def open_items(user: Actor) -> dict[str, int]:
    counts: dict[str, int] = {}
    for h in _handlers:
        counts.update({k: v for k, v in h.count_open(user).items() if v})
    return counts
