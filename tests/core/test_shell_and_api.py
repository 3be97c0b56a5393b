"""The UI shell, the API and its OpenAPI document, and the CLI."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from minzheng.accounts import services as accounts
from minzheng.regions.models import Division

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served(client: Client) -> None:
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["openapi"].startswith("3.")
    assert "/api/core/divisions/{code}" in doc["paths"]


def test_api_requires_authentication(client: Client) -> None:
    resp = client.get("/api/core/me")
    assert resp.status_code == 401
    assert "未登录" in resp.json()["detail"]


def test_token_authentication_and_jurisdiction(meishan_officer: Any, zhongshan: Any, xiadao_village: Any) -> None:
    key = accounts.issue_token(user=meishan_officer, name="测试")
    c = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert c.get("/api/core/me", **auth).json()["username"] == meishan_officer.username
    codes = {d["code"] for d in c.get("/api/core/divisions", **auth).json()}
    assert zhongshan.code in codes and xiadao_village.code not in codes
    assert c.get(f"/api/core/divisions/{xiadao_village.code}", **auth).status_code == 404
    assert c.get("/api/core/me", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_session_api_writes_need_csrf(district_admin: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(district_admin)
    resp = c.post("/api/policy/parameters", data=json.dumps({}), content_type="application/json")
    assert resp.status_code in (401, 403)


def test_township_user_sees_only_their_subtree(login: Any, meishan_officer: Any) -> None:
    html = login(meishan_officer).get("/divisions/").content.decode()
    assert "中山社区居委会" in html and "夏道镇" not in html


def test_pages_stay_chinese_for_an_english_browser(login: Any, meishan_officer: Any) -> None:
    # English is kept to the shell (bilingual --help); no half-translated English pages.
    c = login(meishan_officer)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "工作台" in html and "Workbench" not in html and ">English<" not in html


def test_init_is_safe_to_run_twice() -> None:
    before = Division.objects.count()
    out = io.StringIO()
    call_command("init", "--no-input", stdout=out)
    call_command("init", "--no-input", stdout=out)
    assert Division.objects.count() == before
    assert "createuser" in out.getvalue()  # tells the operator how to create the first administrator


def test_cli_help_is_bilingual(capsys: Any) -> None:
    from minzheng.cli import main

    main(["--help"])
    text = capsys.readouterr().out
    assert "建库" in text and "create or migrate" in text


def test_api_description_is_served_offline_and_parses(client: Any) -> None:
    import json as jsonlib

    docs = client.get("/api/docs").content.decode()
    assert "cdn." not in docs and "/static/ninja/swagger-ui-bundle.js" in docs

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys  # Swagger UI refuses a document with a repeated key
        return dict(pairs)

    jsonlib.loads(client.get("/api/openapi.json").content, object_pairs_hook=no_duplicates)
