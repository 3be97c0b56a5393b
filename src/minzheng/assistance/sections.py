"""The household page's 救助申请 section: the family's case history and the way to file a new application."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core.scoping import visible

from .models import Application


def household_cases(request: AuthedRequest, household: Any) -> dict[str, Any] | None:
    user = request.user
    if not user.has_cap(Cap.VIEW_RECORDS):
        return None
    cases = visible(Application, user).filter(household=household).select_related("programme", "person")
    return {"cases": list(cases.order_by("-received_on", "-id")[:50]), "household": household,
            "can_intake": user.has_cap(Cap.EDIT_BUSINESS)}  # as the 受理 page: a coordinator files what they find
