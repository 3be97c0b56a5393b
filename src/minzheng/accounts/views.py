from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from minzheng.core.forms import add_errors_to_form

from . import services
from .actor import AuthedRequest
from .decorators import require_cap
from .forms import (
    LoginForm,
    PasswordResetForm,
    RoleAssignForm,
    SecuritySettingsForm,
    TokenForm,
    UserCreateForm,
)
from .models import SecuritySettings, User
from .roles import Cap


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        old, new, new2 = (request.POST.get(k, "") for k in ("old_password", "new_password1", "new_password2"))
        if not request.user.check_password(old):
            error = "原密码不正确"
        elif new != new2:
            error = "两次输入的新密码不一致"
        else:
            try:
                services.change_password(user=request.user, new_password=new)
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, "密码已修改")
                return redirect("core:home")
    return render(request, "accounts/password_change.html", {
        "error": error, "forced": request.user.must_change_password,
    })


@require_cap(Cap.MANAGE_USERS)
def user_list(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.create_user(username=d["username"], password=d["password"], role=d["role"],
                                 division=d["division"], full_name=d["full_name"], phone=d["phone"],
                                 actor=request.user, must_change_password=True)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            pending = "，拟任角色待安全管理员确认后生效" if d["role"] else ""
            messages.success(request, f"已创建用户 {d['username']}{pending}")
            return redirect("accounts:users")
    users = User.objects.select_related("division").order_by("role", "username")
    return render(request, "accounts/users.html", {"users": users, "form": form})


@require_cap(Cap.MANAGE_USERS)
def user_reset_password(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(user=target, new_password=form.cleaned_data["password"], actor=request.user)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            note = "；其业务角色已暂停，待安全管理员确认" if target.role_pending and target.is_business_user else ""
            messages.success(request, f"已重置 {target.username} 的密码{note}")
            return redirect("accounts:users")
    return render(request, "accounts/reset_password.html", {"target": target, "form": form})


@require_cap(Cap.MANAGE_USERS)
@require_POST
def user_toggle(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    services.set_active(user=target, active=not target.is_active, actor=request.user)
    messages.success(request, f"{target.username} 已{'启用' if target.is_active else '停用'}")
    return redirect("accounts:users")


@require_cap(Cap.MANAGE_ROLES)
def role_list(request: AuthedRequest) -> HttpResponse:
    users = User.objects.select_related("division").order_by("-role_pending", "role", "username")
    return render(request, "accounts/roles.html", {"users": users})


@require_cap(Cap.MANAGE_ROLES)
@require_POST
def role_confirm(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    try:
        services.confirm_role(user=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已确认 {target.username} 的角色：{target.role_label}")
    return redirect("accounts:roles")


@require_cap(Cap.MANAGE_ROLES)
def role_assign(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    form = RoleAssignForm(request.POST or None, initial={"role": target.role, "division": target.division})
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_role(user=target, role=form.cleaned_data["role"],
                                 division=form.cleaned_data["division"], actor=request.user)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, f"{target.username} 的角色已更新")
            return redirect("accounts:roles")
    return render(request, "accounts/role_assign.html", {"target": target, "form": form})


@require_cap(Cap.MANAGE_SECURITY)
def security_settings(request: AuthedRequest) -> HttpResponse:
    form = SecuritySettingsForm(request.POST or None, instance=SecuritySettings.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.update_security(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors_to_form(form, exc)
        else:
            messages.success(request, "安全策略已保存")
            return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form})


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_key = ""
    if request.method == "POST" and form.is_valid():
        new_key = services.issue_token(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "new_key": new_key, "tokens": request.user.api_tokens.filter(revoked=False),
    })
