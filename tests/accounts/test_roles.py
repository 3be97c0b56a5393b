"""三员分立 and role-bound access."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from minzheng.accounts import services
from minzheng.accounts.roles import ADMIN_ROLES, ROLE_CAPS, Cap, Role
from minzheng.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_admin_roles_hold_no_business_capability() -> None:
    business = {Cap.VIEW_BUSINESS, Cap.EDIT_BUSINESS, Cap.APPROVE, Cap.VIEW_SENSITIVE, Cap.EXPORT}
    for role in ADMIN_ROLES:
        assert not (ROLE_CAPS[role] & business), role
    # and no two admin roles share a capability
    caps = [ROLE_CAPS[r] for r in ADMIN_ROLES]
    assert all(not (a & b) for i, a in enumerate(caps) for b in caps[i + 1:])


def test_auditor_reads_but_cannot_edit() -> None:
    assert Cap.VIEW_BUSINESS in ROLE_CAPS[Role.AUDITOR]
    assert Cap.EDIT_BUSINESS not in ROLE_CAPS[Role.AUDITOR]


def test_business_user_must_have_a_division() -> None:
    with pytest.raises(ValidationError):
        services.create_user(username="x1", password="Good-pass123", role=Role.TOWNSHIP_OFFICER, division=None)


def test_system_admin_cannot_grant_admin_roles(make_user: Any) -> None:
    sysadmin = make_user(Role.SYS_ADMIN)
    with pytest.raises(PermissionDenied):
        services.create_user(username="x2", password="Good-pass123", role=Role.SEC_ADMIN, actor=sysadmin)


def test_only_security_admin_assigns_roles_and_it_is_audited(make_user: Any, meishan_officer: Any,
                                                             county: Any) -> None:
    sysadmin, secadmin = make_user(Role.SYS_ADMIN), make_user(Role.SEC_ADMIN)
    with pytest.raises(PermissionDenied):
        services.assign_role(user=meishan_officer, role=Role.DISTRICT_APPROVER, division=county, actor=sysadmin)
    services.assign_role(user=meishan_officer, role=Role.DISTRICT_APPROVER, division=county, actor=secadmin)
    entry = AuditEntry.objects.filter(action="auth.role_change").latest("seq")
    assert entry.before["role"] == Role.TOWNSHIP_OFFICER and entry.after["role"] == Role.DISTRICT_APPROVER
    with pytest.raises(PermissionDenied):
        services.assign_role(user=secadmin, role=Role.DISTRICT_ADMIN, division=county, actor=secadmin)


@pytest.mark.parametrize("role,allowed,forbidden", [
    (Role.SYS_ADMIN, ["accounts:users"], ["audit:list", "accounts:security", "core:divisions"]),
    (Role.SEC_ADMIN, ["accounts:roles", "accounts:security"], ["audit:list", "accounts:users", "core:divisions"]),
    (Role.AUDIT_ADMIN, ["audit:list"], ["accounts:users", "accounts:roles", "core:divisions"]),
])
def test_three_admins_see_only_their_pages(role: str, allowed: list[str], forbidden: list[str],
                                           make_user: Any) -> None:
    c = Client()
    c.force_login(make_user(role))
    for name in allowed:
        assert c.get(reverse(name)).status_code == 200, name
    for name in forbidden:
        assert c.get(reverse(name)).status_code == 403, name


def test_every_role_has_a_home_page(make_user: Any, county: Any, meishan: Any, zhongshan: Any) -> None:
    where = {Role.TOWNSHIP_OFFICER: meishan, Role.VILLAGE_COORDINATOR: zhongshan, Role.CHILD_DIRECTOR: zhongshan,
             Role.CHILD_SUPERVISOR: meishan}
    for role in Role:
        user = make_user(role, None if role in ADMIN_ROLES else where.get(role, county))
        c = Client()
        c.force_login(user)
        resp = c.get("/")
        assert resp.status_code == 200, role
        html = resp.content.decode()
        assert "南平市延平区民政局" in html
        assert user.role_label in html
        if user.division:
            assert user.division.name in html
