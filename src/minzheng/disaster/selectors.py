"""Reads, always through core.scoping."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minzheng.core.scoping import get_visible, visible

from .models import Event


def visible_events(user: Any) -> QuerySet[Event]:
    # distinct(): an event has one area row per township and village, and the join would repeat it.
    return visible(Event.objects.distinct(), user).select_related("dtype", "division")


def get_event(user: Any, pk: Any) -> Event:
    return get_visible(Event.objects.distinct().select_related("dtype", "division"), user, pk=pk)
