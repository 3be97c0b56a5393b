from __future__ import annotations

from typing import Any

from minzheng.policy.catalog import catalog

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    # Parameters are shared reference data, readable by every business user.
    planted = Planted(plain={"key": next(iter(sorted(catalog.specs)), "unknown.key")})
    planted.merge(plant_raise(village, owner))
    return planted


def plant_raise(village: Any, owner: Any) -> Planted:
    """A 提标 of the district: district reference data, no one's personal details."""
    import datetime as dt

    from minzheng.policy.models import Raise

    r = Raise.objects.create(title="泄露测试提标", changes=[{"key": "dibao.standard.urban", "value": "999"}],
                             division=village.parent.parent, effective_from=dt.date(2030, 1, 1),
                             source_document="测试", preview={"households": 0, "by_township": []})
    return Planted(plain={"raise_id": r.pk})
