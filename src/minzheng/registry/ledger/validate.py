"""One streaming pass over a ledger: rows grouped into households, every cell checked, valid households spooled.

A household starts at a row that carries a fresh household value (序号, 户主姓名, 保障人数, 金额, 账号 …, not a
merged-range copy); without such columns, at each 户主 row. Households are checked as soon as they end and
collected in small batches; each batch is checked against the database (ID numbers already registered) and its
valid households are appended to a spool file in compact form, so memory stays flat however long the file.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import operator
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import connection

from minzheng.regions.models import Division
from minzheng.registry import idnumber

from . import parsers as P
from .columns import BY_KEY, PROGRAMME_KEYS
from .reader import HEADER_SCAN_ROWS, Header, Row, SheetSource, find_header, is_column_number_row, open_sheets
from .resolve import PlaceError, Places, ProgrammeRef, Programmes

FOOTER_WORDS = ("制表人", "审核人", "填表人", "制表日期", "填表日期", "填报日期", "审核日期", "负责人", "经办人", "制表单位",
                "填报单位", "联系人", "分管领导", "签字", "盖章")
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计")
NOTE_PREFIXES = ("注", "说明", "备注", "填表说明")
BATCH_PERSONS = 2000
# What the writer gets: (the person fields the batch fills, households in compact form); see _compact.
Batch = tuple[tuple[int, ...], list[tuple[Any, ...]]]
MAX_KEPT_ISSUES = 100_000   # issues beyond this are counted, not kept (a wrong file can have millions)

HEAD = "02"

# The compact person tuple (see _compact): the fields a sheet can fill, by the columns it has. The others stay
# "" (None for the grade), and the writer leaves them to the column defaults instead of binding them row by row.
ALL_PERSON_FIELDS = frozenset(range(17))
_PERSON_ALWAYS = frozenset({0, 1, 2, 3, 4, 6})    # name, ID, birth, sex, initials, relation
_PERSON_FIELD_COLUMNS = {5: ("ethnicity",), 7: ("education",), 8: ("marital_status",), 9: ("health",),
                         10: ("work_capacity",), 11: ("disability_category",), 12: ("disability_grade",),
                         13: ("phone",), 14: ("bank_name", "account"), 15: ("bank_name", "account")}
# 16 (the old 15-digit number) only ever comes from the exact path, whose households carry every field.


@dataclass
class Issue:
    sheet: str
    row: int | None
    column: str
    message: str
    values: list[str] = field(default_factory=list)   # the row as written, for the error workbook

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Stats:
    households: int = 0
    persons: int = 0
    enrollments: int = 0
    monthly_total: Decimal = Decimal("0.00")
    rows_read: int = 0
    invalid_households: int = 0
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    programmes: dict[str, int] = field(default_factory=dict)


@dataclass
class SheetCtx:
    source: SheetSource
    header: Header
    cols: dict[str, int]
    programme: ProgrammeRef | None
    programme_hint: str
    default_town: Division | None
    has_programme: bool
    strong: tuple[int, ...]
    choice_keys: tuple[str, ...] = ()
    fast: FastCols | None = None
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


@dataclass(frozen=True)
class FastCols:
    """Column indexes for the fast path; -1 where the sheet has no such column."""
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
    choices: tuple[tuple[int, int, dict[str, str]], ...]   # (position in _compact order, column, code table)

    @classmethod
    def of(cls, cols: dict[str, int], codes: dict[str, Any]) -> FastCols:
        keys = ("ethnicity", "education", "marital_status", "health", "work_capacity", "disability_category",
                "disability_grade")
        return cls(*(cols.get(k, -1) for k in (
            "name", "id_number", "relation", "sex", "birth_date", "phone", "township", "village", "head_name",
            "hukou_type", "address", "note", "covered", "category", "amount", "start_month", "bank_name",
            "account")), choices=tuple((pos, cols[k], codes[k][0]) for pos, k in enumerate(keys) if k in cols))


@dataclass
class Draft:
    ctx: SheetCtx
    rows: list[Row] = field(default_factory=list)
    strong: dict[int, Any] = field(default_factory=dict)   # column index → the cell that opened the household


class Validator:
    def __init__(self, *, scope: Division | None, programme_option: str | None, today: dt.date,
                 spool: IO[bytes] | None, progress: Callable[[int, int], None] | None = None,
                 sink: Callable[[Batch], None] | None = None,
                 check_database: bool = True) -> None:
        self.places = Places(scope)
        self.programmes = Programmes()
        self.option: ProgrammeRef | None = None
        if programme_option:
            self.option = self.programmes.by_option(programme_option)
        self.today = today
        self.spool = spool
        self.sink = sink
        self.progress = progress
        # An empty registry holds no ID to clash with (one written meanwhile by someone else still fails the
        # unique index when this import is written, and is reported then).
        self.check_database = check_database and _registry_has_persons()
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.error_count = 0
        self.warning_count = 0
        self.stats = Stats()
        self.seen_ids: dict[str, tuple[str, int]] = {}
        # (ID column label, compact household, [(ID, row, sheet)], [(programme code, amount)]) awaiting _flush
        self.pending: list[tuple[str, tuple[Any, ...], list[tuple[str, Row, str]], list[tuple[str, Decimal]]]] = []
        self.pending_persons = 0
        self.pending_fields: frozenset[int] = frozenset()   # person fields the pending households may fill
        self.start_month = today.replace(day=1)
        from minzheng.registry.pinyin import initials

        self._initials = initials
        self._initials_cache: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._relations: dict[str, str] = {}
        self._sexes: dict[str, str] = {}
        self._amounts: dict[Any, Decimal] = {}
        self._partials: dict[Any, tuple[int, int | None, int | None]] = {}
        self._category_notes: dict[str, str] = {}
        self._programme_memo: dict[tuple[Any, ...], ProgrammeRef | None] = {}
        self.codes = _code_tables()
        self._regions: dict[str, int] = {}
        self._births: dict[str, tuple[dt.date | None, int]] = {}
        self._counts: dict[Any, int | None] = {}
        self._rows_done = 0
        self._rows_total = 0

    def _find_programme(self, ctx: SheetCtx, category: str, hukou: str | None, town_v: Any,
                        vil_v: Any) -> ProgrammeRef | None:
        """保障类别 naming a programme; else 低保 (sheet, title or cell) made 城市/农村 by 户籍 or by the village
        (居委会 urban, 村委会 rural)."""
        programme = self.programmes.in_text(category) if category else None
        if programme is None:
            programme = self.programmes.generic(category, hukou) or self.programmes.generic(ctx.programme_hint, hukou)
        if programme is None and hukou is None:
            try:
                place = self.places.resolve(town_v, vil_v, ctx.default_town)
            except PlaceError:
                return None
            hk = "urban" if place.village.is_urban else "rural"
            programme = self.programmes.generic(category, hk) or self.programmes.generic(ctx.programme_hint, hk)
        return programme

    def _relation(self, ctx: SheetCtx, row: Row) -> str | None:
        i = ctx.cols.get("relation")
        if i is None:
            return None
        v = row.get(i)
        if type(v) is str and (hit := self._relations.get(v)) is not None:
            return hit
        return _relation_of(ctx, row)

    def _amount(self, value: Any) -> Decimal | None:
        """parse_amount, remembered for the few amounts a ledger repeats; CellError passes."""
        cacheable = type(value) in (str, float)
        amount = self._amounts.get(value) if cacheable else None
        if amount is None:
            amount = P.parse_amount(value)
            if cacheable and amount is not None and len(self._amounts) < 50_000:
                self._amounts[value] = amount
        return amount

    def initials(self, name: str) -> str:
        got = self._initials_cache.get(name)
        if got is None:
            if len(self._initials_cache) > 200_000:
                self._initials_cache.clear()
            got = self._initials_cache[name] = self._initials(name)
        return got

    def expected_persons(self) -> int:
        """Rows in the sheets opened so far (what calamine reports): about one person per row."""
        return self._rows_total

    def fast_id(self, raw: Any) -> tuple[str, dt.date, str] | None:
        return fast_id(raw, self.today, self._regions, self._births)

    # ------------------------------------------------------------ issues

    def _issue(self, bucket: list[Issue], sheet: str, row: Row | None, column: str, message: str) -> Issue:
        issue = Issue(sheet, row.number if row else None, column, message,
                      [P.text(v) for v in row.values] if row is not None else [])
        if len(bucket) < MAX_KEPT_ISSUES:
            bucket.append(issue)
        return issue

    def error(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        self.error_count += 1
        self._issue(self.errors, sheet, row, column, message)

    def warn(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        self.warning_count += 1
        self._issue(self.warnings, sheet, row, column, message)

    # ------------------------------------------------------------ sheets

    def run(self, path: str | Path) -> None:
        # A ledger pass creates millions of small objects and keeps hundreds of thousands (IDs seen, caches),
        # which makes the cyclic garbage collector rescan them over and over: a quarter of the time on a
        # 500,000-person file. Nothing here builds reference cycles, so it is paused for the pass.
        paused = gc.isenabled()
        gc.disable()
        # calamine parses a sheet without holding the GIL: load the pinyin and region-code tables meanwhile.
        warm = threading.Thread(target=_warm_up, name="ledger-warm-up", daemon=True)
        warm.start()
        try:
            for source in open_sheets(path):
                warm.join()
                self._rows_total += source.total_rows
                self._sheet(source)
            self._flush()
        finally:
            if paused:
                gc.enable()
        if self.progress:
            self.progress(self._rows_total, self._rows_total)

    def _sheet(self, source: SheetSource) -> None:
        rows = source.rows()
        first: list[Row] = []
        for row in rows:
            first.append(row)
            if len(first) >= HEADER_SCAN_ROWS:
                break
        if not any(not P.is_blank(v) for r in first for v in r.values):
            return   # an empty sheet
        found = find_header(first)
        if found is None:
            self.stats.skipped_sheets.append(source.name)
            if len(first) >= 3 and not self._looks_like_notes(first):
                self.warn(source.name, None, "", "未找到表头（应含“姓名”“身份证号”等列），该工作表已跳过")
            return
        header, data_start = found
        ctx = self._context(source, header)
        self.stats.sheets.append(source.name)
        draft: Draft | None = None

        def all_rows() -> Iterator[Row]:
            yield from first[data_start:]
            yield from rows

        skip_numbers = True
        ni = ctx.cols.get("name", -1)
        for row in all_rows():
            self._rows_done += 1
            if self.progress and self._rows_done % 5000 == 0:
                self.progress(self._rows_done, self._rows_total)
            if skip_numbers:
                skip_numbers = False
                if is_column_number_row(row):
                    continue
            # The usual person row, told apart without the general rules: its own name cell, plain text that
            # does not start a 合计/小计 line, and no text in the first column (calamine gives "" for empty cells).
            vals = row.values
            if (ni >= 0 and not row.continued and ni < len(vals) and type(name := vals[ni]) is str and name
                    and not name.isspace()
                    and " " not in name and "\u3000" not in name and not name.startswith(TOTAL_WORDS)
                    and (type(vals[0]) is not str or not vals[0])):
                kind = "person"
            else:
                kind = self._row_kind(ctx, row)
            if kind == "skip":
                continue
            self.stats.rows_read += 1
            if kind == "bad":
                self.error(ctx.name, row, ctx.label("name"), "该行缺少姓名和身份证号")
                if draft is not None:
                    draft.rows.append(row)
                continue
            if draft is None or self._starts_household(ctx, draft, row):
                if draft is not None:
                    self._finish(draft)
                draft = Draft(ctx)
                n = len(row.values)
                draft.strong = {i: row.values[i] for i in ctx.strong if i < n and not P.is_blank(row.values[i])}
            draft.rows.append(row)
        if draft is not None:
            self._finish(draft)

    @staticmethod
    def _looks_like_notes(first: list[Row]) -> bool:
        texts = [P.text(v) for r in first for v in r.values if not P.is_blank(v)]
        return any(t.startswith(("填表说明", "说明", "注")) for t in texts[:3])

    def _context(self, source: SheetSource, header: Header) -> SheetCtx:
        cols = dict(header.columns)
        has_programme = bool(PROGRAMME_KEYS & {"amount", "category"} & set(cols))
        programme = self.option or self.programmes.in_text(source.name) or self.programmes.in_text(header.title)
        default_town = self.places.default_town or self.places.township_in_text(header.title)
        strong = tuple(sorted(i for k, i in cols.items() if BY_KEY[k].household_key))
        choice_keys = tuple(k for k in ("ethnicity", "education", "marital_status", "health", "work_capacity",
                                        "disability_category", "disability_grade") if k in cols)
        fast = FastCols.of(cols, self.codes) if "name" in cols and "id_number" in cols else None
        filled = _PERSON_ALWAYS | {i for i, keys in _PERSON_FIELD_COLUMNS.items() if any(k in cols for k in keys)}
        return SheetCtx(source, header, cols, programme, f"{source.name} {header.title}", default_town, has_programme,
                        strong, choice_keys, fast, frozenset(filled))

    def _row_kind(self, ctx: SheetCtx, row: Row) -> str:
        cols = ctx.cols
        # A person's own cells: a footer merged across the row copies its text into 姓名 and 身份证号 too.
        name = row.own(cols["name"]) if "name" in cols else None
        idn = row.own(cols["id_number"]) if "id_number" in cols else None
        if not P.is_blank(name) or not P.is_blank(idn):
            # 合计/小计 written in the first column or in 姓名
            for v in (row.values[0] if row.values else None, name):
                if type(v) is str and v.replace(" ", "").replace("\u3000", "").startswith(TOTAL_WORDS):
                    return "skip"
            return "person"
        own = [P.text(row.own(i)) for i in range(len(row.values)) if not P.is_blank(row.own(i))]
        if not own:
            return "skip"     # blank, or only merged-range copies
        joined = re.sub(r"\s+", "", "".join(own))
        if joined.startswith(TOTAL_WORDS) or any(w in joined for w in FOOTER_WORDS):
            return "skip"
        if len(own) == 1 or joined.startswith(NOTE_PREFIXES):
            return "skip"
        return "bad"

    def _starts_household(self, ctx: SheetCtx, draft: Draft, row: Row) -> bool:
        if not ctx.strong:
            # No household columns: each 户主 row opens a household; without a relation column each row does.
            if "relation" not in ctx.cols:
                return True
            return _relation_of(ctx, row) == HEAD
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
        return _relation_of(ctx, row) == HEAD and any(_relation_of(ctx, r) == HEAD for r in draft.rows)

    # ------------------------------------------------------------ households

    def _finish(self, draft: Draft) -> None:
        done = self._fast_household(draft) if draft.ctx.fast is not None else None
        fields = draft.ctx.person_fields
        if done is None:
            fields = ALL_PERSON_FIELDS
            before = self.error_count
            record, id_rows = self._household(draft)
            if self.error_count != before or record is None:
                self.stats.invalid_households += 1
                return
            done = (draft.ctx.label("id_number"), _compact(record, self.initials), id_rows,
                    [(e["code"], Decimal(e["amount"])) for e in record["enrollments"]])
        if fields is not self.pending_fields and not fields <= self.pending_fields:
            self.pending_fields = self.pending_fields | fields
        self.pending.append(done)
        self.pending_persons += len(done[1][6])
        if self.pending_persons >= BATCH_PERSONS:
            self._flush()

    def _fast_household(self, d: Draft) -> tuple[str, tuple[Any, ...], list[tuple[str, Row, str]],
                                                  list[tuple[str, Decimal]]] | None:
        """The common household, one that _household accepts without a single error or warning, built straight
        into its compact form with cached lookups. Returns None at the first thing that is not plainly right;
        _household then decides and reports it exactly. Nothing is recorded (seen IDs) unless it returns a
        household, so the exact path sees the same state. test_ledger_fastpath keeps the two paths equal."""
        ctx = d.ctx
        f = ctx.fast
        assert f is not None
        rows = d.rows
        blank = P.is_blank

        def hv(i: int) -> Any:
            """A household field: the first non-blank value (P.is_blank, inlined) among the household's rows."""
            if i >= 0:
                for r in rows:
                    vals = r.values
                    if i < len(vals) and (v := vals[i]) is not None and (
                            type(v) is not str or (v and not v.isspace())):
                        return v
            return None

        town_v, vil_v = hv(f.township), hv(f.village)
        try:
            place = self.places.resolve(town_v, vil_v, ctx.default_town)
        except PlaceError:
            return None
        today, regions, births, seen = self.today, self._regions, self._births, self.seen_ids
        names, relations, sexes, partials = self._names, self._relations, self._sexes, self._partials
        initials = self.initials
        persons: list[tuple[Any, ...]] = []
        ids: list[str] = []
        sheet = ctx.name
        inis = self._initials_cache
        head_index = -1
        heads = 0
        name_i, id_i, rel_i, birth_i, sex_i, phone_i, choices = (f.name, f.id_number, f.relation, f.birth_date,
                                                                 f.sex, f.phone, f.choices)
        for r in rows:
            vals = r.values
            n = len(vals)
            raw_name = vals[name_i] if name_i < n else None
            if type(raw_name) is not str:
                return None
            name = names.get(raw_name)
            if name is None:
                try:
                    name = P.parse_name(raw_name)
                except P.CellError:
                    return None
                if len(names) > 100_000:
                    names.clear()
                names[raw_name] = name
            got = fast_id(vals[id_i] if id_i < n else None, today, regions, births)
            if got is None:
                return None
            idn, birth, sex = got
            if idn in seen or idn in ids:
                return None
            ids.append(idn)
            relation = "99"
            if rel_i >= 0:
                rv = vals[rel_i] if rel_i < n else None
                if (hit := relations.get(rv) if type(rv) is str else None) is not None:
                    relation = hit
                else:
                    try:
                        relation = _memo(relations, rv, P.parse_relation) or "99"
                    except P.CellError:
                        return None
                if relation == HEAD:
                    heads += 1
                    head_index = len(persons)
            if 0 <= birth_i < n and (bv := vals[birth_i]) is not None and (
                    type(bv) is not str or (bv and not bv.isspace())):
                if type(bv) is dt.date:
                    if bv != birth:
                        return None
                else:
                    part = partials.get(bv) if type(bv) in (str, dt.datetime) else None
                    if part is None:
                        try:
                            part = P.parse_partial_date(bv)
                        except P.CellError:
                            return None
                        if type(bv) in (str, dt.datetime) and part is not None and len(partials) < 100_000:
                            partials[bv] = part
                    if part is not None and not _same_birth(part, birth):
                        return None
            if 0 <= sex_i < n and not blank(sv := vals[sex_i]):
                if (given := sexes.get(sv) if type(sv) is str else None) is None:
                    try:
                        given = _memo(sexes, sv, P.parse_sex)
                    except P.CellError:
                        return None
                if given is not None and given != sex:
                    return None
            codes: list[Any] = ["", "", "", "", "", "", None]
            for pos, i, table in choices:
                if i < n and not blank(v := vals[i]):
                    code = table.get(v if type(v) is str else P.text(v))
                    if code is None:
                        return None
                    codes[pos] = int(code) if pos == 6 else code
            phone = ""
            if phone_i >= 0:
                pv = vals[phone_i] if phone_i < n else None
                if type(pv) is str and len(pv) == 11 and pv.isdigit():
                    phone = pv
                else:
                    try:
                        phone = P.parse_phone(pv)
                    except P.CellError:
                        return None
            persons.append((name, idn, birth.isoformat(), sex, inis.get(name) or initials(name), codes[0], relation,
                            codes[1], codes[2], codes[3], codes[4], codes[5], codes[6], phone, "", "", ""))
        if f.relation < 0:
            if len(rows) != 1:
                return None
            persons[0] = (*persons[0][:6], HEAD, *persons[0][7:])
            head_index = 0
        elif heads != 1:
            return None
        head = persons[head_index]
        if f.head_name >= 0 and not blank(hn := hv(f.head_name)) and hn != head[0] and P.name_key(hn) != head[0]:
            return None
        hukou = None
        if (hk := hv(f.hukou_type)) is not None:
            try:
                hukou = P.parse_choice(hk, [("urban", "城镇"), ("rural", "农村")], P.HUKOU_SYNONYMS, "户籍性质")
            except P.CellError:
                return None
        address = P.text(hv(f.address))[:200]
        note = P.text(hv(f.note))
        covered = None
        if (cv := hv(f.covered)) is not None:
            if type(cv) in (str, float) and cv in self._counts:
                covered = self._counts[cv]
            else:
                try:
                    covered = P.parse_count(cv)
                except P.CellError:
                    return None
                if type(cv) in (str, float) and len(self._counts) < 10_000:
                    self._counts[cv] = covered
            if covered is not None and covered > len(rows):
                return None
        enrollments: tuple[tuple[Any, ...], ...] = ()
        money: list[tuple[str, Decimal]] = []
        if ctx.has_programme:
            category = P.text(hv(f.category))
            programme = ctx.programme
            if programme is None:
                key = (ctx.programme_hint, category, hukou, town_v, vil_v, ctx.default_town)
                if key in self._programme_memo:
                    programme = self._programme_memo[key]
                else:
                    programme = self._programme_memo[key] = self._find_programme(ctx, category, hukou, town_v,
                                                                                 vil_v)
            if programme is None or programme.per_person or f.amount < 0:
                return None
            try:
                amount = self._amount(hv(f.amount))
            except P.CellError:
                return None
            if amount is None:
                return None
            start = self.start_month
            if (sv := hv(f.start_month)) is not None:
                try:
                    start = P.parse_month(sv) or start
                except P.CellError:
                    return None
            account = ""
            if (acv := hv(f.account)) is not None:
                try:
                    account = P.parse_account(acv)
                except P.CellError:
                    return None
            persons[head_index] = (*head[:14], P.text(hv(f.bank_name))[:64], account, "")
            kept = self._category_notes.get(category)
            if kept is None:
                kept = self._category_notes[category] = (
                    category if category and self.programmes.in_text(category) is None else "")
            enrollments = ((programme.id, -1, covered or len(persons), str(amount), start.isoformat(), kept),)
            money.append((programme.code, amount))
            if hukou is None:
                hukou = {"dibao_urban": "urban", "dibao_rural": "rural"}.get(programme.code)
        if hukou is None:
            hukou = "urban" if place.village.is_urban else "rural"
        phone = head[13] or next((p[13] for p in persons if p[13]), "")
        id_rows = []
        for idn, r in zip(ids, rows, strict=True):
            seen[idn] = (sheet, r.number)
        if self.check_database:   # kept only to report a clash with the registry (see _flush)
            id_rows = [(idn, r, sheet) for idn, r in zip(ids, rows, strict=True)]
        household = (place.village.pk, hukou, address, phone, note, head_index, tuple(persons), enrollments)
        return ctx.label("id_number"), household, id_rows, money

    def _household(self, d: Draft) -> tuple[dict[str, Any] | None, list[tuple[str, Row, str]]]:
        ctx, sheet, cols = d.ctx, d.ctx.name, d.ctx.cols
        first = d.rows[0]

        def hval(key: str) -> tuple[Any, Row | None]:
            """A household field: the first non-blank value among the household's rows."""
            if key not in cols:
                return None, None
            i = cols[key]
            for r in d.rows:
                v = r.get(i)
                if not P.is_blank(v):
                    return v, r
            return None, None

        ok = True
        # --- where
        town_v, town_row = hval("township")
        vil_v, vil_row = hval("village")
        place = None
        try:
            place = self.places.resolve(town_v, vil_v, ctx.default_town)
        except PlaceError as exc:
            col = exc.column
            self.error(sheet, (town_row if col == "township" else vil_row) or first, ctx.label(col), str(exc))
            ok = False

        # --- members
        persons: list[dict[str, Any]] = []
        id_rows: list[tuple[str, Row, str]] = []
        for r in d.rows:
            p = self._person(ctx, r)
            if p is None:
                ok = False
                continue
            persons.append(p)
            id_rows.append((p["id_number"], r, sheet))

        # --- head
        heads = [p for p in persons if p["relation"] == HEAD]
        if "relation" not in cols:
            if len(d.rows) == 1 and persons:
                persons[0]["relation"] = HEAD
                heads = persons[:1]
            elif len(d.rows) > 1:
                self.error(sheet, first, BY_KEY["relation"].header, "该户有多行成员，但台账缺少“与户主关系”列，无法确定户主")
                ok = False
        else:
            head_rows = [r for r in d.rows if self._relation(ctx, r) == HEAD]
            if not head_rows:
                self.error(sheet, first, ctx.label("relation"), "该户没有户主（“与户主关系”中没有“户主”）")
                ok = False
            elif len(head_rows) > 1:
                self.error(sheet, head_rows[1], ctx.label("relation"), f"该户有 {len(head_rows)} 名户主")
                ok = False
        head = heads[0] if len(heads) == 1 else None

        if head is not None and "head_name" in cols:
            hv, hrow = hval("head_name")
            if not P.is_blank(hv) and P.name_key(hv) != head["name"]:
                self.warn(sheet, hrow, ctx.label("head_name"),
                          f"户主姓名“{P.text(hv)}”与户主行的姓名“{head['name']}”不一致，以成员行为准")

        # --- household fields
        hukou = None
        hv, hrow = hval("hukou_type")
        if hv is not None:
            try:
                hukou = P.parse_choice(hv, [("urban", "城镇"), ("rural", "农村")], P.HUKOU_SYNONYMS, "户籍性质")
            except P.CellError as exc:
                self.error(sheet, hrow, ctx.label("hukou_type"), str(exc))
                ok = False
        address = P.text(hval("address")[0])[:200]
        note = P.text(hval("note")[0])
        covered = None
        cv, crow = hval("covered")
        if cv is not None:
            try:
                covered = P.parse_count(cv)
            except P.CellError as exc:
                self.error(sheet, crow, ctx.label("covered"), str(exc))
                ok = False
        if covered is not None and covered > len(d.rows):
            self.error(sheet, crow, ctx.label("covered"), f"保障人数 {covered} 超过该户登记的成员数 {len(d.rows)}")
            ok = False

        # --- programme
        enrollments: list[dict[str, Any]] = []
        if ctx.has_programme:
            enrollments, good = self._enrollments(ctx, d, persons, head, hukou, covered, hval)
            ok = ok and good
            if enrollments and hukou is None:
                code = enrollments[0]["code"]
                hukou = {"dibao_urban": "urban", "dibao_rural": "rural"}.get(code)
        if not ok or place is None or head is None:
            return None, id_rows
        if hukou is None:
            hukou = "urban" if place.village.is_urban else "rural"
        phone = head["phone"] or next((p["phone"] for p in persons if p["phone"]), "")
        if "phone" in cols:
            pv = first.get(cols["phone"])
            if not P.is_blank(pv):
                phone = head["phone"] or phone
        record = {
            "division_id": place.village.pk, "hukou": hukou, "address": address, "phone": phone, "note": note,
            "persons": persons, "enrollments": enrollments,
        }
        return record, id_rows

    def _person(self, ctx: SheetCtx, r: Row) -> dict[str, Any] | None:
        sheet, cols = ctx.name, ctx.cols
        ok = True
        name = ""
        if "name" in cols:
            try:
                raw_name = r.get(cols["name"])
                name = self._names.get(raw_name) if type(raw_name) is str else None
                if name is None:
                    name = P.parse_name(raw_name)
                    if type(raw_name) is str:
                        if len(self._names) > 100_000:
                            self._names.clear()
                        self._names[raw_name] = name
            except P.CellError as exc:
                self.error(sheet, r, ctx.label("name"), str(exc))
                ok = False
        else:
            self.error(sheet, r, BY_KEY["name"].header, "台账缺少“姓名”列")
            ok = False
        idn = ""
        birth: dt.date | None = None
        sex = ""
        old15 = ""
        if "id_number" not in cols:
            self.error(sheet, r, BY_KEY["id_number"].header, "台账缺少“身份证号”列")
            ok = False
        else:
            label = ctx.label("id_number")
            raw = r.get(cols["id_number"])
            if (fast := self.fast_id(raw)) is not None:
                idn, birth, sex = fast
                prev = self.seen_ids.get(idn)
                if prev is not None:
                    where = f"第 {prev[1]} 行" if prev[0] == sheet else f"工作表“{prev[0]}”第 {prev[1]} 行"
                    self.error(sheet, r, label, f"身份证号 {idn} 在本文件中重复（与{where}）")
                    ok = False
                else:
                    self.seen_ids[idn] = (sheet, r.number)
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                self.error(sheet, r, label, "身份证号被 Excel 存成了数字，末几位已丢失，无法恢复；请将该列设为文本格式后重新录入")
                ok = False
            elif P.is_blank(raw):
                self.error(sheet, r, label, "身份证号为空")
                ok = False
            elif P.looks_scientific(P.text(raw)):
                self.error(sheet, r, label, f"身份证号“{P.text(raw)}”是科学计数法数字，末几位已丢失；请设为文本后重新录入")
                ok = False
            else:
                chk = idnumber.check(raw, today=self.today)
                if not chk.valid:
                    msg = f"身份证号“{chk.normalized}”无效：{chk.reason}"
                    if chk.normalized.endswith("000") and "校验码" in chk.reason:
                        msg += "（末三位为 000，可能被 Excel 当作数字截断过）"
                    self.error(sheet, r, label, msg)
                    ok = False
                else:
                    idn, birth = chk.normalized, chk.birth_date
                    sex = "1" if chk.sex == "男" else "2"
                    if chk.notice:
                        old15 = P.text(raw).replace(" ", "")[:15]
                        self.warn(sheet, r, label, f"{chk.notice}：{old15} → {idn}")
                    prev = self.seen_ids.get(idn)
                    if prev is not None:
                        where = f"第 {prev[1]} 行" if prev[0] == sheet else f"工作表“{prev[0]}”第 {prev[1]} 行"
                        self.error(sheet, r, label, f"身份证号 {idn} 在本文件中重复（与{where}）")
                        ok = False
                    else:
                        self.seen_ids[idn] = (sheet, r.number)

        relation = "99"
        if "relation" in cols:
            try:
                relation = _memo(self._relations, r.get(cols["relation"]), P.parse_relation) or "99"
            except P.CellError as exc:
                self.warn(sheet, r, ctx.label("relation"), f"{exc}，按“其他”导入")

        def cell(key: str) -> Any:
            return r.get(cols[key]) if key in cols else None

        if birth is not None:
            bv = cell("birth_date")
            if type(bv) is dt.date:
                if bv != birth:
                    self.warn(sheet, r, ctx.label("birth_date"),
                              f"出生日期“{P.text(bv)}”与身份证号（{birth:%Y-%m-%d}）不符，以身份证号为准")
            elif not P.is_blank(bv):
                try:
                    part = P.parse_partial_date(bv)
                except P.CellError:
                    part = None
                    self.warn(sheet, r, ctx.label("birth_date"), f"出生日期“{P.text(bv)}”无法识别，以身份证号为准")
                if part is not None and not _same_birth(part, birth):
                    self.warn(sheet, r, ctx.label("birth_date"),
                              f"出生日期“{P.text(bv)}”与身份证号（{birth:%Y-%m-%d}）不符，以身份证号为准")
            sv = cell("sex")
            if not P.is_blank(sv):
                try:
                    given = _memo(self._sexes, sv, P.parse_sex)
                except P.CellError:
                    given = None
                    self.warn(sheet, r, ctx.label("sex"), f"性别“{P.text(sv)}”无法识别，以身份证号为准")
                if given is not None and given != sex:
                    self.warn(sheet, r, ctx.label("sex"),
                              f"性别“{P.text(sv)}”与身份证号（{'男' if sex == '1' else '女'}）不符，以身份证号为准")

        def choice(key: str) -> str:
            if key not in cols:
                return ""
            v = r.get(cols[key])
            if P.is_blank(v):
                return ""
            table, choices, syn, label = self.codes[key]
            code = table.get(v if type(v) is str else P.text(v))
            if code is not None:
                return code
            try:
                return P.parse_choice(v, choices, syn, label) or ""
            except P.CellError as exc:
                self.warn(sheet, r, ctx.label(key), f"{exc}，该项未导入")
                return ""

        got = {key: choice(key) for key in ctx.choice_keys}
        ethnicity = got.get("ethnicity", "")
        education = got.get("education", "")
        marital = got.get("marital_status", "")
        health = got.get("health", "")
        work = got.get("work_capacity", "")
        dis_cat = got.get("disability_category", "")
        grade_s = got.get("disability_grade", "")
        phone = ""
        if "phone" in cols:
            pv = r.own(cols["phone"]) if r.own(cols["phone"]) is not None else r.get(cols["phone"])
            try:
                phone = pv if type(pv) is str and len(pv) == 11 and pv.isdigit() else P.parse_phone(pv)
            except P.CellError as exc:
                self.warn(sheet, r, ctx.label("phone"), f"{exc}，该项未导入")
        if not ok:
            return None
        return {
            "_row": r, "name": name, "id_number": idn, "birth": birth.isoformat() if birth else "", "sex": sex,
            "relation": relation, "ethnicity": ethnicity, "education": education, "marital": marital,
            "health": health, "work": work, "dis_cat": dis_cat, "dis_grade": int(grade_s) if grade_s else None,
            "phone": phone, "bank_name": "", "account": "", "old15": old15,
        }

    def _enrollments(self, ctx: SheetCtx, d: Draft, persons: list[dict[str, Any]], head: dict[str, Any] | None,
                     hukou: str | None, covered: int | None,
                     hval: Callable[[str], tuple[Any, Row | None]]) -> tuple[list[dict[str, Any]], bool]:
        sheet, cols = ctx.name, ctx.cols
        first = d.rows[0]
        ok = True
        cat_v, cat_row = hval("category")
        category = P.text(cat_v)
        programme = ctx.programme
        if programme is None:
            town_v, _ = hval("township")
            vil_v, _ = hval("village")
            key = (ctx.programme_hint, category, hukou, town_v, vil_v, ctx.default_town)
            if key in self._programme_memo:
                programme = self._programme_memo[key]
            else:
                programme = self._programme_memo[key] = self._find_programme(ctx, category, hukou, town_v, vil_v)
        if programme is None:
            self.error(sheet, cat_row or first, ctx.label("category"),
                       "无法确定救助项目：请用 --programme 指定，或在工作表名称、标题或“保障类别”中写明（如“农村低保”）")
            return [], False
        amount = None
        av, arow = hval("amount")
        if "amount" in cols:
            try:
                amount = self._amount(av)
            except P.CellError as exc:
                self.error(sheet, arow, ctx.label("amount"), str(exc))
                ok = False
        if amount is None and ok:
            self.error(sheet, first, ctx.label("amount"), "缺少月保障金额")
            ok = False
        start = self.start_month
        sv, srow = hval("start_month")
        if sv is not None:
            try:
                start = P.parse_month(sv) or start
            except P.CellError as exc:
                self.error(sheet, srow, ctx.label("start_month"), str(exc))
                ok = False
        bank_name = P.text(hval("bank_name")[0])[:64]
        account = ""
        acv, acrow = hval("account")
        if acv is not None:
            try:
                account = P.parse_account(acv)
            except P.CellError as exc:
                self.error(sheet, acrow, ctx.label("account"), str(exc))
                ok = False
        if not ok or head is None or amount is None:
            return [], ok
        note = category if category and self.programmes.in_text(category) is None else ""
        out: list[dict[str, Any]] = []
        if programme.per_person:
            # One enrollment per person whose own row carries an amount; else the head alone.
            ai = cols.get("amount")
            for p in persons:
                own_amount = p["_row"].own(ai) if ai is not None else None
                if P.is_blank(own_amount):
                    continue
                try:
                    pa = P.parse_amount(own_amount)
                except P.CellError as exc:
                    self.error(sheet, p["_row"], ctx.label("amount"), str(exc))
                    ok = False
                    continue
                out.append({"code": programme.code, "programme_id": programme.id, "person": p["id_number"],
                            "covered": 1, "amount": str(pa), "start": start.isoformat(), "category": note})
                acc_own = p["_row"].own(cols["account"]) if "account" in cols else None
                if not P.is_blank(acc_own):
                    try:
                        p["account"] = P.parse_account(acc_own)
                    except P.CellError as exc:
                        self.error(sheet, p["_row"], ctx.label("account"), str(exc))
                        ok = False
                else:
                    p["account"] = account
                p["bank_name"] = bank_name
            if not out:
                out.append({"code": programme.code, "programme_id": programme.id, "person": head["id_number"],
                            "covered": 1, "amount": str(amount), "start": start.isoformat(), "category": note})
                head["bank_name"], head["account"] = bank_name, account
        else:
            out.append({"code": programme.code, "programme_id": programme.id, "person": None,
                        "covered": covered or len(persons), "amount": str(amount), "start": start.isoformat(),
                        "category": note})
            head["bank_name"], head["account"] = bank_name, account
        return (out if ok else []), ok

    # ------------------------------------------------------------ batches

    def _flush(self) -> None:
        if not self.pending:
            return
        taken: set[str] = set()
        if self.check_database:
            taken = existing_ids([idn for _, _, id_rows, _ in self.pending for idn, _, _ in id_rows])
        out = []
        stats = self.stats
        for id_label, household, id_rows, money in self.pending:
            if taken and (clash := [(idn, row, sheet) for idn, row, sheet in id_rows if idn in taken]):
                for idn, row, sheet in clash:
                    self.error(sheet, row, id_label, f"身份证号 {idn} 已在系统中登记，不能重复导入")
                stats.invalid_households += 1
                continue
            out.append(household)
            stats.households += 1
            stats.persons += len(household[6])
            for code, amount in money:
                stats.enrollments += 1
                stats.monthly_total += amount
                stats.programmes[code] = stats.programmes.get(code, 0) + 1
        batch = (tuple(sorted(self.pending_fields)), out)
        if out and self.sink is not None:
            self.sink(batch)
        elif out and self.spool is not None:
            marshal.dump(batch, self.spool)
        self.pending = []
        self.pending_persons = 0
        self.pending_fields = frozenset()


