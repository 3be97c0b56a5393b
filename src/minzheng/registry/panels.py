"""Home-page panel and to-dos of the registry."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.core.scoping import visible
from minzheng.core.tasks import TaskItem

from . import selectors
from .models import Enrollment, EnrollmentStatus


def counts(request: AuthedRequest) -> dict[str, Any]:
    return {**selectors.area_counts(request.user), "programmes": selectors.programme_counts(request.user)}


def deceased_with_benefits(user: Actor) -> list[TaskItem]:
    """A person recorded as deceased who still has a live enrollment must be stopped (停保) before the next payroll."""
    if not user.has_cap("business.edit"):
        return []
    rows = (visible(Enrollment, user).filter(status=EnrollmentStatus.ACTIVE, person__is_deceased=True)
            .select_related("person", "programme", "household__division").order_by("person__death_date")[:50])
    return [TaskItem(kind="已故仍在保", title=f"{e.person.name}（{e.programme.name}）已登记死亡，仍在保，请办理停保",
                     url=reverse("registry:person", kwargs={"person_id": e.person_id}),
                     due=e.person.death_date, overdue=True, division=e.household.division.name) for e in rows]
