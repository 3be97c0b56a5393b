"""A big sheet read in parts (ledger/xlsx_parts.py) gives exactly the rows, values, merged ranges and row numbers
of the same sheet read whole by python-calamine, wherever the parts are cut; when a part cannot be cut or read,
the rest comes from the whole file."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from minzheng.registry.ledger import xlsx_parts
from minzheng.registry.ledger.reader import open_sheets

from .test_ledger_files import build_messy_ledger

Read = list[tuple[str, list[tuple[int, dict[int, Any], frozenset[int]]]]]


def read(path: Path, settings: Any, *, parted: bool) -> Read:
    """Every sheet's rows as (Excel row, {absolute column: value}, merged-copy columns)."""
    settings.MINZHENG_IMPORT_PARTS_MIN_BYTES = 0 if parted else 10**12
    out = []
    for src in open_sheets(path):
        off = src.col_offset
        rows = [(r.number, {i + off: v for i, v in enumerate(r.values) if v != ""},
                 frozenset(i + off for i in r.continued)) for r in src.rows()]
        while rows and not rows[-1][1]:
            rows.pop()     # trailing empty rows: calamine stops at the last cell, a part may stop earlier
        out.append((src.name, rows))
    return out


@pytest.fixture
def parted(monkeypatch: Any) -> list[xlsx_parts.SheetParts]:
    """Every SheetParts made during the test."""
    made: list[xlsx_parts.SheetParts] = []
    real = xlsx_parts.SheetParts.__init__

    def spy(self: Any, *args: Any) -> None:
        real(self, *args)
        made.append(self)

    monkeypatch.setattr(xlsx_parts.SheetParts, "__init__", spy)
    return made