_WEIGHTS = idnumber.WEIGHTS
_CHECK_CHARS = idnumber.CHECK_CHARS


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[offset:], strict=False))


# The MOD 11-2 sum in three parts: region (6 digits), birth date (8), sequence (3). The first two repeat across a
# ledger and are cached with their verdicts; the third has only 1000 values.
_SEQUENCE_PART = {f"{i:03d}": _weighted(f"{i:03d}", 14) for i in range(1000)}


def fast_id(raw: Any, today: dt.date, regions: dict[str, int],
            births: dict[str, tuple[dt.date | None, int]] | None = None) -> tuple[str, dt.date, str] | None:
    """The common case, a clean 18-character number, checked without building an IdCheck: the same rules as
    registry.idnumber.check (tests/registry/test_ledger_parsers.py keeps them equal). Returns (number, birth,
    sex code), or None: then idnumber.check gives the verdict and the reason. `regions` and `births` are the
    caller's caches of the parts already judged (region code → its part of the sum, or -1 if unknown)."""
    if type(raw) is not str or len(raw) != 18 or not raw.isascii() or not raw[:17].isdigit() \
            or raw[17] not in _CHECK_CHARS:
        return None
    code6 = raw[:6]
    region_part = regions.get(code6)
    if region_part is None:
        from minzheng.registry import regioncodes

        region_part = regions[code6] = _weighted(code6, 0) if regioncodes.lookup(code6) is not None else -1
    if region_part < 0:
        return None
    key = raw[6:14]
    known = births.get(key) if births is not None else None
    if known is None:
        birth: dt.date | None
        try:
            birth = dt.date(int(key[:4]), int(key[4:6]), int(key[6:]))
        except ValueError:
            birth = None
        if birth is not None and (birth > today or birth.year < idnumber.EARLIEST_BIRTH_YEAR):
            birth = None
        known = (birth, _weighted(key, 6))
        if births is not None:
            births[key] = known
    birth, birth_part = known
    if birth is None or _CHECK_CHARS[(region_part + birth_part + _SEQUENCE_PART[raw[14:17]]) % 11] != raw[17]:
        return None
    return raw, birth, "1" if raw[16] in "13579" else "2"


