"""The payments demo over a small demo population: 护理补贴 and 优抚 are paid, what the check finds is held and the
rest paid, fixed payees are paid next month as 补发, the fund report reconciles — and 梅山街道 can run this month
itself, paying everyone else while its payees without an account wait."""

from __future__ import annotations

import io
from typing import Any

import pytest

from minzheng.accounts.models import User
from minzheng.core import dates
from minzheng.core.demo_accounts import ensure_demo_accounts
from minzheng.payments import demo, fund_report, holds, services
from minzheng.payments.models import LineKind, LineStatus, Payroll, PayrollLine
from minzheng.regions.models import Division
from minzheng.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_demo_months_and_this_month(settings: Any) -> None:
    # given: the demo accounts and population, then the payments demo
    settings.DEMO_MODE = True
    ensure_demo_accounts()
    registry_demo.load(io.StringIO(), scale=0.01)
    out = io.StringIO()
    demo.load(out, scale=0.01)
    text = out.getvalue()
    assert "待遇认定信息" in text and "发放前检查挂起" in text
    months = sorted(set(Payroll.objects.values_list("month", flat=True)))
    # then: 护理补贴 and 优抚 are on the demo's rosters
    paid = set(PayrollLine.objects.values_list("payroll__programme__code", flat=True))
    assert {"canji_care", "youfu", "gaoling", "dibao_urban"} <= paid
    # what could not be paid was held, and what was fixed was paid again as 补发 the next month
    assert PayrollLine.objects.filter(status=LineStatus.HELD).exists()
    bufa = PayrollLine.objects.filter(kind=LineKind.ARREARS, reissue_of__status=LineStatus.RELEASED)
    assert bufa.exists() and all(x.paid_month > x.reissue_of.paid_month for x in bufa.select_related("reissue_of"))
    assert PayrollLine.objects.filter(kind=LineKind.REISSUE).exists()
    assert fund_report.monthly(None, month=months[-1]).ok
    # when: 梅山街道 runs this month itself
    meishan, shenpi = User.objects.get(username="meishan"), User.objects.get(username="qu_shenpi")
    town = Division.objects.get(name="梅山街道")
    res = services.generate(month=dates.month_start(dates.today()), user=meishan, township=town)
    blocked = [b for rows in res.blocking.values() for b in rows]
    # then: its payees without an account are listed, held, and everyone else is approved
    assert blocked and {b.problem for b in blocked} == {"no_account"}
    for p in res.payrolls:
        if p.pk in res.blocking:
            holds.hold_blocked(payroll=p, user=meishan)
        services.prepare(payroll=p, user=meishan)
        assert services.approve(payroll=p, user=shenpi).status == "approved"
    # a second demo run adds nothing
    again = io.StringIO()
    demo.load(again, scale=0.01)
    assert "已存在" in again.getvalue()
