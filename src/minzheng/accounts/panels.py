"""Home panels of the two account administrators: what each has to do today, not a sentence about the role."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.core import dates

from .models import LoginAttempt, SecuritySettings, User


def sys_admin(request: AuthedRequest) -> dict[str, Any]:
    week_ago = dates.now() - dt.timedelta(days=7)
    return {
        "active": User.objects.filter(is_active=True).count(),
        "new_week": User.objects.filter(date_joined__gte=week_ago).count(),
        "pending": User.objects.filter(is_active=True, role_pending=True).count(),
    }


def sec_admin(request: AuthedRequest) -> dict[str, Any]:
    pending = User.objects.filter(is_active=True, role_pending=True).select_related("division").order_by("username")
    return {
        "pending": list(pending[:10]),
        "pending_count": pending.count(),
        "locked": LoginAttempt.objects.filter(locked_until__gt=dates.now()).count(),
        "settings": SecuritySettings.current(),
    }
