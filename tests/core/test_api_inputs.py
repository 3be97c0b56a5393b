"""Bad parameters get a 4xx with a Chinese message, never a 500, on the API and on the pages; token requests write
without CSRF while session requests still need it; the OpenAPI document names each schema once."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client

from minzheng.accounts import services as accounts
from minzheng.accounts.roles import Role

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def token_client(district_admin: Any) -> Client:
    key = accounts.issue_token(user=district_admin, name="测试")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {key}")


# --- CSRF: only for the session cookie ---------------------------------------------------------------------------


def test_token_writes_need_no_csrf(token_client: Client, zhongshan: Any) -> None:
    resp = token_client.post("/api/workforce/needs", content_type="application/json", data=json.dumps(
        {"village_code": zhongshan.code, "category": "hardship", "description": "老人独居，需要上门看望"}))
    assert resp.status_code == 201, resp.content.decode()


def test_token_wins_over_a_session_cookie_without_csrf(district_admin: Any, zhongshan: Any) -> None:
    key = accounts.issue_token(user=district_admin, name="测试")
    c = Client(enforce_csrf_checks=True)
    c.force_login(district_admin)
    resp = c.post("/api/workforce/needs", HTTP_AUTHORIZATION=f"Bearer {key}", content_type="application/json",
                  data=json.dumps({"village_code": zhongshan.code, "category": "hardship", "description": "老人独居，需要上门看望"}))
    assert resp.status_code == 201, resp.content.decode()


def test_session_writes_still_need_csrf(district_admin: Any, zhongshan: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(district_admin)
    resp = c.post("/api/workforce/needs", content_type="application/json",
                  data=json.dumps({"village_code": zhongshan.code, "category": "hardship", "description": "老人独居，需要上门看望"}))
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["detail"] and CHINESE.search(resp.json()["detail"])


def test_a_bad_token_is_401_not_a_csrf_refusal() -> None:
    resp = Client(enforce_csrf_checks=True).post("/api/workforce/needs", HTTP_AUTHORIZATION="Bearer nope",
                                                 content_type="application/json", data="{}")
    assert resp.status_code == 401


# --- parameters --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "field"), [
    ("/api/assistance/applications?offset=-1", "offset"),
    ("/api/assistance/applications?limit=1000000000", "limit"),
    ("/api/assistance/reviews?days=999999999", "days"),
    ("/api/assistance/reviews?days=abc", "days"),
    ("/api/payments/funds/ledger?year=10000", "year"),
    ("/api/payments/funds/alerts?year=0", "year"),
    ("/api/workforce/training/compliance?year=10000", "year"),
    ("/api/workforce/assessment/99999", "assess_year"),
    ("/api/workforce/report?on=2024-13-45", "on"),
    ("/api/workforce/report?on=0001-01-01", "on"),
    ("/api/registry/households/abc", "household_id"),
    ("/api/registry/households/99999999999999999999999", "household_id"),
    ("/api/registry/persons?page=0", "page"),
    ("/api/payments/payrolls/abc", "payroll_id"),
    ("/api/payments/payrolls/1/lines?offset=-1", "offset"),
    ("/api/payments/payrolls?month=2024-13", "month"),
    ("/api/crosscheck/findings?offset=-5", "offset"),
    ("/api/disaster/events/1/summary?round_id=-5", "round_id"),
    ("/api/audit/entries?limit=0", "limit"),
])
def test_bad_query_and_path_parameters_are_422_in_chinese(token_client: Client, url: str, field: str) -> None:
    resp = token_client.get(url)
    assert resp.status_code == 422, (url, resp.status_code, resp.content[:300])
    body = resp.json()
    assert CHINESE.search(body["detail"]), body
    assert field in body["errors"], body


@pytest.mark.parametrize(("url", "key"), [
    ("/api/workforce/report?on=2000-01-01", "workforce.turnover.window_years"),
    ("/api/payments/allowances/upcoming?month=2000-01", "payments.gaoling.bands"),
])
def test_a_date_before_any_policy_version_is_422_naming_the_parameter(token_client: Client, url: str,
                                                                       key: str) -> None:
    resp = token_client.get(url)
    assert resp.status_code == 422, resp.content[:300]
    assert "缺少政策参数" in resp.json()["detail"] and key in resp.json()["detail"]


@pytest.mark.parametrize("body", [
    {"month": "2024-13"}, {"month": "0001-01"}, {"month": 5}, {},
])
def test_bad_bodies_are_422_in_chinese(token_client: Client, body: dict[str, Any]) -> None:
    resp = token_client.post("/api/payments/allowances/refresh", content_type="application/json",
                             data=json.dumps(body))
    assert resp.status_code == 422, resp.content[:300]
    assert CHINESE.search(resp.json()["detail"])


def test_malformed_json_is_400_in_chinese(token_client: Client) -> None:
    resp = token_client.post("/api/payments/allowances/refresh", content_type="application/json", data="{nope")
    assert resp.status_code == 400
    assert CHINESE.search(resp.json()["detail"])


def test_huge_ids_in_bodies_are_refused(token_client: Client, zhongshan: Any) -> None:
    resp = token_client.post("/api/assistance/applications", content_type="application/json", data=json.dumps(
        {"programme": "dibao", "household_id": 10**30, "applicant_id": 1}))
    assert resp.status_code == 422
    assert "household_id" in resp.json()["errors"]


def test_payroll_generate_is_not_read_as_a_payroll_id(token_client: Client) -> None:
    resp = token_client.post("/api/payments/payrolls/generate", content_type="application/json",
                             data=json.dumps({"month": "2024-13"}))
    assert resp.status_code == 422 and "月份" in resp.json()["errors"]["__all__"][0]


# --- the OpenAPI document ----------------------------------------------------------------------------------------


def test_every_schema_name_is_unique() -> None:
    """The document keys components by class name: two schemas of one name would publish only the last."""
    from ninja import Schema

    import minzheng.api  # noqa: F401 - loads every router

    names: dict[str, set[str]] = defaultdict(set)
    stack = [Schema]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("minzheng."):
                names[cls.__name__].add(cls.__module__)
    assert {n: m for n, m in names.items() if len(m) > 1} == {}


def test_every_operation_documents_its_errors(client: Client) -> None:
    doc = client.get("/api/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert {"401", "403", "404", "422"} <= set(op["responses"]), (method, path)
    finding = doc["components"]["schemas"]["FindingOut"]
    assert "rule_code" in finding["properties"]  # crosscheck's, no longer replaced by the disaster rules' finding


# --- pages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/assistance/reviews/?days=abc",
    "/assistance/reviews/?days=999999999",
    "/assistance/new/?household=abc",
    "/policy/holidays/?year=abc",
    "/payments/funds/?year=10000",
    "/registry/?village=abc",
    "/registry/?village=99999999999999999999999",
    "/workforce/?year=99999",
    "/workforce/training/?year=abc",
])
def test_pages_refuse_bad_query_parameters_with_400(login: Any, district_admin: Any, url: str) -> None:
    resp = login(district_admin).get(url)
    assert resp.status_code == 400, (url, resp.status_code)
    assert "应" in resp.content.decode()


def test_audit_page_refuses_a_malformed_date(login: Any, make_user: Any) -> None:
    c = login(make_user(Role.AUDIT_ADMIN))
    assert c.get("/audit/?date_from=2024-01-01").status_code == 200
    resp = c.get("/audit/?date_from=abc")
    assert resp.status_code == 400 and "YYYY-MM-DD" in resp.content.decode()
