"""What a leak-test planter returns: the URL keyword values that address its records, and its secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Planted:
    # URL keyword → value addressing a record inside the victim's jurisdiction: outsiders must get 403/404/405.
    scoped: dict[str, Any] = field(default_factory=dict)
    # URL keyword → value of shared reference data (a parameter key, a year): outsiders may read it.
    plain: dict[str, Any] = field(default_factory=dict)
    # Strings identifying the victim's people: never in any response to an outsider.
    secrets: list[str] = field(default_factory=list)

    def merge(self, other: Planted) -> None:
        # Two apps planting the same URL keyword for different records would test one app's route with the other's
        # record (passing or failing by accident of primary keys): name the keyword after the model instead.
        for key, value in {**other.scoped, **other.plain}.items():
            mine = self.scoped.get(key, self.plain.get(key, value))
            if mine != value:
                raise AssertionError(f"URL keyword <{key}> planted twice with different records ({mine} / {value})")
        self.scoped.update(other.scoped)
        self.plain.update(other.plain)
        self.secrets.extend(other.secrets)
