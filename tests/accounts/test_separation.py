"""三员分立 that holds: no administrator alone reaches a business record, by any path.

Each administrator tries everything their role allows (create an account with a business role and a password they
choose, log in as it, issue it an API token; reset a business user's password and log in as them; assign or confirm
roles; set their own role) and then every page and API route is walked with each session and token they hold: no
planted name, ID, phone or bank number appears, and business routes answer 403/404. Only the 安全管理员's
confirmation (the second person) makes a business role effective. Every step is in the audit log.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver

from minzheng.accounts import services
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from tests import leakcheck
from tests.conftest import TEST_PASSWORD
from tests.core.test_jurisdiction import EXEMPT, fill, walk
from tests.core.test_jurisdiction import world as world  # the records planted in 梅山街道 by every app

pytestmark = pytest.mark.django_db

CHOSEN = "Mole-pass-2026!"
CHANGED = "Mole-own-2026?x"


def _routes() -> list[tuple[str, str, list[str]]]:
    return [r for r in walk(get_resolver().url_patterns) if r[1] not in EXEMPT and "static" not in r[0]]


def leaks(client: Client, world: leakcheck.Planted, *, headers: dict[str, str] | None = None,
          secrets: Iterable[str] | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    """Every GET route with this session or token: planted secrets shown, or a business record served."""
    values = {**world.plain, **world.scoped}
    found = []
    for route, name, kwargs in _routes():
        if name.startswith(skip):
            continue
        url = fill(route, values)
        resp = client.get(url, **(headers or {}))
        raw = b"".join(resp.streaming_content) if resp.streaming else resp.content   # files too (the field app's)
        body = raw.decode("utf-8", "replace") if resp.status_code != 302 else ""
        found += [f"GET {url} ({name}) shows {s!r}" for s in (secrets or world.secrets) if s in body]
        if any(k in world.scoped for k in kwargs) and resp.status_code not in (302, 401, 403, 404, 405):
            found.append(f"GET {url} ({name}) gave {resp.status_code}")
    return found


def login_with_password(username: str, password: str, new_password: str) -> Client:
    """A real login, as whoever knows the password would do it, through the forced password change."""
    c = Client()
    resp = c.post("/accounts/login/", {"username": username, "password": password})
    assert resp.status_code == 302, resp.content.decode()[:500]
    assert c.get("/").status_code == 302  # the temporary password must be changed first
    resp = c.post("/accounts/password/", {"old_password": password, "new_password1": new_password,
                                          "new_password2": new_password})
    assert resp.status_code == 302, resp.content.decode()[:800]
    return c


def token_for(c: Client) -> dict[str, str]:
    html = c.post("/accounts/tokens/", {"name": "脚本"}).content.decode()
    key = html.split("mz_", 1)[1].split("<", 1)[0].split('"', 1)[0].strip()
    return {"HTTP_AUTHORIZATION": f"Bearer mz_{key}"}


def test_the_system_admin_alone_reaches_no_business_record(world: leakcheck.Planted, make_user: Any,
                                                           county: Any, meishan_officer: Any) -> None:
    sysadmin = make_user(Role.SYS_ADMIN)
    sys_c = Client()
    sys_c.force_login(sysadmin)
    old_token = {"HTTP_AUTHORIZATION": f"Bearer {services.issue_token(user=meishan_officer, name='对接')}"}
    # 1. an account with a business role and a password of his choosing…
    resp = sys_c.post("/accounts/users/", {"username": "mole", "full_name": "内鬼", "role": Role.DISTRICT_ADMIN,
                                           "division": county.pk, "password": CHOSEN})
    assert resp.status_code == 302
    mole = User.objects.get(username="mole")
    assert mole.role_pending and not mole.has_cap("business.view")
    # 2. …he cannot confirm or assign roles…
    assert sys_c.post(f"/accounts/roles/{mole.pk}/confirm/").status_code == 403
    assert sys_c.post(f"/accounts/roles/{mole.pk}/", {"role": Role.DISTRICT_ADMIN,
                                                      "division": county.pk}).status_code == 403
    assert sys_c.post(f"/accounts/roles/{sysadmin.pk}/", {"role": Role.DISTRICT_ADMIN,
                                                          "division": county.pk}).status_code == 403
    # …nor give an account an administrator role, nor take over the 安全管理员 by resetting their password
    secadmin = make_user(Role.SEC_ADMIN)
    sys_c.post("/accounts/users/", {"username": "mole2", "full_name": "二号", "role": Role.SEC_ADMIN,
                                    "password": CHOSEN})
    assert not User.objects.filter(username="mole2").exists()
    assert sys_c.post(f"/accounts/users/{secadmin.pk}/password/", {"password": CHOSEN}).status_code == 403
    users_page = sys_c.get("/accounts/users/").content.decode()
    assert f"/accounts/users/{mole.pk}/password/" in users_page
    assert f"/accounts/users/{secadmin.pk}/password/" not in users_page
    # 3. logged in as the new account, with its own API token
    mole_c = login_with_password("mole", CHOSEN, CHANGED)
    problems = leaks(mole_c, world) + leaks(Client(), world, headers=token_for(mole_c))
    # 4. a real business user's password reset, then logged in as them
    resp = sys_c.post(f"/accounts/users/{meishan_officer.pk}/password/", {"password": CHOSEN})
    assert resp.status_code == 302
    meishan_officer.refresh_from_db()
    assert meishan_officer.role_pending and meishan_officer.role == Role.TOWNSHIP_OFFICER
    victim_c = login_with_password(meishan_officer.username, CHOSEN, CHANGED)
    problems += leaks(victim_c, world) + leaks(Client(), world, headers=token_for(victim_c))
    # the victim's earlier token ended with the reset
    assert Client().get("/api/core/me", **old_token).status_code == 401
    # 5. and his own session
    problems += leaks(sys_c, world)
    assert not problems, "\n".join(problems)
    # (the walk does see records when the role is real: a confirmed officer of the township reads them)
    colleague = Client()
    colleague.force_login(make_user(Role.TOWNSHIP_OFFICER, meishan_officer.division))
    household = colleague.get(f"/api/registry/households/{world.scoped['household_id']}")
    assert household.status_code == 200 and any(s in household.content.decode() for s in world.secrets)
    # every step is in the audit log for the 审计管理员
    actions = set(AuditEntry.objects.filter(actor=sysadmin.username).values_list("action", flat=True))
    assert {"auth.user_create", "auth.password_reset"} <= actions


def test_the_security_admin_alone_reaches_no_business_record(world: leakcheck.Planted, make_user: Any,
                                                             county: Any, meishan_officer: Any) -> None:
    secadmin = make_user(Role.SEC_ADMIN)
    c = Client()
    c.force_login(secadmin)
    # no role for themselves, no accounts, no passwords
    assert c.post(f"/accounts/roles/{secadmin.pk}/", {"role": Role.DISTRICT_ADMIN,
                                                      "division": county.pk}).status_code in (200, 403)
    secadmin.refresh_from_db()
    assert secadmin.role == Role.SEC_ADMIN
    assert c.post("/accounts/users/", {"username": "mine", "full_name": "我的", "role": Role.DISTRICT_ADMIN,
                                       "division": county.pk, "password": CHOSEN}).status_code == 403
    assert not User.objects.filter(username="mine").exists()
    assert c.post(f"/accounts/users/{meishan_officer.pk}/password/", {"password": CHOSEN}).status_code == 403
    # granting a role gives it to someone else's account, whose password the 安全管理员 does not know
    problems = leaks(c, world) + leaks(Client(), world, headers=token_for(c))
    assert not problems, "\n".join(problems)


def test_the_audit_admin_alone_reaches_no_business_record(world: leakcheck.Planted, make_user: Any) -> None:
    auditadmin = make_user(Role.AUDIT_ADMIN)
    c = Client()
    c.force_login(auditadmin)
    token = token_for(c)
    # business pages and API: nothing at all
    problems = leaks(c, world, skip=("audit:",)) + leaks(Client(), world, headers=token, skip=("audit:",))
    # the audit log names what was acted on, but never shows an ID, phone or bank account number
    numbers = [s for s in world.secrets if any(ch.isdigit() for ch in s)]
    problems += [p for p in leaks(c, world, secrets=numbers) if "audit" in p]
    assert not problems, "\n".join(problems)
    # even where a summary quotes such a number
    from minzheng.audit import services as audit

    audit.record("test.quote", summary="核对 350702195103150317 的银行账号 6228480012345678")
    html = c.get("/audit/").content.decode()
    assert "350***********0317" in html and "350702195103150317" not in html and "6228480012345678" not in html


def test_two_people_are_needed_and_the_audit_admin_sees_both(make_user: Any, county: Any) -> None:
    sysadmin, secadmin, auditadmin = make_user(Role.SYS_ADMIN), make_user(Role.SEC_ADMIN), make_user(Role.AUDIT_ADMIN)
    user = services.create_user(username="newhire", password=CHOSEN, role=Role.DISTRICT_APPROVER, division=county,
                                full_name="新同事", actor=sysadmin, must_change_password=True)
    assert not user.has_cap("business.view")
    with pytest.raises(services.PermissionDenied):
        services.confirm_role(user=user, actor=sysadmin)
    services.confirm_role(user=user, actor=secadmin)
    user.refresh_from_db()
    assert user.has_cap("business.view") and not user.role_pending
    # a reset by the 系统管理员 suspends it again; only the 安全管理员 restores it
    services.reset_password(user=user, new_password="Another-pass-77", actor=sysadmin)
    user.refresh_from_db()
    assert user.role_pending and not user.has_cap("business.view")
    services.confirm_role(user=user, actor=secadmin)
    user.refresh_from_db()
    assert user.has_cap("business.view")
    c = Client()
    c.force_login(auditadmin)
    html = c.get("/audit/").content.decode()
    for action in ("auth.user_create", "auth.role_confirm", "auth.password_reset"):
        assert action in html, action


def test_roles_page_lists_pending_roles_with_a_confirm_button(make_user: Any, county: Any) -> None:
    sysadmin, secadmin = make_user(Role.SYS_ADMIN), make_user(Role.SEC_ADMIN)
    services.create_user(username="waiting", password=CHOSEN, role=Role.BUREAU_HEAD, division=county,
                         actor=sysadmin)
    c = Client()
    c.force_login(secadmin)
    html = c.get("/accounts/roles/").content.decode()
    assert "待安全管理员确认" in html and "新建账号" in html and "/confirm/" in html
    waiting = User.objects.get(username="waiting")
    assert c.post(f"/accounts/roles/{waiting.pk}/confirm/").status_code == 302
    waiting.refresh_from_db()
    assert not waiting.role_pending


def test_cli_createuser_fits_the_separation(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator's path at install time: admins directly; a business role waits unless --confirm-role."""

    def create(*args: str) -> User:
        monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
        call_command("createuser", *args, "--password-stdin", stdout=io.StringIO())
        return User.objects.get(username=args[0])

    admin = create("secboss", "--role", "sec_admin")
    assert admin.role == Role.SEC_ADMIN and not admin.role_pending
    waiting = create("quzhang", "--role", "district_admin", "--division", county.code)
    assert waiting.role_pending and not waiting.has_cap("business.view")
    first = create("quadmin1", "--role", "district_admin", "--division", county.code, "--confirm-role")
    assert first.has_cap("business.view")
    entry = AuditEntry.objects.filter(action="auth.user_create", object_id=str(first.pk)).get()
    assert entry.actor.startswith("cli:") and entry.actor_role == "operator"
    assert entry.after["confirmed_by_operator"] is True
