"""Home panels read the latest computed month only (never compute on a home page): the 局领导's month at a
glance, a township's villages against each other. A village coordinator gets none: nothing here is theirs to act
on (their own 民情 and cases lead their home)."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import AuthedRequest
from minzheng.core.scoping import visible
from minzheng.registry.models import ProgrammeFamily

from . import trends
from .models import FlagStatus, RiskFlag, StatMonth, VillageFact


def _latest() -> StatMonth | None:
    return StatMonth.objects.order_by("-month").first()


def glance(user: Any) -> dict[str, Any]:
    """The month's totals per policy family in the user's area, from the latest computed month."""
    state = _latest()
    if state is None or user.division is None:
        return {"state": None}
    from django.db.models import Sum

    from .returns import fact_rows

    rows = {r["programme__family"]: r for r in fact_rows(user.division).filter(month=state.month)
            .values("programme__family").annotate(h=Sum("households"), p=Sum("persons"), a=Sum("amount_fen"),
                                                 late=Sum("late_fen"))}

    def fam(f: str) -> dict[str, Any]:
        r = rows.get(f, {})
        return {"households": int(r.get("h") or 0), "persons": int(r.get("p") or 0),
                "amount": (int(r.get("a") or 0) + int(r.get("late") or 0)) / 100}

    total = sum((int(r.get("a") or 0) + int(r.get("late") or 0)) for r in rows.values()) / 100
    return {"state": state, "dibao": fam(ProgrammeFamily.DIBAO), "tekun": fam(ProgrammeFamily.TEKUN),
            "allowance": fam(ProgrammeFamily.ALLOWANCE), "total": total}


def bureau(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    ctx = glance(user)
    state = ctx.get("state")
    if state is not None and user.division is not None:
        ctx["trend"] = trends.trend_chart(trends.series(user.division, "dibao", state.month, 12))
    open_flags = visible(RiskFlag, user).filter(status=FlagStatus.OPEN)
    ctx["flags"] = list(open_flags.select_related("division").order_by("-month", "-score")[:5])
    ctx["flag_count"] = open_flags.count()
    ctx.update(overdue_work(user))
    return ctx


def overdue_work(user: Any) -> dict[str, int]:
    """What is late in the user's area: open cases past their time limit, 民情 items past their deadline."""
    from minzheng.assistance.models import OPEN_STATUSES, Application
    from minzheng.core import dates
    from minzheng.workforce.models import NeedReport, NeedStatus

    today = dates.today()
    cases = visible(Application, user).filter(status__in=OPEN_STATUSES)
    needs = visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED)
    late_cases = cases.filter(overall_due__lt=today).count()
    late_needs = needs.filter(deadline__lt=today).count()
    return {"overdue": late_cases + late_needs, "overdue_cases": late_cases, "overdue_needs": late_needs,
            "open_work": cases.count() + needs.count()}


def township(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    state = _latest()
    if state is None or user.division is None:
        return {"state": None}
    parts = trends.parts(user.division, "dibao", state.month)
    high = sorted((p for p in parts if p.z is not None), key=lambda p: -(p.z or 0))[:3]
    return {"state": state, "chart": trends.compare_chart(parts), "high": high,
            "villages": len(parts), "facts": VillageFact.objects.filter(month=state.month).exists()}
