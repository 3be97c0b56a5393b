"""The rule for each ledger cell, one definition each, with memo tables for what a ledger repeats endlessly
(户主/配偶, 男/女, 汉族, the same amounts and village names).

Every rule takes a cell as read (str, float, date … or None) and returns the value to store, "" or None for a blank
cell, or raises CellError with the message the user sees. household.py calls them for both the fast and the exact
path, so the two cannot disagree about a cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import parsers as P
from ..resolve import PlaceError, Places, ProgrammeRef, Programmes

if TYPE_CHECKING:
    from .sheet import SheetCtx

HEAD = "02"   # 与户主关系: 户主
# The code-list columns, in the order of their places in the compact person tuple (see household.py).
CHOICE_KEYS = ("ethnicity", "education", "marital_status", "health", "work_capacity", "disability_category",
               "disability_grade")
HUKOU_CHOICES = [("urban", "城镇"), ("rural", "农村")]
HUKOU_OF_PROGRAMME = {"dibao_urban": "urban", "dibao_rural": "rural"}
CodeTable = tuple[dict[str, str], list[tuple[str, str]], dict[str, str] | None, str]


class Cells:
    """The cell rules of one import, with its memo tables (they only ever hold what the rule would answer again)."""

    def __init__(self, places: Places, programmes: Programmes) -> None:
        self.places = places
        self.programmes = programmes
        self.codes = code_tables()
        from minzheng.registry.pinyin import initials

        self._initials = initials
        self.initials_memo: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.relations: dict[str, str] = {}
        self.sexes: dict[str, str] = {}
        self._partials: dict[Any, tuple[int, int | None, int | None]] = {}
        self._amounts: dict[Any, Decimal] = {}
        self._counts: dict[Any, int | None] = {}
        self._category_notes: dict[str, str] = {}
        self._programmes: dict[tuple[Any, ...], ProgrammeRef | None] = {}

    # ------------------------------------------------------------ person cells

    def name(self, value: Any) -> str:
        got = self.names.get(value) if type(value) is str else None
        if got is None:
            got = P.parse_name(value)
            if type(value) is str:
                if len(self.names) > 100_000:
                    self.names.clear()
                self.names[value] = got
        return got

    def initials(self, name: str) -> str:
        got = self.initials_memo.get(name)
        if got is None:
            if len(self.initials_memo) > 200_000:
                self.initials_memo.clear()
            got = self.initials_memo[name] = self._initials(name)
        return got

    def relation(self, value: Any) -> str:
        """与户主关系 as its code; blank is 其他 ("99")."""
        return _memo(self.relations, value, P.parse_relation) or "99"

    def sex(self, value: Any) -> str | None:
        return _memo(self.sexes, value, P.parse_sex)

    def birth_agrees(self, value: Any, birth: dt.date) -> bool:
        """Whether 出生日期 (a date, or text naming a year, month or day) agrees with the ID's birth date; blank
        agrees. CellError when it cannot be read."""
        if type(value) is dt.date:
            return value == birth
        cacheable = type(value) in (str, dt.datetime)
        part = self._partials.get(value) if cacheable else None
        if part is None:
            part = P.parse_partial_date(value)
            if part is None:
                return True
            if cacheable and len(self._partials) < 100_000:
                self._partials[value] = part
        y, m, d = part
        return y == birth.year and (m is None or m == birth.month) and (d is None or d == birth.day)

    def choice(self, key: str, value: Any) -> str:
        """A code-list column (民族, 文化程度 …) as its code; blank is ""."""
        table, choices, synonyms, label = self.codes[key]
        code = table.get(value if type(value) is str else P.text(value))
        if code is not None:
            return code
        return P.parse_choice(value, choices, synonyms, label) or ""

    @staticmethod
    def phone(value: Any) -> str:
        if type(value) is str and len(value) == 11 and value.isdigit():
            return value   # the usual mobile number, which parse_phone returns unchanged
        return P.parse_phone(value)

    # ------------------------------------------------------------ household cells

    @staticmethod
    def hukou(value: Any) -> str | None:
        return P.parse_choice(value, HUKOU_CHOICES, P.HUKOU_SYNONYMS, "户籍性质")

    def count(self, value: Any) -> int | None:
        """保障人数."""
        cacheable = type(value) in (str, float)
        if cacheable and value in self._counts:
            return self._counts[value]
        got = P.parse_count(value)
        if cacheable and len(self._counts) < 10_000:
            self._counts[value] = got
        return got

    def amount(self, value: Any) -> Decimal | None:
        """月保障金额."""
        cacheable = type(value) in (str, float)
        got = self._amounts.get(value) if cacheable else None
        if got is None:
            got = P.parse_amount(value)
            if cacheable and got is not None and len(self._amounts) < 50_000:
                self._amounts[value] = got
        return got

    @staticmethod
    def month(value: Any) -> dt.date | None:
        """享受待遇起始年月."""
        return P.parse_month(value)

    @staticmethod
    def account(value: Any) -> str:
        """银行账号."""
        return P.parse_account(value)

    def category_note(self, category: str) -> str:
        """保障类别 kept as the enrollment's note when it says more than the programme's name."""
        kept = self._category_notes.get(category)
        if kept is None:
            kept = self._category_notes[category] = (
                category if category and self.programmes.in_text(category) is None else "")
        return kept

    def programme(self, ctx: SheetCtx, category: str, hukou: str | None, town: Any,
                  village: Any) -> ProgrammeRef | None:
        """The household's programme: the sheet's (--programme, sheet name or title), else 保障类别 naming one,
        else 低保 (sheet, title or cell) made 城市/农村 by 户籍 or by the village (居委会 urban, 村委会 rural)."""
        if ctx.programme is not None:
            return ctx.programme
        key = (ctx.programme_hint, category, hukou, town, village, ctx.default_town)
        if key in self._programmes:
            return self._programmes[key]
        programmes = self.programmes
        found = programmes.in_text(category) if category else None
        if found is None:
            found = programmes.generic(category, hukou) or programmes.generic(ctx.programme_hint, hukou)
        if found is None and hukou is None:
            try:
                place = self.places.resolve(town, village, ctx.default_town)
            except PlaceError:
                place = None
            if place is not None:
                hk = "urban" if place.village.is_urban else "rural"
                found = programmes.generic(category, hk) or programmes.generic(ctx.programme_hint, hk)
        self._programmes[key] = found
        return found


def code_tables() -> dict[str, CodeTable]:
    """Exact-text lookups for the code-list columns, built once per import (TextChoices labels are lazy and
    slow to evaluate per cell); unknown text falls back to parsers.parse_choice for its message."""
    from minzheng.registry import models as M

    specs: list[tuple[str, Any, dict[str, str] | None, str]] = [
        ("ethnicity", getattr(M, "Ethnicity", None), None, "民族"),
        ("education", M.Education, P.EDUCATION_SYNONYMS, "文化程度"),
        ("marital_status", M.Marital, P.MARITAL_SYNONYMS, "婚姻状况"),
        ("health", M.Health, P.HEALTH_SYNONYMS, "健康状况"),
        ("work_capacity", M.WorkCapacity, P.WORK_SYNONYMS, "劳动能力"),
        ("disability_category", M.DisabilityCategory, P.DISABILITY_SYNONYMS, "残疾类别"),
        ("disability_grade", M.DisabilityGrade, P.GRADE_SYNONYMS, "残疾等级"),
    ]
    out = {}
    for key, enum, syn, label in specs:
        choices = [(str(c), str(n)) for c, n in enum.choices] if enum is not None else []
        table: dict[str, str] = dict(syn or {})
        for code, name in choices:
            table[code] = code
            table[name] = code
            if name.endswith("族") and len(name) >= 2:   # parse_choice accepts 汉 for 汉族
                table.setdefault(name[:-1], code)
        out[key] = (table, choices, syn, label)
    return out


def _memo(cache: dict[str, str], value: Any, parse: Callable[[Any], str | None]) -> str | None:
    """parse(value), remembered for text cells; CellError passes."""
    if type(value) is str and (hit := cache.get(value)) is not None:
        return hit
    got = parse(value)
    if type(value) is str and got:
        cache[value] = got
    return got
