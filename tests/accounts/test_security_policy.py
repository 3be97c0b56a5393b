"""Security settings stay within safe bounds (form, service and database), the operator can restore safe defaults
from the server, a lockout ends sessions and tokens, failed logins are throttled per address and the public pages
are rate-limited; `minzheng createuser` in a script without a terminal says what to do."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client, override_settings

from minzheng.accounts import services
from minzheng.accounts.models import SecuritySettings, User
from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field,value,message", [
    ("idle_timeout_minutes", 0, "空闲超时应在 5–60 分钟之间"),
    ("idle_timeout_minutes", 61, "空闲超时应在 5–60 分钟之间"),
    ("lockout_threshold", 30000, "连续失败锁定次数应在 3–10 次之间"),
    ("lockout_threshold", 2, "连续失败锁定次数应在 3–10 次之间"),
    ("lockout_minutes", 5, "锁定时间应在 15–1440 分钟之间"),
    ("password_min_length", 6, "密码最短长度应在 8–64 位之间"),
    ("password_min_classes", 1, "密码至少包含的字符类别应在 3–4 类之间"),
    ("password_expiry_days", 7, "密码有效期应为 0（不过期）或 30–365 天"),
    ("login_rate_limit", 0, "同一地址的登录尝试上限应在 5–200 次之间"),
])
def test_the_service_refuses_values_outside_the_bounds(field: str, value: int, message: str,
                                                       make_user: Any) -> None:
    secadmin = make_user(Role.SEC_ADMIN)
    with pytest.raises(ValidationError) as exc:
        services.update_security(actor=secadmin, **{field: value})
    assert message in " ".join(exc.value.messages)
    assert getattr(SecuritySettings.current(), field) != value


def test_the_security_page_refuses_an_idle_timeout_of_zero_in_chinese(make_user: Any) -> None:
    c = Client()
    c.force_login(make_user(Role.SEC_ADMIN))
    form = {**SecuritySettings.safe_defaults(), "idle_timeout_minutes": 0}
    resp = c.post("/accounts/security/", form)
    assert resp.status_code == 200 and "空闲超时应在 5–60 分钟之间" in resp.content.decode()
    assert SecuritySettings.current().idle_timeout_minutes == 10
    # …and everyone is still logged in
    assert c.get("/accounts/security/").status_code == 200
    resp = c.post("/accounts/security/", {**form, "idle_timeout_minutes": 30})
    assert resp.status_code == 302 and SecuritySettings.current().idle_timeout_minutes == 30
    entry = AuditEntry.objects.filter(action="accounts.securitysettings.update").latest("seq")
    assert entry.before == {"idle_timeout_minutes": 10} and entry.after == {"idle_timeout_minutes": 30}


def test_the_database_refuses_them_too() -> None:
    SecuritySettings.current()
    with pytest.raises(IntegrityError), transaction.atomic():
        SecuritySettings.objects.filter(id=1).update(idle_timeout_minutes=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        SecuritySettings.objects.filter(id=1).update(lockout_threshold=30000)


def test_only_the_security_admin_changes_the_policy(make_user: Any) -> None:
    with pytest.raises(services.PermissionDenied):
        services.update_security(actor=make_user(Role.SYS_ADMIN), idle_timeout_minutes=30)


def test_security_reset_restores_safe_defaults_and_is_audited(make_user: Any, capsys: Any) -> None:
    services.update_security(actor=make_user(Role.SEC_ADMIN), idle_timeout_minutes=5, lockout_threshold=10,
                             password_expiry_days=0)
    call_command("security", "reset")
    s = SecuritySettings.current()
    assert (s.idle_timeout_minutes, s.lockout_threshold, s.password_expiry_days) == (10, 5, 90)
    assert "已恢复为安全默认值" in capsys.readouterr().out
    entry = AuditEntry.objects.filter(action="security.reset").latest("seq")
    assert entry.actor.startswith("cli:") and entry.before["idle_timeout_minutes"] == 5
    call_command("security", "show")
    assert "空闲超时" in capsys.readouterr().out


def test_security_unlock_lifts_a_lockout(meishan_officer: Any, capsys: Any) -> None:
    c = Client()
    for _ in range(5):
        c.post("/accounts/login/", {"username": meishan_officer.username, "password": "wrong"})
    call_command("security", "unlock", meishan_officer.username)
    resp = c.post("/accounts/login/", {"username": meishan_officer.username, "password": TEST_PASSWORD})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="auth.unlock", object_id=meishan_officer.username).exists()


def test_an_idle_timeout_edited_to_zero_around_the_model_still_logs_nobody_out(meishan_officer: Any) -> None:
    from minzheng.accounts.middleware import idle_timeout_minutes

    s = SecuritySettings.current()
    s.idle_timeout_minutes = 0  # as a raw edit would leave it, were the constraint dropped
    assert idle_timeout_minutes(s) == 5


def test_a_lockout_ends_sessions_and_api_tokens(meishan_officer: Any) -> None:
    # given: the user is logged in on one browser and has an API token
    browser = Client()
    browser.force_login(meishan_officer)
    assert browser.get("/").status_code == 200
    key = services.issue_token(user=meishan_officer, name="对接")
    assert Client().get("/api/core/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # when: someone else fails five times
    attacker = Client()
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": meishan_officer.username, "password": "wrong"})
    # then: the session and the token are gone
    resp = browser.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert Client().get("/api/core/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    entry = AuditEntry.objects.filter(action="auth.lockout").latest("seq")
    assert entry.detail["tokens_revoked"] == 1 and "结束其全部会话" in entry.summary


def test_failed_logins_are_throttled_per_address(make_user: Any, county: Any) -> None:
    s = SecuritySettings.current()
    s.login_rate_limit = 5
    s.save()
    users = [make_user(Role.BUREAU_HEAD, county) for _ in range(3)]
    c = Client(REMOTE_ADDR="10.1.2.3")
    # spraying wrong passwords over several accounts (none reaches its own lockout)
    for u in users:
        for _ in range(2):
            c.post("/accounts/login/", {"username": u.username, "password": "wrong"})
    resp = c.post("/accounts/login/", {"username": users[0].username, "password": TEST_PASSWORD})
    assert resp.status_code == 200 and "登录失败次数过多" in resp.content.decode()
    assert "_auth_user_id" not in c.session
    # another address is not affected, and the throttling is audited once
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/accounts/login/", {"username": users[1].username,
                                           "password": TEST_PASSWORD}).status_code == 302
    assert AuditEntry.objects.filter(action="security.rate_limited", ip="10.1.2.3").count() == 1


def test_successful_logins_from_one_office_address_are_not_throttled(make_user: Any, county: Any) -> None:
    s = SecuritySettings.current()
    s.login_rate_limit = 5
    s.save()
    for _ in range(8):
        c = Client(REMOTE_ADDR="10.1.2.4")
        assert c.post("/accounts/login/", {"username": make_user(Role.BUREAU_HEAD, county).username,
                                           "password": TEST_PASSWORD}).status_code == 302


@override_settings(MINZHENG_PUBLIC_RATE="5/60")
def test_public_pages_are_rate_limited_per_address() -> None:
    c = Client(REMOTE_ADDR="10.7.7.7")
    codes = [c.get("/public/assistance/").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    resp = c.get("/public/workforce/")
    assert resp.status_code == 429 and "访问过于频繁" in resp.content.decode()
    assert int(resp["Retry-After"]) >= 1
    assert Client(REMOTE_ADDR="10.7.7.8").get("/public/assistance/").status_code == 200
    assert AuditEntry.objects.filter(action="security.rate_limited", ip="10.7.7.7").count() == 1


@override_settings(MINZHENG_PUBLIC_RATE="3/60", CACHES={"default": {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "minzheng_cache"}})
def test_the_limiter_works_on_the_database_cache_for_several_processes() -> None:
    call_command("createcachetable", verbosity=0)
    c = Client(REMOTE_ADDR="10.7.7.9")
    assert [c.get("/public/assistance/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_createuser_without_a_terminal_says_to_use_password_stdin(tmp_path: Path) -> None:
    env = {**os.environ, "MINZHENG_HOME": str(tmp_path), "DATABASE_URL": ""}
    run = [sys.executable, "-m", "minzheng"]
    assert subprocess.run([*run, "migrate", "-v0"], env=env, capture_output=True, timeout=300).returncode == 0
    no_tty = subprocess.run([*run, "createuser", "admin", "--role", "sys_admin"], env=env, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert no_tty.returncode != 0
    assert "Traceback" not in no_tty.stderr and "--password-stdin" in no_tty.stderr
    ok = subprocess.run([*run, "createuser", "admin", "--role", "sys_admin", "--password-stdin"], env=env,
                        input=TEST_PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "已创建" in ok.stdout


def test_createuser_password_stdin_refuses_an_empty_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    with pytest.raises(CommandError, match="没有读到密码"):
        call_command("createuser", "x", "--role", "sys_admin", "--password-stdin")
    assert not User.objects.filter(username="x").exists()


def test_idle_timeout_uses_the_saved_value(meishan_officer: Any) -> None:
    services.update_security(actor=None, idle_timeout_minutes=30)
    c = Client()
    c.force_login(meishan_officer)
    session = c.session
    session["last_activity"] = time.time() - 20 * 60
    session.save()
    assert c.get("/").status_code == 200


def test_activity_is_noted_once_a_minute_not_on_every_page(meishan_officer: Any) -> None:
    """A session row written on every page is a database write per request; the idle clock needs only minutes."""
    from django.contrib.sessions.models import Session

    c = Client()
    c.force_login(meishan_officer)
    assert c.get("/registry/").status_code == 200
    key = c.session.session_key
    first = Session.objects.get(session_key=key).session_data
    assert c.get("/registry/").status_code == 200
    assert Session.objects.get(session_key=key).session_data == first   # within the minute: nothing written
    session = c.session
    session["last_activity"] = time.time() - 90
    session.save()
    assert c.get("/registry/").status_code == 200
    assert time.time() - c.session["last_activity"] < 5   # a minute on: the activity is noted again
