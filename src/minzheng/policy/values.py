"""A parameter value as a decision records it: the value plus the version it came from (no database needed).

`policy.services.resolve` returns these from the parameter tables; rules that run without a database (the
assistance rules' `Params.fixed` / `Params.seeded`) make them from given values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ParamValue:
    """A resolved parameter: the value plus the version it came from, stored on every decision."""

    key: str
    value: Any
    version_id: int
    effective_from: dt.date
    source_document: str
    is_demo: bool

    @property
    def decimal(self) -> Decimal:
        return Decimal(str(self.value))

    def ref(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "version_id": self.version_id,
                "effective_from": str(self.effective_from), "source": self.source_document, "demo": self.is_demo}
