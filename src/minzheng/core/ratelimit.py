"""Per-address rate limits on Django's cache: failed logins (limits from SecuritySettings) and the public pages under
/public/ (公示, objections, the 民情 form; MINZHENG_PUBLIC_RATE, default 120 requests a minute).

Fixed windows: one counter per (scope, address, window), created with cache.add and raised with cache.incr, which
the local-memory cache does under its lock. The shipped server is one waitress process whose threads share that
cache; several server processes should set MINZHENG_CACHE=database so they share the counters (settings.py).
The address is REMOTE_ADDR: behind a reverse proxy, `minzheng serve --trusted-proxy` makes it the client's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Window:
        """"120/60": 120 per 60 seconds."""
        limit, _, seconds = text.partition("/")
        return cls(int(limit), int(seconds or 60))


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _key(scope: str, address: str, w: Window) -> tuple[str, int]:
    now = time.time()
    return f"mz-rate:{scope}:{address}:{w.seconds}:{int(now // w.seconds)}", w.seconds - int(now % w.seconds)


def hit(scope: str, address: str, w: Window) -> int:
    """Count one event; returns the count in the current window."""
    key, left = _key(scope, address, w)
    if cache.add(key, 1, left + 1):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, left + 1)
        return 1


def count(scope: str, address: str, w: Window) -> int:
    return int(cache.get(_key(scope, address, w)[0], 0))


def retry_after(w: Window) -> int:
    return max(1, _key("", "", w)[1])


def too_many(request: HttpRequest, message: str, wait: int) -> HttpResponse:
    resp = render(request, "core/error.html", {"title": "访问过于频繁", "message": message}, status=429)
    resp["Retry-After"] = str(wait)
    return resp


def _audit_limited(scope: str, address: str, w: Window, what: str) -> None:
    """Called once per window, when the limit is crossed: a flood of refused requests must not flood the log."""
    from minzheng.audit import context
    from minzheng.audit import services as audit

    audit.record("security.rate_limited", summary=f"{address} {what}过于频繁（{w.seconds} 秒内 {w.limit} 次），已限流",
                 actor=context.Actor("", "", address), detail={"scope": scope, "limit": w.limit, "seconds": w.seconds})


class PublicRateLimitMiddleware:
    """The pages anyone can open (no login) are limited per address, so no one can scrape or flood them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/public/"):
            w = Window.parse(settings.MINZHENG_PUBLIC_RATE)
            address = client_address(request)
            n = hit("public", address, w)
            if n > w.limit:
                if n == w.limit + 1:
                    _audit_limited("public", address, w, "访问公开页面")
                wait = retry_after(w)
                return too_many(request, f"访问过于频繁，请 {wait} 秒后再试", wait)
        return self.get_response(request)


def login_window() -> Window:
    from minzheng.accounts.models import SecuritySettings

    s = SecuritySettings.current()
    return Window(s.login_rate_limit, s.login_rate_window_minutes * 60)


def login_blocked(address: str) -> int | None:
    """Minutes to wait when this address has failed too many logins in the current window, else None."""
    w = login_window()
    if count("login", address, w) >= w.limit:
        return max(1, (retry_after(w) + 59) // 60)
    return None


def login_failed(address: str) -> None:
    w = login_window()
    if hit("login", address, w) == w.limit:
        _audit_limited("login", address, w, "登录失败")
