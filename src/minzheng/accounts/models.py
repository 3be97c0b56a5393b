from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from minzheng.core.sealed_fields import SealedField

from .roles import ADMIN_ROLES, Role, caps

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    # Every business user is bound to exactly one division; they see only its subtree.
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = SealedField(_("电话"), max_length=32, blank=True)   # sealed at rest (core/sealed.py)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    # 三员分立: a business role set by anyone but the 安全管理员 (an account the 系统管理员 created, or whose
    # password he reset) grants nothing until the 安全管理员 confirms it.
    role_pending = models.BooleanField(_("角色待安全管理员确认"), default=False)
    role_pending_reason = models.CharField(_("待确认原因"), max_length=64, blank=True)
    # Raised to end every session of the account at once (lockout): part of each session's auth hash.
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(r.value for r in ADMIN_ROLES)) | models.Q(role="") | models.Q(
                    division__isnull=False
                ),
                name="business_user_has_division",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def has_cap(self, cap: str) -> bool:
        return self.is_active and not self.role_pending and cap in caps(self.role)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else "—"

    @property
    def role_status(self) -> str:
        return f"{self.role_label}（待安全管理员确认）" if self.role_pending else self.role_label

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django ends a session whose stored hash no longer matches: a new password or a raised epoch ends them all.
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", value,
                           secret=secret, algorithm="sha256").hexdigest()

    @property
    def holds_admin_role(self) -> bool:
        """系统/安全/审计管理员: their passwords are reset only by themselves or the operator, never by the 系统管理员."""
        return self.role in ADMIN_ROLES

    @property
    def is_business_user(self) -> bool:
        return bool(self.role) and self.role not in ADMIN_ROLES


def _bounded(low: int, high: int, unit: str, label: str) -> list[BaseValidator]:
    msg = f"{label}应在 {low}–{high} {unit}之间"
    return [MinValueValidator(low, message=msg), MaxValueValidator(high, message=msg)]


# field → (low, high, unit, label, default). Safe defaults are what `minzheng security reset` restores.
SECURITY_BOUNDS: dict[str, tuple[int, int, str, str, int]] = {
    "lockout_threshold": (3, 10, "次", "连续失败锁定次数", 5),
    "lockout_minutes": (15, 1440, "分钟", "锁定时间", 15),
    "password_min_length": (8, 64, "位", "密码最短长度", 8),
    "password_min_classes": (3, 4, "类", "密码至少包含的字符类别", 3),
    "password_history": (1, 24, "次", "不得重复使用的最近密码", 5),
    "idle_timeout_minutes": (5, 60, "分钟", "空闲超时", 10),
    "login_rate_limit": (5, 200, "次", "同一地址的登录尝试上限", 30),
    "login_rate_window_minutes": (1, 60, "分钟", "登录尝试计数时段", 5),
}
PASSWORD_EXPIRY_BOUNDS = (30, 365)
PASSWORD_EXPIRY_DEFAULT = 90


def _validate_expiry(value: int) -> None:
    low, high = PASSWORD_EXPIRY_BOUNDS
    if value != 0 and not low <= value <= high:
        raise ValidationError(f"密码有效期应为 0（不过期）或 {low}–{high} 天")


def _field(name: str, verbose: _StrOrPromise, cls: type[models.Field] = models.PositiveSmallIntegerField) -> models.Field:
    low, high, unit, label, default = SECURITY_BOUNDS[name]
    return cls(verbose, default=default, validators=_bounded(low, high, unit, label),
               help_text=f"{low}–{high} {unit}")


class SecuritySettings(models.Model):
    """等保 2.0 login and session policy, editable by the 安全管理员 within safe bounds (SECURITY_BOUNDS): the
    form, the service and the database all refuse values outside them, so no setting can lock everyone out."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    lockout_threshold = _field("lockout_threshold", _("连续失败锁定次数"))
    lockout_minutes = _field("lockout_minutes", _("锁定分钟数"), models.PositiveIntegerField)
    password_min_length = _field("password_min_length", _("密码最短长度"))
    password_min_classes = _field("password_min_classes", _("密码至少包含字符类别"))
    password_history = _field("password_history", _("不得重复使用最近几次密码"))
    password_expiry_days = models.PositiveIntegerField(
        _("密码有效期(天)，0 为不过期"), default=PASSWORD_EXPIRY_DEFAULT, validators=[_validate_expiry],
        help_text=f"0 或 {PASSWORD_EXPIRY_BOUNDS[0]}–{PASSWORD_EXPIRY_BOUNDS[1]} 天")
    idle_timeout_minutes = _field("idle_timeout_minutes", _("空闲超时(分钟)"), models.PositiveIntegerField)
    login_rate_limit = _field("login_rate_limit", _("同一地址登录尝试上限(次)"))
    login_rate_window_minutes = _field("login_rate_window_minutes", _("登录尝试计数时段(分钟)"))

    class Meta:
        verbose_name = _("安全策略")
        constraints = [
            *(models.CheckConstraint(condition=models.Q(**{f"{name}__gte": b[0], f"{name}__lte": b[1]}),
                                     name=f"security_{name}_bounds",
                                     violation_error_message=f"{b[3]}应在 {b[0]}–{b[1]} {b[2]}之间")
              for name, b in SECURITY_BOUNDS.items()),
            models.CheckConstraint(
                condition=models.Q(password_expiry_days=0) | models.Q(
                    password_expiry_days__gte=PASSWORD_EXPIRY_BOUNDS[0],
                    password_expiry_days__lte=PASSWORD_EXPIRY_BOUNDS[1]),
                name="security_password_expiry_bounds",
                violation_error_message="密码有效期应为 0（不过期）或 {}–{} 天".format(*PASSWORD_EXPIRY_BOUNDS)),
        ]

    def __str__(self) -> str:
        return str(_("安全策略"))

    @classmethod
    def current(cls) -> SecuritySettings:
        obj, _created = cls.objects.get_or_create(id=1)
        return obj

    @classmethod
    def safe_defaults(cls) -> dict[str, int]:
        return {**{name: b[4] for name, b in SECURITY_BOUNDS.items()}, "password_expiry_days": PASSWORD_EXPIRY_DEFAULT}


class LoginAttempt(models.Model):
    """Consecutive failures per username; reset on success."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_ip = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.created_at:%Y-%m-%d}"


class APIToken(models.Model):
    """Bearer token for the REST API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