def ledger(path: Path, *, households: int = 120, inline_strings: bool = False) -> Path:
    """Title and unit rows merged across, a two-row merged header, households over several rows with their 序号,
    户主 and 金额 merged down, dates as dates and as text, blank rows, a second sheet starting in column C."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": inline_strings})
    ws = wb.add_worksheet("农村低保")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.merge_range(0, 0, 0, 9, "延平区农村低保花名册")
    ws.write(1, 8, "单位：元")
    ws.merge_range(2, 0, 3, 0, "序号")
    ws.merge_range(2, 1, 2, 2, "地址")
    ws.write_row(3, 1, ["乡镇", "村(居)"])
    ws.merge_range(2, 3, 3, 3, "姓名")
    ws.merge_range(2, 4, 3, 4, "身份证号码")
    ws.merge_range(2, 5, 3, 5, "出生日期")
    ws.merge_range(2, 6, 3, 6, "月保障金额(元)")
    r = 4
    for h in range(households):
        size = 1 + h % 4
        if size > 1:
            ws.merge_range(r, 0, r + size - 1, 0, h + 1)
            ws.merge_range(r, 6, r + size - 1, 6, 450.5 * size)
        else:
            ws.write_number(r, 0, h + 1)
            ws.write_number(r, 6, 450.5)
        ws.write_row(r, 1, ["夏道镇", "洋坑村"])
        for i in range(size):
            ws.write_string(r + i, 3, "陈林黄张"[i] + "志秀英明"[h % 4])
            ws.write_string(r + i, 4, f"35070219{50 + h % 40}0101{h % 1000:03d}{i}")
            if (h + i) % 3:
                ws.write_datetime(r + i, 5, dt.datetime(1950 + h % 40, 1 + i, 1), date)
            else:
                ws.write_string(r + i, 5, f"{1950 + h % 40}.{1 + i}.1")
        r += size + (1 if h % 17 == 0 else 0)      # now and then a blank row
    ws.write(r + 1, 0, "制表人：")
    other = wb.add_worksheet("城市低保")
    other.write_row(5, 2, ["姓名", "身份证号码", "与户主关系"])
    other.write_row(6, 2, ["黄秀英", "350702195501010026", "户主"])
    wb.add_worksheet("填表说明").write(0, 0, "说明：本表按户填写")
    wb.close()
    return path


@pytest.mark.parametrize("inline_strings", [False, True], ids=["shared-strings", "inline-strings"])
def test_parts_read_what_the_whole_sheet_reads(tmp_path: Path, settings: Any, monkeypatch: Any,
                                               parted: list[xlsx_parts.SheetParts], inline_strings: bool) -> None:
    path = ledger(tmp_path / "台账.xlsx", inline_strings=inline_strings)
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", tuple(i / 20 for i in range(1, 20)))   # 20 parts
    whole = read(path, settings, parted=False)
    assert [name for name, _ in whole] == ["农村低保", "城市低保", "填表说明"]
    assert len(whole[0][1]) > 300 and any(cont for _, _, cont in whole[0][1])
    assert read(path, settings, parted=True) == whole
    assert len(parted[0]._parts) >= 15 and parted[0]._failed is None     # a target past the last row cuts nothing


def test_the_messy_ledger_reads_the_same_in_parts(tmp_path: Path, settings: Any, monkeypatch: Any,
                                                  parted: list[xlsx_parts.SheetParts]) -> None:
    path = build_messy_ledger(tmp_path / "messy.xlsx")
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", (0.3, 0.5, 0.8))
    assert read(path, settings, parted=True) == read(path, settings, parted=False)
    assert len(parted[0]._parts) > 1 and all(p._failed is None for p in parted)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ends=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=8).map(sorted))
def test_wherever_the_parts_are_cut(tmp_path_factory: Any, settings: Any, ends: list[float]) -> None:
    path = tmp_path_factory.getbasetemp() / "cuts.xlsx"
    if not path.exists():
        ledger(path, households=60)
    whole = read(path, settings, parted=False)
    saved = xlsx_parts.PART_ENDS
    xlsx_parts.PART_ENDS = tuple(ends)
    try:
        assert read(path, settings, parted=True) == whole
    finally:
        xlsx_parts.PART_ENDS = saved


def test_merged_ranges_are_parsed_as_calamine_reports_them(tmp_path: Path) -> None:
    path = ledger(tmp_path / "m.xlsx", households=30)
    with zipfile.ZipFile(path) as z:
        xml = z.read(xlsx_parts.sheet_members(path)["农村低保"].filename)
    wb = CalamineWorkbook.from_path(str(path))
    expected = sorted(tuple(map(tuple, m)) for m in wb.get_sheet_by_name("农村低保").merged_cell_ranges)
    assert sorted(xlsx_parts.parse_merges(xml[xml.index(b"</sheetData>"):])) == expected and len(expected) > 20


def rewrite_sheet(path: Path, member: str, change: Any) -> None:
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            z.writestr(name, change(data) if name == member else data)


@pytest.mark.parametrize("unnumbered_from", [0, 150], ids=["no-row-numbers", "numbers-stop-midway"])
def test_rows_without_numbers_fall_back_to_the_whole_file(tmp_path: Path, settings: Any, monkeypatch: Any,
                                                          parted: list[xlsx_parts.SheetParts],
                                                          unnumbered_from: int) -> None:
    """Row numbers are optional in the XML. Where the cut meets a row without one, the rest of the sheet is read
    from the whole file, from the row reached."""
    path = ledger(tmp_path / "n.xlsx", households=80)
    member = xlsx_parts.sheet_members(path)["农村低保"].filename

    def drop_numbers(xml: bytes) -> bytes:
        # Only where rows follow each other without a gap, so that the sheet itself means the same.
        head, _, body = xml.partition(b"<sheetData>")
        rows = body.split(b"<row ")
        out = [rows[0]]
        for k, row in enumerate(rows[1:]):
            n = int(row.split(b'"', 2)[1])
            prev = int(rows[k].split(b'"', 2)[1]) if k else 0
            if k >= unnumbered_from and n == prev + 1 and k > 0:
                row = row.replace(f'r="{n}" '.encode(), b"", 1)
            out.append(row)
        return head + b"<sheetData>" + b"<row ".join(out)

    rewrite_sheet(path, member, drop_numbers)
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", (0.1, 0.4, 0.7))
    whole = read(path, settings, parted=False)
    assert len(whole[0][1]) > 200
    assert read(path, settings, parted=True) == whole
    assert isinstance(parted[0]._failed, xlsx_parts._Unsplittable)
    # No part at all, or the parts before the first unnumbered cut, then the whole file from there.
    assert (len(parted[0]._parts) == 0) if unnumbered_from == 0 else (len(parted[0]._parts) >= 1)


def test_a_big_sheet_is_read_in_parts_and_cleans_up(tmp_path: Path, settings: Any,
                                                    parted: list[xlsx_parts.SheetParts]) -> None:
    path = ledger(tmp_path / "big.xlsx", households=200)
    made = parted
    rows = read(path, settings, parted=True)
    assert [p.name for p in made] == ["农村低保", "城市低保", "填表说明"]
    assert len(made[0]._parts) == len(xlsx_parts.PART_ENDS) + 1
    assert made[0].total_rows == rows[0][1][-1][0]           # from the sheet's dimension: its last row (the footer)
    assert all(not Path(p.tmpdir).exists() for p in made)    # the parts are gone
    made.clear()
    settings.MINZHENG_IMPORT_PARTS_MIN_BYTES = 10**12          # below the size: read whole
    list(open_sheets(path))
    assert made == []


@pytest.mark.django_db
def test_an_import_in_parts_reports_exactly_what_a_whole_read_does(tmp_path: Path, settings: Any, monkeypatch: Any,
                                                                   county: Any,
                                                                   parted: list[xlsx_parts.SheetParts]) -> None:
    from minzheng.registry.ledger import import_ledger

    from .test_ledger_import import plant_existing_person

    plant_existing_person()
    path = build_messy_ledger(tmp_path / "夏道镇梅山街道低保台账.xlsx")
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", (0.2, 0.5))
    settings.MINZHENG_IMPORT_PARTS_MIN_BYTES = 10**12
    whole = import_ledger(path, skip_invalid=True, dry_run=True).as_json()
    settings.MINZHENG_IMPORT_PARTS_MIN_BYTES = 0
    assert import_ledger(path, skip_invalid=True, dry_run=True).as_json() == whole
    assert parted and whole["errors"] and whole["warnings"] and whole["households"] == 4


def test_rows_can_be_read_after_moving_on_to_the_next_sheet(tmp_path: Path, settings: Any, monkeypatch: Any,
                                                            parted: list[xlsx_parts.SheetParts]) -> None:
    """As with a sheet read whole: every sheet first, their rows afterwards."""
    path = ledger(tmp_path / "late.xlsx", households=80)
    whole = read(path, settings, parted=False)
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", (0.2, 0.5))
    settings.MINZHENG_IMPORT_PARTS_MIN_BYTES = 0
    sources = list(open_sheets(path))
    late = [(s.name, [(r.number, {i: v for i, v in enumerate(r.values) if v != ""}, frozenset(r.continued))
                      for r in s.rows()]) for s in sources]
    for _, rows in late:
        while rows and not rows[-1][1]:
            rows.pop()
    assert late == whole and len(parted) == 3
    assert all(not Path(p.tmpdir).exists() for p in parted)


def test_rows_out_of_order_in_the_xml_fall_back_to_the_whole_file(tmp_path: Path, settings: Any, monkeypatch: Any,
                                                                   parted: list[xlsx_parts.SheetParts]) -> None:
    """calamine places rows by their numbers wherever they stand in the XML; parts cut from such XML would not,
    so the reader notices and reads the sheet whole."""
    path = ledger(tmp_path / "o.xlsx", households=80)
    member = xlsx_parts.sheet_members(path)["农村低保"].filename

    def footer_first(xml: bytes) -> bytes:
        head, _, body = xml.partition(b"<sheetData>")
        rows, _, tail = body.partition(b"</sheetData>")
        parts = rows.split(b"<row ")
        last = parts.pop()                       # the 制表人 footer, the last row
        return head + b"<sheetData>" + b"<row ".join([parts[0], last, *parts[1:]]) + b"</sheetData>" + tail

    rewrite_sheet(path, member, footer_first)
    monkeypatch.setattr(xlsx_parts, "PART_ENDS", (0.3, 0.6))
    whole = read(path, settings, parted=False)
    assert whole[0][1][-1][1] == {0: "制表人："}   # calamine put the footer back at the end
    assert read(path, settings, parted=True) == whole
    assert isinstance(parted[0]._failed, xlsx_parts._Unsplittable)
