from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context
from .signals import client_ip


class AuditContextMiddleware:
    """Binds the acting user and their address to everything audited during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = context.Actor(user.get_username(), getattr(user, "role", ""), client_ip(request))
        else:
            actor = context.Actor("", "", client_ip(request))
        with context.acting(actor):
            return self.get_response(request)
