from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from minzheng.regions.models import Division

from .models import SecuritySettings, User
from .roles import ADMIN_ROLES, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败多次后账号将被锁定。",
        "inactive": "该账号已停用",
    }

    def clean(self) -> dict[str, Any]:
        from .backends import AccountLocked, locked_until

        username = self.cleaned_data.get("username") or ""
        if username and (until := locked_until(username)) is not None:
            raise forms.ValidationError(str(AccountLocked(until)), code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            # The failure that just happened may have been the one that locked the account: say so.
            if username and (until := locked_until(username)) is not None:
                raise forms.ValidationError(str(AccountLocked(until)), code="locked") from None
            raise


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        return ("　" * max(0, obj.depth - 2)) + obj.name


class UserCreateForm(forms.Form):
    username = forms.RegexField(label="用户名", regex=r"^[A-Za-z0-9_.-]{3,40}$",
                                error_messages={"invalid": "用户名只能含字母、数字、下划线、点和横线，3–40 位"})
    full_name = forms.CharField(label="姓名", max_length=64)
    role = forms.ChoiceField(label="角色", choices=[(r.value, r.label) for r in Role if r not in ADMIN_ROLES])
    division = DivisionChoiceField(label="所属区划", queryset=Division.objects.filter(depth__gte=2), required=False)
    phone = forms.CharField(label="电话", max_length=32, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="用户首次登录后必须修改")


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[("", "（无）"), *Role.choices], required=False)
    division = DivisionChoiceField(label="所属区划", queryset=Division.objects.filter(depth__gte=2), required=False)


class SecuritySettingsForm(forms.ModelForm):
    class Meta:
        model = SecuritySettings
        fields = [
            "lockout_threshold", "lockout_minutes", "password_min_length", "password_min_classes",
            "password_history", "password_expiry_days", "idle_timeout_minutes",
        ]

    def clean_lockout_minutes(self) -> int:
        v = self.cleaned_data["lockout_minutes"]
        if v < 15:
            raise forms.ValidationError("锁定时间不得少于 15 分钟")
        return v

    def clean_password_min_length(self) -> int:
        v = self.cleaned_data["password_min_length"]
        if v < 8:
            raise forms.ValidationError("密码最短长度不得少于 8 位")
        return v


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=64)


def user_label(u: User) -> str:
    return f"{u.full_name or u.username}（{u.role_label}）"
