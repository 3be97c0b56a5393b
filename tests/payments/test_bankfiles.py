"""Bank disbursement files, the bank's return file, rosters and fund bookkeeping."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from python_calamine import CalamineWorkbook

from minzheng.audit.models import AuditEntry
from minzheng.payments import bankfiles, funds, outputs, services
from minzheng.payments.models import (
    BankFileLayout,
    FundEntry,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)

from .conftest import enroll

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(hh: Any, meishan_officer: Any, approver: Any) -> Payroll:
    for amount, name in (("812.37", "陈志富"), ("450.00", "林秀英"), ("99.99", "王五")):
        enroll(hh(head_name=name), "dibao_urban", amount, JAN)
    p = services.generate(month=JAN, user=meishan_officer).payrolls[0]
    services.prepare(payroll=p, user=meishan_officer)
    return services.approve(payroll=p, user=approver)


def _csv_rows(data: bytes, enc: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(enc))))


def test_csv_bank_file_opens_and_totals(approved: Payroll, meishan_officer: Any) -> None:
    layout = BankFileLayout.objects.get(code="csv_gbk")
    name, data = bankfiles.export(payroll=approved, user=meishan_officer, layout=layout)
    rows = _csv_rows(data, "gbk")
    assert rows[0] == ["批次号", bankfiles.batch_no(approved), "总笔数", "3", "总金额", "1362.36"]
    assert rows[1] == ["序号", "户名", "身份证号", "账号", "金额", "摘要"]
    assert sorted(r[1] for r in rows[2:]) == ["林秀英", "王五", "陈志富"]
    assert sum(Decimal(r[4]) for r in rows[2:]) == Decimal("1362.36") == approved.total
    approved.refresh_from_db()
    assert approved.status == PayrollStatus.EXPORTED and name.endswith(".csv")
    assert AuditEntry.objects.filter(action="export.payments.bankfile").exists()


def test_fixed_width_file_counts_gbk_bytes(approved: Payroll, meishan_officer: Any) -> None:
    layout = BankFileLayout.objects.get(code="txt_fixed")
    _, data = bankfiles.export(payroll=approved, user=meishan_officer, layout=layout)
    lines = data.split(b"\r\n")[:-1]
    width = 1 + sum(c["width"] for c in layout.columns)
    assert all(len(line) == width for line in lines[1:-1])
    assert lines[0].decode("gbk").startswith("H" + bankfiles.batch_no(approved))
    assert lines[-1].decode("gbk").replace(" ", "") == "T31362.36"
    assert "陈志富".encode("gbk") in data


def _return_file(data: bytes, fail_account: str | None = None, *, tamper_total: bool = False,
                 extra_account: bool = False) -> bytes:
    rows = _csv_rows(data, "gbk")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    head = rows[0]
    if tamper_total:
        head = [*head[:5], str(Decimal(head[5]) + 1)]
    w.writerow(head)
    w.writerow([*rows[1], "处理结果", "失败原因"])
    for r in rows[2:]:
        acct = "6222999" if extra_account and r is rows[2] else r[3]
        w.writerow([r[0], r[1], r[2], acct, r[4], r[5], "失败" if r[3] == fail_account else "成功",
                    "账户已销户" if r[3] == fail_account else ""])
    return out.getvalue().encode("gbk")


def test_return_file_marks_failures_for_reissue(approved: Payroll, meishan_officer: Any, approver: Any) -> None:
    layout = BankFileLayout.objects.get(code="csv_gbk")
    _, data = bankfiles.export(payroll=approved, user=meishan_officer, layout=layout)
    victim = PayrollLine.objects.get(payee_name="林秀英")
    br = bankfiles.import_return(data=_return_file(data, victim.bank_account), file_name="huipan.csv",
                                 user=meishan_officer, layout=layout)
    assert (br.rows, br.failed) == (3, 1)
    victim.refresh_from_db()
    assert victim.status == LineStatus.FAILED and victim.bank_message == "账户已销户"
    assert PayrollLine.objects.filter(status=LineStatus.PAID).count() == 2
    # the failed payment is paid again in February's roster
    feb = services.generate(month=FEB, user=meishan_officer).payrolls[0]
    reissue = feb.lines.get(kind="reissue")
    assert reissue.reissue_of == victim and reissue.amount == Decimal("450.00")
    # importing the same file again is refused
    with pytest.raises(ValidationError, match="已经导入过"):
        bankfiles.import_return(data=_return_file(data, victim.bank_account), file_name="huipan.csv",
                                user=meishan_officer, layout=layout)


@pytest.mark.parametrize("kw,msg", [({"tamper_total": True}, "总金额"), ({"extra_account": True}, "不在发出的文件中")])
def test_bad_return_file_changes_nothing(approved: Payroll, meishan_officer: Any, kw: dict[str, bool],
                                         msg: str) -> None:
    layout = BankFileLayout.objects.get(code="csv_gbk")
    _, data = bankfiles.export(payroll=approved, user=meishan_officer, layout=layout)
    before = list(PayrollLine.objects.values_list("id", "status"))
    with pytest.raises(ValidationError) as err:
        bankfiles.import_return(data=_return_file(data, **kw), file_name="bad.csv", user=meishan_officer,
                                layout=layout)
    assert msg in " ".join(err.value.messages) and "未作任何改动" in err.value.messages[0]
    assert list(PayrollLine.objects.values_list("id", "status")) == before
    approved.refresh_from_db()
    assert approved.status == PayrollStatus.EXPORTED


def test_roster_xlsx_and_pdf(approved: Payroll, meishan_officer: Any) -> None:
    _name, body = outputs.roster_xlsx(approved, meishan_officer)
    path = f"/tmp/mz-payments-{approved.pk}.xlsx"
    with open(path, "wb") as fh:
        fh.write(body)
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_name("花名册").to_python()
    assert sheet[1][:3] == ["序号", "村(社区)", "领款人"]
    assert sum(Decimal(str(r[-1])).quantize(Decimal("0.01")) for r in sheet[2:]) == Decimal("1362.36")
    assert isinstance(sheet[2][3], str) and len(sheet[2][3]) == 18   # ID as text, full for the officer
    _, pdf = outputs.roster_pdf(approved, meishan_officer)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    assert AuditEntry.objects.filter(action="print.payments.roster").exists()


def test_approval_books_disbursement_by_funding_shares(approved: Payroll, meishan: Any, approver: Any) -> None:
    entries = FundEntry.objects.filter(payroll=approved)
    assert sum(e.amount for e in entries) == approved.total
    assert {e.source: e.amount for e in entries}["central"] == Decimal("817.42")   # 60 % of 1362.36, to the fen
    # an allocation below the spending raises an alert; a fund spent on another programme too
    funds.add_entry(user=approver, fund="dibao_urban", source="central", kind="allocation", township=meishan,
                    month=JAN, amount=Decimal("500"))
    funds.add_entry(user=approver, fund="dibao_urban", source="county", kind="expense", township=meishan,
                    month=JAN, amount=Decimal("80"), spent_on="linshi", note="挪用示例")
    texts = [a.text for a in funds.alerts(approver, year=2026)]
    assert any("超过下达额度" in t and "中央" in t for t in texts)
    assert any("专款专用" in t and "临时救助" in t for t in texts)
    # 工作经费: a ratio of the special funds the township handled that month, budgeted once
    made = funds.budget_work_funds(month=JAN)
    assert [(e.township_id, e.amount) for e in made] == [(meishan.pk, Decimal("13.62"))]
    assert funds.budget_work_funds(month=JAN) == []


def test_csv_bank_file_neutralises_a_formula_in_a_name(approved: Payroll, meishan_officer: Any) -> None:
    # A name stored before names were checked (or edited in the database) must not become a formula in the bank's
    # spreadsheet.
    hostile = '=HYPERLINK("http://evil.example","点我")'
    PayrollLine.objects.filter(payroll=approved, payee_name="王五").update(payee_name=hostile)
    _, data = bankfiles.export(payroll=approved, user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    names = [r[1] for r in _csv_rows(data, "gbk")[2:]]
    assert "'" + hostile in names and hostile not in names
    assert "陈志富" in names  # ordinary names are untouched
