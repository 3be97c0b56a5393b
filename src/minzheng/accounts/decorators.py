from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase

from .actor import Actor, AuthedRequest


def require_cap(cap: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Login plus one capability; used by every view that is not public."""

    def deco(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_cap(cap):
                raise PermissionDenied("您的角色没有此功能的权限")
            return view(request, *args, **kwargs)

        return wrapped

    return deco


def need_cap(request: AuthedRequest, cap: str) -> Actor:
    """The API's check (JSON endpoints have no login redirect): the acting user, or PermissionDenied (403)."""
    if not request.user.has_cap(cap):
        raise PermissionDenied("您的角色没有此操作权限")
    return request.user
