"""Account actions. Each is atomic and audited (by model signals plus an explicit entry where the meaning matters).

三员分立 holds here, not in the views: the 系统管理员 creates accounts and resets passwords but a business role he
proposes or touches stays pending (grants nothing) until the 安全管理员 confirms it; the 安全管理员 assigns and
confirms roles but can neither create accounts nor set passwords; the 审计管理员 only reads the log. So no
administrator alone can reach business data, through an account of their own or one whose password they know.
The operator at the command line (actor None) holds the machine already: see the createuser command.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division

from .models import APIToken, PasswordHistory, SecuritySettings, User
from .roles import ADMIN_ROLES, BUSINESS_ROLES, ROLE_LEVEL, Cap, Role

PENDING_NEW = "新建账号"
PENDING_RESET = "系统管理员重置了密码"


def _require(actor: User | None, cap: str) -> None:
    # actor None = the server operator at the CLI, who already holds the machine.
    if actor is not None and not actor.has_cap(cap):
        raise PermissionDenied("没有执行此操作的权限")


def _check_binding(role: str, division: Division | None) -> None:
    if role and role not in ADMIN_ROLES and division is None:
        raise ValidationError({"division": "业务用户必须绑定一个行政区划"})
    level = ROLE_LEVEL.get(role)
    if level is not None and division is not None and division.level != level[0]:
        raise ValidationError({"division": f"{Role(role).label}须绑定一个{level[1]}"})


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
    confirm_role: bool = True,
) -> User:
    """系统管理员 creates accounts; a business role he proposes waits for the 安全管理员. Only the 安全管理员 (or the
    operator) sets admin roles. The operator confirms a business role with `confirm_role` (createuser's flag)."""
    _require(actor, Cap.MANAGE_USERS)
    if actor is not None and role in ADMIN_ROLES:
        raise PermissionDenied("管理员角色只能由安全管理员分配")
    if role and role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    _check_binding(role, division)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"用户名 {username} 已存在"})
    pending = role in BUSINESS_ROLES and (actor is not None or not confirm_role)
    user = User(username=username, role=role, division=division, full_name=full_name, phone=phone, is_demo=is_demo,
                must_change_password=must_change_password, role_pending=pending,
                role_pending_reason=PENDING_NEW if pending else "")
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = dates.now()
    user.save()
    operator_confirmed = role in BUSINESS_ROLES and not pending
    state = "，角色待安全管理员确认" if pending else "，业务角色由运维人员直接确认" if operator_confirmed else ""
    audit.record("auth.user_create", obj=user, summary=f"创建账号 {username}（{user.role_label}{state}）",
                 after={"role": role, "division": division.code if division else None, "role_pending": pending,
                        "confirmed_by_operator": operator_confirmed})
    return user


@transaction.atomic
def change_password(*, user: User, new_password: str) -> None:
    """The holder changes their own password (a pending role stays pending: only the 安全管理员 confirms it)."""
    validate_password(new_password, user)
    _set_password(user, new_password)
    user.must_change_password = False
    user.save()
    audit.record("auth.password_change", obj=user, summary=f"{user.username} 修改密码")


def _set_password(user: User, new_password: str) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(new_password)  # a new password hash also ends the account's sessions
    user.password_changed_at = dates.now()


@transaction.atomic
def reset_password(*, user: User, new_password: str, actor: User | None) -> User:
    """系统管理员 sets a temporary password for a user who forgot theirs. Since he now knows it, a business role the
    account holds is suspended until the 安全管理员 confirms it again; sessions and API tokens end."""
    _require(actor, Cap.MANAGE_USERS)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("请在“修改密码”中修改自己的密码")
    if actor is not None and user.holds_admin_role:
        raise PermissionDenied("管理员账号的密码只能由本人修改，或由运维人员在服务器上用 minzheng changepassword 重置")
    validate_password(new_password, user)
    _set_password(user, new_password)
    user.must_change_password = True
    suspended = user.role in BUSINESS_ROLES and not user.role_pending
    if user.role in BUSINESS_ROLES:
        user.role_pending, user.role_pending_reason = True, PENDING_RESET
    user.save()
    revoked = revoke_tokens(user)
    note = "，业务角色已暂停，待安全管理员确认" if user.role_pending else ""
    audit.record("auth.password_reset", obj=user, summary=f"重置 {user.username} 的密码{note}",
                 detail={"role": user.role, "role_suspended": suspended, "tokens_revoked": revoked})
    return user


