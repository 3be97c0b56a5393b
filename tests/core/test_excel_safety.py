"""Every text written into a spreadsheet file stays text: no formula survives from a name into an xlsx cell."""

from __future__ import annotations

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from minzheng.core.excel import safe_cell, workbook_bytes

HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+SUM(1,2)", "-1+cmd|' /C calc'!A0", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_get_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["陈志富", "-", "-12.50", "+86 599 8812345", "0599-8812345", "", "a=b"])
def test_ordinary_text_numbers_and_phones_are_untouched(text: str) -> None:
    assert safe_cell(text) == text


def test_a_hostile_name_is_read_back_as_text_not_a_formula() -> None:
    data = workbook_bytes([("名单", ["姓名", "身份证号", "金额"], [[name, "=1+1", 12] for name in HOSTILE])],
                          title="=HYPERLINK(\"x\")")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cell at all
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "'=HYPERLINK(\"x\")"
    assert [r[0] for r in rows[2:]] == ["'" + h for h in HOSTILE]
    assert {r[1] for r in rows[2:]} == {"'=1+1"} and {r[2] for r in rows[2:]} == {12}
