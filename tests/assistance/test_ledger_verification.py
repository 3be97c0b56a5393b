"""存量核查: an imported ledger creates records to verify, which are not paid until the rules and the township have
checked them (or the district carries them over for named months); footers are ignored, not errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from python_calamine import CalamineWorkbook

from minzheng.assistance.models import Application, CheckOutcome, CheckStatus, LedgerCheck
from minzheng.assistance.services import verification
from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.payments import services as payroll
from minzheng.payments.models import PayrollLine
from minzheng.policy import services as policy
from minzheng.registry import idnumber
from minzheng.registry.ledger import import_ledger
from minzheng.registry.ledger.errors_workbook import write_error_workbook
from minzheng.registry.models import Enrollment, EnrollmentAmount, Person

pytestmark = pytest.mark.django_db

TODAY = dates.today()
MONTH = TODAY.replace(day=1)
MATCH_ID = idnumber.make("350702", dt.date(1985, 3, 1), 31)
OVER_ID = idnumber.make("350702", dt.date(1984, 4, 2), 42)
OVER_WIFE = idnumber.make("350702", dt.date(1986, 5, 3), 54)


def rural_standard(village: Any) -> Decimal:
    return policy.decimal("dibao.standard.rural", on=TODAY, division=village)


def build_ledger(path: Path, village: Any, match_amount: Decimal) -> Path:
    """Two 农村低保 households (one at the rules' amount, one of 2 persons at 2000 元, above 2 × the standard), a 户主名称 column, a totals
    row, a note, and a signature footer whose signer's name sits in the 姓名 column."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("农村低保")
    ws.write_row(0, 0, ["夏道镇农村低保花名册"])
    head = ["序号", "乡镇", "村(居)", "户主名称", "姓名", "身份证号码", "与户主关系", "性别", "保障人数", "月保障金额",
            "开户银行", "卡号"]
    ws.write_row(1, 0, head)
    town, name = village.parent.name, village.name
    rows = [
        [1, town, name, "陈志富", "陈志富", MATCH_ID, "户主", "男", 1, float(match_amount), "农村信用社",
         "6228480012345678901"],
        [2, town, name, "林大明", "林大明", OVER_ID, "户主", "男", 2, 2000, "农村信用社", "6228480012345678919"],
        ["", "", "", "", "黄秀英", OVER_WIFE, "配偶", "女", "", "", "", ""],
        ["合计", "", "", "", "", "", "", "", 3, float(match_amount) + 2000, "", ""],
        ["注：金额单位为元"],
        ["制表人：", "", "", "", "张三", "", "审核人：", "李四", "", "制表日期：2026年1月5日"],
    ]
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r):
            ws.write_string(i, j, v) if isinstance(v, str) else ws.write_number(i, j, v)
    wb.close()
    return path


@pytest.fixture
def ledger(tmp_path: Path, xiadao_village: Any) -> Path:
    return build_ledger(tmp_path / "夏道镇低保台账.xlsx", xiadao_village, rural_standard(xiadao_village))


def test_footer_totals_and_notes_are_ignored_not_errors_and_head_column_variant_is_read(
        ledger: Path, xiadao_officer: Any) -> None:
    result = import_ledger(ledger, user=xiadao_officer, dry_run=True)
    assert result.error_count == 0 and result.stats.households == 2 and result.stats.persons == 3
    assert result.stats.ignored_rows == 3
    assert [i.row for i in result.stats.ignored] == [6, 7, 8]
    assert "签字栏" in result.stats.ignored[2].message and "已忽略非数据行 3 行" in result.summary()
    # the error workbook speaks the ledger's own headers and lists the ignored rows on their own sheet
    out = ledger.with_name("errors.xlsx")
    out.write_bytes(write_error_workbook(result))
    wb = CalamineWorkbook.from_path(str(out))
    ignored = wb.get_sheet_by_name("已忽略").to_python()
    assert ignored[0][4:8] == ["序号", "乡镇", "村(居)", "户主名称"]
    assert ignored[3][0:2] == ["农村低保", 8.0] and "张三" in ignored[3]


