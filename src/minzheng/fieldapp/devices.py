"""Phones allowed to keep work offline: signing in on one, its bearer key, and the township taking it back.

Only the phone-first roles sign in here: 村(居)协管员, 乡镇民政助理员 and a provider's staff."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, Role
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.scoping import get_visible, visible

from .models import FieldDevice

FIELD_ROLES = frozenset({Role.VILLAGE_COORDINATOR, Role.TOWNSHIP_OFFICER, Role.SOCIAL_ORG, Role.CHILD_DIRECTOR,
                         Role.CHILD_SUPERVISOR})
ROLES_ONLY = "外勤App供村(居)协管员、儿童主任、儿童督导员、乡镇民政助理员和服务机构人员使用"


def may_use(user: Actor) -> bool:
    return user.is_active and user.role in FIELD_ROLES and not user.role_pending and user.division is not None


@transaction.atomic
def sign_in(*, request: Any, username: str, password: str, label: str) -> tuple[FieldDevice, str]:
    """Check the password the way the login page does (lockout, throttle, failures audited) and give this phone
    its own key. Returns the device and the key (shown once)."""
    from minzheng.accounts.backends import AccountLocked, locked_until

    username = (username or "").strip()[:150]
    if (until := locked_until(username)) is not None:
        raise AccountLocked(until)  # said plainly, as on the login page
    user = authenticate(request, username=username, password=password or "")
    if user is None:
        raise PermissionDenied("用户名或密码不正确")
    if not may_use(user):
        raise PermissionDenied(ROLES_ONLY)
    if user.must_change_password:
        raise PermissionDenied("请先在电脑或手机网页上修改初始密码，再登录外勤App")
    key = "mzf_" + secrets.token_urlsafe(32)
    device = FieldDevice.objects.create(user=user, division=user.division, label=(label or "").strip()[:120],
                                        key_hash=FieldDevice.digest(key), created_at=dates.now())
    audit.record("auth.login", obj=user, summary=f"{user.username} 在外勤App登录（{device.label or '设备'}）")
    return device, key


def for_key(key: str) -> FieldDevice | None:
    return FieldDevice.objects.select_related("user", "user__division").filter(
        key_hash=FieldDevice.digest(key)).first()


def touch(device: FieldDevice) -> None:
    # A plain UPDATE: when a phone last synced is not a business change worth an audit entry each time.
    FieldDevice.objects.filter(pk=device.pk).update(last_seen_at=dates.now())


def check_password(*, user: Actor, password: str, request: Any) -> bool:
    """The idle lock, online: the same check (and lockout) as a sign-in."""
    try:
        return authenticate(request, username=user.username, password=password or "") is not None
    except PermissionDenied:
        return False


def manageable(actor: Actor) -> QuerySet[FieldDevice]:
    """Devices in the township's (or county's) jurisdiction, for the page that takes them back."""
    if not actor.has_cap(Cap.PROCESS_CASES):
        return FieldDevice.objects.none()
    return visible(FieldDevice, actor).select_related("user", "division")


@transaction.atomic
def revoke(*, actor: Actor, device_id: int) -> FieldDevice:
    """Take back a phone's offline access (lost or handed on): at its next contact it wipes everything it holds."""
    if not actor.has_cap(Cap.PROCESS_CASES):
        raise PermissionDenied("只有乡镇(街道)及以上经办人员可以收回离线权限")
    device = get_visible(FieldDevice.objects.select_for_update(), actor, pk=device_id)
    if device.revoked:
        raise ValidationError("该设备的离线权限已收回")
    device.revoked_at, device.revoked_by = dates.now(), actor.username
    device.save(update_fields=["revoked_at", "revoked_by"])
    return device


@transaction.atomic
def revoke_user(*, actor: Actor, user_id: int) -> int:
    """Every phone of one account (a worker who left)."""
    n = 0
    for d in manageable(actor).filter(user_id=user_id, revoked_at__isnull=True):
        revoke(actor=actor, device_id=d.pk)
        n += 1
    return n


def hold_for_reauth(user: Any) -> int:
    """An account lockout: its phones keep what they hold but must take the password again (lockout hook)."""
    return FieldDevice.objects.filter(user=user, revoked_at__isnull=True, reauth_since__isnull=True).update(
        reauth_since=dates.now())


def reauthenticate(*, device: FieldDevice, password: str, request: Any) -> bool:
    """The phone's lock screen, online: the password again (refused while the account is locked); a device held by a
    lockout is released by it."""
    from minzheng.accounts.backends import AccountLocked, locked_until

    if (until := locked_until(device.user.username)) is not None:
        raise AccountLocked(until)
    if not check_password(user=device.user, password=password, request=request):
        return False
    if device.reauth_since is not None:
        FieldDevice.objects.filter(pk=device.pk).update(reauth_since=None)
        audit.record("auth.login", obj=device.user,
                     summary=f"{device.user.username} 在外勤App重新验证密码（{device.label or '设备'}），解除锁定后的暂停")
    return True


def confirm_wiped(device: FieldDevice) -> None:
    if device.revoked and device.wiped_at is None:
        device.wiped_at = dates.now()
        device.save(update_fields=["wiped_at"])


def sign_out(device: FieldDevice) -> None:
    """The worker logged out on the phone: the key stops working."""
    if not device.revoked:
        device.revoked_at, device.revoked_by = dates.now(), device.user.username
        device.save(update_fields=["revoked_at", "revoked_by"])
