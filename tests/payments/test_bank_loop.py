"""Bank return handling completes the loop: a failed transfer is refunded to the fund and reissued after the account
is corrected; a transfer that fails twice is held with a reason for the township; a bad return file changes
nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minzheng.payments import bankfiles, holds, services
from minzheng.payments.models import (
    BankFileLayout,
    FundEntry,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)
from minzheng.registry.models import EnrollmentAmount

from .conftest import card, enroll

JAN, FEB, MAR = (dt.date(2026, m, 1) for m in range(1, 4))
pytestmark = pytest.mark.django_db


def csv_layout() -> BankFileLayout:
    return BankFileLayout.objects.get(code="csv_gbk")


def send(p: Payroll, user: Any) -> list[list[str]]:
    _, data = bankfiles.export(payroll=p, user=user, layout=csv_layout())
    return list(csv.reader(io.StringIO(data.decode("gbk"))))


def answer(rows: list[list[str]], failing: set[str], message: str = "账户已冻结") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(rows[0])
    w.writerow([*rows[1], "处理结果", "失败原因"])
    for r in rows[2:]:
        w.writerow([*r, "失败" if r[1] in failing else "成功", message if r[1] in failing else ""])
    return out.getvalue().encode("gbk")


def approved(month: dt.date, maker: Any, checker: Any) -> Payroll:
    (p,) = services.generate(month=month, user=maker).payrolls
    services.prepare(payroll=p, user=maker)
    return services.approve(payroll=p, user=checker)


def test_failed_twice_is_held_and_paid_after_the_fix(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: two families; the bank refuses 林's transfer in January
    enroll(hh(head_name="陈"), "dibao_urban", "500", JAN)
    lin = enroll(hh(head_name="林"), "dibao_urban", "400", JAN)
    jan = approved(JAN, meishan_officer, approver)
    br = bankfiles.import_return(data=answer(send(jan, meishan_officer), {"林"}), file_name="jan.csv",
                                 user=meishan_officer, layout=csv_layout())
    # then: the failed money is back in the fund (refund) until reissued
    assert br.failed == 1
    refund = FundEntry.objects.filter(payroll=jan, kind="refund")
    assert sum(e.amount for e in refund) == Decimal("400.00")
    # when: February reissues it (the account was not changed) and the bank refuses it again
    feb = approved(FEB, meishan_officer, approver)
    assert feb.lines.get(kind=LineKind.REISSUE).reissue_of.payroll == jan
    bankfiles.import_return(data=answer(send(feb, meishan_officer), {"林"}, "户名与账号不符"), file_name="feb.csv",
                            user=meishan_officer, layout=csv_layout())
    # then: held, not failed, with both reasons, and not reissued a third time by itself
    held = list(feb.lines.filter(enrollment=lin))
    assert {x.status for x in held} == {LineStatus.HELD}
    assert "两次银行发放失败" in held[0].hold_reason and "账户已冻结" in held[0].hold_reason \
        and "户名与账号不符" in held[0].hold_reason
    mar = services.generate(month=MAR, user=meishan_officer).payrolls[0]
    assert not mar.lines.filter(kind=LineKind.REISSUE).exists()
    # when: the township corrects the account and releases the hold
    head = lin.household.head
    head.bank_account = card(777)
    head.save()
    holds.release(line=held[0], user=meishan_officer)
    mar = services.generate(month=MAR, user=meishan_officer).payrolls[0]
    # then: March pays the February money again into the corrected account (and February's own line as 补发)
    again = {(x.kind, f"{x.period_month:%Y-%m}", x.amount, x.bank_account) for x in mar.lines.filter(enrollment=lin)}
    assert again == {("reissue", "2026-01", Decimal("400.00"), card(777)), ("arrears", "2026-02", Decimal("400.00"), card(777)),
                     ("regular", "2026-03", Decimal("400.00"), card(777))}


def test_a_failed_transfer_with_a_recovery_is_reissued_net(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: February pays 林 500 and recovers 100 overpaid in January: one transfer of 400, which fails
    lin = enroll(hh(head_name="林"), "dibao_urban", "500", JAN)
    enroll(hh(head_name="陈"), "dibao_urban", "300", JAN)
    approved(JAN, meishan_officer, approver)
    EnrollmentAmount.objects.create(enrollment=lin, from_month=JAN, monthly_amount=Decimal("400"), reason="复核下调")
    EnrollmentAmount.objects.create(enrollment=lin, from_month=FEB, monthly_amount=Decimal("500"), reason="恢复")
    feb = approved(FEB, meishan_officer, approver)
    rows = send(feb, meishan_officer)
    assert [r[4] for r in rows[2:] if r[1] == "林"] == ["400.00"]
    bankfiles.import_return(data=answer(rows, {"林"}), file_name="feb.csv", user=meishan_officer,
                            layout=csv_layout())
    # when: March reissues the failed transfer
    mar = services.generate(month=MAR, user=meishan_officer).payrolls[0]
    # then: the recovery travels with it, so the reissued net is what failed — no more, no less
    reissued = mar.lines.filter(enrollment=lin, kind=LineKind.REISSUE)
    assert sorted(x.amount for x in reissued) == [Decimal("-100.00"), Decimal("500.00")]


@pytest.mark.parametrize("name,data,message", [
    ("empty", b"", "空的"),
    ("garbage", bytes(range(256)) * 3, "批次号|格式不对|编码"),
    ("no header", "1,张三,350702,6228,1.00,摘要,成功,\r\n".encode("gbk"), "批次号"),
    ("bad amount", "批次号,MZ00000001-202601,总笔数,1,总金额,abc\r\n".encode("gbk"), "不是数字"),
])
def test_bad_return_files_change_nothing(hh: Any, meishan_officer: Any, approver: Any, name: str, data: bytes,
                                         message: str) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    p = approved(JAN, meishan_officer, approver)
    send(p, meishan_officer)
    before = list(PayrollLine.objects.values_list("id", "status"))
    with pytest.raises(ValidationError, match=message):
        bankfiles.import_return(data=data, file_name=f"{name}.csv", user=meishan_officer, layout=csv_layout(),
                                payroll=p)
    assert list(PayrollLine.objects.values_list("id", "status")) == before
    assert not FundEntry.objects.filter(kind="refund").exists()


def test_truncated_fixed_width_return_is_refused(hh: Any, meishan_officer: Any, approver: Any) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    p = approved(JAN, meishan_officer, approver)
    fixed = BankFileLayout.objects.get(code="txt_fixed")
    bankfiles.export(payroll=p, user=meishan_officer, layout=fixed)
    with pytest.raises(ValidationError, match=r"格式不对|批次号"):
        bankfiles.import_return(data="HMZ0000\r\nD1\r\n".encode("gbk"), file_name="bad.txt", user=meishan_officer,
                                layout=fixed, payroll=p)


def test_a_roster_takes_one_return_only(hh: Any, meishan_officer: Any, approver: Any) -> None:
    enroll(hh(head_name="陈"), "dibao_urban", "300", JAN)
    p = approved(JAN, meishan_officer, approver)
    rows = send(p, meishan_officer)
    bankfiles.import_return(data=answer(rows, set()), file_name="a.csv", user=meishan_officer, layout=csv_layout())
    with pytest.raises(ValidationError, match="只导入一次"):
        bankfiles.import_return(data=answer(rows, {"陈"}), file_name="b.csv", user=meishan_officer,
                                layout=csv_layout())
    assert Payroll.objects.get(pk=p.pk).status == PayrollStatus.PAID
    assert PayrollLine.objects.get().status == LineStatus.PAID
