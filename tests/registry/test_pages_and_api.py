"""Pages, API and exports: masking per role, Chinese errors, audit of every export."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.registry import exports
from minzheng.registry.models import Household, Membership, Person

from .conftest import make_id

pytestmark = pytest.mark.django_db


def sheet(data: bytes, name: str | None = None) -> list[list[Any]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return wb.get_sheet_by_name(name or wb.sheet_names[0]).to_python()


def test_household_page_shows_members_incomes_and_history_in_full_to_the_officer(
        family: Any, meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    body = c.get(f"/registry/households/{family.pk}/").content.decode()
    assert family.head.id_number in body and "13905991234" in body
    for text in ("家庭成员", "工资性收入", "经营净收入", "财产净收入", "转移净收入", "其他收入", "财产", "享受待遇", "成员变动记录"):
        assert text in body


@pytest.mark.parametrize("role_fixture", ["coordinator", "auditor"])
def test_roles_without_sensitive_access_see_masked_ids_phones_and_accounts(
        family: Any, login: Any, request: pytest.FixtureRequest, role_fixture: str) -> None:
    user = request.getfixturevalue(role_fixture)
    c = login(user)
    n = family.head.id_number
    pages = [f"/registry/households/{family.pk}/", f"/registry/persons/{family.head_id}/",
             "/registry/persons/?q=czf", "/registry/", f"/api/registry/households/{family.pk}",
             f"/api/registry/persons/{family.head_id}", "/api/registry/persons?q=czf"]
    for url in pages:
        body = c.get(url).content.decode()
        assert n not in body and "13905991234" not in body and "6228480099998888" not in body, url
    assert n[:4] + "*" * 10 + n[-4:] in c.get(f"/registry/persons/{family.head_id}/").content.decode()


def test_create_household_form_gives_chinese_field_errors_then_creates(
        meishan_officer: Any, zhongshan: Any, login: Any) -> None:
    c = login(meishan_officer)
    assert c.get("/registry/households/new/").status_code == 200
    data = {"h-division": zhongshan.pk, "h-hukou_type": "urban", "h-address": "新华路 3 号", "p-name": "黄金花",
            "p-id_number": "350702196001010011", "p-ethnicity": "22"}
    resp = c.post("/registry/households/new/", data)
    assert resp.status_code == 200 and "校验码错误" in resp.content.decode()
    data["p-id_number"] = make_id(birth=dt.date(1960, 1, 1), seq=22).lower()
    resp = c.post("/registry/households/new/", data)
    assert resp.status_code == 302
    hh = Household.objects.get(address="新华路 3 号")
    assert hh.head.name == "黄金花" and hh.head.sex == "2" and hh.head.ethnicity == "22"
    assert hh.source == "manual"


def test_add_member_move_and_death_through_the_pages(family: Any, meishan_officer: Any, zhongshan: Any,
                                                     login: Any) -> None:
    c = login(meishan_officer)
    nid = make_id(birth=dt.date(2010, 9, 9), seq=71)
    resp = c.post(f"/registry/households/{family.pk}/members/new/", {"name": "陈小明", "id_number": nid,
                                                                     "relation": "40", "ethnicity": "01"})
    assert resp.status_code == 302
    kid = Person.objects.get(id_number=nid)
    other = Household.objects.create(division=zhongshan, hukou_type="urban")
    today = dates.today()
    resp = c.post(f"/registry/persons/{kid.pk}/move/", {"target": str(other.pk), "relation": "99",
                                                        "on": "2000-01-01", "reason": "投靠亲属"})
    assert "迁移日期不能早于加入原家庭的日期" in resp.content.decode()
    resp = c.post(f"/registry/persons/{kid.pk}/move/", {"target": str(other.pk), "relation": "99",
                                                        "on": today.isoformat(), "reason": "投靠亲属"})
    assert resp.status_code == 302
    assert Membership.objects.filter(person=kid, end_date=today).exists()
    resp = c.post(f"/registry/persons/{kid.pk}/move/", {"target": "nonsense", "relation": "99", "on": "2026-01-06"})
    assert "找不到这个家庭" in resp.content.decode()
    resp = c.post(f"/registry/persons/{kid.pk}/death/", {"death_date": "2099-01-01"})
    assert "死亡日期不能晚于今天" in resp.content.decode()
    resp = c.post(f"/registry/persons/{kid.pk}/death/", {"death_date": today.isoformat()})
    assert resp.status_code == 302
    kid.refresh_from_db()
    assert kid.is_deceased


def test_income_and_asset_forms(family: Any, meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    resp = c.post(f"/registry/households/{family.pk}/incomes/new/", {
        "code": "wage", "monthly_amount": "2100", "period_start": "2025-01-01", "period_end": "2024-01-01"})
    assert "截止日期不能早于起始日期" in resp.content.decode()
    # the item is chosen from the coded list; an unknown code is refused and nothing is written
    resp = c.post(f"/registry/households/{family.pk}/incomes/new/", {
        "code": "bonus", "monthly_amount": "2100", "period_start": "2025-01-01", "item": "务工收入"})
    assert resp.status_code == 200 and family.incomes.count() == 0
    resp = c.post(f"/registry/households/{family.pk}/incomes/new/", {
        "code": "labour", "monthly_amount": "2100", "period_start": "2025-01-01", "item": "务工收入"})
    assert resp.status_code == 302
    assert family.incomes.get().category == "wage" and family.incomes.get().code == "labour"
    resp = c.post(f"/registry/households/{family.pk}/assets/new/", {"kind": "vehicle", "value": "42000",
                                                                   "description": "小型轿车"})
    assert resp.status_code == 302
    assert family.incomes.count() == 1 and family.assets.count() == 1


def test_read_only_roles_get_no_edit_pages(family: Any, auditor: Any, login: Any) -> None:
    c = login(auditor)
    assert c.get(f"/registry/households/{family.pk}/").status_code == 200
    assert c.get(f"/registry/persons/{family.head_id}/edit/").status_code == 403
    assert c.post(f"/registry/persons/{family.head_id}/death/", {"death_date": "2025-01-01"}).status_code == 403


def test_export_uses_the_import_columns_and_is_audited(family: Any, meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    before = AuditEntry.objects.filter(action__startswith="export.").count()
    resp = c.get("/registry/?export=xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet(resp.content)
    assert rows[0] == exports.HEADERS
    assert "公民身份号码" in rows[0] and "与户主关系" in rows[0]
    body = [r for r in rows[1:] if any(r)]
    assert len(body) == 3 and body[0][rows[0].index("姓名")] == "陈志富"
    assert body[0][rows[0].index("公民身份号码")] == family.head.id_number  # text, every digit kept
    assert body[1][rows[0].index("村(社区)")] == ""  # household fields only on the first row
    resp = c.get("/registry/persons/?q=陈&export=xlsx")
    assert len([r for r in sheet(resp.content)[1:] if any(r)]) == 2
    assert AuditEntry.objects.filter(action__startswith="export.").count() == before + 2


def test_export_is_masked_for_roles_without_sensitive_access(family: Any, auditor: Any, login: Any) -> None:
    rows = sheet(login(auditor).get("/registry/?export=xlsx").content)
    ids = [r[rows[0].index("公民身份号码")] for r in rows[1:] if any(r)]
    assert ids and all("*" in i for i in ids)
    assert login(auditor).get("/registry/persons/?q=陈&export=xlsx").status_code == 200


def test_coordinator_cannot_export(family: Any, coordinator: Any, login: Any) -> None:
    assert login(coordinator).get("/registry/?export=xlsx").status_code == 403


def test_blank_template_has_the_canonical_headers(meishan_officer: Any, login: Any) -> None:
    resp = login(meishan_officer).get("/registry/template.xlsx")
    rows = sheet(resp.content, "家庭台账")
    assert rows[0] == exports.HEADERS and len([r for r in rows[1:] if any(r)]) == 0


def test_api_lists_searches_and_creates(family: Any, meishan_officer: Any, xiadao_officer: Any,
                                        zhongshan: Any, login: Any) -> None:
    c = login(meishan_officer)
    data = c.get("/api/registry/households?q=czf").json()
    assert data["count"] == 1 and data["items"][0]["head_name"] == "陈志富"
    detail = c.get(f"/api/registry/households/{family.pk}").json()
    assert len(detail["members"]) == 3 and detail["members"][0]["id_number"]
    assert c.get("/api/registry/persons?q=19500315").json()["items"][0]["name"] == "陈志富"
    bad = c.post("/api/registry/households", json.dumps({"village_code": zhongshan.code, "hukou_type": "urban",
                                                          "head": {"name": "甲", "id_number": "123"}}),
                 content_type="application/json")
    assert bad.status_code == 422 and "18 位" in json.dumps(bad.json(), ensure_ascii=False)
    ok = c.post("/api/registry/households", json.dumps({
        "village_code": zhongshan.code, "hukou_type": "rural",
        "head": {"name": "游金水", "id_number": make_id(birth=dt.date(1944, 2, 2), seq=91)}}),
        content_type="application/json")
    assert ok.status_code == 201 and ok.json()["members"][0]["birth_date"] == "1944-02-02"
    other = login(xiadao_officer)
    assert other.get(f"/api/registry/households/{family.pk}").status_code == 404
    assert other.get("/api/registry/persons?q=czf").json()["count"] == 0
    check = c.get("/api/registry/idcheck?n=11010519491231002x&n=1").json()
    assert check[0]["valid"] is True and check[1]["valid"] is False
    schema = c.get("/api/openapi.json").json()
    assert "/api/registry/persons" in schema["paths"]


def test_idcheck_page(meishan_officer: Any, login: Any) -> None:
    body = login(meishan_officer).get("/registry/idcheck/?n=440524188001010014").content.decode()
    assert "有效" in body and "潮阳县" in body


def test_home_panel_counts_the_area(family: Any, meishan_officer: Any, xiadao_officer: Any, login: Any) -> None:
    body = login(meishan_officer).get("/").content.decode()
    assert "辖区档案" in body and "家庭档案" in body
    from minzheng.registry.selectors import area_counts

    assert area_counts(meishan_officer)["persons"] == 3
    assert area_counts(xiadao_officer)["persons"] == 0


def test_edit_forms_never_reveal_full_values_to_roles_without_sensitive_access(
        family: Any, coordinator: Any, login: Any) -> None:
    c = login(coordinator)
    head = family.head
    body = c.get(f"/registry/persons/{head.pk}/edit/").content.decode()
    assert head.id_number not in body and "13905991234" not in body and "6228480099998888" not in body
    # submitting the form unchanged keeps the real values
    from minzheng.registry import masking

    resp = c.post(f"/registry/persons/{head.pk}/edit/", {
        "name": "陈志富", "id_number": masking.mask_id(head.id_number), "phone": masking.mask_phone(head.phone),
        "bank_account": masking.mask_account(head.bank_account), "ethnicity": "01", "note": "协管员核实"})
    assert resp.status_code == 302
    head.refresh_from_db()
    assert head.phone == "13905991234" and head.bank_account == "6228480099998888" and head.note == "协管员核实"
    body = c.get(f"/registry/households/{family.pk}/edit/").content.decode()
    assert "0599-8812345" not in body
