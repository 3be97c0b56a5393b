"""Choosing a division as a tree with search by name and pinyin (树形选择): a select whose options are indented by
level and carry their pinyin; app.js adds a search box that filters them (without JavaScript it is a plain select)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms

from .models import Division, Level

_INDENT: dict[str, str] = {Level.TOWNSHIP: "", Level.VILLAGE: "\u3000"}


@lru_cache(maxsize=8192)
def search_keys(name: str) -> str:
    """'夏道镇' → 'xdz xiadaozhen': initials and full pinyin, both lower case."""
    from pypinyin import Style, lazy_pinyin

    initials = "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    full = "".join(lazy_pinyin(name, errors="ignore"))
    return f"{initials} {full}".lower()


def search_text(division: Division) -> str:
    """What the picker matches for a division: its name, its parent's, and both in pinyin."""
    up = division.parent if division.parent_id else None
    parent = up.name if up is not None else ""
    return " ".join(p for p in [division.name, parent, search_keys(division.name),
                                search_keys(parent) if parent else ""] if p)


class DivisionSelect(forms.Select):
    """Options carry data-search (name, parent, pinyin) and data-level; the select gets the picker's class."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "division-picker", **(attrs or {})})

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        division = getattr(value, "instance", None)
        if isinstance(division, Division):
            option["attrs"]["data-search"] = search_text(division)
            option["attrs"]["data-level"] = division.level
        return option

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        """Villages grouped under their township (<optgroup>), the tree a township assistant knows."""
        groups = super().optgroups(name, value, attrs)
        regrouped: dict[str, list[dict[str, Any]]] = {}
        loose: list[Any] = []
        for group_name, options, index in groups:
            for option in options:
                division = getattr(option["value"], "instance", None)
                up = division.parent if isinstance(division, Division) and division.level == Level.VILLAGE else None
                if group_name is None and up is not None:
                    regrouped.setdefault(up.name, []).append(option)
                else:
                    loose.append((group_name, [option], index))
        if not regrouped:
            return groups
        return loose + [(township, options, i) for i, (township, options) in enumerate(regrouped.items(), len(loose))]


class DivisionSelectMultiple(DivisionSelect, forms.SelectMultiple):
    pass


def _tree_label(obj: Division) -> str:
    return _INDENT.get(obj.level, "") + obj.name


class DivisionField(forms.ModelChoiceField):
    """A division chosen from a tree: villages indented under their township, searchable by pinyin."""

    widget = DivisionSelect

    def label_from_instance(self, obj: Division) -> str:
        return _tree_label(obj)


class DivisionMultipleField(forms.ModelMultipleChoiceField):
    widget = DivisionSelectMultiple

    def label_from_instance(self, obj: Division) -> str:
        return _tree_label(obj)
