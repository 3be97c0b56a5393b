"""The installable app (shell page, service worker, manifest — served by minzheng itself so the worker's scope
covers /field/) and the township's page to take back a phone's offline access."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import require_cap
from minzheng.accounts.roles import Cap
from minzheng.core.inputs import form_id

from . import devices

# The app shell: everything the phone needs to open with no signal. Personal data never goes into this cache;
# it lives in the app's own IndexedDB store, which logout and revocation wipe.
SHELL_STATIC = ("fieldapp/app.css", "fieldapp/rules.js", "fieldapp/store.js", "fieldapp/app.js",
                "fieldapp/icon.svg", "vendor/idb/umd.js")


def shell_files() -> list[str]:
    return [staticfiles_storage.url(p) for p in SHELL_STATIC]


@lru_cache(maxsize=1)
def shell_version() -> str:
    """Changes whenever a shell file changes, so phones fetch the new shell once and then run from cache."""
    digest = hashlib.sha256()
    from pathlib import Path

    files = [str(finders.find(p)) for p in (*SHELL_STATIC, "fieldapp/sw.js")]
    for path in (*files, str(Path(__file__).parent / "templates" / "fieldapp" / "shell.html")):
        with open(path, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:16]


@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    """The same page for everyone (no personal data), so it can be cached and opened offline."""
    # No request context: nothing about the visitor (not even a CSRF token) may end up in the cached shell.
    resp = HttpResponse(render_to_string("fieldapp/shell.html", {"version": shell_version()}))
    resp["Cache-Control"] = "no-cache"
    return resp


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    path = finders.find("fieldapp/sw.js")
    with open(str(path), encoding="utf-8") as fh:
        code = fh.read()
    assets = [reverse("fieldapp:shell"), reverse("fieldapp:manifest"), *shell_files()]
    code = code.replace("__VERSION__", shell_version()).replace("__ASSETS__", json.dumps(assets))
    resp = HttpResponse(code, content_type="application/javascript; charset=utf-8")
    resp["Cache-Control"] = "no-cache"
    return resp


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "民政外勤", "short_name": "民政外勤", "lang": "zh-CN",
        "description": "村(居)协管员、乡镇民政助理员和服务人员的离线外勤工具",
        "start_url": reverse("fieldapp:shell"), "scope": reverse("fieldapp:shell"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#b22222",
        "icons": [{"src": staticfiles_storage.url("fieldapp/icon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8")


@require_cap(Cap.PROCESS_CASES)
def device_list(request: AuthedRequest) -> HttpResponse:
    rows = list(devices.manageable(request.user).order_by("revoked_at", "-created_at")[:500])
    return render(request, "fieldapp/devices.html", {"rows": rows})


@require_cap(Cap.PROCESS_CASES)
@require_POST
def device_revoke(request: AuthedRequest, device_id: int) -> HttpResponse:
    try:
        d = devices.revoke(actor=request.user, device_id=device_id)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已收回 {d.user.full_name or d.user.username} 的设备（{d.label or '未命名'}）的离线权限；"
                                  "该设备下次联网时清除本地数据，未同步的记录随之丢弃")
    return redirect("fieldapp:devices")


@require_cap(Cap.PROCESS_CASES)
@require_POST
def user_revoke(request: AuthedRequest) -> HttpResponse:
    user_id = form_id(request.POST, "user", label="账号")
    n = devices.revoke_user(actor=request.user, user_id=user_id)
    messages.success(request, f"已收回该账号 {n} 台设备的离线权限")
    return redirect("fieldapp:devices")
