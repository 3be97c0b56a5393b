"""Names, phones and bank accounts follow the ledger import's rules wherever they come in: the services behind the
web forms, the forms themselves and the API. Markup and spreadsheet formulas are not names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from minzheng.accounts import services as accounts
from minzheng.registry import services
from minzheng.registry.ledger.parsers import CellError, parse_name

from .conftest import make_id

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ["<script>alert(1)</script>", '=HYPERLINK("http://evil.example","点我")', "+SUM(1,2)", "@cmd",
                 "张三1", "李(四)"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_the_import_refuses_these_names(name: str) -> None:
    with pytest.raises(CellError):
        parse_name(name)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_services_refuse_them_like_the_import(family: Any, meishan_officer: Any, name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.add_person(actor=meishan_officer, household=family, name=name,
                            id_number=make_id(seq=57), relation="20")
    assert "姓名" in exc.value.message_dict["name"][0]


def test_services_normalise_names_like_the_import(family: Any, meishan_officer: Any) -> None:
    p = services.add_person(actor=meishan_officer, household=family, name="阿依古丽•买买提",
                            id_number=make_id(seq=57), relation="20", phone="138 0000 1111")
    assert p.name == "阿依古丽·买买提" and p.phone == "13800001111"


@pytest.mark.parametrize(("field", "value"), [("phone", "call me"), ("bank_account", "6228-48x")])
def test_phone_and_account_follow_the_import(family: Any, meishan_officer: Any, field: str, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.update_person(actor=meishan_officer, person=family.head, **{field: value})
    assert field in exc.value.message_dict


def _api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {accounts.issue_token(user=user, name='测试')}")


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", '=HYPERLINK("http://evil.example","点我")'])
def test_the_api_refuses_them_with_a_chinese_message(meishan_officer: Any, zhongshan: Any, name: str) -> None:
    resp = _api(meishan_officer).post("/api/registry/households", content_type="application/json", data=json.dumps({
        "village_code": zhongshan.code, "hukou_type": "urban",
        "head": {"name": name, "id_number": make_id(seq=79)}}))
    assert resp.status_code == 422, resp.content[:300]
    body = resp.json()
    assert "姓名" in body["errors"]["head.name"][0] and "姓名" in body["detail"]


def test_the_kinship_api_refuses_a_formula_as_staff_name(meishan_officer: Any, meishan: Any) -> None:
    resp = _api(meishan_officer).post("/api/assistance/kinship", content_type="application/json", data=json.dumps({
        "division_code": meishan.code, "staff_name": "=1+1", "staff_id_number": make_id(seq=91),
        "staff_role": "civil_affairs"}))
    assert resp.status_code == 422
    assert "staff_name" in resp.json()["errors"]


def test_the_web_form_refuses_them(login: Any, meishan_officer: Any, family: Any) -> None:
    resp = login(meishan_officer).post(f"/registry/households/{family.pk}/members/new/", {
        "name": "<script>alert(1)</script>", "id_number": make_id(seq=57), "relation": "20"})
    assert resp.status_code == 200
    assert "非姓名字符" in resp.content.decode()
    assert not family.members.filter(name__contains="script").exists()
