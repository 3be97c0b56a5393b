"""Fixtures of the disaster tests: a fixed clock, a flood over two townships, households from the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from minzheng.disaster import services
from minzheng.disaster.models import DisasterType, Event
from minzheng.registry import idnumber
from minzheng.registry import services as registry

# Friday 5 June 2026, 08:00 Beijing time: no holiday within the following week.
T0 = timezone.make_aware(dt.datetime(2026, 6, 5, 8, 0))


@pytest.fixture
def flood_type(db: None) -> DisasterType:
    return DisasterType.objects.get(code="010200")


@pytest.fixture
def flood(district_admin: Any, meishan: Any, xiadao: Any, flood_type: DisasterType) -> Event:
    return services.register_event(actor=district_admin, name="6·5 洪涝", dtype=flood_type,
                                   started_at=T0 - dt.timedelta(hours=3), areas=[meishan, xiadao], now=T0)


@pytest.fixture
def make_household(district_admin: Any) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(village: Any, name: str, phone: str = "") -> Any:
        counter["n"] += 1
        number = idnumber.make("350702", dt.date(1960, 1, 1) + dt.timedelta(days=counter["n"] * 37), 100 + counter["n"])
        return registry.create_household(actor=district_admin, division=village, hukou_type="rural", phone=phone,
                                         head={"name": name, "id_number": number})

    return make
