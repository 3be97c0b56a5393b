"""{{ decision.rule|rule_label }}: a rule's code as its name (works for stored decisions, which are dicts)."""

from __future__ import annotations

from django import template

from minzheng.assistance.rules.common import RULE_LABELS

register = template.Library()


@register.filter
def rule_label(code: str) -> str:
    return RULE_LABELS.get(str(code), str(code))
