"""A person's home page, rendered once for a short while.

The home page gathers every app's to-do items and panels: 80–400 ms of queries, and the page people return to most.
Its rendered panels are kept for MINZHENG_HOME_CACHE_SECONDS per account (the figures say when they were taken and
offer 刷新); any write by the account (a non-GET request, from any of its sessions) drops them, so what a person
just did shows at once. Others' changes show within the window. Keyed by account, role and division, so a person
who signs in again (the idle timeout ends sessions often) or works on a phone and a PC renders them once; panels hold
no per-session content (no CSRF token: panels carry only GET forms), and HTML that does is never shared. The page's
CSP nonce is put back in on every response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from . import dates

_NONCE_MARK = "__minzheng_csp_nonce__"
_CSRF_FIELD = "csrfmiddlewaretoken"   # a session's own secret: such HTML is rendered per request


def _key(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # role, its confirmation and the division are in the key: a changed role never sees panels rendered for the old;
    # the language too, as two sessions of one account may read different ones
    return (f"home-panels:{user.pk}:{getattr(user, 'role', '')}:{int(bool(getattr(user, 'role_pending', False)))}:"
            f"{getattr(user, 'division_id', '')}:{translation.get_language()}")


def seconds() -> int:
    return int(getattr(settings, "MINZHENG_HOME_CACHE_SECONDS", 0))


def cached_panels(request: HttpRequest, render: Callable[[], str]) -> tuple[str, dt.datetime]:
    """The panels' HTML and when it was rendered: from the account's cache, or rendered now (and kept)."""
    key = _key(request)
    nonce = str(getattr(request, "csp_nonce", ""))
    fresh = request.GET.get("fresh") == "1"
    if key and seconds() > 0 and not fresh:
        hit: Any = cache.get(key)
        if isinstance(hit, tuple) and len(hit) == 2:
            html, taken = hit
            return html.replace(_NONCE_MARK, nonce), taken
    html, taken = render(), dates.now()
    if key and seconds() > 0 and _CSRF_FIELD not in html:
        cache.set(key, (html.replace(nonce, _NONCE_MARK) if nonce else html, taken), seconds())
    return html, taken


def forget(request: HttpRequest) -> None:
    key = _key(request)
    if key:
        cache.delete(key)


class HomeCacheMiddleware:
    """A write by the account (any non-GET request) drops its cached home panels."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS") and seconds() > 0:
            forget(request)
        return self.get_response(request)
