"""{{ e.action|audit_action }} and {{ e.object_type|audit_object }}: the log's codes in words (audit.labels)."""

from __future__ import annotations

from django import template

from minzheng.audit import labels

register = template.Library()


@register.filter
def audit_action(code: str) -> str:
    return labels.action(code)


@register.filter
def audit_object(code: str) -> str:
    return labels.object_type(code) if code else ""
