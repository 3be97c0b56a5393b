"""Home-page panels: the coordinator's report button, the township's open items, the bureau head's charts."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.core import dates
from minzheng.core.scoping import visible, visible_divisions
from minzheng.regions.models import Level

from . import charts, training
from .models import NeedReport, NeedStatus


def coordinator(request: AuthedRequest) -> dict[str, Any]:
    mine = NeedReport.objects.filter(reported_by=request.user).select_related("village")[:5]
    return {"mine": mine}


def township(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    open_items = visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED).select_related("village")
    rows = training.compliance_of(user, year=today.year, on=today)
    return {"open_items": open_items.order_by("deadline")[:8], "open_count": open_items.count(),
            "overdue": open_items.filter(deadline__lt=today).count(),
            "behind": [r for r in rows if r.behind][:8], "people": len(rows),
            "compliant": sum(r.ok for r in rows), "today": today}


def bureau(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    towns = list(visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"))
    return {"charts": charts.dashboard(user, towns, today), "year": today.year,
            "escalated": visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED)
            .filter(deadline__lt=today).count(), "on": dates.today()}
