"""One big .xlsx sheet read in parts, so that checking starts long before the whole sheet is parsed.

python-calamine parses a whole sheet before it hands over the first row: four seconds for 500,000 rows, while
the checks wait and the second core idles. Here a background thread inflates the sheet's XML and cuts it at row
boundaries into parts, each written as an uncompressed copy of the workbook holding only that stretch of rows
(styles, shared strings and every other member unchanged, so calamine reads each cell exactly as in the whole
file). A second thread has calamine load the parts one after another (it releases the GIL while it parses),
and `rows()` yields them in order with their absolute positions: the rows the whole sheet would give, the first
of them after a fraction of the time. The first part is small so that checking starts early.

Anything unexpected (no row numbers in the XML, an unreadable member, a full disk) falls back to calamine on the
whole file, from the row reached, so a file is never read differently because it was read in parts.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import weakref
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings

from minzheng.core import tempnames

Merge = tuple[tuple[int, int], tuple[int, int]]   # ((first row, first col), (last row, last col)), 0-based

PART_ENDS = (0.06, 0.2, 0.45, 0.7)   # where parts end, as shares of the sheet's XML; the last part takes the rest
CHUNK = 1 << 22
_OVERLAP = 512                        # bytes kept back so that a tag cut between two reads is still found


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


class _Unsplittable(Exception):
    pass


def sheet_members(path: Path) -> dict[str, zipfile.ZipInfo]:
    """Sheet name → its XML member, from xl/workbook.xml and its relationships (any namespace prefix)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        targets = {}
        for el in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")).iter():
            if el.tag.endswith("Relationship") and el.get("Id") and el.get("Target"):
                target = el.get("Target", "")
                member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                targets[el.get("Id")] = member
        out = {}
        for el in ElementTree.fromstring(z.read("xl/workbook.xml")).iter():
            if el.tag.endswith("}sheet") or el.tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
                member = targets.get(rid or "")
                if member in names and el.get("name"):
                    out[el.get("name", "")] = z.getinfo(member)
        return out


def worth_splitting(info: zipfile.ZipInfo) -> bool:
    if info.file_size < settings.MINZHENG_IMPORT_PARTS_MIN_BYTES:
        return False
    try:   # the parts need about as much temporary space as the sheet's XML
        return shutil.disk_usage(tempfile.gettempdir()).free > 2 * info.file_size
    except OSError:
        return False


def _ref_cell(col: bytes, row: bytes) -> tuple[int, int]:
    c = 0
    for ch in col:
        c = c * 26 + ch - 64
    return int(row) - 1, c - 1


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="[A-Z]+\d+(?::[A-Z]+(\d+))?"[^>]*/>')


def parse_merges(tail: bytes) -> list[Merge]:
    """<mergeCell ref="A3:A5"/> → ((2, 0), (4, 0)), 0-based, as python-calamine's merged_cell_ranges."""
    out = []
    for m in _MERGE.finditer(tail):
        first = _ref_cell(m.group(1), m.group(2))
        last = _ref_cell(m.group(3), m.group(4)) if m.group(3) else first
        out.append((first, last))
    return out


