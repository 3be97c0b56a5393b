from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import demo_progress, nav
from .models import SiteSettings


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    try:
        bureau = SiteSettings.current().bureau_name
    except Exception:  # before migrate
        bureau = ""
    ctx: dict[str, Any] = {"bureau_name": bureau, "nav_items": [], **demo_progress.context()}
    if user is not None and user.is_authenticated:
        ctx["nav_items"] = nav.for_user(user)
        ctx["user_division"] = user.division.full_name if getattr(user, "division", None) else ""
    return ctx
