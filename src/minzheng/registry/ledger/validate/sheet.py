"""One sheet of a ledger: where its columns are, which rows are persons, and where each household starts.

A household starts at a row that carries a fresh household value (序号, 户主姓名, 保障人数, 金额, 账号 …, not a
merged-range copy); without such columns, at each 户主 row.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from minzheng.regions.models import Division

from .. import parsers as P
from ..columns import BY_KEY, PROGRAMME_KEYS
from ..reader import Header, Row, SheetSource
from ..resolve import Places, ProgrammeRef, Programmes
from .batches import ALL_PERSON_FIELDS, person_fields
from .cells import CHOICE_KEYS, HEAD, CodeTable

FOOTER_WORDS = ("制表人", "审核人", "填表人", "制表日期", "填表日期", "填报日期", "审核日期", "负责人", "经办人", "制表单位",
                "填报单位", "联系人", "分管领导", "签字", "盖章")
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计")
NOTE_PREFIXES = ("注", "说明", "备注", "填表说明")
# The index of a column the sheet lacks: past the end of every row, so `values[i] if i < len(values)` gives None.
ABSENT = 1 << 30


@dataclass(frozen=True)
class Indexes:
    """Where each field's column is in the sheet's rows (ABSENT where it has none)."""
    name: int
    id_number: int
    relation: int
    sex: int
    birth_date: int
    phone: int
    township: int
    village: int
    head_name: int
    hukou_type: int
    address: int
    note: int
    covered: int
    category: int
    amount: int
    start_month: int
    bank_name: int
    account: int
    # The code-list columns: (place among CHOICE_KEYS, column, key, the rule's exact-text table).
    choices: tuple[tuple[int, int, str, dict[str, str]], ...]

    @classmethod
    def of(cls, cols: dict[str, int], codes: dict[str, CodeTable]) -> Indexes:
        return cls(*(cols.get(k, ABSENT) for k in (
            "name", "id_number", "relation", "sex", "birth_date", "phone", "township", "village", "head_name",
            "hukou_type", "address", "note", "covered", "category", "amount", "start_month", "bank_name",
            "account")), choices=tuple(
            (pos, cols[k], k, codes[k][0]) for pos, k in enumerate(CHOICE_KEYS) if k in cols))


@dataclass
class SheetCtx:
    source: SheetSource
    header: Header
    cols: dict[str, int]
    at: Indexes
    programme: ProgrammeRef | None
    programme_hint: str
    default_town: Division | None
    has_programme: bool
    strong: tuple[int, ...]
    person_fields: frozenset[int] = field(default_factory=lambda: ALL_PERSON_FIELDS)

    def __post_init__(self) -> None:
        # The household cells of a row in one C call, to compare with a row where all are empty ("") (the first
        # column twice, so that a single household column still gives a tuple).
        self.strong_of: Callable[[list[Any]], Any] = (
            operator.itemgetter(*self.strong, self.strong[0]) if self.strong else (lambda values: ()))
        self.strong_blank = ("",) * (len(self.strong) + 1) if self.strong else None

    @property
    def name(self) -> str:
        return self.source.name

    def label(self, key: str) -> str:
        return self.header.label(key) if key in self.cols else BY_KEY[key].header


@dataclass
class Draft:
    ctx: SheetCtx
    rows: list[Row] = field(default_factory=list)
    strong: dict[int, Any] = field(default_factory=dict)   # column index → the cell that opened the household


def sheet_context(source: SheetSource, header: Header, option: ProgrammeRef | None, programmes: Programmes,
                  places: Places, codes: dict[str, CodeTable]) -> SheetCtx:
    cols = dict(header.columns)
    return SheetCtx(
        source, header, cols, Indexes.of(cols, codes),
        programme=option or programmes.in_text(source.name) or programmes.in_text(header.title),
        programme_hint=f"{source.name} {header.title}",
        default_town=places.default_town or places.township_in_text(header.title),
        has_programme=bool(PROGRAMME_KEYS & {"amount", "category"} & set(cols)),
        strong=tuple(sorted(i for k, i in cols.items() if BY_KEY[k].household_key)),
        person_fields=person_fields(cols))


def looks_like_notes(first: list[Row]) -> bool:
    texts = [P.text(v) for r in first for v in r.values if not P.is_blank(v)]
    return any(t.startswith(("填表说明", "说明", "注")) for t in texts[:3])


def is_plain_person(row: Row, name_i: int) -> bool:
    """The usual person row, told apart without the general rules of row_kind: its own name cell, plain text that
    does not start a 合计/小计 line, and no text in the first column (calamine gives "" for empty cells)."""
    vals = row.values
    return (not row.continued and name_i < len(vals) and type(name := vals[name_i]) is str and bool(name)
            and not name.isspace() and " " not in name and "\u3000" not in name and not name.startswith(TOTAL_WORDS)
            and "：" not in name and ":" not in name and (type(vals[0]) is not str or not vals[0]))


# What row_kind calls the rows under (or between) the data that are not persons: reported as ignored, not errors.
IGNORED_KINDS = {"total": "合计行", "footer": "签字栏", "note": "备注说明"}


def row_kind(ctx: SheetCtx, row: Row) -> str:
    """"person", "skip" (blank), one of IGNORED_KINDS (合计, signature footer, note) or "bad" (text, but neither
    name nor ID number)."""
    cols = ctx.cols
    # A person's own cells: a footer merged across the row copies its text into 姓名 and 身份证号 too.
    name = row.own(cols["name"]) if "name" in cols else None
    idn = row.own(cols["id_number"]) if "id_number" in cols else None
    own = [P.text(row.own(i)) for i in range(len(row.values)) if not P.is_blank(row.own(i))]
    joined = re.sub(r"\s+", "", "".join(own))
    if not P.is_blank(name) or not P.is_blank(idn):
        # 合计/小计 written in the first column or in 姓名
        for v in (row.values[0] if row.values else None, name):
            if type(v) is str and v.replace(" ", "").replace("\u3000", "").startswith(TOTAL_WORDS):
                return "total"
        # "制表人：" in one cell and the name that signs in the 姓名 column: a footer, not a person without an ID.
        if P.is_blank(idn) and _footer_text(joined):
            return "footer"
        return "person"
    if not own:
        return "skip"     # blank, or only merged-range copies
    if joined.startswith(TOTAL_WORDS):
        return "total"
    if _footer_text(joined):
        return "footer"
    if len(own) == 1 or joined.startswith(NOTE_PREFIXES):
        return "note"
    return "bad"


def _footer_text(joined: str) -> bool:
    return any(w in joined for w in FOOTER_WORDS)


def starts_household(ctx: SheetCtx, draft: Draft, row: Row) -> bool:
    if not ctx.strong:
        # No household columns: each 户主 row opens a household; without a relation column each row does.
        if "relation" not in ctx.cols:
            return True
        return _is_head(ctx, row)
    values, continued = row.values, row.continued
    n = len(values)
    if not continued and n > ctx.strong[-1] and ctx.strong_of(values) == ctx.strong_blank:
        return False       # the usual member row: every household cell empty
    fresh = False
    for i in ctx.strong:
        if i < n and i not in continued:
            v = values[i]
            if v is None or v == "" or P.is_blank(v):
                continue
            opened = draft.strong.get(i)
            if opened is None:
                return True
            # A value other than the one that opened the household, compared as text (" 1" is "1"); two
            # different numbers always differ as text.
            if not (type(v) is type(opened) and v == opened) and (
                    (type(v) is float and type(opened) is float) or P.text(v) != P.text(opened)):
                return True
            fresh = True
    if not fresh:
        return False
    # The same values repeated on every member row: a second 户主 means a new household.
    return _is_head(ctx, row) and any(_is_head(ctx, r) for r in draft.rows)


def _is_head(ctx: SheetCtx, row: Row) -> bool:
    try:
        return P.parse_relation(row.get(ctx.at.relation)) == HEAD
    except P.CellError:
        return False
