"""等保 2.0 login security: lockout, password policy, idle timeout, hashing, CSRF and security headers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from minzheng.accounts import services
from minzheng.accounts.models import SecuritySettings
from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_five_failures_lock_the_account_for_15_minutes(meishan_officer: Any) -> None:
    c = Client()
    for _ in range(5):
        resp = _login(c, meishan_officer.username, "wrong")
        assert resp.status_code == 200
    # then: even the right password is refused while locked, with a clear Chinese message
    resp = _login(c, meishan_officer.username, TEST_PASSWORD)
    assert "账号已锁定" in resp.content.decode()
    assert "_auth_user_id" not in c.session
    from minzheng.accounts.models import LoginAttempt

    att = LoginAttempt.objects.get(username=meishan_officer.username)

    assert (att.locked_until - dates.now()).total_seconds() > 14 * 60


def test_threshold_is_configurable(meishan_officer: Any) -> None:
    s = SecuritySettings.current()
    s.lockout_threshold = 3
    s.save()
    c = Client()
    for _ in range(3):
        _login(c, meishan_officer.username, "wrong")
    assert "账号已锁定" in _login(c, meishan_officer.username, TEST_PASSWORD).content.decode()


def test_success_resets_the_failure_count(meishan_officer: Any) -> None:
    c = Client()
    for _ in range(4):
        _login(c, meishan_officer.username, "wrong")
    assert _login(c, meishan_officer.username, TEST_PASSWORD).status_code == 302
    c.logout()
    for _ in range(4):
        _login(c, meishan_officer.username, "wrong")
    assert _login(c, meishan_officer.username, TEST_PASSWORD).status_code == 302


def test_login_logout_and_failures_are_audited(meishan_officer: Any) -> None:
    c = Client()
    _login(c, meishan_officer.username, "wrong")
    _login(c, meishan_officer.username, TEST_PASSWORD)
    c.post(reverse("accounts:logout"))
    actions = list(AuditEntry.objects.filter(actor=meishan_officer.username).values_list("action", flat=True))
    assert {"auth.login_failed", "auth.login", "auth.logout"} <= set(actions)
    failed = AuditEntry.objects.filter(action="auth.login_failed").latest("seq")
    assert failed.ip == "127.0.0.1"


@pytest.mark.parametrize("password,reason", [
    ("Short1!", "至少 8 位"),
    ("alllowercase", "至少 3 类"),
    ("ALLUPPER1234", "至少 3 类"),
])
def test_password_policy(password: str, reason: str, meishan: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_user(username="newbie", password=password, role=Role.TOWNSHIP_OFFICER, division=meishan)
    assert any(reason in m for m in exc.value.messages)


def test_last_five_passwords_cannot_be_reused(meishan_officer: Any) -> None:
    history = ["Second-pass1", "Third-pass1", "Fourth-pass1", "Fifth-pass1"]
    for pw in history:
        services.change_password(user=meishan_officer, new_password=pw)
    for old in [TEST_PASSWORD, *history]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            services.change_password(user=meishan_officer, new_password=old)
    services.change_password(user=meishan_officer, new_password="Brand-new-pass9")


def test_idle_session_times_out(meishan_officer: Any) -> None:
    c = Client()
    c.force_login(meishan_officer)
    assert c.get("/").status_code == 200
    session = c.session
    session["last_activity"] = time.time() - 11 * 60
    session.save()
    resp = c.get("/")
    assert resp.status_code == 302 and reverse("accounts:login") in resp["Location"]
    assert c.get("/").status_code == 302  # really logged out


def test_expired_password_forces_a_change(meishan_officer: Any) -> None:
    import datetime as dt


    meishan_officer.password_changed_at = dates.now() - dt.timedelta(days=91)
    meishan_officer.save()
    c = Client()
    c.force_login(meishan_officer)
    resp = c.get("/")
    assert resp.status_code == 302 and resp["Location"] == reverse("accounts:password_change")


def test_argon2id_at_owasp_cost_is_the_production_hasher() -> None:
    """Argon2id with 19 MiB, 2 passes, 1 lane; a hash made with Django's heavier default still verifies and is
    flagged for re-hashing at the next login."""
    from django.contrib.auth.hashers import Argon2PasswordHasher, import_string

    from minzheng import settings as prod

    hasher = import_string(prod.PASSWORD_HASHERS[0])()
    encoded = hasher.encode("Mz-secret-2026!", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("Mz-secret-2026!", encoded) and not hasher.verify("wrong", encoded)
    assert not hasher.must_update(encoded)
    old = Argon2PasswordHasher().encode("Mz-secret-2026!", hasher.salt())   # m=102400,p=8
    assert hasher.verify("Mz-secret-2026!", old) and hasher.must_update(old)


def test_missing_csrf_token_is_refused_in_chinese(meishan_officer: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    resp = c.post(reverse("accounts:login"), {"username": meishan_officer.username, "password": TEST_PASSWORD})
    assert resp.status_code == 403
    assert "安全校验失败" in resp.content.decode()
    assert "_auth_user_id" not in c.session


def test_security_headers_and_csp_without_inline_script(client: Client) -> None:
    resp = client.get(reverse("accounts:login"))
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    html = resp.content.decode()
    # every <script> tag loads a file; none carries inline code
    import re

    for tag in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        assert tag.strip() == ""


def test_no_default_passwords_outside_demo(db: None) -> None:
    from minzheng.accounts.models import User

    assert not settings.DEMO_MODE
    assert not User.objects.filter(is_demo=True).exists()
    from minzheng.core.demo_accounts import ensure_demo_accounts

    with pytest.raises(RuntimeError):
        ensure_demo_accounts()
