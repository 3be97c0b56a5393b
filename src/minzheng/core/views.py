from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.roles import ADMIN_CAPS, Cap
from minzheng.regions.models import Division, Level

from . import home as home_panels
from . import homecache
from .scoping import visible_divisions


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    html, taken = homecache.cached_panels(request, lambda: render_to_string(
        "core/_panels.html", {"panels": home_panels.panels_for(request)}, request=request))
    ctx: dict[str, object] = {"panels_html": mark_safe(html), "has_panels": bool(html.strip()),
                              "taken": taken, "cache_seconds": homecache.seconds()}
    if user.has_cap(Cap.VIEW_BUSINESS):
        divs = visible_divisions(user)
        ctx["division_counts"] = dict(divs.values_list("level").annotate(n=Count("id")))
        ctx["townships"] = divs.filter(level=Level.TOWNSHIP).count()
        ctx["villages"] = divs.filter(level=Level.VILLAGE).count()
    # 三员: the administrators' card (they hold no business capability, so no panels either)
    ctx["admin_caps"] = any(user.has_cap(c) for c in ADMIN_CAPS)
    return render(request, "core/home.html", ctx)


@login_required
def division_tree(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_cap(Cap.VIEW_BUSINESS):
        return permission_denied(request, None)
    divs = list(visible_divisions(request.user).order_by("path"))
    base = request.user.division.depth if request.user.division else 0
    rows = [{"d": d, "indent": d.depth - base} for d in divs]
    return render(request, "core/divisions.html", {"rows": rows, "dataset": divs[0].dataset if divs else None})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/error.html", {
        "title": _("请求已过期"),
        "message": _("页面安全校验失败（CSRF），可能是页面停留过久或在其他窗口退出了登录。请刷新页面后重试，本次操作未保存。"),
    }, status=403)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    msg = str(exception) if exception and str(exception) else _("您没有权限执行此操作")
    return render(request, "core/error.html", {"title": _("无权访问"), "message": msg}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {
        "title": _("未找到"), "message": _("记录不存在或不在您的辖区内"),
    }, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": _("请求有误"), "message": str(exception or "")}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {
        "title": _("系统错误"), "message": _("系统出现错误，操作未完成。请稍后重试或联系系统管理员。"),
    }, status=500)


def healthz(request: HttpRequest) -> HttpResponse:
    Division.objects.exists()
    return HttpResponse("ok", content_type="text/plain")


@login_required
def my_tasks(request: AuthedRequest) -> HttpResponse:
    from . import tasks

    return render(request, "core/tasks.html", {"items": tasks.for_user(request.user)})


@login_required
def site_settings(request: AuthedRequest) -> HttpResponse:
    from django import forms
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from .models import SiteSettings

    if not request.user.has_cap(Cap.MANAGE_SETTINGS):
        raise PermissionDenied(_("只有系统管理员可以修改系统设置"))

    class SettingsForm(forms.ModelForm):
        class Meta:
            model = SiteSettings
            fields = ["bureau_name", "disaster_department", "veterans_department"]

    form = SettingsForm(request.POST or None, instance=SiteSettings.current())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("系统设置已保存"))
        return redirect("core:settings")
    return render(request, "core/settings.html", {"form": form})
