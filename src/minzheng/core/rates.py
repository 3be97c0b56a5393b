"""Rates as the township assessment stores them (0–1, four decimals)."""

from __future__ import annotations

from decimal import Decimal

FOUR_PLACES = Decimal("0.0001")


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole`, or None when there was nothing to count (the assessment then shows 无数据)."""
    return None if not whole else (Decimal(part) / whole).quantize(FOUR_PLACES)
