"""Support for the jurisdiction leak test.

Each app may have a `leakcheck.py` with `plant(village, owner) -> Planted`: it creates that app's records in
`village` and returns the URL keyword values that address them. tests/core/test_jurisdiction.py walks every URL
pattern (pages and API) as a user of another township and proves none of it leaks. A route whose keyword no app
plants fails the test, so new routes are covered automatically.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

APPS = ["core", "accounts", "audit", "policy", "registry", "assistance", "payments", "crosscheck", "disaster",
        "workforce"]


@dataclass
class Planted:
    # URL keyword → value addressing a record inside the victim's jurisdiction: outsiders must get 403/404/405.
    scoped: dict[str, Any] = field(default_factory=dict)
    # URL keyword → value of shared reference data (a parameter key, a year): outsiders may read it.
    plain: dict[str, Any] = field(default_factory=dict)
    # Strings identifying the victim's people: never in any response to an outsider.
    secrets: list[str] = field(default_factory=list)

    def merge(self, other: Planted) -> None:
        self.scoped.update(other.scoped)
        self.plain.update(other.plain)
        self.secrets.extend(other.secrets)


def planters() -> list[Callable[[Any, Any], Planted]]:
    out = []
    for app in APPS:
        try:
            mod = importlib.import_module(f"minzheng.{app}.leakcheck")
        except ModuleNotFoundError as exc:
            if exc.name != f"minzheng.{app}.leakcheck":
                raise
            continue
        if hasattr(mod, "plant"):
            out.append(mod.plant)
    return out


def plant(village: Any, owner: Any) -> Planted:
    """Everything in `village` (in one township), created on behalf of `owner`."""
    return Planted(scoped={"code": village.code}, plain={"user_id": owner.pk})
