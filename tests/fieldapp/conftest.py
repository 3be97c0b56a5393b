"""Fixtures of the field-app tests: a phone signed in through the API, and a helper to send records as it does."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import TEST_PASSWORD
from tests.disaster.conftest import flood, flood_type  # noqa: F401  (a flood whose 初报 the phone files)
from tests.purchased.conftest import frozen_now, world  # noqa: F401  (the provider world of the service records)


class Phone:
    """The API as the app calls it: bearer key, JSON batches."""

    def __init__(self, client: Client, key: str) -> None:
        self.client, self.key = client, key

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        fn = getattr(self.client, method)
        if body is not None and not isinstance(body, bytes):
            kw.setdefault("content_type", "application/json")
        return fn(f"/api/fieldapp/{path}", body if body is not None else None,
                  HTTP_AUTHORIZATION=f"Bearer {self.key}", **kw)

    def work(self) -> dict[str, Any]:
        r = self.call("get", "work")
        assert r.status_code == 200, r.content
        return r.json()

    def send(self, *records: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.call("post", "sync", {"records": list(records)})
        assert r.status_code == 200, r.content
        return r.json()["results"]


def record(kind: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "kind": kind, "data": data, **kw}


@pytest.fixture
def phone() -> Callable[[Any], Phone]:
    def sign_in(user: Any) -> Phone:
        c = Client()
        r = c.post("/api/fieldapp/login", {"username": user.username, "password": TEST_PASSWORD, "label": "测试手机"},
                   content_type="application/json")
        assert r.status_code == 200, r.content
        return Phone(c, r.json()["key"])

    return sign_in