def test_import_pays_nothing_until_verified(ledger: Path, xiadao_officer: Any, xiadao_village: Any) -> None:
    result = import_ledger(ledger, user=xiadao_officer)
    assert result.imported and "存量核查中" in result.summary()
    imported = Enrollment.objects.filter(source="import")
    assert imported.count() == 2 and set(imported.values_list("status", flat=True)) == {"verifying"}
    # the rules recomputed both at once (a small import); nothing is paid
    run = payroll.generate(month=MONTH, user=xiadao_officer, township=xiadao_village.parent)
    assert not PayrollLine.objects.filter(enrollment__in=imported).exists()
    assert run.payrolls == []

    match = LedgerCheck.objects.get(enrollment__household__head__id_number=MATCH_ID)
    over = LedgerCheck.objects.get(enrollment__household__head__id_number=OVER_ID)
    assert match.outcome == CheckOutcome.MATCH and match.engine_amount == rural_standard(xiadao_village)
    assert over.outcome == CheckOutcome.DIFFERS
    cap = rural_standard(xiadao_village) * 2
    assert over.flags == [f"台账金额 2000.00 元 超过农村低保标准 {rural_standard(xiadao_village)} 元 × 保障人数 2 人 = "
                          f"{cap:.2f} 元"]
    assert "低保" in over.explanation and over.engine_amount == cap

    # the township confirms the matching one in bulk; only it is paid
    assert verification.confirm_matches(user=xiadao_officer) == 1
    match.refresh_from_db()
    assert match.status == CheckStatus.CONFIRMED and match.enrollment.status == "active"
    payroll.generate(month=MONTH, user=xiadao_officer, township=xiadao_village.parent)
    paid = PayrollLine.objects.filter(enrollment__in=imported)
    assert list(paid.values_list("enrollment_id", flat=True)) == [match.enrollment_id]
    assert AuditEntry.objects.filter(action="assistance.ledger_check.confirm").exists()


def test_differences_are_decided_one_by_one(ledger: Path, xiadao_officer: Any, xiadao_village: Any) -> None:
    import_ledger(ledger, user=xiadao_officer)
    over = LedgerCheck.objects.get(enrollment__household__head__id_number=OVER_ID)
    # a difference is never confirmed in bulk, and keeping it needs a reason
    assert verification.confirm_matches(user=xiadao_officer, ids=[over.pk]) == 0
    with pytest.raises(ValidationError, match="须写明理由"):
        verification.decide(over, user=xiadao_officer, action="keep", reason=" ")
    with pytest.raises(ValidationError, match="处理方式"):
        verification.decide(over, user=xiadao_officer, action="pay")
    over = verification.decide(over, user=xiadao_officer, action="correct", reason="按规则测算更正")
    enr = over.enrollment
    enr.refresh_from_db()
    assert over.status == CheckStatus.CORRECTED and enr.status == "active"
    assert enr.monthly_amount == over.engine_amount
    assert EnrollmentAmount.objects.filter(enrollment=enr, reason="存量核查按规则更正",
                                           monthly_amount=over.engine_amount).exists()
    with pytest.raises(ValidationError, match="已处理"):
        verification.decide(over, user=xiadao_officer, action="keep", reason="再来一次")


def test_review_case_replaces_the_imported_record(ledger: Path, xiadao_officer: Any) -> None:
    import_ledger(ledger, user=xiadao_officer)
    over = LedgerCheck.objects.get(enrollment__household__head__id_number=OVER_ID)
    over = verification.decide(over, user=xiadao_officer, action="review", reason="入户核实收入")
    app = over.application
    assert isinstance(app, Application) and app.channel == "discovered" and "存量核查" in app.reason
    assert over.enrollment.status == "verifying"   # still unpaid while the case runs
    from minzheng.assistance import services

    services.township_refuse(app, actor=xiadao_officer, reasons="收入超过标准")
    over.refresh_from_db()
    over.enrollment.refresh_from_db()
    assert over.status == CheckStatus.ENDED and over.enrollment.status == "ended"


def test_district_carry_over_pays_for_named_months_only(ledger: Path, xiadao_officer: Any, xiadao_village: Any,
                                                       district_admin: Any, county: Any) -> None:
    import_ledger(ledger, user=xiadao_officer)
    with pytest.raises(PermissionDenied):
        verification.carry_over(user=xiadao_officer, division=xiadao_village.parent, months=1, reason="过渡")
    with pytest.raises(ValidationError, match="1–3 个月"):
        verification.carry_over(user=district_admin, division=county, months=4, reason="过渡")
    with pytest.raises(ValidationError, match="理由"):
        verification.carry_over(user=district_admin, division=county, months=1, reason="")
    decision = verification.carry_over(user=district_admin, division=county, months=1, reason="年初系统切换过渡")
    assert decision.enrollments == 2 and decision.until == dates.add_months(MONTH, 1)
    assert AuditEntry.objects.filter(action="assistance.ledger_check.carry_over").exists()
    payroll.generate(month=MONTH, user=xiadao_officer, township=xiadao_village.parent)
    assert PayrollLine.objects.filter(enrollment__source="import").count() == 2
    # the month after the carry-over, an unverified record is not due
    enr = Enrollment.objects.filter(source="import").first()
    assert enr is not None and enr.carry_until == dates.add_months(MONTH, 1)


def test_large_imports_are_checked_by_the_command(ledger: Path, xiadao_officer: Any, settings: Any) -> None:
    settings.MINZHENG_LEDGER_CHECK_INLINE_MAX = 1
    import_ledger(ledger, user=xiadao_officer)
    assert not LedgerCheck.objects.exists()
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("assistance", "ledger-check", "--compute", "--json", stdout=out)
    assert '"checked": 2' in out.getvalue()
    assert LedgerCheck.objects.count() == 2
    assert Person.objects.filter(id_number=OVER_WIFE).exists()


