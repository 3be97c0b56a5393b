"""Funds spent, not only paid out: 工作经费 spending per township with vouchers, its balance against budget and
allocation with alerts, and the monthly fund report per source that reconciles to the fen (xlsx and PDF)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from python_calamine import CalamineWorkbook

from minzheng.audit.models import AuditEntry
from minzheng.payments import bankfiles, fund_report, funds, services, spending
from minzheng.payments.models import WORK_FUNDS, BankFileLayout, FundEntry, Payroll

from .conftest import enroll

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
pytestmark = pytest.mark.django_db


def pdf(name: str = "凭证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 demo voucher", content_type="application/pdf")


@pytest.fixture
def work_funds(meishan: Any, approver: Any) -> None:
    """梅山街道 budgeted 1,000.00 a month for work funds, January and February allocated."""
    for month in (JAN, FEB):
        funds.add_entry(user=approver, fund=WORK_FUNDS, source="county", kind="budget", township=meishan,
                        month=month, amount=Decimal("1000"))
        funds.add_entry(user=approver, fund=WORK_FUNDS, source="county", kind="allocation", township=meishan,
                        month=month, amount=Decimal("1000"))


def test_spending_is_recorded_with_its_voucher(work_funds: None, meishan: Any, meishan_officer: Any,
                                               xiadao: Any) -> None:
    e = spending.record_spending(user=meishan_officer, township=meishan, category="survey", amount="312.40",
                                 spent_date=dt.date(2026, 1, 15), voucher_no="记-202601-001", note="入户调查交通",
                                 attachment=pdf())
    assert (e.fund, e.kind, e.month, e.amount) == (WORK_FUNDS, "expense", JAN, Decimal("312.40"))
    assert e.attachment.name.endswith(".pdf") and e.attachment.read().startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="payments.spending").exists()
    # refused with a reason: the same voucher twice, a future date, fractions of a fen, another township, a .exe
    cases = [({"voucher_no": "记-202601-001"}, "已登记过"), ({"spent_date": dt.date(2099, 1, 1)}, "晚于今天"),
             ({"amount": "1.234"}, "两位小数"), ({"amount": "-5"}, "大于 0"), ({"category": "party"}, "支出类别"),
             ({"attachment": SimpleUploadedFile("x.exe", b"MZ")}, "PDF")]
    base = {"user": meishan_officer, "township": meishan, "category": "office", "amount": "10",
            "spent_date": dt.date(2026, 1, 20), "voucher_no": "记-202601-002"}
    for change, message in cases:
        with pytest.raises(ValidationError, match=message):
            spending.record_spending(**{**base, **change})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        spending.record_spending(**{**base, "township": xiadao})
    assert FundEntry.objects.filter(kind="expense").count() == 1


def test_balance_against_budget_and_alerts(work_funds: None, meishan: Any, meishan_officer: Any,
                                          approver: Any) -> None:
    spending.record_spending(user=meishan_officer, township=meishan, category="training", amount="1850",
                             spent_date=dt.date(2026, 2, 10), voucher_no="记-202602-001", attachment=pdf())
    (b,) = spending.balances(meishan_officer, year=2026)
    assert (b.budget, b.allocated, b.spent, b.balance, b.budget_left) == (
        Decimal("2000.00"), Decimal("2000.00"), Decimal("1850.00"), Decimal("150.00"), Decimal("150.00"))
    assert b.level == "orange" and any("年度预算" in t for _, t, _ in spending.alerts(meishan_officer, year=2026))
    # spending beyond what was allocated, and a voucher without its scan, are both flagged
    spending.record_spending(user=meishan_officer, township=meishan, category="office", amount="400",
                             spent_date=dt.date(2026, 2, 12), voucher_no="记-202602-002")
    texts = [a.text for a in funds.alerts(approver, year=2026)]
    assert any("工作经费" in t and "超过下达额度" in t for t in texts)
    assert any("没有上传凭证附件" in t for t in texts)


def test_monthly_fund_report_reconciles_to_the_fen(hh: Any, meishan: Any, meishan_officer: Any, approver: Any,
                                                   work_funds: None) -> None:
    # given: January's 低保 paid (one transfer failed at the bank and was refunded), allocations, work-fund spending
    for amount in ("812.37", "450.00", "99.99"):
        enroll(hh(), "dibao_urban", amount, JAN)
    (p,) = services.generate(month=JAN, user=meishan_officer).payrolls
    services.prepare(payroll=p, user=meishan_officer)
    p = services.approve(payroll=p, user=approver)
    for source, amount in (("central", "900"), ("provincial", "300"), ("municipal", "150"), ("county", "150")):
        funds.add_entry(user=approver, fund="dibao_urban", source=source, kind="allocation", township=meishan,
                        month=JAN, amount=Decimal(amount))
    layout = BankFileLayout.objects.get(code="csv_gbk")
    _, data = bankfiles.export(payroll=p, user=meishan_officer, layout=layout)
    rows = list(csv.reader(io.StringIO(data.decode("gbk"))))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(rows[0])
    w.writerow([*rows[1], "处理结果", "失败原因"])
    for r in rows[2:]:
        w.writerow([*r, "失败" if r[4] == "99.99" else "成功", "账户已冻结" if r[4] == "99.99" else ""])
    bankfiles.import_return(data=out.getvalue().encode("gbk"), file_name="r.csv", user=meishan_officer,
                            layout=layout)
    spending.record_spending(user=meishan_officer, township=meishan, category="office", amount="123.45",
                             spent_date=dt.date(2026, 1, 8), voucher_no="V1", attachment=pdf())
    # when
    r = fund_report.monthly(approver, month=JAN)
    # then: per source, opening + allocated − (disbursed − refunded) − spent = closing, exactly
    assert r.ok
    central = next(b for b in r.blocks if b.source == "central").lines[0]
    assert (central.allocated, central.disbursed, central.refunded) == (
        Decimal("900.00"), Decimal("817.42"), Decimal("59.99"))
    assert central.closing == Decimal("900.00") - Decimal("817.42") + Decimal("59.99") == Decimal("142.57")
    county = {x.fund: x for x in next(b for b in r.blocks if b.source == "county").lines}
    assert county[WORK_FUNDS].spent == Decimal("123.45") and county[WORK_FUNDS].closing == Decimal("876.55")
    assert [c.ok for c in r.rosters] == [True] and r.rosters[0].booked == Decimal("1362.36")
    # February opens with January's closing balance
    feb = fund_report.monthly(approver, month=FEB)
    feb_central = next(b for b in feb.blocks if b.source == "central").lines[0]
    assert feb_central.opening == Decimal("142.57") and feb.ok
    # a booking that does not match its roster shows as a difference
    FundEntry.objects.filter(payroll=p, source="county", kind="disbursement").update(amount=F("amount") - Decimal("0.01"))
    bad = fund_report.monthly(approver, month=JAN)
    assert not bad.ok and bad.rosters[0].difference == Decimal("-0.01")


def test_report_exports_and_command(hh: Any, meishan: Any, meishan_officer: Any, approver: Any, work_funds: None,
                                    tmp_path: Path, login: Any) -> None:
    spending.record_spending(user=meishan_officer, township=meishan, category="office", amount="20.05",
                             spent_date=dt.date(2026, 1, 8), voucher_no="V9", attachment=pdf())
    r = fund_report.monthly(approver, month=JAN)
    name, body = fund_report.report_xlsx(r)
    path = tmp_path / name
    path.write_bytes(body)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("资金月报").to_python()
    assert "已核对一致" in sheet[0][0] and sheet[1][:3] == ["资金来源", "资金项目", "期初结余"]
    assert any(row[1] == "工作经费" and Decimal(str(row[6])).quantize(Decimal("0.01")) == Decimal("20.05")
               for row in sheet[2:])
    _, doc = fund_report.report_pdf(r)
    assert doc.startswith(b"%PDF") and len(doc) > 3000
    assert AuditEntry.objects.filter(action__in=["export.payments.fund_report", "print.payments.fund_report"]).count() == 2
    out = io.StringIO()
    call_command("payroll", "fund-report", "--month", "2026-01", "--xlsx", str(tmp_path / "r.xlsx"), "--pdf",
                 str(tmp_path / "r.pdf"), stdout=out)
    assert "核对一致" in out.getvalue() and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    c = login(approver)
    assert c.get("/api/payments/funds/report?month=2026-01").json()["ok"] is True
    assert c.get("/payments/funds/report.pdf?month=2026-01").content.startswith(b"%PDF")
    page = c.get("/payments/funds/report/?month=2026-01").content.decode()
    assert "核对一致" in page and "工作经费" in page


def test_spending_pages_and_api(work_funds: None, meishan: Any, meishan_officer: Any, login: Any) -> None:
    c = login(meishan_officer)
    resp = c.post("/payments/funds/spending/", {"township": meishan.pk, "category": "printing", "amount": "66.60",
                                                "spent_date": "2026-01-09", "voucher_no": "P-1", "note": "公示印刷",
                                                "attachment": pdf("p1.pdf")})
    assert resp.status_code == 302
    e = FundEntry.objects.get(voucher_no="P-1")
    page = c.get("/payments/funds/spending/?year=2026").content.decode()
    assert "P-1" in page and "公示印刷" in page and "1934.40" not in page
    assert c.get(f"/payments/funds/spending/{e.pk}/voucher").status_code == 200
    api = c.post("/api/payments/funds/spending", {"township": meishan.code, "category": "office", "amount": "9.90",
                                                  "spent_date": "2026-01-10", "voucher_no": "P-2"})
    assert api.status_code == 200, api.content
    assert json.loads(api.content)["has_attachment"] is False
    dup = c.post("/api/payments/funds/spending", {"township": meishan.code, "category": "office", "amount": "9.90",
                                                  "spent_date": "2026-01-10", "voucher_no": "P-2"})
    assert dup.status_code == 422 and "已登记过" in dup.json()["errors"]["voucher_no"][0]
    assert [x["voucher_no"] for x in c.get("/api/payments/funds/spending?year=2026").json()] == ["P-2", "P-1"]
    assert Payroll.objects.count() == 0