def _code_tables() -> dict[str, tuple[dict[str, str], list[tuple[str, str]], dict[str, str] | None, str]]:
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


def _warm_up() -> None:
    from minzheng.registry import pinyin, regioncodes

    pinyin.initials("陈志富")
    regioncodes.lookup("350702")


def _memo(cache: dict[str, str], value: Any, parse: Callable[[Any], str | None]) -> str | None:
    """parse(value), remembered for text cells (a ledger repeats 户主/配偶 and 男/女 endlessly); CellError passes."""
    if type(value) is str and (hit := cache.get(value)) is not None:
        return hit
    got = parse(value)
    if type(value) is str and got:
        cache[value] = got
    return got


def _relation_of(ctx: SheetCtx, row: Row) -> str | None:
    i = ctx.cols.get("relation")
    if i is None:
        return None
    try:
        return P.parse_relation(row.get(i))
    except P.CellError:
        return None


def _same_birth(part: tuple[int, int | None, int | None], birth: dt.date) -> bool:
    y, m, d = part
    return y == birth.year and (m is None or m == birth.month) and (d is None or d == birth.day)


def _registry_has_persons() -> bool:
    from minzheng.registry.models import Person

    with connection.cursor() as cur:
        cur.execute(f'SELECT 1 FROM "{Person._meta.db_table}" LIMIT 1')
        return cur.fetchone() is not None


