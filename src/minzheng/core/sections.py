"""Sections other apps add to a record's page (e.g. the household page shows its 救助申请 from assistance),
so a lower app's page shows what higher apps know about the record without importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from minzheng.accounts.actor import AuthedRequest


@dataclass(frozen=True)
class Section:
    order: int
    page: str
    title: str
    template: str
    context: Callable[[AuthedRequest, Any], dict[str, Any] | None]


_sections: list[Section] = []


def register(page: str, title: str, template: str,
             context: Callable[[AuthedRequest, Any], dict[str, Any] | None], *, order: int = 100) -> None:
    """context(request, record) returns the section's context, or None when the user should not see it."""
    if any(s.page == page and s.template == template for s in _sections):
        return
    _sections.append(Section(order, page, title, template, context))


def for_page(page: str, request: AuthedRequest, record: Any) -> list[dict[str, Any]]:
    out = []
    for s in sorted((s for s in _sections if s.page == page), key=lambda s: s.order):
        ctx = s.context(request, record)
        if ctx is not None:
            out.append({"title": s.title, "template": s.template, "ctx": ctx})
    return out
