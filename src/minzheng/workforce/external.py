"""Figures from other apps, read defensively: those apps are built in parallel and may not offer what we ask.

Each reader returns None when the data is not there (the page then shows “无数据” / “—” and says why) rather than
failing. The contract other apps can fulfil, all optional:

- ``minzheng.assistance.kpi.review_on_time_rate(township, year) -> Decimal | None``   (1 − overdue reviews share)
- ``minzheng.assistance.kpi.publicity_on_time_rate(township, year) -> Decimal | None``
- ``minzheng.disaster.kpi.reports_on_time_rate(township, year) -> Decimal | None``
- ``minzheng.payments.funds.work_funds(township, year) -> dict`` with ``budget``, ``paid`` (Decimal)

Where none is published, the readers at the end of this module read those apps' tables directly when the models
and fields they need exist (checked at run time), and say how each figure is defined.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from minzheng.core import dates
from minzheng.regions.models import Division

log = logging.getLogger(__name__)

PROVIDERS: dict[str, list[str]] = {
    "overdue_reviews": ["minzheng.assistance.kpi:review_on_time_rate",
                        "minzheng.assistance.selectors:review_on_time_rate"],
    "publicity_on_time": ["minzheng.assistance.kpi:publicity_on_time_rate",
                          "minzheng.assistance.selectors:publicity_on_time_rate"],
    "disaster_on_time": ["minzheng.disaster.kpi:reports_on_time_rate",
                         "minzheng.disaster.selectors:reports_on_time_rate"],
    "work_funds": ["minzheng.payments.funds:work_funds", "minzheng.payments.selectors:work_funds",
                   "minzheng.payments.services:work_funds"],
}

# Tests and other apps may add providers at run time (source → callable).
_registered: dict[str, Callable[..., Any]] = {}


def register(source: str, fn: Callable[..., Any]) -> None:
    _registered[source] = fn


def unregister(source: str) -> None:
    _registered.pop(source, None)


def provider(source: str) -> Callable[..., Any] | None:
    if source in _registered:
        return _registered[source]
    for ref in PROVIDERS.get(source, []):
        mod_name, _, attr = ref.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        fn = getattr(mod, attr, None)
        if callable(fn):
            return fn
    # No published function: read the other app's tables directly, if they are there.
    reader = _READERS.get(source)
    if reader is not None and reader[1]():
        return reader[0]
    return None


# --- Direct readers of other apps' tables (used when they publish no function) ------------------------------------


def _model(app: str, name: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model(app, name)
    except LookupError:
        return None


def _has(app: str, name: str, *fields: str) -> Callable[[], bool]:
    def check() -> bool:
        m = _model(app, name)
        if m is None:
            return False
        names = {f.name for f in m._meta.get_fields()}
        return all(f.split("__")[0] in names for f in fields)

    return check


def _ratio(good: int, total: int) -> Decimal | None:
    return None if not total else (Decimal(good) / total).quantize(Decimal("0.0001"))


def _year_cutoff(year: int) -> Any:
    import datetime as dt


    return min(dates.today(), dt.date(year, 12, 31))


def review_on_time(township: Division, year: int) -> Decimal | None:
    """assistance.ReviewSchedule: share of scheduled 复核 not past due at year end (or today). A snapshot: the
    schedule keeps only the next due date, so earlier years are judged by the current state."""
    m = _model("assistance", "ReviewSchedule")
    qs = m.objects.filter(enrollment__household__division__parent=township)
    total = qs.count()
    return _ratio(qs.filter(next_due__gte=_year_cutoff(year)).count(), total)


def publicity_on_time(township: Division, year: int) -> Decimal | None:
    """assistance.Publicity started in `year`: posted no later than the case's overall deadline (办结期限)."""
    m = _model("assistance", "Publicity")
    qs = m.objects.filter(township=township, start_date__year=year).select_related("application")
    rows = list(qs.only("start_date", "application__overall_due"))
    good = sum(1 for p in rows if p.application.overall_due is None or p.start_date <= p.application.overall_due)
    return _ratio(good, len(rows))


def disaster_on_time(township: Division, year: int) -> Decimal | None:
    """disaster.Round due in `year` for events affecting the township: its report submitted by the due time."""

    rounds = _model("disaster", "Round")
    reports = _model("disaster", "Report")
    due = list(rounds.objects.filter(due_at__year=year, due_at__lt=dates.now(),
                                     event__areas__division=township).distinct())
    if not due:
        return None
    submitted = {r.round_id: r.submitted_at for r in reports.objects.filter(round__in=due, division=township)}
    good = sum(1 for r in due if submitted.get(r.pk) is not None and submitted[r.pk] <= r.due_at)
    return _ratio(good, len(due))


def work_funds_from_ledger(township: Division, year: int) -> dict[str, Decimal] | None:
    """payments.FundEntry for the work-funds pseudo-programme: budget, allocated (paid) and spent in `year`."""
    from django.db.models import Sum

    m = _model("payments", "FundEntry")
    fund = getattr(importlib.import_module("minzheng.payments.models"), "WORK_FUNDS", "work_funds")
    qs = m.objects.filter(fund=fund, township=township, month__year=year)
    sums = dict(qs.values_list("kind").annotate(total=Sum("amount")))
    if not sums:
        return None
    zero = Decimal(0)
    return {"budget": sums.get("budget", zero), "paid": sums.get("allocation", zero),
            "spent": sums.get("disbursement", zero) + sums.get("expense", zero)}


_READERS: dict[str, tuple[Callable[..., Any], Callable[[], bool]]] = {
    "overdue_reviews": (review_on_time, _has("assistance", "ReviewSchedule", "next_due", "enrollment")),
    "publicity_on_time": (publicity_on_time, _has("assistance", "Publicity", "start_date", "township",
                                                  "application")),
    "disaster_on_time": (disaster_on_time, lambda: _has("disaster", "Round", "due_at", "event")()
                         and _has("disaster", "Report", "submitted_at", "round", "division")()),
    "work_funds": (work_funds_from_ledger, _has("payments", "FundEntry", "fund", "township", "month", "kind",
                                                "amount")),
}


def rate(source: str, township: Division, year: int) -> Decimal | None:
    fn = provider(source)
    if fn is None:
        return None
    try:
        with transaction.atomic():  # a savepoint: a failing query must not poison the caller's transaction
            value = fn(township, year)
    except Exception:  # another app's bug must not break the assessment page
        log.exception("indicator provider %s failed", source)
        return None
    if value is None:
        return None
    value = Decimal(str(value))
    return max(Decimal(0), min(Decimal(1), value))


def work_funds(township: Division, year: int) -> dict[str, Decimal] | None:
    """工作经费 of a township in `year` from the payments funds ledger, or None when that ledger is not available."""
    fn = provider("work_funds")
    if fn is None:
        return None
    try:
        with transaction.atomic():
            data = fn(township, year)
    except Exception:
        log.exception("work funds provider failed")
        return None
    if not data:
        return None
    return {k: Decimal(str(v)) for k, v in dict(data).items() if v is not None}