class _XmlStream:
    """A sheet's XML read a chunk at a time: `pending` is what has been read and not yet copied into a part,
    `offset` the position of its first byte in the XML."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.pending, self.offset = fh, b"", 0

    def more(self) -> bool:
        data = self.fh.read(CHUNK)
        self.pending += data
        return bool(data)

    def skip(self, n: int) -> None:
        self.pending, self.offset = self.pending[n:], self.offset + n

    def copy(self, out: IO[bytes], n: int) -> None:
        out.write(self.pending[:n])
        self.skip(n)


class _Part:
    def __init__(self, path: str, first_row: int) -> None:
        self.path = path
        self.first_row = first_row          # absolute, 0-based: the part's first <row>
        self.sheet: Any = None
        self.error: BaseException | None = None
        self.ready = threading.Event()


class SheetParts:
    """The rows of one sheet, loaded part by part on background threads. `close()` always."""

    def __init__(self, path: Path, info: zipfile.ZipInfo, name: str, other_sheets: set[str]) -> None:
        self.path, self.info, self.name, self.other_sheets = path, info, name, other_sheets
        self.tmpdir = tempfile.mkdtemp(prefix=tempnames.prefix("parts"))
        # A sheet whose rows are never read: its parts are removed (as they are loaded) and the folder with it.
        weakref.finalize(self, shutil.rmtree, self.tmpdir, True)
        self.total_rows = 0
        self._merges: list[Merge] = []
        self._head_ready = threading.Event()     # total_rows known
        self._tail_ready = threading.Event()     # merges known, every part cut
        self._parts: list[_Part] = []
        self._parts_changed = threading.Condition()
        self._failed: BaseException | None = None
        self._whole: Any = None                  # the sheet read whole, after a failure
        self._closing = False
        self._loads: queue.Queue[_Part | None] = queue.Queue()
        self._splitter = threading.Thread(target=self._split, name="xlsx-split", daemon=True)
        self._loader = threading.Thread(target=self._load, name="xlsx-load", daemon=True)
        self._splitter.start()
        self._loader.start()
        self._head_ready.wait()

    # ------------------------------------------------------------ the main thread

    def merges(self) -> list[Merge]:
        """Known once the whole XML is cut (they follow the rows); from the whole file if cutting failed."""
        self._tail_ready.wait()
        if self._failed is not None:
            return [tuple(map(tuple, m)) for m in self._whole_sheet().merged_cell_ranges or []]  # type: ignore[misc]
        return self._merges

    def rows(self) -> Iterator[list[Any]]:
        """Every row from the sheet's first, as lists of cell values from column A. Once through (or dropped
        half-way), the threads stop and the parts are removed."""
        try:
            yield from self._rows()
        finally:
            self.close()

    def _rows(self) -> Iterator[list[Any]]:
        done = 0          # rows yielded so far = absolute index of the next one
        k = 0
        while True:
            part = self._next_part(k)
            if part is None:
                break
            part.ready.wait()
            if part.error is not None:
                self._failed = part.error
                break
            sheet, part.sheet = part.sheet, None
            nxt = self._next_part(k + 1)
            if sheet is not None and sheet.start and (
                    sheet.start[0] < part.first_row or (nxt is not None and sheet.end[0] >= nxt.first_row)):
                # Rows out of order in the XML (calamine sorts them; cut parts would not): read it whole.
                self._failed = _Unsplittable("rows out of order")
                break
            while done < part.first_row:   # empty rows between the last cells of one part and the next part
                yield []
                done += 1
            if sheet is not None:
                # calamine counts rows from the sheet's first (the part's earlier rows come out empty) but
                # columns from the first one used.
                pad = [""] * (sheet.start[1] if sheet.start else 0)
                for values in itertools.islice(sheet.iter_rows(), part.first_row, None):
                    yield pad + values if pad else values
                    done += 1
                del sheet
            k += 1
        if self._failed is not None:
            yield from self._whole_sheet_from(done)

    def _next_part(self, k: int) -> _Part | None:
        with self._parts_changed:
            while len(self._parts) <= k and not self._tail_ready.is_set() and self._failed is None:
                self._parts_changed.wait()
            if self._failed is not None and len(self._parts) <= k:
                return None
            return self._parts[k] if k < len(self._parts) else None

    def _whole_sheet(self) -> Any:
        if self._whole is None:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(self.path))
            try:
                self._whole = wb.get_sheet_by_name(self.name)
            finally:
                wb.close()
        return self._whole

    def _whole_sheet_from(self, row: int) -> Iterator[list[Any]]:
        sheet = self._whole_sheet()
        pad = [""] * (sheet.start[1] if sheet.start else 0)
        for values in itertools.islice(sheet.iter_rows(), row, None):
            yield pad + values if pad else values

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._loads.put(None)
        for part in self._parts:
            part.sheet = None
        self._whole = None
        self._splitter.join()
        self._loader.join()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    # ------------------------------------------------------------ background threads

    def _fail(self, exc: BaseException) -> None:
        with self._parts_changed:
            self._failed = exc
            self._parts_changed.notify_all()
        self._head_ready.set()
        self._tail_ready.set()

    def _split(self) -> None:
        try:
            self._cut()
        except BaseException as exc:  # the rows are then read from the whole file (see rows())
            self._fail(exc)
        finally:
            self._loads.put(None)

    def _cut(self) -> None:
        size = self.info.file_size
        with zipfile.ZipFile(self.path) as z:
            # Other sheets go in empty: calamine reads only the one asked for, and they may be big.
            others = [(i.filename, _EMPTY_SHEET if i.filename in self.other_sheets else z.read(i))
                      for i in z.infolist() if i.filename != self.info.filename]
            with z.open(self.info) as fh:
                xml = _XmlStream(fh)
                while (m := re.search(rb"<((?:\w+:)?)sheetData>", xml.pending)) is None:
                    if len(xml.pending) > CHUNK or not xml.more():
                        raise _Unsplittable("no <sheetData> where it belongs")
                prefix = m.group(1)
                head = _DIMENSION.sub(b"", xml.pending[:m.end()])
                if dim := _DIMENSION.search(xml.pending[:m.end()]):
                    self.total_rows = int(dim.group(1) or 1)
                else:
                    self.total_rows = max(1, size // 400)    # an estimate, for progress: ~400 bytes of XML a row
                self._head_ready.set()
                wtag = re.search(rb"<((?:\w+:)?)worksheet\b", head)
                if wtag is None:
                    raise _Unsplittable("no <worksheet>")
                closing = b"</" + prefix + b"sheetData></" + wtag.group(1) + b"worksheet>"
                row_tag = re.compile(rb"<" + re.escape(prefix) + rb"row\b([^>]*)>")
                data_end = b"</" + prefix + b"sheetData>"
                xml.skip(m.end())
                ends = [int(size * share) for share in PART_ENDS]
                first_row: int | None = 0
                while first_row is not None:
                    part = _Part(os.path.join(self.tmpdir, f"part{len(self._parts)}.xlsx"), first_row)
                    with zipfile.ZipFile(part.path, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
                        for filename, data in others:
                            out.writestr(filename, data)
                        with out.open(self.info.filename, "w", force_zip64=True) as member:
                            member.write(head)
                            next_row = self._copy_rows(xml, member, ends.pop(0) if ends else None, row_tag,
                                                       data_end)
                            member.write(closing)
                    with self._parts_changed:
                        self._parts.append(part)
                        self._parts_changed.notify_all()
                    self._loads.put(part)
                    if next_row is not None and next_row < part.first_row:
                        raise _Unsplittable("rows out of order")
                    first_row = next_row
        self._merges = parse_merges(xml.pending)     # what follows the rows
        with self._parts_changed:
            self._tail_ready.set()
            self._parts_changed.notify_all()

    def _copy_rows(self, xml: _XmlStream, member: IO[bytes], target: int | None, row_tag: re.Pattern[bytes],
                   data_end: bytes) -> int | None:
        """Copy rows into `member` up to the first row that starts at or after byte `target` of the XML, and
        return that row's 0-based number; or, with no such row, to the end of the rows, and return None with the
        rest of the XML in `xml.pending`."""
        while True:
            if self._closing:
                raise _Unsplittable("closed")
            pending = xml.pending
            stop = pending.find(data_end)
            if target is not None and xml.offset + len(pending) > target:
                cut = row_tag.search(pending, max(0, target - xml.offset), stop if stop >= 0 else len(pending))
                if cut is not None:
                    r = re.search(rb'\br="(\d+)"', cut.group(1))
                    if r is None:
                        raise _Unsplittable("a row without its number")
                    xml.copy(member, cut.start())
                    return int(r.group(1)) - 1
            if stop >= 0:
                xml.copy(member, stop)
                xml.pending += xml.fh.read()
                return None
            xml.copy(member, max(0, len(pending) - _OVERLAP))
            if not xml.more():
                raise _Unsplittable("no </sheetData>")

    def _load(self) -> None:
        while (part := self._loads.get()) is not None:
            try:
                from python_calamine import CalamineWorkbook

                if self._closing:
                    raise _Unsplittable("closed")
                wb = CalamineWorkbook.from_path(part.path)
                try:
                    part.sheet = wb.get_sheet_by_name(self.name)
                finally:
                    wb.close()
            except BaseException as exc:
                part.error = exc
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(part.path)
                part.ready.set()
