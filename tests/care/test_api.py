"""The API records a visit through the same service: field errors are 422 in Chinese, a resend is idempotent, and
a child's file is 403 to a role without the need."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from minzheng.care.models import Group, Visit
from minzheng.care.services import files
from minzheng.purchased.demo import photo_bytes

from .conftest import ELDER_ANSWERS

pytestmark = pytest.mark.django_db


def post(c: Client, url: str, body: dict[str, Any]) -> Any:
    return c.post(url, json.dumps(body), content_type="application/json")


def test_record_a_visit_by_api(family: Any, meishan_officer: Any, coordinator: Any) -> None:
    f = files.open_file(actor=meishan_officer, person=family().members.get(), group=Group.ELDER)
    c = Client(enforce_csrf_checks=False)
    c.force_login(coordinator)
    body = {"answers": ELDER_ANSWERS, "client_id": "app-1", "photo_base64": base64.b64encode(photo_bytes(5)).decode()}
    r1 = post(c, f"/api/care/files/{f.pk}/visits", body)
    r2 = post(c, f"/api/care/files/{f.pk}/visits", body)
    assert r1.status_code == 201 and r2.status_code == 201 and r1.json()["id"] == r2.json()["id"]
    assert r1.json()["has_photo"] and Visit.objects.filter(file=f).count() == 1
    bad = post(c, f"/api/care/files/{f.pk}/visits", {"answers": {**ELDER_ANSWERS, "health": "x"}})
    assert bad.status_code == 422 and "身体状况" in bad.json()["detail"]
    listed = c.get("/api/care/files?view=mine").json()
    assert [x["id"] for x in listed] == [f.pk]
    assert c.get("/api/care/overview").status_code == 200


def test_a_childs_file_is_403_by_api_to_a_coordinator(family: Any, meishan_officer: Any, coordinator: Any) -> None:
    import datetime as dt

    hh = family(kids=(dt.date(2015, 1, 1),))
    f = files.open_file(actor=meishan_officer, person=hh.members.order_by("-birth_date").first(), group=Group.CHILD)
    c = Client()
    c.force_login(coordinator)
    assert c.get(f"/api/care/files/{f.pk}").status_code == 403
    assert post(c, f"/api/care/files/{f.pk}/visits", {"answers": {}}).status_code == 403
    assert f.pk not in [x["id"] for x in c.get("/api/care/files").json()]
