"""Excel output with xlsxwriter. ID numbers, bank accounts and phones are always written as text, because Excel
keeps only 15 significant digits of a number and the loss cannot be undone.

Every text minzheng writes into a file a spreadsheet may open (xlsx here, the banks' CSV files) goes through
`safe_cell`: a text that a spreadsheet would read as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) gets a
leading apostrophe, so it stays text even after the file is re-saved or pasted elsewhere (CSV injection)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

TEXT_HINTS = ("身份证", "证件号", "身份号码", "账号", "卡号", "电话", "手机", "代码", "编号")


# A leading + or - is harmless on a number or phone number ("-12.50", "+86 599 8812345", "-"), so only these
# characters followed by anything else make a formula.
_NATIVE = (int, float, Decimal, dt.date)
_FORMULA_START = ("=", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-][\d\s().\-]*")


def safe_cell(value: str) -> str:
    """The text as a spreadsheet will show it, never as a formula it would run."""
    if value.startswith(_FORMULA_START) or (value[:1] in "+-" and value and not _NUMBER_LIKE.fullmatch(value)):
        return "'" + value
    return value


def is_text_column(header: str) -> bool:
    return any(h in header for h in TEXT_HINTS)


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *,
                   title: str | None = None) -> bytes:
    """sheets: (sheet name, headers, rows). Streams rows (constant_memory) so large lists stay small in memory."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    text = wb.add_format({"num_format": "@"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    for name, headers, rows in sheets:
        ws = wb.add_worksheet(name[:31])
        r0 = 0
        if title:
            ws.write_string(0, 0, safe_cell(title), title_fmt)
            r0 = 1
        text_cols = {i for i, h in enumerate(headers) if is_text_column(h)}
        for c, h in enumerate(headers):
            ws.write_string(r0, c, safe_cell(h), head)
            ws.set_column(c, c, max(10, min(30, len(h) * 2 + 4)), text if c in text_cols else None)
        for r, row in enumerate(rows, start=r0 + 1):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if c in text_cols or not isinstance(v, _NATIVE):
                    # Anything but a number or a date is written as a string cell: xlsxwriter's write() would
                    # turn a text starting with "=" into a formula.
                    ws.write_string(r, c, safe_cell(str(v)), text if c in text_cols else None)
                else:
                    ws.write(r, c, v)
        ws.freeze_panes(r0 + 1, 0)
    wb.close()
    return buf.getvalue()
