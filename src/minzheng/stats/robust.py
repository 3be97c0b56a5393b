"""Robust outlier statistics: median and median absolute deviation (MAD), and the modified z-score
z = (x − median) / (1.4826 · MAD) of Iglewicz and Hoaglin (1993). Unlike mean and standard deviation, a few
extreme villages cannot hide themselves by inflating the spread they are measured against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# 1.4826 makes the MAD a consistent estimate of the standard deviation for normal data.
MAD_SCALE = 1.4826


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of nothing")
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return float(s[mid]) if n % 2 else (s[mid - 1] + s[mid]) / 2.0


def mad(values: Sequence[float]) -> float:
    m = median(values)
    return median([abs(v - m) for v in values])


@dataclass(frozen=True)
class Spread:
    """A peer group's centre and robust spread. When more than half the peers share one value (MAD 0), the
    scale falls back to the mean absolute deviation × 1.2533 (its normal-consistent factor), so one outlier among
    identical peers still stands out instead of scoring infinity or nothing."""

    median: float
    mad: float
    n: int
    fallback: float = 0.0

    @property
    def scale(self) -> float:
        return MAD_SCALE * self.mad or self.fallback

    def z(self, value: float) -> float:
        """The modified z-score of `value` against the group (0 when the group has no spread at all)."""
        scale = self.scale
        return 0.0 if not scale else (value - self.median) / scale


def spread(values: Sequence[float]) -> Spread:
    m = median(values)
    d = [abs(v - m) for v in values]
    mad_value = median(d)
    fallback = 1.2533 * (sum(d) / len(d)) if not mad_value else 0.0
    return Spread(m, mad_value, len(values), fallback)


def robust_z(value: float, values: Sequence[float]) -> float:
    return spread(values).z(value)


def as_decimal(x: float, places: str = "0.01") -> Decimal:
    return Decimal(str(round(x, 6))).quantize(Decimal(places))
