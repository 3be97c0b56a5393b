"""The installable app (shell page, service worker, manifest — served by minzheng itself so the worker's scope
covers /field/) and the township's page to take back a phone's offline access."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from functools import lru_cache

from django.contrib import messages
from django.contrib.staticfiles import finders
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
# it lives in the app's own IndexedDB store, which logout and revocation wipe. URL name → static file, type.
SHELL_ASSETS = {
    "app_css": ("fieldapp/app.css", "text/css"),
    "idb_js": ("vendor/idb/umd.js", "application/javascript"),  # from npm, copied by scripts/vendor_assets.py
    "store_js": ("fieldapp/store.js", "application/javascript"),
    "app_js": ("fieldapp/app.js", "application/javascript"),
    "rules_js": ("fieldapp/rules.js", "application/javascript"),
    "icon_svg": ("fieldapp/icon.svg", "image/svg+xml"),
}
SHELL_STATIC = tuple(rel for rel, _ in SHELL_ASSETS.values())


def shell_urls() -> dict[str, str]:
    return {name: reverse(f"fieldapp:{name}") for name in SHELL_ASSETS}


def shell_files() -> list[str]:
    return list(shell_urls().values())


def _find(rel: str) -> str:
    found = finders.find(rel)
    if not found:
        raise FileNotFoundError(f"{rel} 缺失：请运行 scripts/vendor_assets.py（或 ./dev.sh setup）复制前端资源")
    return str(found)


@lru_cache(maxsize=32)
def _compressed(path: str, mtime_ns: int) -> tuple[bytes, bytes, str]:
    with open(path, "rb") as fh:
        raw = fh.read()
    return raw, gzip.compress(raw, 9), hashlib.sha256(raw).hexdigest()[:20]


@lru_cache(maxsize=1)
def shell_version() -> str:
    """Changes whenever a shell file changes, so phones fetch the new shell once and then run from cache."""
    digest = hashlib.sha256()
    from pathlib import Path

    files = [_find(p) for p in (*SHELL_STATIC, "fieldapp/sw.js")]
    for path in (*files, str(Path(__file__).parent / "templates" / "fieldapp" / "shell.html")):
        with open(path, "rb") as fh:
            digest.update(fh.read())
    return digest.hexdigest()[:16]


@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    """The same page for everyone (no personal data), so it can be cached and opened offline."""
    # No request context: nothing about the visitor (not even a CSRF token) may end up in the cached shell.
    resp = HttpResponse(render_to_string("fieldapp/shell.html", {"version": shell_version(), "assets": shell_urls()}))
    resp["Cache-Control"] = "no-cache"
    return resp


@require_GET
def asset(request: HttpRequest, name: str) -> HttpResponse:
    """A shell file, gzipped once per process: on a slow 3G line every kilobyte of the first load counts, and the
    static files are otherwise served uncompressed. Revalidated by ETag; the service worker keeps its own copy."""
    rel, content_type = SHELL_ASSETS[name]
    path = _find(rel)
    raw, zipped, digest = _compressed(path, os.stat(path).st_mtime_ns)
    etag = f'"{digest}"'
    if request.headers.get("If-None-Match") == etag:
        resp = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        resp = HttpResponse(zipped, content_type=f"{content_type}; charset=utf-8")
        resp["Content-Encoding"] = "gzip"
    else:
        resp = HttpResponse(raw, content_type=f"{content_type}; charset=utf-8")
    resp["ETag"], resp["Vary"], resp["Cache-Control"] = etag, "Accept-Encoding", "no-cache"
    return resp


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    with open(_find("fieldapp/sw.js"), encoding="utf-8") as fh:
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
        "icons": [{"src": reverse("fieldapp:icon_svg"), "sizes": "any", "type": "image/svg+xml",
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
