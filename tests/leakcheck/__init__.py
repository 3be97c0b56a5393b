"""Planters for the jurisdiction leak test (tests/core/test_jurisdiction.py).

One module per app: `plant(village, owner) -> Planted` creates that app's records in `village` and returns the URL
keyword values that address them. The leak test walks every URL pattern (pages and API) as a user of another
township and proves none of it leaks; a route whose keyword no planter plants fails it, so new routes are covered
automatically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import (
    assistance,
    care,
    core,
    crosscheck,
    disaster,
    fieldapp,
    ledger,
    payments,
    policy,
    purchased,
    registry,
    stats,
    workforce,
)
from .planted import Planted

__all__ = ["PLANTERS", "Planted", "plant_all"]

PLANTERS: tuple[Callable[[Any, Any], Planted], ...] = (
    core.plant, policy.plant, registry.plant, ledger.plant, assistance.plant, payments.plant, crosscheck.plant,
    disaster.plant, workforce.plant, purchased.plant, stats.plant, care.plant, fieldapp.plant,
)


def plant_all(village: Any, owner: Any) -> Planted:
    planted = Planted()
    for plant in PLANTERS:
        planted.merge(plant(village, owner))
    return planted
