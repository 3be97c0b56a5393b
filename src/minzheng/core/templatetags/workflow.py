"""Template questions about what the user may do, answered by the workflows and capabilities, never by role or
status strings in the template.

    {% load workflow %}
    {% allowed_actions case as can %}{% if can.approve %}<form …>{% endif %}
    {% if user|has_cap:"APPROVE" %}…{% endif %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from minzheng.accounts.roles import Cap
from minzheng.core import workflow

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def allowed_actions(context: template.Context, obj: Model) -> workflow.Allowed:
    """What the signed-in user may do with `obj` now (core.workflow)."""
    return workflow.Allowed(obj, _user(context))


@register.filter
def has_cap(user: Any, name: str) -> bool:
    """`user|has_cap:"APPROVE"`: the capability by its `Cap` member name; a name that is not one raises."""
    try:
        cap = Cap[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"has_cap: no capability named {name!r}") from None
    return bool(getattr(user, "is_authenticated", False)) and user.has_cap(cap)
