"""{{ division|division_search }}: the text the division picker matches (name, township, pinyin)."""

from __future__ import annotations

from django import template

from minzheng.regions.picker import search_text

register = template.Library()
register.filter("division_search", search_text)
