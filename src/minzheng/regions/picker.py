"""Choosing a division as a tree with search by name and pinyin (树形选择): a select whose options are indented by
level and carry their pinyin; app.js adds a search box that filters them (without JavaScript it is a plain select)."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe

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

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        """The same markup as Django's select templates, written directly: a county's 300-odd villages through the
        option template cost most of a public form's time."""
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_esc(group_name)}">')
            parts.extend(f'<option value="{_esc(o["value"])}"{_attrs(o["attrs"])}>{_esc(o["label"])}</option>'
                         for o in options)
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above went through _esc


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's attrs.html: a True attribute by name alone, False or None left out, the rest quoted and escaped."""
    return "".join(f" {k}" if v is True else f' {k}="{_esc(v)}"' for k, v in attrs.items() if v is not False
                   and v is not None)


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
