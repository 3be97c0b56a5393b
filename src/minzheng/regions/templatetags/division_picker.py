"""{{ division|division_search }}: the text the division picker matches (name, township, pinyin)."""

from __future__ import annotations

from django import template

from minzheng.regions.models import Division
from minzheng.regions.picker import search_keys

register = template.Library()


@register.filter
def division_search(division: Division) -> str:
    parent = division.parent.name if division.parent_id and division.parent else ""
    return " ".join(p for p in [division.name, parent, search_keys(division.name),
                                search_keys(parent) if parent else ""] if p)