@transaction.atomic
def assign_role(*, user: User, role: str, division: Division | None, actor: User | None) -> User:
    """Permission change: only the 安全管理员 assigns roles (which confirms them); nobody changes their own role."""
    _require(actor, Cap.MANAGE_ROLES)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能修改自己的角色")
    if role and role not in Role.values:
        raise ValidationError({"role": f"未知角色：{role}"})
    _check_binding(role, division)
    before = {"role": user.role, "division": user.division.code if user.division else None,
              "role_pending": user.role_pending}
    user.role = role
    user.division = None if role in ADMIN_ROLES else division
    user.role_pending, user.role_pending_reason = False, ""
    user.save()
    audit.record("auth.role_change", obj=user, summary=f"{user.username} 角色变更为 {user.role_label}",
                 before=before, after={"role": role, "division": division.code if division else None,
                                       "role_pending": False})
    return user


@transaction.atomic
def confirm_role(*, user: User, actor: User | None) -> User:
    """安全管理员 confirms a pending business role as it stands (after checking with the person it belongs to)."""
    _require(actor, Cap.MANAGE_ROLES)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied("不能确认自己的角色")
    if not user.role_pending:
        raise ValidationError(f"{user.username} 的角色无须确认")
    reason = user.role_pending_reason
    user.role_pending, user.role_pending_reason = False, ""
    user.save()
    audit.record("auth.role_confirm", obj=user, summary=f"确认 {user.username} 的角色 {user.role_label}（{reason}）",
                 detail={"role": user.role, "division": user.division.code if user.division else None,
                         "reason": reason})
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


def revoke_tokens(user: User) -> int:
    return APIToken.objects.filter(user=user, revoked=False).update(revoked=True)


# Other apps' credentials an account lockout must stop (the field app's phone keys): each hook returns how many.
_lockout_hooks: list[Callable[[User], int]] = []


def register_lockout_hook(hook: Callable[[User], int]) -> None:
    if hook not in _lockout_hooks:
        _lockout_hooks.append(hook)


def hold_other_credentials(user: User) -> int:
    return sum(hook(user) for hook in _lockout_hooks)


def end_sessions(user: User) -> None:
    """Every browser session of the account ends at its next request (see User._get_session_auth_hash)."""
    User.objects.filter(pk=user.pk).update(session_epoch=user.session_epoch + 1)
    user.session_epoch += 1


@transaction.atomic
def update_security(*, actor: User | None, **values: int) -> SecuritySettings:
    """安全管理员 changes the login and session policy; values outside SECURITY_BOUNDS are refused in Chinese.
    Audited with before and after by the model signal."""
    _require(actor, Cap.MANAGE_SECURITY)
    s = SecuritySettings.current()
    editable = set(SecuritySettings.safe_defaults())
    for name, value in values.items():
        if name not in editable:
            raise ValidationError({name: f"未知的安全策略项：{name}"})
        setattr(s, name, value)
    s.full_clean()
    s.save()
    return s


@transaction.atomic
def reset_security(*, actor: User | None = None) -> SecuritySettings:
    """`minzheng security reset`: the safe defaults, whatever was saved (the operator's way back)."""
    before = {k: getattr(SecuritySettings.current(), k) for k in SecuritySettings.safe_defaults()}
    s = update_security(actor=actor, **SecuritySettings.safe_defaults())
    audit.record("security.reset", obj=s, summary="安全策略恢复为安全默认值", before=before,
                 after=SecuritySettings.safe_defaults())
    return s


def user_for_token(key: str) -> User | None:
    tok = APIToken.objects.select_related("user").filter(key_hash=APIToken.digest(key), revoked=False).first()
    if tok is None or not tok.user.is_active:
        return None
    if tok.expires_at and tok.expires_at < dates.now():
        return None
    return tok.user
