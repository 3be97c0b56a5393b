"""Payee details follow the fix: correcting an account in the household record offers to update the unpaid lines of
open rosters, with a diff and an audit entry, and never changes a roster whose bank file was made."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from minzheng.audit.models import AuditEntry
from minzheng.payments import bankfiles, guardians, payee_sync, services
from minzheng.payments.models import BankFileLayout, LineProblem, PayrollLine
from minzheng.registry.models import Programme

from .conftest import card, enroll, make_person

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
pytestmark = pytest.mark.django_db


def test_correction_updates_open_rosters_only(hh: Any, meishan_officer: Any, approver: Any, meishan: Any) -> None:
    # given: 林 is paid by two programmes; the 低保 roster's bank file is made, the 特困 roster only approved
    h = hh(head_name="林")
    old_account = h.head.bank_account
    enroll(h, "dibao_urban", "400", JAN)
    enroll(h, "tekun_dispersed", "1000", JAN, person=h.head)
    enroll(hh(head_name="陈"), "dibao_urban", "500", JAN)
    enroll(hh(head_name="王"), "tekun_dispersed", "900", JAN)
    res = services.generate(month=JAN, user=meishan_officer)
    by = {p.programme.code: p for p in res.payrolls}
    for p in res.payrolls:
        services.prepare(payroll=p, user=meishan_officer)
        services.approve(payroll=p, user=approver)
    bankfiles.export(payroll=by["dibao_urban"], user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    # when: the account is corrected in the household record (the old card was closed)
    h.head.bank_name, h.head.bank_account = "中国银行", card(321)
    h.head.save()
    diffs = payee_sync.pending(h.head)
    # then: only the line of the roster without a bank file is offered, with what changes (masked)
    assert [d.line.payroll.programme.code for d in diffs] == ["tekun_dispersed"]
    (bank, account) = diffs[0].shown()
    assert bank == ("开户银行", "南平农商行", "中国银行")
    assert account[0] == "银行账号" and account[1].endswith(old_account[-4:]) and account[1] != old_account
    assert account[2].endswith(card(321)[-4:]) and account[2] != card(321)
    assert [x.payroll.programme.code for x in payee_sync.sent(h.head)] == ["dibao_urban"]
    # when: the township officer confirms, the approved roster's account waits for an approver (maker-checker)
    assert payee_sync.apply(person=h.head, user=meishan_officer) == 0
    with pytest.raises(PermissionDenied, match="审批人确认"):
        payee_sync.apply(person=h.head, user=meishan_officer, line_ids=[diffs[0].line.pk])
    assert payee_sync.apply(person=h.head, user=approver) == 1
    line = PayrollLine.objects.get(payroll=by["tekun_dispersed"], enrollment__person=h.head)
    assert (line.bank_account, line.problem) == (card(321), "")
    sent = PayrollLine.objects.get(payroll=by["dibao_urban"], household=h)
    assert sent.bank_account == old_account   # the sent file's copy is never changed
    entry = AuditEntry.objects.filter(action="payments.payee_sync").get()
    assert card(321) not in json.dumps(entry.detail, ensure_ascii=False)   # the log keeps the last four digits
    assert payee_sync.pending(h.head) == []


def test_saving_the_household_record_leads_to_the_offer(hh: Any, meishan_officer: Any, login: Any) -> None:
    # given: a draft roster holding 陈's old account
    h = hh(head_name="陈")
    enroll(h, "dibao_urban", "500", JAN)
    services.generate(month=JAN, user=meishan_officer)
    c = login(meishan_officer)
    page = c.get(f"/registry/persons/{h.head.pk}/edit/").content.decode()
    assert "bank_account" in page
    p = h.head
    data = {"name": p.name, "id_number": p.id_number, "sex": p.sex, "relation": p.relation, "bank_name": "中国银行",
            "bank_account": card(654), "ethnicity": "01"}
    # when: the officer saves the new account in the household record
    resp = c.post(f"/registry/persons/{p.pk}/edit/", data)
    # then: they are taken to the payee page, which shows the difference and syncs it on request
    assert resp.status_code == 302 and resp["Location"] == f"/payments/payee/{p.pk}/", resp.content.decode()[:2000]
    page = c.get(resp["Location"]).content.decode()
    assert "仍是旧信息" in page and card(654)[-4:] in page
    c.post(f"/payments/payee/{p.pk}/", {"action": "sync"})
    assert PayrollLine.objects.get().bank_account == card(654)


def test_guardian_details_follow_too(hh: Any, meishan_officer: Any, login: Any) -> None:
    home = hh(head_name="刘")
    ward = make_person(home, name="刘小", relation="40", birth=dt.date(2016, 2, 2))
    enroll(home, "orphan", "1500", JAN, person=ward)
    (p,) = services.generate(month=JAN, user=meishan_officer, programme=Programme.objects.get(code="orphan")).payrolls
    assert p.lines.get().payee_name == "刘小"
    guardians.set_guardian(person=ward, user=meishan_officer, guardian_name="刘姑", relation="姑母",
                           bank_name="农商行", bank_account="")
    d = payee_sync.pending(ward)
    assert [c[0] for c in d[0].shown()] == ["领款人", "身份证号", "开户银行", "银行账号"]
    payee_sync.apply(person=ward, user=meishan_officer)
    line = p.lines.get()
    assert (line.payee_name, line.problem) == ("刘姑", LineProblem.GUARDIAN_ACCOUNT)
    # through the API: the guardian's account recorded, then synced
    guardians.set_guardian(person=ward, user=meishan_officer, guardian_name="刘姑", bank_account=card(88))
    c = login(meishan_officer)
    assert len(c.get(f"/api/payments/payees/{ward.pk}/sync").json()) == 1
    assert c.post(f"/api/payments/payees/{ward.pk}/sync", "{}", content_type="application/json").json() == {
        "updated": 1}
    line.refresh_from_db()
    assert (line.bank_account, line.problem) == (card(88), "")
