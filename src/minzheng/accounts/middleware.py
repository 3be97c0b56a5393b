"""Idle timeout and password expiry, read from SecuritySettings on every request."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from minzheng.core import dates

from .models import SECURITY_BOUNDS, SecuritySettings

_ACTIVITY_RESOLUTION_S = 60
_EXEMPT_PREFIXES = ("/static/", "/accounts/login", "/accounts/logout", "/accounts/password", "/public/", "/i18n/")


class SecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and "_auth_user_id" in request.session:
            s = SecuritySettings.current()
            now = time.time()
            last = request.session.get("last_activity")
            idle = idle_timeout_minutes(s)
            if last is not None and now - float(last) > idle * 60:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "会话已超时，请重新登录"}, status=401)
                messages.warning(request, f"超过 {idle} 分钟未操作，已自动退出，请重新登录")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if last is None or now - float(last) >= _ACTIVITY_RESOLUTION_S:
                # Saving the session on every request is a database write per page; the timeout is in whole
                # minutes, so noting activity once a minute keeps it exact to within that minute.
                request.session["last_activity"] = now
            if not request.path.startswith(_EXEMPT_PREFIXES) and _password_change_due(user, s):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "密码已过期，请先在网页上修改密码"}, status=403)
                return redirect("accounts:password_change")
        return self.get_response(request)


def idle_timeout_minutes(s: SecuritySettings) -> int:
    """Within bounds even if the row was edited around the model (0 would log everyone out on every request)."""
    low, high = SECURITY_BOUNDS["idle_timeout_minutes"][:2]
    return min(max(s.idle_timeout_minutes, low), high)


def _password_change_due(user: object, s: SecuritySettings) -> bool:
    if getattr(user, "must_change_password", False):
        return True
    changed = getattr(user, "password_changed_at", None)
    if s.password_expiry_days and changed is not None:

        return dates.now() - changed > dt.timedelta(days=s.password_expiry_days)
    return False
