"""{% shown value "id" %}: a personal field as the current user may see it (masked without Cap.VIEW_SENSITIVE)."""

from __future__ import annotations

from typing import Any

from django import template

from minzheng.registry import masking

register = template.Library()


@register.simple_tag(takes_context=True)
def shown(context: Any, value: Any, kind: str) -> str:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if kind == "disability":
        # Disability is health data (PIPL Art 28): roles without sensitive access see only that one is registered.
        if not value:
            return ""
        return str(value) if masking.can_see_sensitive(user) else "已登记"
    return masking.shown(user, str(value or ""), kind)


@register.filter
def yuan(value: Any) -> str:
    try:
        return f"{float(value):,.2f}"
    except (TypeError, ValueError):
        return ""

