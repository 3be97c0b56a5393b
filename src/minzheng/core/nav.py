"""Navigation entries contributed by each app (registered in AppConfig.ready), filtered by capability."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True, order=True)
class NavItem:
    order: int
    label: str = field(compare=False)
    url_name: str = field(compare=False)
    cap: str = field(compare=False)
    section: str = field(compare=False, default="业务")


_items: list[NavItem] = []


def register(label: str, url_name: str, cap: str, *, order: int = 100, section: str = "业务") -> None:
    item = NavItem(order, label, url_name, cap, section)
    if item not in _items or all(i.url_name != url_name for i in _items):
        _items.append(item)


def for_user(user: object) -> list[dict[str, str]]:
    out = []
    for item in sorted(_items):
        if not getattr(user, "has_cap", lambda c: False)(item.cap):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": item.label, "url": url, "section": item.section})
    return out
