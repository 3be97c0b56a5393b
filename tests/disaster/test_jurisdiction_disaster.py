"""The project-wide leak walk (tests/core/test_jurisdiction.py), limited to this app's pages, API and public pages,
so the disaster routes are proven on their own even while other apps' routes are in progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.core.test_jurisdiction import business_audit_count, fill, walk
from tests.leakcheck import disaster as leakcheck


@pytest.mark.django_db
def test_disaster_routes_leak_nothing_to_another_township(zhongshan: Any, meishan_officer: Any,
                                                          xiadao_officer: Any) -> None:
    # given: disaster records planted in 梅山街道 中山社区, and a 夏道镇 officer
    world = leakcheck.plant(zhongshan, meishan_officer)
    routes = [r for r in walk(get_resolver().url_patterns) if "disaster" in r[0] or r[1].startswith("disaster")]
    assert len(routes) > 30
    values = {**world.plain, **world.scoped}
    assert not sorted({k for _, _, ks in routes for k in ks if k not in values})
    outsider, owner = Client(), Client()
    outsider.force_login(xiadao_officer)
    owner.force_login(meishan_officer)
    problems: list[str] = []
    owner_ok = scoped = 0
    for route, _name, kwargs in routes:
        url = fill(route, values)
        is_scoped = any(k in world.scoped for k in kwargs)
        # when: the outsider reads
        resp = outsider.get(url)
        body = resp.content.decode("utf-8", "replace") if resp.status_code != 302 else ""
        problems += [f"GET {url} shows {s!r}" for s in world.secrets if s in body]
        if is_scoped:
            scoped += 1
            if resp.status_code not in (403, 404, 405):
                problems.append(f"GET {url} gave {resp.status_code}")
            if owner.get(url).status_code in (200, 302, 405):
                owner_ok += 1
        # when: the outsider writes
        before = business_audit_count()
        resp = outsider.post(url, data={})
        if is_scoped and resp.status_code not in (403, 404, 405):
            problems.append(f"POST {url} gave {resp.status_code}")
        if business_audit_count() != before:
            problems.append(f"POST {url} changed data")
    # then
    assert not problems, "\n".join(problems)
    assert owner_ok == scoped


@pytest.mark.django_db
def test_owner_pages_render(zhongshan: Any, meishan_officer: Any) -> None:
    """Every disaster page the owner can GET renders (200), including the PDF and the public notices."""
    world = leakcheck.plant(zhongshan, meishan_officer)
    values = {**world.plain, **world.scoped}
    owner = Client()
    owner.force_login(meishan_officer)
    bad = []
    for route, name, _ks in walk(get_resolver().url_patterns):
        if not ("disaster" in route or name.startswith("disaster")):
            continue
        resp = owner.get(fill(route, values))
        if resp.status_code not in (200, 405):
            bad.append(f"{name} {resp.status_code}")
    assert not bad
