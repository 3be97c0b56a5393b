from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_ROLES, Role, caps


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    # Every business user is bound to exactly one division; they see only its subtree.
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("所属区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)

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
        return self.is_active and cap in caps(self.role)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else "—"

    @property
    def is_business_user(self) -> bool:
        return bool(self.role) and self.role not in ADMIN_ROLES


class SecuritySettings(models.Model):
    """等保 2.0 login and session policy, editable by the 安全管理员."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    lockout_threshold = models.PositiveSmallIntegerField(_("连续失败锁定次数"), default=5)
    lockout_minutes = models.PositiveIntegerField(_("锁定分钟数"), default=15)
    password_min_length = models.PositiveSmallIntegerField(_("密码最短长度"), default=8)
    password_min_classes = models.PositiveSmallIntegerField(_("密码至少包含字符类别"), default=3)
    password_history = models.PositiveSmallIntegerField(_("不得重复使用最近几次密码"), default=5)
    password_expiry_days = models.PositiveIntegerField(_("密码有效期(天)，0 为不过期"), default=90)
    idle_timeout_minutes = models.PositiveIntegerField(_("空闲超时(分钟)"), default=10)

    class Meta:
        verbose_name = _("安全策略")
        constraints = [
            models.CheckConstraint(condition=models.Q(lockout_minutes__gte=15), name="lockout_at_least_15_minutes"),
            models.CheckConstraint(condition=models.Q(password_min_length__gte=8), name="password_min_8"),
            models.CheckConstraint(condition=models.Q(lockout_threshold__gte=1), name="lockout_threshold_positive"),
        ]

    def __str__(self) -> str:
        return str(_("安全策略"))

    @classmethod
    def current(cls) -> SecuritySettings:
        obj, _created = cls.objects.get_or_create(id=1)
        return obj


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
