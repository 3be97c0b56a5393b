"""Reads shared by the parts of one page, done once.

A home page asks several apps for their panels and to-dos, and some ask the same question (the training record of
the township's staff, the open disaster events and their reports). Inside a GET request nothing is written, so an
answer cannot go stale before the response: `once` keeps it for the rest of the request. Outside a request (CLI,
tasks, tests calling services) and in requests that write, every call computes afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("request_memo", default=None)


@contextmanager
def active() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def once(key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or what it returned earlier in this request for the same key. Callers must not change the value."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with active():
            return self.get_response(request)
