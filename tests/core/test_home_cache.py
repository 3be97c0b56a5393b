"""The home page's panels are rendered once per account for a short while; a write by the account, a changed role
or 刷新 renders them again, and the page's CSP nonce is always the response's own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minzheng.accounts.roles import Role
from minzheng.policy import services as policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def reuse(settings: Any) -> None:
    settings.MINZHENG_HOME_CACHE_SECONDS = 30


def _get_home(client: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as q:
        r = client.get("/")
    assert r.status_code == 200
    return r.content.decode(), len(q.captured_queries)


def test_second_visit_reuses_the_panels_and_keeps_the_nonce_of_its_own_response(
        reuse: None, make_user: Any, login: Any, county: Any) -> None:
    client = login(make_user(Role.BUREAU_HEAD, county, username="juzhang_c"))
    _, q1 = _get_home(client)
    r = client.get("/")
    second = r.content.decode()
    _, q3 = _get_home(client)
    assert q3 < q1, (q1, q3)
    assert "数据时间" in second and "刷新" in second
    header_nonce = re.search(r"'nonce-([^']+)'", r.headers["Content-Security-Policy"])
    assert header_nonce
    page_nonces = set(re.findall(r'nonce="([^"]+)"', second))
    assert page_nonces == {header_nonce.group(1)}
    # 刷新 renders again
    _, q4 = _get_home_fresh(client)
    assert q4 > q3


def _get_home_fresh(client: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as q:
        r = client.get("/?fresh=1")
    return r.content.decode(), len(q.captured_queries)


def test_a_write_by_the_session_drops_its_panels(reuse: None, make_user: Any, login: Any, meishan: Any) -> None:
    client = login(make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_c"))
    _, q1 = _get_home(client)
    _, q2 = _get_home(client)
    assert q2 < q1
    client.post("/i18n/setlang/", {"language": "zh-hans"})  # any non-GET request of the session
    _, q3 = _get_home(client)
    assert q3 > q2 + 20, (q1, q2, q3)


def test_accounts_and_roles_never_share_panels(reuse: None, make_user: Any, client: Any, meishan: Any,
                                               xiadao: Any) -> None:
    from django.test import Client

    a, b = Client(), Client()
    a.force_login(make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_a"))
    b.force_login(make_user(Role.TOWNSHIP_OFFICER, xiadao, username="xd_b"))
    page_a, _ = _get_home(a)
    page_b, _ = _get_home(b)
    assert page_a != page_b
    assert "梅山" in page_a and "梅山" not in page_b


def test_a_second_session_of_the_account_reuses_its_panels_until_the_account_writes(
        reuse: None, make_user: Any, meishan: Any) -> None:
    """Signing in again after the idle timeout, or on a phone beside the PC, does not render the panels again;
    a write from either session drops them for both."""
    from django.test import Client

    user = make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_two")
    pc, phone = Client(), Client()
    pc.force_login(user)
    phone.force_login(user)
    _, first = _get_home(pc)
    _, second = _get_home(phone)
    assert second < first - 10, (first, second)
    pc.post("/i18n/setlang/", {"language": "zh-hans"})
    _, after_write = _get_home(phone)
    assert after_write > second + 10, (second, after_write)


def test_panels_carrying_a_csrf_token_are_never_shared(reuse: None, make_user: Any, rf: Any, meishan: Any) -> None:
    from minzheng.core import homecache

    request = rf.get("/")
    request.user = make_user(Role.TOWNSHIP_OFFICER, meishan, username="ms_csrf")
    renders: list[int] = []

    def render() -> str:
        renders.append(1)
        return '<form method="post"><input name="csrfmiddlewaretoken" value="secret-of-one-session"></form>'

    homecache.cached_panels(request, render)
    homecache.cached_panels(request, render)
    assert len(renders) == 2


def test_parameters_are_read_once_per_request_and_a_write_is_seen_in_the_same_request(county: Any) -> None:
    import datetime as dt

    key = "workforce.training.village_min_township"
    on = dt.date(2030, 1, 1)
    with policy.memoized():
        before = policy.value(key, on=on, division=county)
        with CaptureQueriesContext(connection) as q:
            assert policy.value(key, on=on, division=county) == before
        assert len(q.captured_queries) == 0
        policy.add_version(key=key, value=int(before) + 1, effective_from=dt.date(2029, 1, 1),
                           source_document="测试文件", division=county)
        assert policy.value(key, on=on, division=county) == int(before) + 1
