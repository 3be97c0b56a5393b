"""The 审计管理员's home: today's activity that deserves a look (failed logins, role and account changes, exports)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from minzheng.accounts.actor import AuthedRequest
from minzheng.core import dates

from .models import AuditEntry


def audit_admin(request: AuthedRequest) -> dict[str, Any]:
    today = AuditEntry.objects.filter(at__gte=dates.start_of_day(dates.today()))
    admin_actions = Q(action__startswith="auth.") & ~Q(action__in=["auth.login", "auth.logout", "auth.login_failed"])
    return {
        "today": today.count(),
        "failed_logins": today.filter(action="auth.login_failed").count(),
        "admin_actions": today.filter(admin_actions).count(),
        "outputs": today.filter(Q(action__startswith="export.") | Q(action__startswith="print.")).count(),
    }
