"""提标 pages and API: the district prepares with a preview, another district user approves; township users are
kept out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minzheng.policy.models import Raise, RaiseStatus
from minzheng.registry.models import EnrollmentAmount
from tests.payments.conftest import enroll, make_household

pytestmark = pytest.mark.django_db
FEB = dt.date(2026, 2, 1)


@pytest.fixture
def household(zhongshan: Any) -> Any:
    h = make_household(zhongshan, birth=dt.date(1990, 3, 1))
    enroll(h, "dibao_urban", "870", dt.date(2026, 1, 1))
    return h


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_prepare_with_preview_then_another_user_approves(household: Any, district_admin: Any,
                                                         approver: Any) -> None:
    admin = client_for(district_admin)
    form = {"effective_from": "2026-02-01", "source_document": "提标通知", "key_1": "dibao.standard.urban",
            "value_1": "920"}
    page = admin.post(reverse("policy:raise_new"), {**form, "action": "preview"})
    assert page.status_code == 200 and "梅山街道" in page.content.decode() and Raise.objects.count() == 0
    assert "870.00 元 → 920.00 元" in page.content.decode()
    bad = admin.post(reverse("policy:raise_new"), {**form, "effective_from": "2026-02-15", "action": "prepare"})
    assert "须为某月 1 日" in bad.content.decode() and Raise.objects.count() == 0
    done = admin.post(reverse("policy:raise_new"), {**form, "action": "prepare"})
    r = Raise.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("policy:raise", args=[r.pk])
    own = admin.get(done["Location"]).content.decode()
    assert "须由另一名区级人员审核" in own and "审核通过并执行" not in own
    checker = client_for(approver)
    assert "审核通过并执行" in checker.get(done["Location"]).content.decode()
    checker.post(reverse("policy:raise_approve", args=[r.pk]), {"version": r.version})
    r.refresh_from_db()
    assert r.status == RaiseStatus.APPROVED and r.approved_by == approver
    assert EnrollmentAmount.objects.get(from_month=FEB).monthly_amount == Decimal("920.00")


def test_api_prepare_and_approve(household: Any, district_admin: Any, approver: Any, meishan_officer: Any) -> None:
    body = {"changes": [{"key": "dibao.standard.urban", "value": "920"}], "effective_from": "2026-02-01",
            "source_document": "提标通知"}
    admin = client_for(district_admin)
    preview = admin.post("/api/policy/raise-preview", json.dumps(body), content_type="application/json")
    assert preview.status_code == 200 and preview.json()["households"] == 1
    made = admin.post("/api/policy/raises", json.dumps(body), content_type="application/json")
    assert made.status_code == 201
    rid = made.json()["id"]
    assert admin.post(f"/api/policy/raises/{rid}/approve").status_code == 403
    assert client_for(meishan_officer).get(f"/api/policy/raises/{rid}").status_code == 403
    ok = client_for(approver).post(f"/api/policy/raises/{rid}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    bad = admin.post("/api/policy/raises", json.dumps({**body, "changes": [{"key": "dibao.standard.urban", "value": "x"}]}),
                     content_type="application/json")
    assert bad.status_code == 422 and "不是数字" in str(bad.json())


def test_township_users_cannot_open_the_pages(meishan_officer: Any) -> None:
    c = client_for(meishan_officer)
    assert c.get(reverse("policy:raises")).status_code == 403
    assert c.get(reverse("policy:raise_new")).status_code == 403
