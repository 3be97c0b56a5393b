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


def operator() -> Actor:
    """The server operator at the command line (who already holds the machine), by their login name."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        name = "unknown"
    return Actor(f"cli:{name}", "operator")
