"""Streaming ledger reader: sheets of .xlsx/.xls (python-calamine) and .csv (UTF-8, UTF-8 with BOM, GBK/GB18030),
with vertically merged cells filled down and the header found among the first rows.

calamine reports a merged cell's value only in its top-left cell; `SheetSource.rows()` copies it into the other
cells of the range and marks them as continuations, so a household's merged 序号/户主/金额 cells read as
"same household" rather than as blanks or as a new household.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from minzheng.core import filebounds

from .columns import BY_KEY, match_header, norm_header
from .parsers import is_blank, text
from .xlsx_parts import Merge, SheetParts, sheet_members, worth_splitting

HEADER_SCAN_ROWS = 12
SUPPORTED = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")


class LedgerFileError(ValueError):
    """The file as a whole cannot be read (wrong type, damaged, password)."""


NOTHING_CONTINUED: frozenset[int] = frozenset()


@dataclass(slots=True)
class Row:
    number: int                       # Excel row number, 1-based, as Excel shows it
    values: list[Any]
    continued: frozenset[int] = NOTHING_CONTINUED   # indexes whose value was copied from a merged range above/left

    def own(self, i: int) -> Any:
        """The cell's own value: None where the value is a merged-range copy."""
        if i >= len(self.values) or i in self.continued:
            return None
        return self.values[i]

    def get(self, i: int) -> Any:
        return self.values[i] if i < len(self.values) else None


@dataclass
class Header:
    rows: tuple[int, ...]                                  # Excel row numbers of the header rows
    columns: dict[str, int]                                # canonical key → column index
    labels: dict[str, str]                                 # canonical key → header text as written
    title: str = ""                                        # text above the header (title and unit rows)
    unknown: list[str] = field(default_factory=list)       # header texts not recognised

    def label(self, key: str) -> str:
        return self.labels.get(key) or BY_KEY[key].header


def column_letter(index: int) -> str:
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


class SheetSource:
    """One sheet, read row by row."""

    def __init__(self, name: str, rows: Iterator[list[Any]], *, first_row: int = 1, col_offset: int = 0,
                 merges: list[Merge] | Callable[[], list[Merge]] | None = None, total_rows: int = 0) -> None:
        self.name = name
        self._rows = rows
        self.first_row = first_row
        self.col_offset = col_offset
        self.total_rows = total_rows
        self._merge_list = merges     # or a callable giving them once known (a sheet read in parts)

    def _merges_by_top_row(self) -> dict[int, list[tuple[int, int, int]]]:
        """(top row → [(first col, last row, last col)]), 0-based, rows absolute and columns as read."""
        merges = self._merge_list() if callable(self._merge_list) else self._merge_list
        out: dict[int, list[tuple[int, int, int]]] = {}
        for (r0, c0), (r1, c1) in merges or ():
            if r1 > r0 or c1 > c0:
                out.setdefault(r0, []).append((c0 - self.col_offset, r1, c1 - self.col_offset))
        return out

    def letter(self, index: int) -> str:
        return column_letter(index + self.col_offset)

    def rows(self) -> Iterator[Row]:
        active: list[tuple[int, int, int, Any]] = []     # (first col, last row, last col, value)
        r = self.first_row - 2
        merges = self._merges_by_top_row()
        for values in self._rows:
            r += 1
            if not isinstance(values, list):
                values = list(values)
            if not active and r not in merges:
                yield Row(r + 1, values)
                continue
            continued: set[int] = set()
            if active:
                still = []
                for c0, r1, c1, v in active:
                    if r > r1:
                        continue
                    still.append((c0, r1, c1, v))
                    for c in range(max(c0, 0), c1 + 1):
                        while c >= len(values):
                            values.append("")
                        values[c] = v
                        continued.add(c)
                active = still
            starts = merges.pop(r, None)
            if starts:
                for c0, r1, c1 in starts:
                    v = values[c0] if 0 <= c0 < len(values) else ""
                    for c in range(max(c0 + 1, 0), c1 + 1):   # the rest of the top row of the range
                        while c >= len(values):
                            values.append("")
                        values[c] = v
                        continued.add(c)
                    if r1 > r:
                        active.append((c0, r1, c1, v))
            yield Row(r + 1, values, frozenset(continued))


def open_sheets(path: str | Path) -> Iterator[SheetSource]:
    """Every sheet of the file, one at a time (a sheet's cells are loaded by calamine only when reached)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LedgerFileError(f"不支持的文件类型“{suffix or path.name}”：请上传 .xlsx、.xls 或 .csv 文件")
    try:   # sizes, rows, cells and strings are bounded before calamine allocates anything
        filebounds.check_file(path)
    except filebounds.FileBoundError as exc:
        raise LedgerFileError(str(exc)) from None
    if suffix == ".csv":
        yield _csv_sheet(path)
        return
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise LedgerFileError(f"无法读取文件“{path.name}”：文件已损坏、加密或不是 Excel 文件（{type(exc).__name__}）") from exc
    parted = _split_candidates(path) if suffix in (".xlsx", ".xlsm") else {}
    try:
        for name in wb.sheet_names:
            if name in parted:
                info, others = parted[name]
                parts = SheetParts(path, info, name, others)   # closes itself once its rows are read
                yield SheetSource(name, parts.rows(), merges=parts.merges, total_rows=parts.total_rows)
                continue
            try:
                sheet = wb.get_sheet_by_name(name)
            except Exception as exc:
                raise LedgerFileError(f"无法读取工作表“{name}”（{type(exc).__name__}）") from exc
            try:
                merges = sheet.merged_cell_ranges or []
            except Exception:
                merges = []
            start = sheet.start or (0, 0)
            end = sheet.end or (0, 0)
            # python-calamine's iter_rows starts at row 1 (absolute) but at the first used column.
            yield SheetSource(name, sheet.iter_rows(), first_row=1, col_offset=start[1], merges=merges,
                              total_rows=end[0] + 1)
            del sheet
    finally:
        wb.close()


def _split_candidates(path: Path) -> dict[str, tuple[zipfile.ZipInfo, set[str]]]:
    """Sheets big enough to be read in parts (xlsx_parts): name → (its XML member, the other sheets' members)."""
    try:
        members = sheet_members(path)
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, KeyError):
        return {}
    names = {info.filename for info in members.values()}
    return {name: (info, names - {info.filename}) for name, info in members.items() if worth_splitting(info)}


def sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
        return "gb18030"   # a superset of GBK and GB2312, which township PCs write by default


def _csv_sheet(path: Path) -> SheetSource:
    with path.open("rb") as fh:
        head = fh.read(256 * 1024)
    encoding = sniff_encoding(head)
    sample = head.decode(encoding, errors="ignore")[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    size = path.stat().st_size
    line_len = max(1, len(head) // max(1, head.count(b"\n")))

    def rows() -> Iterator[list[Any]]:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            yield from csv.reader(fh, dialect)

    return SheetSource(path.stem, rows(), total_rows=size // line_len)


# ---------------------------------------------------------------- header detection

def _row_keys(cells: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, c in enumerate(cells):
        if c and (k := match_header(c)) and k not in out:
            out[k] = i
    return out


def _combine(upper: Row, lower: Row) -> tuple[dict[str, int], dict[str, str]]:
    n = max(len(upper.values), len(lower.values))
    keys: dict[str, int] = {}
    labels: dict[str, str] = {}
    # The lower row of a two-row header is made of header texts; a data row (names, places, numbers) is not.
    own = [i for i in range(len(lower.values)) if i not in lower.continued and not is_blank(lower.values[i])]
    if not own or any(not isinstance(lower.values[i], str) for i in own):
        return {}, {}
    header_like = sum(1 for i in own if match_header(lower.values[i])
                      or match_header(text(upper.get(i)) + text(lower.values[i])))
    if header_like < 0.6 * len(own):
        return {}, {}
    for i in range(n):
        up = text(upper.get(i))
        low = text(lower.get(i))
        if i in lower.continued and low == up:
            low = ""       # a header cell merged over both rows
        candidates = [c for c in ((up + low) if up and low else "", low, up) if c]
        for cand in candidates:
            k = match_header(cand)
            if k and k not in keys:
                keys[k] = i
                labels[k] = cand
                break
    return keys, labels


def _score(keys: dict[str, int]) -> int:
    if "name" not in keys and "id_number" not in keys:
        return 0
    return len([k for k in keys if k != "age"])


def find_header(first_rows: list[Row]) -> tuple[Header, int] | None:
    """The header among the first rows: one row, or two rows where the upper is a merged group title. Returns the
    header and the index in `first_rows` of the first data row."""
    best: tuple[int, Header, int] | None = None
    cells_of = [[text(v) for v in row.values] for row in first_rows]
    keys_of = [_row_keys(cells) for cells in cells_of]
    singles = [_score(k) for k in keys_of]
    for i, row in enumerate(first_rows):
        score = singles[i]
        if score >= 3 and (best is None or score > best[0]):
            labels = {k: cells_of[i][j] for k, j in keys_of[i].items()}
            best = (score, Header((row.number,), keys_of[i], labels), i + 1)
        if i + 1 < len(first_rows):
            pair_keys, pair_labels = _combine(row, first_rows[i + 1])
            pair_score = _score(pair_keys)
            # A tie with the lower row alone still means a two-row header when the upper row holds header
            # cells of its own (merged 序号/姓名 …); a title row above a header holds none.
            beats_lower = pair_score > singles[i + 1] or (pair_score == singles[i + 1] and len(keys_of[i]) > 0)
            if pair_score >= 3 and beats_lower and pair_score > score and (best is None or pair_score >= best[0]):
                best = (pair_score, Header((row.number, first_rows[i + 1].number), pair_keys, pair_labels), i + 2)
    if best is None:
        return None
    _, header, data_start = best
    top = header.rows[0]
    title_parts = []
    for row in first_rows:
        if row.number >= top:
            break
        for v in row.values:
            t = text(v)
            if t and t not in title_parts:
                title_parts.append(t)
    header.title = " ".join(title_parts)
    used = set(header.columns.values())
    for row in first_rows:
        if row.number in header.rows:
            for j, v in enumerate(row.values):
                t = text(v)
                if t and j not in used and t not in header.unknown and norm_header(t):
                    header.unknown.append(t)
    return header, data_start


def is_column_number_row(row: Row) -> bool:
    """The "1 2 3 …" or "(1) (2) (3)" row some ledgers put under the header."""
    nums = []
    for v in row.values:
        if is_blank(v):
            continue
        t = text(v).strip("()（）")
        if not t.isdigit():
            return False
        nums.append(int(t))
    return len(nums) >= 3 and nums == sorted(nums) and len(set(nums)) == len(nums) and nums[0] <= 2
