"""Every parameter version in memory, resolved exactly like `services.resolve`: for batch jobs that decide tens of
thousands of households (verify amounts, 提标) and would otherwise ask the database once per key and village.

A table can carry proposed versions (a 提标 not yet approved) on top of the stored ones, so a preview runs the same
rules under "what would be in force" without writing anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from minzheng.regions.models import Division

from .models import Parameter
from .values import ParamValue


@dataclass(frozen=True)
class Row:
    key: str
    division_code: str | None
    depth: int  # -1 for a version that applies everywhere
    effective_from: dt.date
    effective_to: dt.date | None
    value: ParamValue


@dataclass(frozen=True)
class Proposed:
    """A version not (yet) stored: key, value, effective date and the division it is for (None = everywhere)."""

    key: str
    value: object
    effective_from: dt.date
    division: Division | None = None
    source_document: str = "拟调整（未生效）"


class ParamTable:
    def __init__(self, rows: Iterable[Row]) -> None:
        self.by_key: dict[str, list[Row]] = {}
        for r in rows:
            self.by_key.setdefault(r.key, []).append(r)

    @classmethod
    def load(cls, proposed: Iterable[Proposed] = (), *, exclude: Iterable[int] = ()) -> ParamTable:
        """The stored versions (less the ids in `exclude`) plus the `proposed` ones."""
        skip = set(exclude)
        rows = [Row(p.key, p.division.code if p.division else None, p.division.depth if p.division else -1,
                    p.effective_from, p.effective_to,
                    ParamValue(p.key, p.value, p.pk, p.effective_from, p.source_document, p.is_demo))
                for p in Parameter.objects.select_related("division") if p.pk not in skip]
        rows += [Row(p.key, p.division.code if p.division else None, p.division.depth if p.division else -1,
                     p.effective_from, None, ParamValue(p.key, p.value, 0, p.effective_from, p.source_document, False))
                 for p in proposed]
        return cls(rows)

    def resolve(self, key: str, *, on: dt.date, codes: frozenset[str]) -> ParamValue:
        """The version in force on `on` for a division whose path holds `codes`: most specific, then latest."""
        best: Row | None = None
        for r in self.by_key.get(key, ()):
            if r.effective_from > on or (r.effective_to is not None and r.effective_to <= on):
                continue
            if r.division_code is not None and r.division_code not in codes:
                continue
            if best is None or (r.depth, r.effective_from) > (best.depth, best.effective_from):
                best = r
        if best is None:
            from .services import MissingParameter

            raise MissingParameter(key, on, None)
        return best.value

    def codes_with_versions(self) -> frozenset[str]:
        """Division codes some version is specific to: divisions outside them all resolve alike."""
        return frozenset(r.division_code for rows in self.by_key.values() for r in rows if r.division_code)


def path_codes(path: str) -> frozenset[str]:
    return frozenset(c for c in path.strip("/").split("/") if c)
