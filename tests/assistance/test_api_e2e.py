"""The same workflow through /api/assistance/: a 临时救助 支出型 case and a 低保 case end to end, JSON in and out."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from minzheng.assistance import facts, rules
from minzheng.assistance.models import Application, Publicity
from minzheng.core import dates

from .wf_fixtures import dibao_family

TODAY = dates.today()


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def act(client: Client, case: dict[str, Any], action: str, **data: Any) -> dict[str, Any]:
    resp = post(client, f"/api/assistance/applications/{case['id']}/act",
                {"action": action, "version": case["version"], "data": data})
    assert resp.status_code == 200, resp.content.decode()
    return resp.json()


def to_county(client: Client, hh: Any, head: Any, programme: str, **extra: Any) -> dict[str, Any]:
    resp = post(client, "/api/assistance/applications", {
        "programme": programme, "household_id": hh.pk, "applicant_id": head.pk, "received_on": str(TODAY),
        "rule_set": "2021", **extra})
    assert resp.status_code == 201, resp.content.decode()
    case = resp.json()
    assert case["allowed_actions"][0] == "start_investigation"
    case = act(client, case, "start_investigation")
    case = act(client, case, "record_investigation", visited_on=str(TODAY), investigator_1="张伟",
               investigator_2="李娜", investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True,
               neighbour_visits=[{"name": "王五", "relation": "邻居", "statement": "属实"}])
    case = act(client, case, "complete_checks")
    case = act(client, case, "township_opinion", text="同意")
    assert case["status"] == "publicity" and case["publicity"]["entry"]["village"]
    Publicity.objects.filter(application_id=case["id"]).update(start_date=TODAY - dt.timedelta(days=8),
                                                               end_date=TODAY - dt.timedelta(days=2))
    return act(client, case, "end_publicity")


def confirm(client: Client, case: dict[str, Any]) -> dict[str, Any]:
    queue = client.get("/api/assistance/queue").json()
    assert case["id"] in [c["id"] for c in queue]
    if case["spot_check"] is not None:
        case = act(client, case, "record_spot_check", visited_on=str(TODAY), visitors="赵一,钱二", confirmed=True,
                   findings="属实")
    return act(client, case, "county_approve")


@pytest.mark.django_db
def test_linshi_expense_case_through_the_api(zhongshan: Any, meishan_officer: Any, approver: Any,
                                             login: Any) -> None:
    officer, county = login(meishan_officer), login(approver)
    hh, head, _ = dibao_family(zhongshan)
    # 支出型: 12,000 元 self-paid falls in the 10,000 元 band (3 months); income is below the limit; capped at 12,000
    case = to_county(officer, hh, head, "linshi", linshi_type="expense", months=1, reason="子女大学学费",
                     expense_amount="12000")
    expected = rules.linshi_amount("expenditure", persons=3, months=3, params=rules.Params(TODAY, zhongshan),
                                   expense=Decimal("12000")).amount
    assert case["status"] == "county_review" and case["proposed_amount"] == str(expected)
    case = confirm(county, case)
    assert case["status"] == "approved"
    app = Application.objects.get(pk=case["id"])
    assert app.enrollment.monthly_amount == expected and app.enrollment.end_month is not None


@pytest.mark.django_db
def test_dibao_rural_case_through_the_api(xiadao_village: Any, xiadao_officer: Any, approver: Any,
                                          login: Any) -> None:
    officer, county = login(xiadao_officer), login(approver)
    hh, head, _ = dibao_family(xiadao_village, "rural")
    case = to_county(officer, hh, head, "dibao_rural")
    # the assessment endpoint explains the amount with its parameter versions
    got = officer.get(f"/api/assistance/applications/{case['id']}/assessment").json()
    assert got["eligible"] and {p["key"] for p in got["params"]} >= {"dibao.standard.rural"}
    # the officer may not confirm; the approver does
    resp = post(officer, f"/api/assistance/applications/{case['id']}/act",
                {"action": "county_approve", "version": case["version"]})
    assert resp.status_code in (403, 422)
    case = confirm(county, case)
    assert case["status"] == "approved"
    expected = rules.dibao_assess(facts.household_facts(hh, on=TODAY, area="rural"),
                                  params=rules.Params(TODAY, xiadao_village)).amount
    assert case["proposed_amount"] == str(expected)


@pytest.mark.django_db
def test_api_refuses_invalid_steps_and_stale_versions(zhongshan: Any, meishan_officer: Any, login: Any) -> None:
    officer = login(meishan_officer)
    hh, head, _ = dibao_family(zhongshan)
    case = post(officer, "/api/assistance/applications", {"programme": "dibao_urban", "household_id": hh.pk,
                                                          "applicant_id": head.pk}).json()
    resp = post(officer, f"/api/assistance/applications/{case['id']}/act",
                {"action": "county_approve", "version": case["version"]})
    assert resp.status_code == 422 and "不能执行" in json.dumps(resp.json(), ensure_ascii=False)
    act(officer, case, "start_investigation")
    resp = post(officer, f"/api/assistance/applications/{case['id']}/act",
                {"action": "withdraw", "version": case["version"]})
    assert resp.status_code == 422 and "已被他人处理" in json.dumps(resp.json(), ensure_ascii=False)
