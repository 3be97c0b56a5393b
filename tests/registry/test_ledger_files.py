"""Messy township ledgers built the way townships keep them, and tests of how they are read (header, merged
cells, encodings). The builders are shared by the other ledger tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from minzheng.registry.idnumber import check_char
from minzheng.registry.ledger.reader import find_header, open_sheets, sniff_encoding


def make_id(birth: dt.date, seq: int, *, male: bool, region: str = "350702") -> str:
    """A valid 18-digit 公民身份号码 (odd 17th digit for men)."""
    order = seq * 10 % 1000 + (1 if male else 2)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)


def bad_check(idn: str) -> str:
    c = "X" if idn[-1] != "X" else "0"
    if check_char(idn[:17]) == c:
        c = "1" if c != "1" else "2"
    return idn[:17] + c


# The people of the messy ledger (ID numbers deterministic).
CHEN = make_id(dt.date(1950, 3, 15), 1, male=True)
LIN = make_id(dt.date(1952, 6, 1), 2, male=False)
CHEN_SON = make_id(dt.date(1980, 1, 2), 3, male=True)
ZHANG = make_id(dt.date(1945, 12, 8), 4, male=False)
WANG_BAD = bad_check(make_id(dt.date(1960, 1, 1), 5, male=True))
LIU = make_id(dt.date(1955, 2, 2), 6, male=True)
LIU_SON_NUMBER = 3.50702198503031e17    # an ID typed into a number cell: digits already lost
ZHOU = make_id(dt.date(1970, 4, 4), 7, male=True)
WU_WIFE = make_id(dt.date(1972, 5, 5), 8, male=False)
WU_SON = make_id(dt.date(1995, 6, 6), 9, male=True)
ZHENG1 = make_id(dt.date(1948, 7, 7), 10, male=True)
ZHENG2 = make_id(dt.date(1949, 8, 8), 11, male=True)
QIAN = make_id(dt.date(1958, 9, 9), 12, male=False)
SUN = make_id(dt.date(1961, 10, 10), 13, male=True)
ZHAO = make_id(dt.date(1962, 11, 11), 14, male=True)
ALREADY = make_id(dt.date(1940, 1, 20), 15, male=True)
HUANG = make_id(dt.date(1960, 5, 20), 16, male=True)
HUANG_DAUGHTER = make_id(dt.date(1990, 7, 7), 17, male=False)
LI_OLD15 = "350702520601123"                 # a 15-digit number of 1952-06-01 (odd 15th digit: male)


def build_messy_ledger(path: Path) -> Path:
    """Three sheets: instructions, a 农村低保 sheet with title/unit rows, a two-row merged header, merged household
    cells, a column-number row, totals and a signature footer; and a 城市低保 sheet with a one-row header of
    synonyms and household fields only on the first row. Planted: 9 errors in 农村低保, 1 in 城市低保, 3 warnings."""
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})

    notes = wb.add_worksheet("填表说明")
    notes.write(0, 0, "填表说明")
    notes.write(1, 0, "1. 身份证号码列请设置为文本格式")
    notes.write(2, 0, "2. 每户第一行填写户主，其余成员写在下面")

    ws = wb.add_worksheet("农村低保")
    ws.merge_range("A1:M1", "延平区夏道镇2024年农村低保对象花名册")
    ws.write("L2", "单位：元")
    for col, title in (("A", "序号"), ("B", "乡镇"), ("C", "村(居)"), ("D", "户主姓名"), ("I", "出生日期"),
                       ("J", "保障人数"), ("M", "卡号")):
        ws.merge_range(f"{col}3:{col}4", title)
    ws.merge_range("E3:H3", "家庭成员")
    ws.merge_range("K3:L3", "保障金(元)")
    for col, title in (("E", "姓名"), ("F", "身份证号码"), ("G", "与户主关系"), ("H", "性别"), ("K", "月保障金额"),
                       ("L", "开户银行")):
        ws.write(f"{col}4", title)
    for c in range(13):
        ws.write_string(4, c, f"({c + 1})")

    def household(first_row: int, hh: dict[str, Any], members: list[list[Any]]) -> None:
        """first_row is the Excel row number; household cells merged over the member rows."""
        last = first_row + len(members) - 1
        for col, key in (("A", "seq"), ("B", "town"), ("C", "village"), ("D", "head"), ("J", "covered"),
                         ("K", "amount"), ("L", "bank"), ("M", "account")):
            value = hh.get(key, "")
            if last > first_row:
                ws.merge_range(f"{col}{first_row}:{col}{last}", "")
                cell = f"{col}{first_row}"
            else:
                cell = f"{col}{first_row}"
            if isinstance(value, int | float):
                ws.write_number(cell, value)
            elif value != "":
                ws.write_string(cell, value)
        for i, (name, idn, rel, sex, birth) in enumerate(members):
            r = first_row + i
            ws.write_string(f"E{r}", name)
            if isinstance(idn, float):
                ws.write_number(f"F{r}", idn)
            else:
                ws.write_string(f"F{r}", idn)
            ws.write_string(f"G{r}", rel)
            ws.write_string(f"H{r}", sex)
            if isinstance(birth, dt.date):
                ws.write_datetime(f"I{r}", dt.datetime.combine(birth, dt.time()), date_fmt)
            elif birth:
                ws.write_string(f"I{r}", birth)

    bank = "延平区农村信用合作联社"
    household(6, {"seq": 1, "town": "夏道", "village": "洋坑村", "head": "陈志富", "covered": 3, "amount": "450元",
                  "bank": bank, "account": "6228480012345678901"},
              [["陈志富", CHEN, "户主", "男", "1950.3.15"], ["林秀英", LIN, "配偶", "女", "1952年6月1日"],
               ["陈小明", CHEN_SON, "长子", "男", "19800102"]])
    household(9, {"seq": 2, "town": "夏道镇", "village": "小鸠村委会", "head": "张桂兰", "covered": 1, "amount": "￥450",
                  "bank": "农业银行", "account": "6217 0012 3456 7890"},
              [["张　桂兰", ZHANG, "户主", "男", dt.date(1945, 12, 9)]])
    household(10, {"seq": 3, "town": "夏道", "village": "徐洋村", "head": "王大山", "covered": 1, "amount": 450.0},
              [["王大山", WANG_BAD, "户主", "男", ""]])
    household(11, {"seq": 4, "town": "夏道", "village": "徐洋村", "head": "刘福", "covered": 2, "amount": 450.0},
              [["刘福", LIU, "户主", "男", ""], ["刘明", LIU_SON_NUMBER, "儿子", "男", ""]])
    household(13, {"seq": 5, "town": "夏道", "village": "中山社区", "head": "周全", "covered": 1, "amount": 450.0},
              [["周全", ZHOU, "户主", "男", ""]])
    household(14, {"seq": 6, "town": "夏道", "village": "文田村", "head": "吴春", "covered": 2, "amount": 450.0},
              [["吴春", WU_WIFE, "配偶", "女", ""], ["吴夏", WU_SON, "子", "男", ""]])
    household(16, {"seq": 7, "town": "夏道", "village": "吴丹村", "head": "郑一", "covered": 2, "amount": 450.0},
              [["郑一", ZHENG1, "户主", "男", ""], ["郑二", ZHENG2, "户主", "男", ""]])
    household(18, {"seq": 8, "town": "夏道", "village": "洋头村", "head": "钱芳", "covered": 3, "amount": 450.0},
              [["钱芳", QIAN, "户主", "女", ""]])
    household(19, {"seq": 9, "town": "夏道", "village": "罗坑村", "head": "孙立", "covered": 1, "amount": "四百五"},
              [["孙立", SUN, "户主", "男", ""]])
    household(20, {"seq": 10, "town": "夏道", "village": "鸠上村", "head": "赵平", "covered": 1, "amount": "-100"},
              [["赵平", ZHAO, "户主", "男", ""]])
    household(21, {"seq": 11, "town": "夏道", "village": "田地村", "head": "冯老", "covered": 1, "amount": 450.0},
              [["冯老", ALREADY, "户主", "男", ""]])
    ws.write("A23", "合计")
    ws.write_number("J23", 17)
    ws.write_number("K23", 4500)
    ws.merge_range("A24:M24", "制表人：张三          审核人：李四          制表日期：2024年5月6日")

    city = wb.add_worksheet("城市低保")
    city.merge_range("A1:K1", "梅山街道城市低保台账")
    heads = ["序号", "乡镇(街道)", "村(社区)", "姓名", "公民身份号码", "关系", "出生年月", "享受人数", "月保障金额", "银行账号",
             "联系电话"]
    for c, h in enumerate(heads):
        city.write_string(1, c, h)
    rows: list[list[Any]] = [
        [1, "梅山", "中山社区", "黄海", HUANG, "户主", "1960-05-20", 2, "450.5", "6228480099998888777", "13905991234"],
        ["", "", "", "黄丽", HUANG_DAUGHTER, "长女", "1990/7/7", "", "", "", ""],
        [2, "梅山街道", "中和社区居委会", "许强", CHEN_SON, "户主", "", 1, "450", "6228480011112222333", ""],
        [3, "梅山", "东山社区", "李梅", LI_OLD15, "户主", "1952.06", 1, 450.0, "6228480033334444555", ""],
    ]
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row):
            if isinstance(v, int | float):
                city.write_number(r, c, v)
            elif v != "":
                city.write_string(r, c, v)
    wb.close()
    return path


def test_reader_fills_merged_cells_down_and_marks_them(tmp_path: Path) -> None:
    # given: the messy ledger
    sheets = list(open_sheets(build_messy_ledger(tmp_path / "l.xlsx")))
    rural = next(s for s in sheets if s.name == "农村低保")
    rows = {r.number: r for r in rural.rows()}
    # then: row 7 (陈志富's wife) carries the household's merged 序号 as a copy, her own name as her own
    assert rows[7].values[0] == 1.0 and 0 in rows[7].continued
    assert rows[7].own(0) is None and rows[7].own(4) == "林秀英"
    assert rows[6].own(0) == 1.0 and not rows[6].continued
    assert [s.name for s in sheets] == ["填表说明", "农村低保", "城市低保"]


def test_two_row_merged_header_under_title_and_unit_rows(tmp_path: Path) -> None:
    sheets = list(open_sheets(build_messy_ledger(tmp_path / "l.xlsx")))
    rural = next(s for s in sheets if s.name == "农村低保")
    first = []
    for r in rural.rows():
        first.append(r)
        if len(first) == 12:
            break
    found = find_header(first)
    assert found is not None
    header, data_start = found
    assert header.rows == (3, 4)
    assert first[data_start].number == 5       # the "(1) (2) …" row, skipped by the importer
    assert header.columns == {"seq": 0, "township": 1, "village": 2, "head_name": 3, "name": 4, "id_number": 5,
                              "relation": 6, "sex": 7, "birth_date": 8, "covered": 9, "amount": 10,
                              "bank_name": 11, "account": 12}
    assert header.label("village") == "村(居)" and header.label("id_number") == "身份证号码"
    assert "夏道镇2024年农村低保" in header.title


def test_instruction_sheet_has_no_header(tmp_path: Path) -> None:
    sheets = list(open_sheets(build_messy_ledger(tmp_path / "l.xlsx")))
    notes = next(s for s in sheets if s.name == "填表说明")
    assert find_header(list(notes.rows())) is None


def test_sheet_that_starts_below_and_right_keeps_excel_row_and_column(tmp_path: Path) -> None:
    # given: a sheet whose first used cell is C4 (python-calamine then starts rows at 1 but columns at C)
    path = tmp_path / "offset.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("台账")
    for c, h in enumerate(["姓名", "身份证号", "与户主关系"]):
        ws.write_string(3, 2 + c, h)
    ws.write_string(4, 2, "陈志富")
    wb.close()
    sheet = next(iter(open_sheets(path)))
    rows = [r for r in sheet.rows() if any(r.values)]
    assert rows[0].number == 4 and rows[1].number == 5
    assert sheet.letter(rows[0].values.index("姓名")) == "C"   # whichever column the values start at


@pytest.mark.parametrize(("data", "encoding"), [
    ("姓名,身份证号\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "姓名".encode(), "utf-8-sig"),
    ("姓名,身份证号\n".encode("gbk"), "gb18030"),
    ("姓名".encode() + "名".encode()[:2], "utf-8"),     # a character cut at the end of the sample
])
def test_csv_encoding_is_sniffed(data: bytes, encoding: str) -> None:
    assert sniff_encoding(data) == encoding
