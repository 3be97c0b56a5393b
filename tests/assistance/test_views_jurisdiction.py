"""The assistance routes (pages, public pages and API) pass the project's leak test on their own, so this app's
jurisdiction is proven even while other apps' routes are in progress."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.core.test_jurisdiction import business_audit_count, fill, walk
from tests.leakcheck import assistance as assistance_leakcheck
from tests.leakcheck import core as core_leakcheck


@pytest.mark.django_db
def test_assistance_routes_leak_nothing_to_another_township(zhongshan: Any, meishan_officer: Any,
                                                            xiadao_officer: Any) -> None:
    # given: cases at every stage in 梅山街道 中山社区
    world = core_leakcheck.plant(zhongshan, meishan_officer)
    world.merge(assistance_leakcheck.plant(zhongshan, meishan_officer))
    routes = [r for r in walk(get_resolver().url_patterns)
              if r[1].startswith(("assistance:", "assistance_public:")) or "/assistance/" in r[0]
              or r[0].startswith("api/assistance/")]
    routes = [r for r in routes if "assistance" in r[0] or r[1].startswith("assistance")]
    assert len(routes) > 20
    values = {**world.plain, **world.scoped}
    outsider, owner = Client(), Client()
    outsider.force_login(xiadao_officer)
    owner.force_login(meishan_officer)
    problems: list[str] = []
    scoped = owner_ok = 0
    for route, name, kwargs in routes:
        assert all(k in values for k in kwargs), f"{name} has an unplanted keyword"
        url = fill(route, values)
        is_scoped = any(k in world.scoped for k in kwargs)
        resp = outsider.get(url)
        body = resp.content.decode("utf-8", "replace")
        problems += [f"GET {url} shows {s!r}" for s in world.secrets if s in body]
        if is_scoped:
            scoped += 1
            if resp.status_code not in (403, 404, 405):
                problems.append(f"GET {url} gave {resp.status_code}")
            owner_status = owner.get(url).status_code
            owner_ok += owner_status in (200, 302, 405)
            if owner_status not in (200, 302, 405):
                problems.append(f"owner GET {url} gave {owner_status}")
        before = business_audit_count()
        resp = outsider.post(url, data={})
        if is_scoped and resp.status_code not in (403, 404, 405):
            problems.append(f"POST {url} gave {resp.status_code}")
        if business_audit_count() != before:
            problems.append(f"POST {url} changed data")
    assert not problems, "\n".join(problems)
    assert scoped and owner_ok == scoped
