"""Home-page panels contributed by each app: a role's home page shows the panels for that role."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from minzheng.accounts.actor import AuthedRequest


@dataclass(frozen=True)
class Panel:
    order: int
    title: str
    template: str
    roles: frozenset[str]
    context: Callable[[AuthedRequest], dict[str, Any]]


_panels: list[Panel] = []


def register(title: str, template: str, roles: Iterable[str],
             context: Callable[[AuthedRequest], dict[str, Any]], *, order: int = 100) -> None:
    if any(p.template == template and p.title == title for p in _panels):
        return
    _panels.append(Panel(order, title, template, frozenset(roles), context))


def panels_for(request: AuthedRequest) -> list[dict[str, Any]]:
    role = getattr(request.user, "role", "")
    out = []
    for p in sorted(_panels, key=lambda p: p.order):
        if role in p.roles:
            out.append({"title": p.title, "template": p.template, "ctx": p.context(request)})
    return out
