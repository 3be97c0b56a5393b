"""The audit API shows entries as the audit page does: ID, phone and account numbers quoted in a summary or an
object id are masked for the 审计管理员."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minzheng.accounts.roles import Role
from minzheng.audit import services as audit

pytestmark = pytest.mark.django_db


def test_api_entries_mask_numbers_like_the_page(make_user: Any) -> None:
    audit.record("registry.person.update", object_type="registry.person", object_id="350702195103150317",
                 summary="修改人员 350702195103150317 电话 13905991234 账号 6228480012345678")
    c = Client()
    c.force_login(make_user(Role.AUDIT_ADMIN))
    resp = c.get("/api/audit/entries?action=registry.person.update&limit=1")
    assert resp.status_code == 200
    e = resp.json()[0]
    assert e["object_id"] == "350***********0317"
    assert "350702195103150317" not in e["summary"] and "13905991234" not in e["summary"]
    assert "6228480012345678" not in e["summary"] and "139****1234" in e["summary"]
    page = c.get("/audit/?action=registry.person.update").content.decode()
    assert e["summary"] in page
