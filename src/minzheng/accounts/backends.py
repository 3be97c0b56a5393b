"""Authentication with lockout after repeated failures (等保 2.0: 限制非法登录次数) and a per-address throttle.

A lockout also ends the account's sessions, revokes its API tokens and holds its field-app phones until the password
is given again on them: whoever was guessing may already be in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction

from minzheng.core import dates, ratelimit

from .models import LoginAttempt, SecuritySettings, User


class AccountLocked(PermissionDenied):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        minutes = max(1, int((until - dates.now()).total_seconds() // 60) + 1)
        super().__init__(f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试")


class AddressThrottled(PermissionDenied):
    def __init__(self, minutes: int) -> None:
        super().__init__(f"本机所在地址登录失败次数过多，请 {minutes} 分钟后再试")


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
    until = dates.now() + dt.timedelta(minutes=s.lockout_minutes) if att.failures >= s.lockout_threshold else None
    if until is not None:
        att.locked_until, att.failures = until, 0
    att.save()
    if until is not None:
        _lock_out(username, until, s.lockout_threshold, ip)
    return att


def _lock_out(username: str, until: dt.datetime, failures: int, ip: str) -> None:
    from minzheng.audit import context
    from minzheng.audit import services as audit

    from . import services

    user = User.objects.filter(username=username).first()
    revoked = held = 0
    if user is not None:
        services.end_sessions(user)
        revoked = services.revoke_tokens(user)
        held = services.hold_other_credentials(user)
    audit.record("auth.lockout", actor=context.Actor(username, getattr(user, "role", ""), ip),
                 object_type="accounts.user", object_id=str(user.pk) if user else username,
                 summary=f"{username} 连续 {failures} 次登录失败，锁定至 {dates.local(until):%H:%M}；"
                         f"已结束其全部会话，吊销 API 令牌 {revoked} 个，外勤设备 {held} 台须重新验证密码",
                 detail={"until": until, "tokens_revoked": revoked, "devices_held": held, "ip": ip})


def register_success(username: str) -> None:
    LoginAttempt.objects.filter(username=username).update(failures=0, locked_until=None)


class LockoutAwareBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kw: Any) -> Any:
        if not username:
            return None
        ip = ratelimit.client_address(request) if request is not None else ""
        if ip and (minutes := ratelimit.login_blocked(ip)) is not None:
            raise AddressThrottled(minutes)
        if (until := locked_until(username)) is not None:
            raise AccountLocked(until)
        user = super().authenticate(request, username=username, password=password, **kw)
        if user is None:
            if ip:
                ratelimit.login_failed(ip)
            att = register_failure(username, ip)
            if att.locked_until and att.locked_until > dates.now():
                raise AccountLocked(att.locked_until)
            return None
        register_success(username)
        return user
