"""Home-page panels: a township sees its open 疑点; the county sees where they pile up."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.core import dates
from minzheng.core.scoping import visible

from .models import CheckRun, Finding, FindingStatus
from .services import summary_for


def township_panel(request: AuthedRequest) -> dict[str, Any]:
    qs = visible(Finding, request.user).filter(status=FindingStatus.OPEN)
    today = dates.today()
    return {"open": qs.count(), "overdue": qs.filter(deadline__lt=today).count(),
            "next": qs.order_by("deadline", "id").first()}


def county_panel(request: AuthedRequest) -> dict[str, Any]:
    s = summary_for(request.user)
    worst = sorted(s.rows, key=lambda r: (-r["overdue"], -r["open"]))[:5]
    return {"total": s.total, "worst": worst, "last_run": CheckRun.objects.order_by("-id").first()}
