"""Jurisdiction: a user of another township gets 403/404/405 from every route that addresses a record, sees none
of its people on any page, and changes nothing by POSTing anywhere. Walks every URL pattern, pages and API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from minzheng.audit.models import AuditEntry
from tests import leakcheck

# Routes that serve no records: authentication, language switch, health, the API's own schema and docs.
EXEMPT = {
    "accounts:login", "accounts:logout", "set_language", "core:healthz", "api:openapi-json", "api:openapi-view",
    "accounts:password_change",
}


def walk(resolvers: list[Any], prefix: str = "", ns: str = "") -> list[tuple[str, str, list[str]]]:
    out = []
    for p in resolvers:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            out += walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{ns}{p.name}" if p.name else route
            kwargs = re.findall(r"<(?:\w+:)?(\w+)>", route)
            out.append((route, name, kwargs))
    return out


def fill(route: str, values: dict[str, Any]) -> str:
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def business_audit_count() -> int:
    return AuditEntry.objects.exclude(action__startswith="auth.").count()


@pytest.fixture
def world(zhongshan: Any, meishan_officer: Any) -> leakcheck.Planted:
    return leakcheck.plant_all(zhongshan, meishan_officer)


@pytest.mark.django_db
def test_every_route_is_covered_and_leaks_nothing(world: leakcheck.Planted, meishan_officer: Any,
                                                  xiadao_officer: Any) -> None:
    # given: records planted in 梅山街道 中山社区, and a 夏道镇 officer
    routes = [r for r in walk(get_resolver().url_patterns) if r[1] not in EXEMPT and "static" not in r[0]]
    values = {**world.plain, **world.scoped}
    uncovered = sorted({f"{name} <{k}>" for _, name, ks in routes for k in ks if k not in values})
    assert not uncovered, f"routes with URL keywords no app plants (add them to tests/leakcheck/<app>.py): {uncovered}"
    assert world.secrets, "planters must name the strings that identify the victim's people"

    outsider, owner = Client(), Client()
    outsider.force_login(xiadao_officer)
    owner.force_login(meishan_officer)
    problems: list[str] = []
    owner_ok = 0
    scoped_routes = 0
    for route, name, kwargs in routes:
        url = fill(route, values)
        is_scoped = any(k in world.scoped for k in kwargs)
        # when: the outsider reads
        resp = outsider.get(url)
        body = resp.content.decode("utf-8", "replace") if resp.status_code != 302 else ""
        for s in world.secrets:
            if s in body:
                problems.append(f"GET {url} ({name}) shows {s!r} to another township")
        if is_scoped:
            scoped_routes += 1
            if resp.status_code not in (403, 404, 405):
                problems.append(f"GET {url} ({name}) gave {resp.status_code} to another township")
            if owner.get(url).status_code in (200, 302, 405):
                owner_ok += 1
        # when: the outsider writes
        before = business_audit_count()
        resp = outsider.post(url, data={})
        if is_scoped and resp.status_code not in (403, 404, 405):
            problems.append(f"POST {url} ({name}) gave {resp.status_code} to another township")
        if business_audit_count() != before:
            problems.append(f"POST {url} ({name}) by another township changed data")
    # then
    assert not problems, "\n".join(problems)
    # and the planted records really are what these routes serve (the owner can open them)
    assert owner_ok == scoped_routes, f"owner reached only {owner_ok}/{scoped_routes} scoped routes"
