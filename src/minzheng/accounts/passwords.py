"""Password policy (等保 2.0 身份鉴别): length and character classes from SecuritySettings, no reuse."""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from minzheng.accounts.actor import Actor


def char_classes(password: str) -> int:
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class ComplexityValidator:
    def validate(self, password: str, user: Actor | None = None) -> None:
        from .models import SecuritySettings

        s = SecuritySettings.current()
        if len(password) < s.password_min_length:
            raise ValidationError(f"密码至少 {s.password_min_length} 位", code="password_too_short")
        if char_classes(password) < s.password_min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {s.password_min_classes} 类", code="password_classes"
            )

    def get_help_text(self) -> str:
        return "至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类"


class HistoryValidator:
    def validate(self, password: str, user: Actor | None = None) -> None:
        from .models import SecuritySettings

        if user is None or user.pk is None:
            return
        n = SecuritySettings.current().password_history
        recent = list(user.password_history.values_list("password", flat=True)[:n])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, h) for h in recent):
            raise ValidationError(f"不能使用最近 {n} 次用过的密码", code="password_reused")

    def get_help_text(self) -> str:
        return "不能与最近 5 次的密码相同"
