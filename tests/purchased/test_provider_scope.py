"""A provider's worker, through the same central jurisdiction layer as everyone: every page and API route shows
them only the beneficiaries assigned to them, and no POST anywhere changes business data or decides a benefit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from minzheng.accounts.roles import BENEFIT_DECISION_CAPS, ROLE_CAPS, Cap, Role, caps
from minzheng.core import workflow
from minzheng.core.scoping import visible
from minzheng.purchased.models import ServiceOrder
from minzheng.registry.models import Person
from tests import leakcheck
from tests.core.test_jurisdiction import EXEMPT, business_audit_count, fill, walk

from .conftest import World

pytestmark = pytest.mark.django_db


def test_a_worker_sees_only_their_beneficiaries(world: World, login: Any) -> None:
    mine = login(world.worker_user)
    html = mine.get("/purchased/mine/").content.decode()
    assert "甲老人" in html and "乙老人" in html and "丙老人" not in html
    names = [o["person"] for o in mine.get("/api/purchased/orders").json()]
    assert sorted(names) == ["乙老人", "甲老人"]
    idle = login(world.idle_user)
    assert idle.get("/api/purchased/orders").json() == []
    assert idle.get(f"/purchased/orders/{world.order.pk}/record/").status_code == 404
    assert "甲老人" not in idle.get("/purchased/mine/").content.decode()
    # the registry itself publishes nothing to an outside organisation
    assert not visible(Person, world.worker_user).exists()
    assert visible(ServiceOrder, world.worker_user).count() == 2


def test_every_route_leaks_nothing_to_another_providers_worker(world: World, zhongshan: Any, meishan_officer: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    planted = leakcheck.plant_all(zhongshan, meishan_officer)
    values = {**planted.plain, **planted.scoped}
    secrets = [*planted.secrets, "甲老人", "乙老人", "丙老人"]
    rival = Client()
    rival.force_login(world.rival_user)
    problems = []
    for route, name, _ in walk(get_resolver().url_patterns):
        if name in EXEMPT or "static" in route:
            continue
        url = fill(route, values)
        resp = rival.get(url)
        body = resp.content.decode("utf-8", "replace") if resp.status_code != 302 else ""
        problems += [f"GET {url} ({name}) shows {s!r}" for s in secrets if s in body]
        before = business_audit_count()
        rival.post(url, data={})
        if business_audit_count() != before:
            problems.append(f"POST {url} ({name}) changed data")
    assert not problems, "\n".join(problems)


def test_outside_roles_never_hold_a_benefit_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    # even a mistaken capability table cannot give a provider the power to approve, refuse or end a benefit
    monkeypatch.setitem(ROLE_CAPS, Role.SOCIAL_ORG, ROLE_CAPS[Role.SOCIAL_ORG] | {Cap.APPROVE, Cap.PROCESS_CASES,
                                                                                  Cap.EDIT_BUSINESS})
    for role in (Role.SOCIAL_ORG, Role.EVALUATOR):
        assert not caps(role) & BENEFIT_DECISION_CAPS
    assert Cap.APPROVE in caps(Role.DISTRICT_APPROVER)


def test_workflows_offer_an_outside_user_only_their_outside_codes(world: World, meishan: Any, meishan_officer: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.regions.models import Division

    monkeypatch.setattr(workflow, "_WORKFLOWS", dict(workflow._WORKFLOWS))
    # a rule that forgets to check anything offers every action to everyone …
    workflow.register(Division, ["approve", "refuse", "terminate", "visit"], lambda d, a: {"approve", "refuse",
                                                                                           "terminate", "visit"},
                      outside_codes=["visit"])
    # … yet the worker is offered only the visit, while the officer gets all
    assert workflow.allowed_actions(meishan, world.worker_user) == {"visit"}
    assert workflow.allowed_actions(meishan, meishan_officer) == {"approve", "refuse", "terminate", "visit"}
    assert workflow.allowed_actions(world.order, world.worker_user) == {"record"}
    assert "record" not in workflow.allowed_actions(world.order, world.idle_user)
    with pytest.raises(workflow.UnknownAction):
        workflow.register(Division, ["visit"], lambda d, a: set(), outside_codes=["approve"])


def test_every_registered_workflow_offers_a_provider_nothing_but_its_outside_codes(world: World,
                                                                                   meishan_officer: Any) -> None:
    """Over the real workflows (cases, rosters, 民情, disaster reports …): no decision reaches a provider's worker."""
    for model, wf in workflow._WORKFLOWS.items():
        assert wf.outside_codes <= {"record", "assess"}, model
    from minzheng.workforce import needs

    report = needs.submit(village=world.order.village, category="hardship", description="独居老人需要帮助",
                          source="staff", actor=meishan_officer)
    assert workflow.allowed_actions(report, world.worker_user) == frozenset()
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises((PermissionDenied, Http404)):
        needs.resolve(actor=world.worker_user, report=report, resolution="办结")
    from minzheng.registry import services as registry

    with pytest.raises((PermissionDenied, Http404)):
        registry.record_death(actor=world.worker_user, person=world.person, death_date=world.order.start)
