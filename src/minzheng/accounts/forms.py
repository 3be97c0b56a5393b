from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from minzheng.core import ratelimit
from minzheng.regions.models import Division

from .models import SecuritySettings, User
from .roles import ADMIN_ROLES, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败多次后账号将被锁定。",
        "inactive": "该账号已停用",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = ratelimit.client_address(self.request) if self.request is not None else ""
        self._refuse_if_blocked(username, ip)
        try:
            return super().clean()
        except forms.ValidationError:
            # The failure that just happened may have been the one that locked the account: say so.
            self._refuse_if_blocked(username, ip)
            raise

    @staticmethod
    def _refuse_if_blocked(username: str, ip: str) -> None:
        from .backends import AccountLocked, AddressThrottled, locked_until

        if ip and (minutes := ratelimit.login_blocked(ip)) is not None:
            raise forms.ValidationError(str(AddressThrottled(minutes)), code="throttled")
        if username and (until := locked_until(username)) is not None:
            raise forms.ValidationError(str(AccountLocked(until)), code="locked")


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        return ("　" * max(0, obj.depth - 2)) + obj.name


class UserCreateForm(forms.Form):
    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.-]{3,40}$",
                                error_messages={"invalid": "用户名只能含字母、数字、下划线、点和横线，3–40 位"})
    full_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="拟任角色", choices=[("", "（无）"), *((r.value, r.label) for r in Role
                                                                       if r not in ADMIN_ROLES)],
                             required=False, help_text="安全管理员确认后才生效（三员分立）")
    division = DivisionChoiceField(label="所属区划", queryset=Division.objects.filter(depth__gte=2), required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="用户首次登录后必须修改")


class PasswordResetForm(forms.Form):
    password = forms.CharField(label="临时密码", widget=forms.PasswordInput,
                               help_text="用户登录后必须修改；其业务角色暂停，待安全管理员确认后恢复")


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[("", "（无）"), *Role.choices], required=False)
    division = DivisionChoiceField(label="所属区划", queryset=Division.objects.filter(depth__gte=2), required=False)


class SecuritySettingsForm(forms.ModelForm):
    """Bounds come from the model's validators and constraints (SECURITY_BOUNDS), with Chinese messages."""

    class Meta:
        model = SecuritySettings
        fields = [
            "lockout_threshold", "lockout_minutes", "password_min_length", "password_min_classes",
            "password_history", "password_expiry_days", "idle_timeout_minutes", "login_rate_limit",
            "login_rate_window_minutes",
        ]


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=64)


def user_label(u: User) -> str:
    return f"{u.full_name or u.username}（{u.role_label}）"
