"""Untrusted files are measured before any parser sees them.

A small .xlsx can inflate to gigabytes: one huge shared string (which the spreadsheet reader then copies into
every cell that uses it), millions of tiny rows, or a zip header that lies about sizes. `check_file` reads the
archive itself, inflating each member in fixed-size chunks without keeping it, and refuses the file with a Chinese
message naming the bound and its setting as soon as one is passed:

- the file's size (uploads also while they are written, `check_size`);
- each zip member's declared and actual inflated size, and their total;
- the shared strings: how many, their total size and the longest one;
- cells in the workbook and rows per sheet;
- the text the string cells would expand to (string cells × their strings' sizes), counted exactly only when the
  cheap estimate (string cells × longest string) is over the bound.

Memory stays at a few chunks whatever the file holds. All bounds are settings (README, 配置)."""

from __future__ import annotations

import re
import struct
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

CHUNK = 1 << 20          # compressed bytes read at a time
OUT_CHUNK = 4 << 20      # inflated bytes produced at a time
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")


class FileBoundError(ValueError):
    """The file passes a bound; the message names it and is shown as is."""


def _mb(n: int) -> str:
    return f"{n / 1048576:,.0f} MB" if n >= 1048576 else f"{n:,} 字节"


# Defaults: generous for a whole district's ledger (500,000 persons in one sheet is about 8 million cells and
# 300 MB of sheet XML), far below what a bomb needs to hurt. settings.py reads each from the environment.
DEFAULTS = {
    "MINZHENG_UPLOAD_MAX_BYTES": 100 * 1048576,
    "MINZHENG_XLSX_MAX_MEMBER_BYTES": 1024 * 1048576,
    "MINZHENG_XLSX_MAX_TOTAL_BYTES": 2048 * 1048576,
    "MINZHENG_XLSX_MAX_SHARED_STRINGS": 5_000_000,
    "MINZHENG_XLSX_MAX_SHARED_STRINGS_BYTES": 256 * 1048576,
    "MINZHENG_XLSX_MAX_STRING_BYTES": 128 * 1024,
    "MINZHENG_XLSX_MAX_CELLS": 20_000_000,
    "MINZHENG_XLSX_MAX_ROWS": 1_048_576,
    "MINZHENG_XLSX_MAX_TEXT_BYTES": 1024 * 1048576,
}


def _setting(name: str) -> int:
    # The ledger reader also runs without Django settings (benchmarks, property tests): defaults then.
    return int(getattr(settings, name, DEFAULTS[name]) if settings.configured else DEFAULTS[name])


@dataclass(frozen=True)
class Bounds:
    upload_bytes: int
    member_bytes: int
    total_bytes: int
    shared_strings: int
    shared_strings_bytes: int
    string_bytes: int
    cells: int
    rows: int
    text_bytes: int

    @classmethod
    def from_settings(cls) -> Bounds:
        return cls(upload_bytes=_setting("MINZHENG_UPLOAD_MAX_BYTES"),
                   member_bytes=_setting("MINZHENG_XLSX_MAX_MEMBER_BYTES"),
                   total_bytes=_setting("MINZHENG_XLSX_MAX_TOTAL_BYTES"),
                   shared_strings=_setting("MINZHENG_XLSX_MAX_SHARED_STRINGS"),
                   shared_strings_bytes=_setting("MINZHENG_XLSX_MAX_SHARED_STRINGS_BYTES"),
                   string_bytes=_setting("MINZHENG_XLSX_MAX_STRING_BYTES"),
                   cells=_setting("MINZHENG_XLSX_MAX_CELLS"),
                   rows=_setting("MINZHENG_XLSX_MAX_ROWS"),
                   text_bytes=_setting("MINZHENG_XLSX_MAX_TEXT_BYTES"))


def check_size(size: int, bounds: Bounds | None = None) -> None:
    bounds = bounds or Bounds.from_settings()
    if size > bounds.upload_bytes:
        raise FileBoundError(f"文件超过 {_mb(bounds.upload_bytes)}（上传大小上限 MINZHENG_UPLOAD_MAX_BYTES），"
                             "请按乡镇或工作表拆分后再上传")


def check_upload(upload: object, field: str = "file") -> None:
    """An uploaded file's size, as a ValidationError on its form or API field."""
    from django.core.exceptions import ValidationError

    try:
        check_size(int(getattr(upload, "size", 0) or 0))
    except FileBoundError as exc:
        raise ValidationError({field: str(exc)}) from None


