"""Tree queries. The tree changes only when a division CSV is loaded, so lookups are cached in-process."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import QuerySet

from .models import Division, Level


def subtree(division: Division) -> QuerySet[Division]:
    return Division.objects.filter(path__startswith=division.path)


@lru_cache(maxsize=4096)
def _subtree_ids(division_id: int, path: str) -> frozenset[int]:
    return frozenset(Division.objects.filter(path__startswith=path).values_list("id", flat=True))


def subtree_ids(division: Division) -> frozenset[int]:
    return _subtree_ids(division.pk, division.path)


def ancestors(division: Division) -> list[Division]:
    """Ancestors from the root down, excluding the division itself."""
    codes = [c for c in division.path.strip("/").split("/")[:-1] if c]
    by_code = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def township_of(division: Division) -> Division | None:
    if division.level == Level.TOWNSHIP:
        return division
    if division.level == Level.VILLAGE:
        return division.parent
    return None


def townships(under: Division | None = None) -> QuerySet[Division]:
    qs = Division.objects.filter(level=Level.TOWNSHIP)
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("code")


def villages(under: Division | None = None) -> QuerySet[Division]:
    qs = Division.objects.filter(level=Level.VILLAGE)
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return qs.order_by("code")


def root_county() -> Division | None:
    return Division.objects.filter(level=Level.COUNTY).order_by("code").first()


def clear_cache() -> None:
    _subtree_ids.cache_clear()
