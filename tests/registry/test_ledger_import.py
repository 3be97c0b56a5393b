"""Importing township ledgers: exactly the right households, errors and warnings; atomic by default."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
import xlwt
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from python_calamine import CalamineWorkbook

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.core import dates, sealed
from minzheng.regions.models import Division
from minzheng.registry.ledger import import_ledger
from minzheng.registry.ledger.errors_workbook import write_error_workbook
from minzheng.registry.models import Enrollment, EnrollmentAmount, Household, Membership, Person

from .test_ledger_files import (
    ALREADY,
    CHEN,
    CHEN_SON,
    HUANG,
    LI_OLD15,
    LIN,
    ZHANG,
    build_messy_ledger,
    make_id,
)

pytestmark = pytest.mark.django_db

THIS_MONTH = dates.today().replace(day=1)

EXPECTED_ERRORS = [
    {"sheet": "农村低保", "row": 10, "column": "身份证号码"},
    {"sheet": "农村低保", "row": 12, "column": "身份证号码",
     "message": "身份证号被 Excel 存成了数字，末几位已丢失，无法恢复；请将该列设为文本格式后重新录入"},
    {"sheet": "农村低保", "row": 13, "column": "村(居)", "message": "村(社区)“中山社区”不在夏道镇内"},
    {"sheet": "农村低保", "row": 14, "column": "与户主关系", "message": "该户没有户主（“与户主关系”中没有“户主”）"},
    {"sheet": "农村低保", "row": 17, "column": "与户主关系", "message": "该户有 2 名户主"},
    {"sheet": "农村低保", "row": 18, "column": "保障人数", "message": "保障人数 3 超过该户登记的成员数 1"},
    {"sheet": "农村低保", "row": 19, "column": "月保障金额", "message": "金额“四百五”不是数字"},
    {"sheet": "农村低保", "row": 20, "column": "月保障金额", "message": "金额“-100”不能为负数"},
    {"sheet": "农村低保", "row": 21, "column": "身份证号码", "message": f"身份证号 {ALREADY} 已在系统中登记，不能重复导入"},
    {"sheet": "城市低保", "row": 5, "column": "公民身份号码",
     "message": f"身份证号 {CHEN_SON} 在本文件中重复（与工作表“农村低保”第 8 行）"},
]
EXPECTED_WARNINGS = [
    {"sheet": "农村低保", "row": 9, "column": "出生日期", "message": "出生日期“1945-12-09”与身份证号（1945-12-08）不符，以身份证号为准"},
    {"sheet": "农村低保", "row": 9, "column": "性别", "message": "性别“男”与身份证号（女）不符，以身份证号为准"},
    {"sheet": "城市低保", "row": 6, "column": "公民身份号码",
     "message": "15 位旧号码已升级为 18 位：350702520601123 → 350702195206011236"},
]


def plant_existing_person(id_number: str = ALREADY) -> Person:
    village = Division.objects.get(name="田地村委会")
    hh = Household.objects.create(division=village, hukou_type="rural")
    p = Person.objects.create(household=hh, name="冯老", id_number=id_number, birth_date=dt.date(1940, 1, 20), sex="1",
                              relation="02")
    hh.head = p
    hh.save()
    return p


def counts() -> tuple[int, int, int, int]:
    return (Household.objects.count(), Person.objects.count(), Enrollment.objects.count(), Membership.objects.count())


def assert_issues(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(actual) == len(expected), json.dumps(actual, ensure_ascii=False, indent=1)
    for a, e in zip(actual, expected, strict=True):
        assert {k: a[k] for k in e} == e, (a, e)


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    plant_existing_person()
    return build_messy_ledger(tmp_path / "夏道镇梅山街道低保台账.xlsx")


def test_messy_ledger_gives_exact_counts_errors_and_warnings_and_writes_nothing(messy: Path) -> None:
    # given: a messy ledger with nine faulty households in 农村低保 and one in 城市低保, one person already registered
    before = counts()
    # when: imported the default (atomic) way
    result = import_ledger(messy)
    # then: the counts cover the four valid households …
    out = result.as_json()
    assert (out["households"], out["persons"], out["enrollments"], out["monthly_total"]) == (4, 7, 4, "1800.50")
    assert out["imported"] is False
    assert_issues(out["errors"], EXPECTED_ERRORS)
    assert out["errors"][0]["message"].startswith(f"身份证号“{result.errors[0].values[5]}”无效：校验码")
    assert_issues(out["warnings"], EXPECTED_WARNINGS)
    # … and nothing was written, only the failed attempt is on record
    assert counts() == before
    failed = AuditEntry.objects.filter(action="registry.import.failed").get()
    assert "错误 10 处" in failed.summary
    assert not AuditEntry.objects.filter(action="registry.import").exists()


def test_skip_invalid_writes_only_the_valid_households(messy: Path) -> None:
    h0, p0, e0, m0 = counts()
    result = import_ledger(messy, skip_invalid=True)
    assert result.imported and result.written_households == 4
    assert counts() == (h0 + 4, p0 + 7, e0 + 4, m0 + 7)
    # 陈志富's household: merged cells, short township and village names, 3 members, 450元
    chen = Person.objects.get(id_number=CHEN)
    hh = chen.household
    assert hh.head_id == chen.pk and hh.division.name == "洋坑村委会" and hh.division.parent.name == "夏道镇"
    assert hh.hukou_type == "rural"
    assert sorted(hh.members.values_list("name", "relation")) == [("林秀英", "10"), ("陈小明", "20"), ("陈志富", "02")]
    assert chen.name_initials == "czf" and chen.bank_account == "6228480012345678901"
    # the fast path writes it sealed, with its search columns (core/sealed.py)
    with connection.cursor() as cur:
        cur.execute("SELECT bank_account, bank_account_last4, bank_account_index, bank_account_shape, phone "
                    "FROM registry_person WHERE id = %s", [chen.pk])
        raw, last4, index, shape, phone = cur.fetchone()
    assert raw.startswith(sealed.PREFIX) and "6228480012345678901" not in raw and last4 == "8901"
    assert index == sealed.blind_index("6228480012345678901") and shape == sealed.account_shape("6228480012345678901")
    assert shape.startswith("62284819")
    assert phone == "" or phone.startswith(sealed.PREFIX)
    assert chen.bank_name == "延平区农村信用合作联社"
    assert Person.objects.get(id_number=LIN).birth_date == dt.date(1952, 6, 1)
    e = Enrollment.objects.get(household=hh)
    assert (e.programme.code, e.monthly_amount, e.covered_persons, e.status, e.start_month, e.person_id) == (
        "dibao_rural", Decimal("450.00"), 3, "verifying", THIS_MONTH, None)
    assert list(EnrollmentAmount.objects.filter(enrollment=e).values_list("from_month", "monthly_amount")) == [
        (THIS_MONTH, Decimal("450.00"))]
    # 张桂兰: the ID wins over the contradicting sex and birth-date columns; the aligning space is dropped
    zhang = Person.objects.get(id_number=ZHANG)
    assert (zhang.name, zhang.sex, zhang.birth_date, zhang.bank_account) == (
        "张桂兰", "2", dt.date(1945, 12, 8), "6217001234567890")
    # the 城市低保 sheet: urban programme, 450.5 kept exact, the daughter on the second row
    huang = Person.objects.get(id_number=HUANG)
    assert huang.household.division.name == "中山社区居委会" and huang.household.hukou_type == "urban"
    assert Enrollment.objects.get(household=huang.household).monthly_amount == Decimal("450.50")
    assert huang.household.members.count() == 2 and huang.household.phone == "13905991234"
    # the old 15-digit number is upgraded
    li = Person.objects.get(id_number="350702195206011236")
    assert li.birth_date == dt.date(1952, 6, 1) and li.sex == "1"
    assert li.id_number_old == LI_OLD15
    # one audit summary for the whole import
    entry = AuditEntry.objects.filter(action="registry.import").get()
    assert "4 户 7 人" in entry.summary and entry.detail["errors"] == 10


def test_reimport_is_refused_person_by_person(messy: Path) -> None:
    import_ledger(messy, skip_invalid=True)
    before = counts()
    again = import_ledger(messy, skip_invalid=True)
    assert not again.imported and counts() == before
    assert again.stats.households == 0
    registered = [e for e in again.errors if "已在系统中登记" in e.message]
    assert len(registered) == 8          # the 7 imported persons and the one planted before


def test_dry_run_writes_nothing_and_records_nothing(messy: Path) -> None:
    before, audits = counts(), AuditEntry.objects.count()
    result = import_ledger(messy, dry_run=True, skip_invalid=True)
    assert result.stats.households == 4 and not result.imported
    assert counts() == before and AuditEntry.objects.count() == audits


def test_cli_json_output_and_error_workbook(messy: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    errors_path = tmp_path / "errors.xlsx"
    with pytest.raises(SystemExit) as exc:
        call_command("import", "households", str(messy), "--json", "--errors", str(errors_path), stdout=out)
    assert exc.value.code == 1
    data = json.loads(out.getvalue())
    assert list(data) == ["households", "persons", "enrollments", "monthly_total", "imported", "errors", "warnings",
                          "ignored_rows", "ignored", "to_verify"]
    assert data["households"] == 4 and data["imported"] is False
    assert all(list(e) == ["sheet", "row", "column", "message"] for e in data["errors"] + data["warnings"])
    # the error workbook: one row per error with the original cells
    wb = CalamineWorkbook.from_path(str(errors_path))
    rows = wb.get_sheet_by_name("错误").to_python()
    assert rows[0][:4] == ["工作表", "行号", "列", "问题说明"]
    assert len(rows) == 1 + 10
    numeric_id_row = rows[2]
    assert numeric_id_row[:3] == ["农村低保", 12.0, "身份证号码"] and "刘明" in numeric_id_row
    assert wb.get_sheet_by_name("警告").to_python()[1][:2] == ["农村低保", 9.0]


def test_cli_skip_invalid_exits_zero_and_reports(messy: Path) -> None:
    out = io.StringIO()
    call_command("import", "households", str(messy), "--skip-invalid", stdout=out)
    text = out.getvalue()
    assert "已导入：4 户 7 人" in text and "农村低保 第 19 行 · 月保障金额：金额“四百五”不是数字" in text


def test_cli_unknown_programme_is_refused(messy: Path) -> None:
    with pytest.raises(CommandError, match="未知的救助项目"):
        call_command("import", "households", str(messy), "--programme", "不存在的项目")


def test_township_officer_imports_only_inside_the_township(messy: Path, meishan_officer: Any) -> None:
    # given: a 梅山街道 officer and a ledger with 夏道镇 households
    result = import_ledger(messy, user=meishan_officer, dry_run=True)
    # then: only the 梅山 households are valid; every 夏道镇 household is out of jurisdiction
    assert result.stats.households == 2
    outside = [e for e in result.errors if e.message == "乡镇(街道)“夏道镇”不在您的辖区内"]
    assert len(outside) == 11


def test_roles_without_import_cannot_import(messy: Path, make_user: Any, zhongshan: Any, county: Any) -> None:
    for role, division in ((Role.VILLAGE_COORDINATOR, zhongshan), (Role.AUDITOR, county)):
        with pytest.raises(PermissionDenied):
            import_ledger(messy, user=make_user(role, division))


# ---------------------------------------------------------------- other formats

def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


CSV_ROWS = [
    ["夏道镇低保台账（单位：元）", "", "", "", "", "", ""],
    ["姓名", "证件号码", "关系", "村(社区)", "保障人数", "保障金(元)", "出生日期"],
    ["叶青山", make_id(dt.date(1966, 3, 3), 40, male=True), "户主", "小鸠村", "2", "￥560.5", "1966年3月3日"],
    ["叶小红", make_id(dt.date(2001, 9, 9), 41, male=False), "女儿", "", "", "", "2001/9/9"],
    ["合计", "", "", "", "2", "560.5", ""],
]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_or_utf8(tmp_path: Path, encoding: str, xiadao_officer: Any) -> None:
    path = write_csv(tmp_path / "ledger.csv", CSV_ROWS, encoding)
    result = import_ledger(path, user=xiadao_officer, programme="农村低保")
    assert result.errors == [] and result.imported
    ye = Person.objects.get(name="叶青山")
    assert ye.household.division.name == "小鸠村委会"    # township from the officer's own jurisdiction
    e = Enrollment.objects.get(household=ye.household)
    assert (e.programme.code, e.monthly_amount, e.covered_persons) == ("dibao_rural", Decimal("560.50"), 2)
    assert Person.objects.get(name="叶小红").relation == "30"


def test_csv_with_excel_scientific_id_is_refused(tmp_path: Path) -> None:
    rows = [["姓名", "身份证号", "与户主关系", "乡镇", "村"], ["叶青山", "3.50702E+17", "户主", "夏道", "小鸠村"]]
    result = import_ledger(write_csv(tmp_path / "sci.csv", rows, "gbk"), dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "身份证号")]
    assert "科学计数法" in result.errors[0].message


def test_legacy_xls_with_merged_household_cells(tmp_path: Path) -> None:
    # given: an old .xls (BIFF) written by xlwt, sheet 特困人员分散供养, merged 序号/村 over two rows
    book = xlwt.Workbook(encoding="utf-8")
    sh = book.add_sheet("特困人员分散供养")
    sh.write_merge(0, 0, 0, 6, "樟湖镇特困人员花名册")
    for c, h in enumerate(["序号", "乡镇(街道)", "村(社区)", "姓名", "身份证号", "与户主关系", "月保障金额"]):
        sh.write(1, c, h)
    sh.write_merge(2, 3, 0, 0, 1)
    sh.write_merge(2, 3, 1, 1, "樟湖")
    sh.write_merge(2, 3, 2, 2, Division.objects.filter(parent__name="樟湖镇", level="village").first().name)
    tk1 = make_id(dt.date(1940, 2, 2), 50, male=True)
    tk2 = make_id(dt.date(1942, 4, 4), 51, male=False)
    sh.write(2, 3, "魏大")
    sh.write(2, 4, tk1)
    sh.write(2, 5, "户主")
    sh.write(2, 6, 1234.5)
    sh.write(3, 3, "魏二")
    sh.write(3, 4, tk2)
    sh.write(3, 5, "妹妹")
    sh.write(3, 6, 1234.5)
    path = tmp_path / "tekun.xls"
    book.save(str(path))
    # when
    result = import_ledger(path)
    # then: one household of two; 特困 pays each person: two person enrollments
    assert result.errors == [] and result.imported
    hh = Person.objects.get(id_number=tk1).household
    assert hh.members.count() == 2 and hh.division.parent.name == "樟湖镇"
    es = Enrollment.objects.filter(household=hh).order_by("person__id_number")
    assert [(e.programme.code, e.person.name, e.covered_persons, e.monthly_amount) for e in es] == [
        ("tekun_dispersed", "魏大", 1, Decimal("1234.50")), ("tekun_dispersed", "魏二", 1, Decimal("1234.50"))]


def test_repeated_household_values_on_each_row_and_programme_from_category(tmp_path: Path) -> None:
    # given: household columns repeated on every member row, the programme named only in 保障类别
    path = tmp_path / "repeat.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Sheet1")
    rows = [
        ["户主姓名", "姓名", "身份证号", "与户主关系", "乡镇", "村", "保障类别", "保障人数", "月保障金额"],
        ["江一", "江一", make_id(dt.date(1970, 1, 1), 60, male=True), "户主", "夏道", "小鸠村", "城市低保", "2", "800"],
        ["江一", "江二", make_id(dt.date(1999, 1, 1), 61, male=True), "子", "夏道", "小鸠村", "城市低保", "2", "800"],
        ["何三", "何三", make_id(dt.date(1971, 1, 1), 62, male=False), "户主", "夏道", "小鸠村", "城市低保", "1", "800"],
    ]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    result = import_ledger(path)
    assert result.errors == [] and result.stats.households == 2 and result.stats.persons == 3
    assert result.stats.monthly_total == Decimal("1600.00")
    assert Enrollment.objects.filter(programme__code="dibao_urban", source="import").count() == 2


def test_village_names_must_be_unambiguous(tmp_path: Path, district_admin: Any) -> None:
    rows = [
        ["姓名", "身份证号", "与户主关系", "乡镇", "村"],
        ["甲", make_id(dt.date(1980, 1, 1), 70, male=True), "户主", "夏道", "夏道"],      # 夏道社区 or 夏道村
        ["乙", make_id(dt.date(1980, 1, 2), 71, male=True), "户主", "", "洋坑村"],        # in two townships
        ["丙", make_id(dt.date(1980, 1, 3), 72, male=True), "户主", "梅山", "中山"],      # 中山社区居委会
        ["丁", make_id(dt.date(1980, 1, 4), 73, male=True), "户主", "火星镇", "中山"],
    ]
    result = import_ledger(write_csv(tmp_path / "v.csv", rows, "utf-8"), user=district_admin, dry_run=True)
    assert [(e.row, e.column) for e in result.errors] == [(2, "村"), (3, "村"), (5, "乡镇")]
    assert "不唯一" in result.errors[0].message and "不唯一" in result.errors[1].message
    assert result.errors[2].message == "未找到乡镇(街道)“火星镇”"
    assert result.stats.households == 1


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    from minzheng.registry.ledger import LedgerFileError

    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(LedgerFileError, match="无法读取文件"):
        import_ledger(bad)
    with pytest.raises(LedgerFileError, match="不支持的文件类型"):
        import_ledger(tmp_path / "x.pdf")


def test_error_workbook_without_errors_still_opens(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ok.csv", CSV_ROWS, "gbk")
    result = import_ledger(path, programme="dibao_rural", dry_run=True)
    wb = CalamineWorkbook.from_bytes(write_error_workbook(result)) if hasattr(CalamineWorkbook, "from_bytes") else None
    if wb is None:
        out = tmp_path / "e.xlsx"
        out.write_bytes(write_error_workbook(result))
        wb = CalamineWorkbook.from_path(str(out))
    assert wb.get_sheet_by_name("错误").to_python()[0][0] == "工作表"
