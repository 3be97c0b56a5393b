"""Reads: for users always through core.scoping; township figures for the district's annual assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from minzheng.accounts.actor import Actor, Principal
from minzheng.core import dates
from minzheng.core.rates import share
from minzheng.core.scoping import get_visible, visible
from minzheng.regions.models import Division

from .models import Event, Report, Round


def visible_events(user: Principal) -> QuerySet[Event]:
    # distinct(): an event has one area row per township and village, and the join would repeat it.
    return visible(Event.objects.distinct(), user).select_related("dtype", "division")


def get_event(user: Actor, pk: Any) -> Event:
    return get_visible(Event.objects.distinct().select_related("dtype", "division"), user, pk=pk)


def reports_on_time_rate(township: Division, year: int) -> Decimal | None:
    """灾情按时报送: of the rounds due in `year` (and already past due) of events that struck the township, the share
    it reported on time (Report.on_time). The district scores every township, so this counts without a user."""
    due = list(Round.objects.filter(due_at__year=year, due_at__lt=dates.now(), event__areas__division=township)
               .distinct())
    reports = Report.objects.filter(round__in=due, division=township).select_related("round")
    return share(sum(1 for r in reports if r.on_time), len(due))
