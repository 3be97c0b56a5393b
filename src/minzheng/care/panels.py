"""Home panel of the children's roles: their visits due and overdue, the record button first."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.core import dates

from . import selectors


def visitor(request: AuthedRequest) -> dict[str, Any]:
    today = dates.today()
    qs = selectors.mine(request.user).select_related("person", "village")
    return {"overdue": selectors.overdue(qs, today).count(), "due": selectors.due_within(qs, today, 7).count(),
            "next": list(qs.order_by("next_due")[:5]), "today": today}
