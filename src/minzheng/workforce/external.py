"""Figures from other apps, read defensively: those apps are built in parallel and may not offer what we ask.

Each reader returns None when the data is not there (the page then shows “无数据” / “—” and says why) rather than
failing. The contract other apps can fulfil, all optional:

- ``minzheng.assistance.kpi.review_on_time_rate(township, year) -> Decimal | None``   (1 − overdue reviews share)
- ``minzheng.assistance.kpi.publicity_on_time_rate(township, year) -> Decimal | None``
- ``minzheng.disaster.kpi.reports_on_time_rate(township, year) -> Decimal | None``
- ``minzheng.payments.funds.work_funds(township, year) -> dict`` with ``budget``, ``paid`` (Decimal)
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

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
    return None


def rate(source: str, township: Division, year: int) -> Decimal | None:
    fn = provider(source)
    if fn is None:
        return None
    try:
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
        data = fn(township, year)
    except Exception:
        log.exception("work funds provider failed")
        return None
    if not data:
        return None
    return {k: Decimal(str(v)) for k, v in dict(data).items() if v is not None}