def test_the_township_works_through_the_page(ledger: Path, xiadao_officer: Any, meishan_officer: Any,
                                             login: Any) -> None:
    import_ledger(ledger, user=xiadao_officer)
    page = login(xiadao_officer)
    html = page.get("/assistance/ledger-checks/").content.decode()
    assert "差异待逐户处理" in html and "超过农村低保标准" in html and "林大明户" in html
    assert "林大明户" not in login(meishan_officer).get("/assistance/ledger-checks/").content.decode()
    over = LedgerCheck.objects.get(enrollment__household__head__id_number=OVER_ID)
    resp = page.post(f"/assistance/ledger-checks/{over.pk}/decide/", {"action": "keep", "reason": ""})
    assert resp.status_code == 302
    over.refresh_from_db()
    assert over.status == CheckStatus.PENDING          # refused: a reason is required, nothing changed
    page.post(f"/assistance/ledger-checks/{over.pk}/decide/", {"action": "keep", "reason": "分档施保，经入户核实"})
    page.post("/assistance/ledger-checks/confirm/")
    assert set(Enrollment.objects.filter(source="import").values_list("status", flat=True)) == {"active"}
    over.refresh_from_db()
    assert over.status == CheckStatus.KEPT and over.reason == "分档施保，经入户核实"


def test_the_api_lists_and_decides(ledger: Path, xiadao_officer: Any, meishan_officer: Any, login: Any) -> None:
    import json

    import_ledger(ledger, user=xiadao_officer)
    api = login(xiadao_officer)
    got = api.get("/api/assistance/ledger-checks").json()
    assert got["summary"]["matches"] == 1 and len(got["checks"]) == 2
    assert login(meishan_officer).get("/api/assistance/ledger-checks").json()["checks"] == []
    over = LedgerCheck.objects.get(enrollment__household__head__id_number=OVER_ID)
    bad = api.post(f"/api/assistance/ledger-checks/{over.pk}/decide", json.dumps({"action": "keep"}),
                   content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"] == {"reason": ["保持原金额须写明理由"]}
    ok = api.post(f"/api/assistance/ledger-checks/{over.pk}/decide",
                  json.dumps({"action": "correct", "reason": "按规则"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "corrected"
    assert api.post("/api/assistance/ledger-checks/confirm").json() == {"confirmed": 1}


def _allowance_ledger(path: Path, village: Any, rows: list[tuple[str, str, float]]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("高龄津贴")
    ws.write_row(0, 0, ["序号", "乡镇", "村(居)", "户主姓名", "姓名", "身份证号码", "与户主关系", "保障人数", "月保障金额"])
    for i, (name, id_number, amount) in enumerate(rows, start=1):
        ws.write_row(i, 0, [i, village.parent.name, village.name, name, name, id_number, "户主", 1])
        ws.write_number(i, 8, amount)
    wb.close()
    return path


def test_imported_allowances_are_recomputed_by_the_allowance_rules(tmp_path: Path, xiadao_officer: Any,
                                                                   xiadao_village: Any) -> None:
    from minzheng.payments import allowances
    from minzheng.payments import rules as allowance_rules

    elder = idnumber.make("350702", dt.date(TODAY.year - 86, 2, 1), 17)
    wrong = idnumber.make("350702", dt.date(TODAY.year - 91, 3, 1), 25)
    young = idnumber.make("350702", dt.date(1980, 3, 1), 33)
    band = allowance_rules.gaoling_band(dt.date(TODAY.year - 86, 2, 1), MONTH, allowances.standards(MONTH).bands)
    assert band is not None
    path = _allowance_ledger(tmp_path / "高龄.xlsx", xiadao_village,
                             [("郑老汉", elder, float(band.amount)), ("吴阿婆", wrong, 999.0), ("周青年", young, 100.0)])
    import_ledger(path, user=xiadao_officer, programme="gaoling")
    by_id = {c.enrollment.person.id_number: c for c in LedgerCheck.objects.select_related("enrollment__person")}
    assert by_id[elder].outcome == CheckOutcome.MATCH and by_id[elder].engine_amount == band.amount
    assert by_id[wrong].outcome == CheckOutcome.DIFFERS and by_id[wrong].engine_amount != Decimal("999")
    assert "档发放" in by_id[wrong].explanation
    assert by_id[young].outcome == CheckOutcome.NOT_ELIGIBLE and by_id[young].engine_amount == 0
    # only the match can be confirmed in bulk
    assert verification.confirm_matches(user=xiadao_officer) == 1


def test_an_imported_tekun_record_waits_for_its_legal_supporters(tmp_path: Path, xiadao_officer: Any,
                                                                  xiadao_village: Any) -> None:
    path = build_ledger(tmp_path / "特困.xlsx", xiadao_village, rural_standard(xiadao_village))
    import_ledger(path, user=xiadao_officer, programme="tekun_dispersed")
    checks = list(LedgerCheck.objects.all())
    assert checks and all(any("法定赡养" in f for f in c.flags) for c in checks)
    assert all(c.outcome != CheckOutcome.MATCH for c in checks)
    assert verification.confirm_matches(user=xiadao_officer) == 0
