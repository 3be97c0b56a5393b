"""Authentication with lockout after repeated failures (等保 2.0: 限制非法登录次数)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction

from minzheng.core import dates

from .models import LoginAttempt, SecuritySettings


class AccountLocked(PermissionDenied):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        minutes = max(1, int((until - dates.now()).total_seconds() // 60) + 1)
        super().__init__(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试")


def locked_until(username: str) -> dt.datetime | None:
    att = LoginAttempt.objects.filter(username=username).first()
    if att and att.locked_until and att.locked_until > dates.now():
        return att.locked_until
    return None


@transaction.atomic
def register_failure(username: str, ip: str = "") -> LoginAttempt:
    s = SecuritySettings.current()
    att, _ = LoginAttempt.objects.select_for_update().get_or_create(username=username)
    att.failures += 1
    att.last_ip = ip
    if att.failures >= s.lockout_threshold:
        att.locked_until = dates.now() + dt.timedelta(minutes=s.lockout_minutes)
        att.failures = 0
    att.save()
    return att


def register_success(username: str) -> None:
    LoginAttempt.objects.filter(username=username).update(failures=0, locked_until=None)


class LockoutAwareBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kw: Any) -> Any:
        if not username:
            return None
        if (until := locked_until(username)) is not None:
            raise AccountLocked(until)
        user = super().authenticate(request, username=username, password=password, **kw)
        ip = str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""
        if user is None:
            att = register_failure(username, ip)
            if att.locked_until and att.locked_until > dates.now():
                raise AccountLocked(att.locked_until)
            return None
        register_success(username)
        return user
