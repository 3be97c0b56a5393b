"""Who is acting, from where: set per request by middleware and per command by the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    username: str = ""
    role: str = ""
    ip: str = ""


_current: ContextVar[Actor] = ContextVar("minzheng_audit_actor", default=Actor())  # noqa: B039 (Actor is frozen)


def current() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting(actor: Actor) -> Iterator[None]:
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def set_actor(actor: Actor) -> None:
    _current.set(actor)
