"""{{ value|param:spec }}: a parameter value in words (see policy.display)."""

from __future__ import annotations

from typing import Any

from django import template

from minzheng.policy.display import format_value

register = template.Library()


@register.filter
def param(value: Any, spec: Any) -> str:
    return format_value(value, getattr(spec, "kind", ""), getattr(spec, "unit", ""))