def existing_ids(ids: list[str]) -> set[str]:
    """ID numbers among `ids` already in the registry (one indexed lookup per 500)."""
    from minzheng.registry.models import Person

    table = Person._meta.db_table
    col = Person._meta.get_field("id_number").column
    found: set[str] = set()
    with connection.cursor() as cur:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join(["%s"] * len(chunk))
            cur.execute(f'SELECT "{col}" FROM "{table}" WHERE "{col}" IN ({marks})', chunk)
            found.update(r[0] for r in cur.fetchall())
    return found


def _compact(rec: dict[str, Any], initials: Callable[[str], str]) -> tuple[Any, ...]:
    """A household as plain tuples of str/int/None (marshal-able, small)."""
    persons = tuple(
        (p["name"], p["id_number"], p["birth"], p["sex"], initials(p["name"]), p["ethnicity"], p["relation"],
         p["education"], p["marital"], p["health"], p["work"], p["dis_cat"], p["dis_grade"], p["phone"],
         p["bank_name"], p["account"], p["old15"])
        for p in rec["persons"]
    )
    head_index = next(i for i, p in enumerate(rec["persons"]) if p["relation"] == HEAD)
    index_of = {p["id_number"]: i for i, p in enumerate(rec["persons"])}
    enrollments = tuple(
        (e["programme_id"], -1 if e["person"] is None else index_of[e["person"]], e["covered"], e["amount"],
         e["start"], e["category"])
        for e in rec["enrollments"]
    )
    return (rec["division_id"], rec["hukou"], rec["address"], rec["phone"], rec["note"], head_index, persons,
            enrollments)


def read_spool(fh: IO[bytes]) -> Iterator[Batch]:
    fh.seek(0)
    while True:
        try:
            yield marshal.load(fh)
        except EOFError:
            return
