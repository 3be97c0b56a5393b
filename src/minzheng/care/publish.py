"""What a provider's worker (an outside role) sees of the care files: the files assigned to them and their visits,
never a child's (children's visits are not bought from providers)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minzheng.accounts.roles import Role
from minzheng.core import scoping

from .models import CareEvent, CareFile, Group, Visit


def register() -> None:
    def assigned(path: str) -> scoping.OutsideView:
        def view(qs: QuerySet[Any], user: Any) -> QuerySet[Any]:
            if getattr(user, "role", "") != Role.SOCIAL_ORG:
                return qs.none()
            prefix = f"{path}__" if path else ""
            return qs.filter(**{f"{prefix}responsible": user}).exclude(**{f"{prefix}group": Group.CHILD})
        return view

    scoping.publish_to_outside(CareFile, assigned(""))
    scoping.publish_to_outside(Visit, assigned("file"))
    scoping.publish_to_outside(CareEvent, assigned("file"))
