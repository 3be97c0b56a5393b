"""One streaming pass over a ledger: rows grouped into households (sheet.py), each household checked as soon as it
ends (household.py), valid households collected in small batches (batches.py).

Each household is first tried on the fast path, the household check with a report that gives up at the first
issue; a household with any issue is checked again on the exact path, which reports every one. Each batch is
checked against the database (ID numbers already registered) and its valid households go to the writer or to a
spool file in compact form, so memory stays flat however long the file.
"""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from minzheng.regions.models import Division

from .. import parsers as P
from ..reader import HEADER_SCAN_ROWS, Row, SheetSource, find_header, is_column_number_row, open_sheets
from ..resolve import Places, ProgrammeRef, Programmes
from .batches import BATCH_PERSONS, Batch, Checked, existing_ids, registry_has_persons
from .cells import Cells
from .household import check_household
from .issues import MAX_KEPT_IGNORED, Issue, IssueLog, NotPlain, Stats, stop
from .sheet import (
    IGNORED_KINDS,
    Draft,
    is_plain_person,
    looks_like_notes,
    row_kind,
    sheet_context,
    starts_household,
)


class Validator(IssueLog):
    def __init__(self, *, scope: Division | None, programme_option: str | None, today: dt.date,
                 spool: IO[bytes] | None, progress: Callable[[int, int], None] | None = None,
                 sink: Callable[[Batch], None] | None = None,
                 check_database: bool = True) -> None:
        super().__init__()
        self.places = Places(scope)
        self.programmes = Programmes()
        self.option: ProgrammeRef | None = None
        if programme_option:
            self.option = self.programmes.by_option(programme_option)
        self.cells = Cells(self.places, self.programmes)
        self.today = today
        self.start_month = today.replace(day=1)
        self.spool = spool
        self.sink = sink
        self.progress = progress
        # An empty registry holds no ID to clash with (one written meanwhile by someone else still fails the
        # unique index when this import is written, and is reported then).
        self.check_database = check_database and registry_has_persons()
        self.stats = Stats()
        self.seen_ids: dict[str, tuple[str, int]] = {}
        self.regions: dict[str, int] = {}     # fast_id's memo tables (ids.py)
        self.births: dict[str, tuple[dt.date | None, int]] = {}
        self.pending: list[Checked] = []      # households awaiting _flush
        self.pending_persons = 0
        self.pending_fields: frozenset[int] = frozenset()   # person fields the pending households may fill
        self._rows_done = 0
        self._rows_total = 0

    def expected_persons(self) -> int:
        """Rows in the sheets opened so far (what calamine reports): about one person per row."""
        return self._rows_total

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
            if len(first) >= 3 and not looks_like_notes(first):
                self.warn(source.name, None, "", "未找到表头（应含“姓名”“身份证号”等列），该工作表已跳过")
            return
        header, data_start = found
        ctx = sheet_context(source, header, self.option, self.programmes, self.places, self.cells.codes)
        self.stats.sheets.append(source.name)
        self.stats.headers[source.name] = header_texts(first, header.rows)
        draft: Draft | None = None

        def all_rows() -> Iterator[Row]:
            yield from first[data_start:]
            yield from rows

        skip_numbers = True
        name_i = ctx.at.name
        for row in all_rows():
            self._rows_done += 1
            if self.progress and self._rows_done % 5000 == 0:
                self.progress(self._rows_done, self._rows_total)
            if skip_numbers:
                skip_numbers = False
                if is_column_number_row(row):
                    continue
            kind = "person" if is_plain_person(row, name_i) else row_kind(ctx, row)
            if kind == "skip":
                continue
            if kind in IGNORED_KINDS:
                self._ignored(ctx.name, row, IGNORED_KINDS[kind])
                continue
            self.stats.rows_read += 1
            if kind == "bad":
                self.error(ctx.name, row, ctx.label("name"), "该行缺少姓名和身份证号")
                if draft is not None:
                    draft.rows.append(row)
                continue
            if draft is None or starts_household(ctx, draft, row):
                if draft is not None:
                    self._finish(draft)
                draft = Draft(ctx)
                n = len(row.values)
                draft.strong = {i: row.values[i] for i in ctx.strong if i < n and not P.is_blank(row.values[i])}
            draft.rows.append(row)
        if draft is not None:
            self._finish(draft)

    def _ignored(self, sheet: str, row: Row, what: str) -> None:
        self.stats.ignored_rows += 1
        if len(self.stats.ignored) < MAX_KEPT_IGNORED:
            values = [P.text(v) for v in row.values]
            self.stats.ignored.append(Issue(sheet, row.number, "", f"已忽略（{what}，不是家庭成员数据）", values))

    # ------------------------------------------------------------ households

    def _finish(self, draft: Draft) -> None:
        done = self._fast_household(draft)
        if done is None:
            done = self._exact_household(draft)
            if done is None:
                self.stats.invalid_households += 1
                return
        checked, fields = done
        if fields is not self.pending_fields and not fields <= self.pending_fields:
            self.pending_fields = self.pending_fields | fields
        self.pending.append(checked)
        self.pending_persons += len(checked[1][6])
        if self.pending_persons >= BATCH_PERSONS:
            self._flush()

    def _fast_household(self, d: Draft) -> tuple[Checked, frozenset[int]] | None:
        """The household when it is plainly valid (not one error or warning); else None, with nothing recorded,
        for _exact_household to check and report. test_ledger_fastpath keeps the two paths equal."""
        try:
            checked, fields, ids = check_household(self, d, stop)
        except NotPlain:
            return None
        if checked is None:
            return None
        self._remember(d.ctx.name, ids)
        return checked, fields

    def _exact_household(self, d: Draft) -> tuple[Checked, frozenset[int]] | None:
        """The household checked with every issue reported; None when it is invalid."""
        before = self.error_count
        checked, fields, ids = check_household(self, d, self.report)
        self._remember(d.ctx.name, ids)
        if checked is None or self.error_count != before:
            return None
        return checked, fields

    def _remember(self, sheet: str, ids: dict[str, int]) -> None:
        seen = self.seen_ids
        for idn, row in ids.items():
            seen[idn] = (sheet, row)

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


def header_texts(first: list[Row], numbers: tuple[int, ...]) -> list[str]:
    """The header as the ledger writes it, one text per column (a two-row header joined: 家庭成员/姓名)."""
    out: list[str] = []
    for row in first:
        if row.number not in numbers:
            continue
        for j, v in enumerate(row.values):
            t = P.text(v).strip()
            while len(out) <= j:
                out.append("")
            if t and t != out[j]:
                out[j] = f"{out[j]}/{t}" if out[j] else t
    return out


def _warm_up() -> None:
    from minzheng.registry import pinyin, regioncodes

    pinyin.initials("陈志富")
    regioncodes.lookup("350702")

