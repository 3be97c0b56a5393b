"""Pages ask the workflows what to offer (core.workflow and its template tags); templates never decide by role."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template, TemplateSyntaxError

from minzheng.accounts.roles import Role
from minzheng.core import workflow
from minzheng.regions.models import Division

SRC = Path(__file__).resolve().parents[2] / "src" / "minzheng"
TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))


@pytest.fixture
def division_workflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small workflow on Division for these tests: the division's own officers may "inspect" it."""
    monkeypatch.setattr(workflow, "_WORKFLOWS", dict(workflow._WORKFLOWS))
    workflow.register(Division, ["inspect", "close"],
                      lambda d, actor: {"inspect"} if actor.division_id == d.pk else set())


def render(text: str, **ctx: Any) -> str:
    return Template("{% load workflow %}" + text).render(Context(ctx))


def test_a_page_sees_what_the_workflow_allows(division_workflow: None, meishan: Any, xiadao: Any,
                                              meishan_officer: Any) -> None:
    page = "{% allowed_actions d as can %}{% if can.inspect %}[inspect]{% endif %}{% if can.close %}[close]{% endif %}"
    assert render(page, d=meishan, user=meishan_officer) == "[inspect]"
    assert render(page, d=xiadao, user=meishan_officer) == ""
    assert workflow.allowed_actions(meishan, meishan_officer) == {"inspect"}


def test_a_misspelt_action_in_a_template_fails_loudly(division_workflow: None, meishan: Any,
                                                      meishan_officer: Any) -> None:
    with pytest.raises(workflow.UnknownAction, match="inspekt"):
        render("{% allowed_actions d as can %}{% if can.inspekt %}x{% endif %}", d=meishan, user=meishan_officer)


def test_a_rule_offering_an_undeclared_action_is_a_bug(monkeypatch: pytest.MonkeyPatch, meishan: Any,
                                                       meishan_officer: Any) -> None:
    monkeypatch.setattr(workflow, "_WORKFLOWS", dict(workflow._WORKFLOWS))
    workflow.register(Division, ["inspect"], lambda d, actor: {"inspect", "demolish"})
    with pytest.raises(workflow.UnknownAction, match="demolish"):
        workflow.allowed_actions(meishan, meishan_officer)


def test_anonymous_and_inactive_users_are_offered_nothing(division_workflow: None, meishan: Any,
                                                          meishan_officer: Any) -> None:
    assert workflow.allowed_actions(meishan, AnonymousUser()) == frozenset()
    assert workflow.allowed_actions(meishan, None) == frozenset()
    meishan_officer.is_active = False
    assert workflow.allowed_actions(meishan, meishan_officer) == frozenset()


def test_a_model_without_a_workflow_is_refused(meishan: Any, meishan_officer: Any) -> None:
    with pytest.raises(LookupError, match="Division"):
        workflow.allowed_actions(meishan, meishan_officer)


def test_has_cap_reads_capabilities_by_name(make_user: Any, county: Any, meishan_officer: Any) -> None:
    page = '{% if user|has_cap:"APPROVE" %}approve{% else %}no{% endif %}'
    assert render(page, user=make_user(Role.DISTRICT_APPROVER, county)) == "approve"
    assert render(page, user=meishan_officer) == "no"
    assert render(page, user=AnonymousUser()) == "no"
    with pytest.raises(TemplateSyntaxError, match="APROVE"):
        render('{% if user|has_cap:"APROVE" %}x{% endif %}', user=meishan_officer)


def test_templates_never_compare_role_names() -> None:
    offenders = [f"{p.relative_to(SRC)}: {m.group(0)}" for p in TEMPLATES
                 for m in re.finditer(r"\{%[^%]*\.role\b\s*(==|!=|in\b|not in\b)[^%]*%\}", p.read_text())]
    assert not offenders, "templates check capabilities (has_cap), never role names:\n" + "\n".join(offenders)


def test_every_action_a_template_asks_about_is_declared_by_some_workflow() -> None:
    """A cheap static guard next to the render-time error: each `can.X` in a template is a known action code."""
    assert apps.ready
    known = set().union(*(w.codes for w in workflow._WORKFLOWS.values()))
    asked: list[tuple[str, str]] = []
    for p in TEMPLATES:
        text = p.read_text()
        for name in re.findall(r"\{% allowed_actions \S+ as (\w+) %\}", text):
            asked += [(str(p.relative_to(SRC)), code) for code in re.findall(rf"\b{name}\.(\w+)", text)]
    assert asked, "no template asks the workflow: the pattern above no longer matches"
    unknown = [f"{path}: {code}" for path, code in asked if code not in known]
    assert not unknown, unknown
