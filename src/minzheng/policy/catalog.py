"""What parameters exist: each app declares its keys with a label, unit and kind, plus seed versions.

Seeds carry their source and certainty from shared policy research; where the real 延平区 figure is unknown the
seed is marked is_demo and certainty DEMO so screens can say so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParamSpec:
    key: str
    label: str
    unit: str = ""
    kind: str = "decimal"  # decimal | int | bool | text | json
    group: str = ""
    help: str = ""


@dataclass(frozen=True)
class Seed:
    key: str
    value: Any
    effective_from: dt.date
    source_document: str
    certainty: str = "M"
    is_demo: bool = False
    division_code: str | None = None
    note: str = ""
    unit: str = ""


# A bound policy places on a parameter: (new value, effective date, division or None) → the refusal, or "".
Bound = Callable[[Any, dt.date, Any], str]


@dataclass
class Catalog:
    specs: dict[str, ParamSpec] = field(default_factory=dict)
    seeds: list[Seed] = field(default_factory=list)
    bounds: dict[str, list[Bound]] = field(default_factory=dict)

    def declare(self, spec: ParamSpec, *seeds: Seed) -> None:
        self.specs[spec.key] = spec
        self.seeds.extend(seeds)

    def bound(self, key: str, check: Bound) -> None:
        """A version of `key` that breaks `check` is refused by policy.services.add_version."""
        self.bounds.setdefault(key, []).append(check)


catalog = Catalog()


def declare(key: str, label: str, *, unit: str = "", kind: str = "decimal", group: str = "", help: str = "",
            seeds: list[Seed] | None = None) -> None:
    catalog.declare(ParamSpec(key, label, unit, kind, group, help), *(seeds or []))
