"""Pages and API: the township prepares, the district approves, through HTTP, with the same rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from minzheng.core.worker import runner
from minzheng.payments.models import Payroll, PayrollStatus

from .conftest import enroll

pytestmark = pytest.mark.django_db
JAN = dt.date(2026, 1, 1)


def test_officer_prepares_and_approver_approves_in_the_browser(hh: Any, meishan_officer: Any, approver: Any,
                                                               login: Any) -> None:
    enroll(hh(head_name="陈志富"), "dibao_urban", "812.37", JAN)
    officer, checker = login(meishan_officer), login(approver)
    # the officer generates and sees the roster with its total
    resp = officer.post("/payments/generate/", {"month": "2026-01"})
    # the request only queues the job (the worker process runs it); its page follows it
    assert resp.status_code == 302 and resp["Location"].startswith("/jobs/") and not Payroll.objects.exists()
    assert "排队中" in officer.get(resp["Location"]).content.decode()
    assert runner.drain() == 1
    page = officer.get(resp["Location"]).content.decode()
    assert "已生成 2026-01 草稿花名册 1 本，1 笔，合计 812.37 元" in page
    p = Payroll.objects.get()
    page = officer.get(f"/payments/payroll/{p.pk}/").content.decode()
    assert "陈志富" in page and "812.37" in page and "提交审批" in page
    assert officer.post(f"/payments/payroll/{p.pk}/prepare/").status_code == 302
    # the officer has no approval queue; the approver has, and approves
    assert officer.get("/payments/approvals/").status_code == 403
    assert "梅山街道" in checker.get("/payments/approvals/").content.decode()
    checker.post(f"/payments/payroll/{p.pk}/approve/")
    p.refresh_from_db()
    assert p.status == PayrollStatus.APPROVED and p.approved_by == approver
    # the printed roster is a PDF; the home page shows the panel
    pdf = officer.get(f"/payments/payroll/{p.pk}/roster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "资金发放" in officer.get("/").content.decode()
    assert checker.get("/payments/funds/").status_code == 200


def test_api_generate_and_maker_checker(hh: Any, approver: Any, login: Any, meishan: Any, make_user: Any,
                                        county: Any) -> None:
    enroll(hh(), "dibao_rural", "300", JAN)
    c = login(approver)
    resp = c.post("/api/payments/payrolls/generate", json.dumps({"month": "2026-01", "township": meishan.code}),
                  content_type="application/json")
    # a heavy job: queued for the worker process, never run in the web request
    assert resp.status_code == 202, resp.content
    queued = resp.json()
    assert queued["kind"] == "payments.generate" and queued["status"] == "queued"
    assert not Payroll.objects.exists()
    runner.drain()
    body = c.get(f"/api/core/tasks/{queued['id']}").json()
    assert body["status"] == "done", body
    assert body["result"]["total"] == "300.00" and body["result"]["lines"] == 1
    pid = body["result"]["payrolls"][0]
    assert c.post(f"/api/payments/payrolls/{pid}/prepare").status_code == 200
    refused = c.post(f"/api/payments/payrolls/{pid}/approve")
    assert refused.status_code == 403 and "审批分离" in refused.json()["detail"]
    other = login(make_user("district_approver", county, username="qu_shenpi_api"))
    assert other.post(f"/api/payments/payrolls/{pid}/approve").json()["status"] == "approved"
    future = c.post("/api/payments/payrolls/generate", json.dumps({"month": "2099-01"}),
                    content_type="application/json")
    assert future.status_code == 422 and "未来月份" in future.json()["errors"]["__all__"][0]
    for bad, field in (({"month": "2026-01", "township": "999999"}, "township"),
                       ({"month": "2026-01", "programme": "nope"}, "programme")):
        refused = c.post("/api/payments/payrolls/generate", json.dumps(bad), content_type="application/json")
        assert refused.status_code == 422 and field in refused.json()["errors"], refused.content
    lines = other.get(f"/api/payments/payrolls/{pid}/lines").json()
    assert [x["amount"] for x in lines] == ["300.00"]


def test_the_roster_page_offers_approval_to_a_checker_never_to_its_maker(hh: Any, meishan_officer: Any,
                                                                         approver: Any, make_user: Any,
                                                                         county: Any, login: Any) -> None:
    enroll(hh(head_name="陈志富"), "dibao_urban", "812.37", JAN)
    maker = login(approver)
    maker.post("/payments/generate/", {"month": "2026-01", "township": ""})
    runner.drain()
    p = Payroll.objects.get()
    url = f"/payments/payroll/{p.pk}/"
    assert "提交审批" in login(meishan_officer).get(url).content.decode()
    assert login(meishan_officer).post(f"/payments/payroll/{p.pk}/prepare/").status_code == 302
    # the approver who generated the roster is told to wait for someone else, and gets no buttons
    body = maker.get(url).content.decode()
    assert "审批分离" in body and "审批通过" not in body and "退回乡镇" not in body
    assert ">查看（需他人审批）</a>" in maker.get("/payments/approvals/").content.decode()
    # another approver is offered both, and the approval goes through
    checker = login(make_user("district_approver", county, username="qu_shenpi_2"))
    body = checker.get(url).content.decode()
    assert "审批通过" in body and "退回乡镇" in body and "审批分离" not in body
    assert ">审核</a>" in checker.get("/payments/approvals/").content.decode()
    checker.post(f"/payments/payroll/{p.pk}/approve/")
    p.refresh_from_db()
    assert p.status == PayrollStatus.APPROVED
    assert "生成银行文件" in checker.get(url).content.decode()


def test_hold_release_and_supplement_in_the_browser(hh: Any, meishan_officer: Any, approver: Any,
                                                    login: Any) -> None:
    from minzheng.payments.models import PayrollLine

    from .conftest import card

    lin = enroll(hh(head_name="林无卡", bank_account=""), "dibao_urban", "400", JAN)
    chen = enroll(hh(head_name="陈志富"), "dibao_urban", "812.37", JAN)
    officer, checker = login(meishan_officer), login(approver)
    officer.post("/payments/generate/", {"month": "2026-01"})
    runner.drain()
    p = Payroll.objects.get()
    page = officer.get(f"/payments/payroll/{p.pk}/").content.decode()
    assert "林无卡 没有银行账号" in page and "挂起 1 笔不能发放的明细" in page
    # a line held by hand, then released, then the blocked one held by the button
    officer.post(f"/payments/payroll/{p.pk}/hold/", {"enrollment": chen.pk, "reason": "入户核查"})
    line = PayrollLine.objects.get(enrollment=chen)
    assert line.status == "held" and line.hold_reason == "入户核查"
    officer.post(f"/payments/line/{line.pk}/release/")
    officer.post(f"/payments/payroll/{p.pk}/hold-blocked/")
    officer.post(f"/payments/payroll/{p.pk}/prepare/")
    page = checker.get(f"/payments/payroll/{p.pk}/").content.decode()
    assert "812.37" in page and "审批通过" in page
    checker.post(f"/payments/payroll/{p.pk}/approve/")
    assert Payroll.objects.get().status == PayrollStatus.APPROVED
    # the account is recorded; the hold released on the payee page; a supplement pays it this month
    head = lin.household.head
    head.bank_account = card(4321)
    head.save()
    payee = officer.get(f"/payments/payee/{head.pk}/").content.decode()
    assert "挂起的明细" in payee and "解除挂起" in payee
    officer.post(f"/payments/line/{PayrollLine.objects.get(enrollment=lin).pk}/release/")
    resp = officer.post(f"/payments/payroll/{p.pk}/supplement/")
    sup = Payroll.objects.get(supplement_of=p)
    assert resp["Location"] == f"/payments/payroll/{sup.pk}/" and sup.total == 400
    page = officer.get(f"/payments/payroll/{sup.pk}/").content.decode()
    assert "补充花名册" in page and "发放前检查" in page
