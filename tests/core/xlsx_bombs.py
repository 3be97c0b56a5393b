"""Hostile .xlsx files built in a fraction of a second: the big part is one deflate block repeated (a block ended
by a full flush does not depend on what came before, so k copies inflate to k copies of its text)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"
_SST_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst '
             b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">')

_SMALL = {
    "[Content_Types].xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        b"</Types>"),
    "_rels/.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="\xe5\x8f\xb0\xe8\xb4\xa6" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}


def _repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, inflated size, crc32) of head + unit * times + tail."""
    def block(data: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = block(head) + block(unit) * times + last.compress(tail) + last.flush()
    return stream, len(head) + len(unit) * times + len(tail), crc


def write(path: Path, *, sheet: tuple[bytes, int], strings: tuple[bytes, int] = (b"", 0),
          lie_about: str = "") -> Path:
    """An .xlsx whose sheet rows are `sheet[0]` repeated `sheet[1]` times and whose one shared string is
    `strings[0]` repeated `strings[1]` times. `lie_about` names a member whose headers claim 1,000 bytes."""
    members: list[tuple[str, bytes, int, int]] = []
    for name, data in _SMALL.items():
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        members.append((name, c.compress(data) + c.flush(), len(data), zlib.crc32(data)))
    members.append(("xl/worksheets/sheet1.xml", *_repeated(_SHEET_HEAD, sheet[0], sheet[1], _SHEET_TAIL)))
    members.append(("xl/sharedStrings.xml", *_repeated(_SST_HEAD + b"<si><t>", strings[0] or b"x", max(1, strings[1]),
                                                         b"</t></si></sst>")))
    out = bytearray()
    central = bytearray()
    for name, stream, size, crc in members:
        shown = 1000 if name == lie_about else size
        fn = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), shown, len(fn), 0) + fn
        out += stream
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(stream), shown, len(fn),
                               0, 0, 0, 0, 0, offset) + fn
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path