def bounded_chunks(chunks: Iterator[bytes], bounds: Bounds | None = None) -> Iterator[bytes]:
    """An upload's chunks, refused as soon as they pass the upload bound (before the rest is stored)."""
    bounds = bounds or Bounds.from_settings()
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        check_size(seen, bounds)
        yield chunk


def check_file(path: str | Path, bounds: Bounds | None = None) -> None:
    """Refuse the file (FileBoundError) if it passes any bound; a file that is not a zip archive is only sized
    here (CSV and .xls are read as streams or are small by format)."""
    bounds = bounds or Bounds.from_settings()
    path = Path(path)
    check_size(path.stat().st_size, bounds)
    if path.suffix.lower() in ZIP_SUFFIXES:
        _Workbook(path, bounds).check()
    elif path.suffix.lower() == ".parquet":
        _check_parquet(path, bounds)


def _check_parquet(path: Path, bounds: Bounds) -> None:
    """A Parquet file says in its footer how many rows it holds and how big they are once decoded."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(str(path)).metadata
    except Exception:
        return
    if meta.num_rows > bounds.rows:
        raise FileBoundError(f"文件超过 {bounds.rows:,} 行（MINZHENG_XLSX_MAX_ROWS），请拆分后再上传")
    if meta.num_rows * meta.num_columns > bounds.cells:
        raise FileBoundError(f"文件的单元格超过 {bounds.cells:,} 个（MINZHENG_XLSX_MAX_CELLS），请拆分后再上传")
    decoded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if decoded > bounds.total_bytes:
        raise FileBoundError(f"文件解码后有 {_mb(decoded)}，超过 {_mb(bounds.total_bytes)} 的上限"
                             "（MINZHENG_XLSX_MAX_TOTAL_BYTES）")


# ---------------------------------------------------------------- zip members, inflated without being kept


@dataclass
class _Member:
    name: str
    method: int
    offset: int
    compressed: int
    declared: int


def _members(fh: BinaryIO) -> list[_Member]:
    """The central directory, read directly (zipfile would trust the sizes it holds)."""
    import zipfile

    try:
        with zipfile.ZipFile(fh) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []   # not a zip: calamine reports a damaged file itself
    return [_Member(i.filename, i.compress_type, i.header_offset, i.compress_size, i.file_size) for i in infos
            if not i.is_dir()]


def _inflate(fh: BinaryIO, m: _Member, limit: int, what: str) -> Iterator[bytes]:
    """The member's bytes in chunks; FileBoundError once more than `limit` bytes come out."""
    fh.seek(m.offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise FileBoundError(f"文件已损坏：压缩包成员“{m.name}”的位置不对")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(m.offset + 30 + name_len + extra_len)
    left = m.compressed
    if m.method == 0:
        inflate = None
    elif m.method == 8:
        inflate = zlib.decompressobj(-15)
    else:
        raise FileBoundError(f"文件使用了不支持的压缩方式（成员“{m.name}”），请用 Excel 另存为 .xlsx 后再上传")
    out = 0
    while left > 0:
        raw = fh.read(min(CHUNK, left))
        if not raw:
            break
        left -= len(raw)
        pending = raw
        while pending:
            if inflate is None:
                data, pending = pending, b""
            else:
                try:
                    data = inflate.decompress(pending, OUT_CHUNK)
                except zlib.error as exc:
                    raise FileBoundError(f"文件已损坏：压缩包成员“{m.name}”无法解压") from exc
                pending = inflate.unconsumed_tail
            out += len(data)
            if out > limit:
                raise FileBoundError(f"{what}解压后超过 {_mb(limit)}，文件可能是恶意构造的“压缩炸弹”，已拒绝")
            if data:
                yield data
        if inflate is not None and inflate.eof:
            break
    if out != m.declared:
        raise FileBoundError(f"文件已损坏：压缩包成员“{m.name}”的实际大小与记录不符")


# ---------------------------------------------------------------- what the sheets and strings hold


_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")
# Each starts with a literal, which the regex engine finds fast; a row whose number is not its first attribute
# is simply not seen, and its cells' numbers are then all checked.
_WIDE_REF = re.compile(rb' r="([A-Z]{2,3})\d')
_ANY_REF = re.compile(rb' r="([A-Z]{0,3})(\d+)"')


def _tokens(data: bytes) -> tuple[bytes, ...]:
    """Row and cell start tags, with the namespace prefix the sheet uses (`<row ` or `<x:row ` …)."""
    found = _PREFIX.search(data)
    p = (found.group(1) or b"") if found else b""
    return b"<" + p + b"row ", b"<" + p + b"row>", b"<" + p + b"c ", b"<" + p + b"c>", p


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


class _Dimensions:
    """The last row and column a sheet's cells reach. Cheaply: the rows' own numbers, the few cells whose number
    has more digits (or a bigger first digit) than their rows', and the columns written with two or three letters
    (none in an ordinary ledger); when that upper bound is too big, `exact` reads every reference."""

    def __init__(self, prefix: bytes = b"") -> None:
        self.rows = re.compile(rb"<" + re.escape(prefix) + rb'row r="(\d+)"')
        self.last_row = 0
        self.last_col = 0
        self.any = False

    def feed(self, data: bytes) -> None:
        if not data:
            return
        top = 0
        for hit in self.rows.finditer(data):
            top = max(top, int(hit.group(1)))
        digits = str(top) if top else "0"
        lead, width = int(digits[0]), len(digits)
        # Any cell reference beyond the rows' own numbers: more digits, or as many with a bigger first digit.
        beyond = rb"\d{%d,}" % (width + 1) if lead == 9 else rb"(?:\d{%d,}|[%d-9]\d{%d})" % (width + 1, lead + 1,
                                                                                             width - 1)
        for hit in re.finditer(rb' r="[A-Z]{1,3}(' + beyond + rb')"', data):
            top = max(top, int(hit.group(1)))
        if top:
            self.any = True
            first = str(top)
            self.last_row = max(self.last_row, (int(first[0]) + 1) * 10 ** (len(first) - 1) - 1)
        for hit in _WIDE_REF.finditer(data):
            self.last_col = max(self.last_col, _column(hit.group(1)))
        if b' r="' in data:
            self.any = True

    def area(self) -> int:
        return self.last_row * (self.last_col or 26) if self.any else 0

    @classmethod
    def exact(cls, chunks: Iterator[bytes]) -> _Dimensions:
        dims = cls()
        tail = b""
        for chunk in chunks:
            data = tail + chunk
            cut = data.rfind(b'"') + 1
            for hit in _ANY_REF.finditer(data, 0, cut):
                dims.any = True
                if hit.group(1):
                    dims.last_col = max(dims.last_col, _column(hit.group(1)))
                dims.last_row = max(dims.last_row, int(hit.group(2)))
            tail = data[cut:][-65536:]
        dims.last_col = max(dims.last_col, 1)
        return dims
_STRING_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\bt=\"s\"[^>]*>\s*<(?:\w+:)?v>(\d+)<")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")


