from __future__ import annotations

from typing import Any

from minzheng.policy.catalog import catalog

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    # Parameters are shared reference data, readable by every business user.
    return Planted(plain={"key": next(iter(sorted(catalog.specs)), "unknown.key")})
