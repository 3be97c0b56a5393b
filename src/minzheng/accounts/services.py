"""Account actions. Each is atomic and audited (by model signals plus an explicit entry where the meaning matters)."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division

from .models import APIToken, PasswordHistory, User
from .roles import ADMIN_ROLES, Cap, Role


def _require(actor: User | None, cap: str) -> None:
    # actor None = the server operator at the CLI, who already holds the machine.
    if actor is not None and not actor.has_cap(cap):
        raise PermissionDenied("没有执行此操作的权限")


def _check_binding(role: str, division: Division | None) -> None:
    if role and role not in ADMIN_ROLES and division is None:
        raise ValidationError({"division": "业务用户必须绑定一个行政区划"})


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    role: str = "",
    division: Division | None = None,
    full_name: str = "",
    phone: str = "",
    actor: User | None = None,
    must_change_password: bool = False,
    is_demo: bool = False,
    validate: bool = True,
) -> User:
    """系统管理员 creates accounts. Only the 安全管理员 (or the operator) sets admin roles."""
    _require(actor, Cap.MANAGE_USERS)
    if actor is not None and role in ADMIN_ROLES:
        raise PermissionDenied("管理员角色只能由安全管理员分配")
    if role and role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    _check_binding(role, division)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名 {username} 已存在"})
    user = User(username=username, role=role, division=division, full_name=full_name, phone=phone, is_demo=is_demo,
                must_change_password=must_change_password)
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = dates.now()
    user.save()
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    validate_password(new_password, user)
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)
    user.password_changed_at = dates.now()
    user.must_change_password = False
    user.save()
    audit.record("auth.password_change", obj=user, summary=f"{user.username} 修改密码")


@transaction.atomic
def assign_role(*, user: User, role: str, division: Division | None, actor: User | None) -> User:
    """Permission change: only the 安全管理员 assigns roles; nobody changes their own role."""
    _require(actor, Cap.MANAGE_ROLES)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能修改自己的角色")
    if role and role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    _check_binding(role, division)
    before = {"role": user.role, "division": user.division.code if user.division else None}
    user.role = role
    user.division = None if role in ADMIN_ROLES else division
    user.save()
    audit.record("auth.role_change", obj=user, summary=f"{user.username} 角色变更为 {user.role_label}",
                 before=before, after={"role": role, "division": division.code if division else None})
    return user


@transaction.atomic
def set_active(*, user: User, active: bool, actor: User | None) -> User:
    _require(actor, Cap.MANAGE_USERS)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能停用自己的账号")
    user.is_active = active
    user.save()
    return user


@transaction.atomic
def issue_token(*, user: User, name: str) -> str:
    """Returns the plain token once; only its digest is stored."""
    key = "mz_" + secrets.token_urlsafe(32)
    APIToken.objects.create(user=user, name=name, key_hash=APIToken.digest(key), prefix=key[:8])
    audit.record("auth.token_issue", obj=user, summary=f"为 {user.username} 签发 API 令牌：{name}")
    return key


def user_for_token(key: str) -> User | None:
    tok = APIToken.objects.select_related("user").filter(key_hash=APIToken.digest(key), revoked=False).first()
    if tok is None or not tok.user.is_active:
        return None
    if tok.expires_at and tok.expires_at < dates.now():
        return None
    return tok.user