@dataclass
class _Workbook:
    path: Path
    bounds: Bounds
    sheets: list[_Member] = field(default_factory=list)
    string_cells: int = 0
    longest: int = 0

    def check(self) -> None:
        b = self.bounds
        with self.path.open("rb") as fh:
            members = _members(fh)
            total = 0
            for m in members:
                if m.declared > b.member_bytes:
                    raise FileBoundError(f"文件中的“{m.name}”解压后有 {_mb(m.declared)}，超过每个部分 "
                                         f"{_mb(b.member_bytes)} 的上限（MINZHENG_XLSX_MAX_MEMBER_BYTES）")
                total += m.declared
            if total > b.total_bytes:
                raise FileBoundError(f"文件解压后共 {_mb(total)}，超过 {_mb(b.total_bytes)} 的上限"
                                     "（MINZHENG_XLSX_MAX_TOTAL_BYTES）")
            lengths = array("I")
            cells = 0
            for m in members:
                is_sheet = m.name.startswith("xl/worksheets/") and m.name.endswith(".xml")
                if m.name == "xl/sharedStrings.xml":
                    lengths = self._shared_strings(fh, m)
                elif is_sheet:
                    cells += self._sheet(fh, m)
                    if cells > b.cells:
                        raise FileBoundError(f"文件的单元格超过 {b.cells:,} 个（MINZHENG_XLSX_MAX_CELLS），"
                                             "请拆分后再上传")
                else:
                    for _ in _inflate(fh, m, b.member_bytes, f"文件中的“{m.name}”"):
                        pass
            if self.string_cells * self.longest > b.text_bytes:
                self._exact_text(fh, lengths)

    def _shared_strings(self, fh: BinaryIO, m: _Member) -> array:
        """Each shared string's size (bytes from its <si> to the next, markup included: an upper bound)."""
        b = self.bounds
        lengths = array("I")
        last = -1
        offset = 0
        tail = b""
        for chunk in _inflate(fh, m, b.shared_strings_bytes,
                              "共享字符串（MINZHENG_XLSX_MAX_SHARED_STRINGS_BYTES）"):
            data = tail + chunk
            base = offset - len(tail)
            for hit in _SI.finditer(data):
                at = base + hit.start()
                if at <= last:
                    continue   # found again in the carried tail
                if last >= 0:
                    self._string(lengths, at - last)
                last = at
            tail = data[-16:]
            offset += len(chunk)
        if last >= 0:
            self._string(lengths, offset - last)
        return lengths

    def _string(self, lengths: array, size: int) -> None:
        b = self.bounds
        if size > b.string_bytes:
            raise FileBoundError(f"文件中有一个文字单元格超过 {_mb(b.string_bytes)}（MINZHENG_XLSX_MAX_STRING_BYTES），"
                                 "台账单元格不会这么长，已拒绝")
        lengths.append(size)
        self.longest = max(self.longest, size)
        if len(lengths) > b.shared_strings:
            raise FileBoundError(f"文件的不同文字超过 {b.shared_strings:,} 个（MINZHENG_XLSX_MAX_SHARED_STRINGS），"
                                 "请拆分后再上传")

    def _sheet(self, fh: BinaryIO, m: _Member) -> int:
        """Count the sheet's rows, cells and string cells, and bound the area the reader will allocate: it keeps a
        sheet as one dense block from the first to the last cell, so `A1` plus `XFD1048576` would be 17 billion."""
        b = self.bounds
        self.sheets.append(m)
        rows = cells = strings = 0
        dims: _Dimensions | None = None
        tokens: tuple[bytes, ...] = ()
        tail = b""
        for chunk in _inflate(fh, m, b.member_bytes, f"工作表“{m.name}”"):
            data = tail + chunk
            if dims is None:
                tokens = _tokens(data)
                dims = _Dimensions(tokens[4])
            cut = data.rfind(b"row>") + 4   # after the last complete row: a row is never counted twice
            if cut < 4:
                cut = max(0, len(data) - 65536)
            piece, tail = data[:cut], data[cut:]
            rows += piece.count(tokens[0]) + piece.count(tokens[1])
            cells += piece.count(tokens[2]) + piece.count(tokens[3])
            strings += piece.count(b't="s"')
            dims.feed(piece)
            if rows > b.rows:
                raise FileBoundError(f"工作表超过 {b.rows:,} 行（MINZHENG_XLSX_MAX_ROWS），请拆分后再上传")
        if dims is None:
            return 0
        if tail:
            rows += tail.count(tokens[0]) + tail.count(tokens[1])
            cells += tail.count(tokens[2]) + tail.count(tokens[3])
            strings += tail.count(b't="s"')
            dims.feed(tail)
        self.string_cells += strings
        if dims.area() > b.cells:
            dims = _Dimensions.exact(_inflate(fh, m, b.member_bytes, f"工作表“{m.name}”"))
            if dims.last_row > b.rows:
                raise FileBoundError(f"工作表有第 {dims.last_row:,} 行，超过 {b.rows:,} 行（MINZHENG_XLSX_MAX_ROWS）")
            if dims.area() > b.cells:
                raise FileBoundError(f"工作表的范围（{dims.last_row:,} 行 × {dims.last_col:,} 列）超过 {b.cells:,} 个"
                                     "单元格（MINZHENG_XLSX_MAX_CELLS），请拆分后再上传")
        return cells

    def _exact_text(self, fh: BinaryIO, lengths: array) -> None:
        """Sum the size of the string each string cell uses; refuse past the bound."""
        b = self.bounds
        text = 0
        for m in self.sheets:
            tail = b""
            for chunk in _inflate(fh, m, b.member_bytes, f"工作表“{m.name}”"):
                data = tail + chunk
                cut = 0
                for end in _CELL_END.finditer(data):
                    cut = end.end()
                for hit in _STRING_CELL.finditer(data, 0, cut):
                    i = int(hit.group(1))
                    text += lengths[i] if i < len(lengths) else 0
                if text > b.text_bytes:
                    raise FileBoundError(f"文件的文字单元格展开后超过 {_mb(b.text_bytes)}"
                                         "（MINZHENG_XLSX_MAX_TEXT_BYTES），文件可能是恶意构造的，已拒绝")
                # What follows the last complete cell is read again with the next chunk (a cell is short).
                tail = data[cut:][-65536:]
