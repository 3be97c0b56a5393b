"""Holds, not dead ends: a payee who cannot be paid is held (挂起) and everyone else is paid; once fixed the held
money is paid as 补发 next month or in a 补充花名册; an approved roster can be returned (退回) until its bank file
exists. Every step audited, maker-checker kept, nothing paid twice."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from minzheng.audit.models import AuditEntry
from minzheng.payments import bankfiles, holds, services, supplements
from minzheng.payments.models import (
    BankFileLayout,
    FundEntry,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)

from .conftest import card, enroll

JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in range(1, 5))


def lines(month: dt.date) -> list[tuple[str, str, str, Decimal, str]]:
    qs = PayrollLine.objects.filter(paid_month=month).select_related("enrollment__household__head").order_by(
        "enrollment_id", "kind", "period_month", "id")
    return [(x.enrollment.household.head.name, x.kind, f"{x.period_month:%Y-%m}", x.amount, x.status) for x in qs]


def approve(p: Payroll, maker: Any, checker: Any) -> Payroll:
    services.prepare(payroll=p, user=maker)
    return services.approve(payroll=p, user=checker)


def month_roster(month: dt.date, maker: Any) -> Payroll:
    (p,) = services.generate(month=month, user=maker).payrolls
    return p


@pytest.fixture
def family(hh: Any) -> dict[str, Any]:
    """Three 低保 families; 林 has no bank account yet."""
    return {"陈": enroll(hh(head_name="陈"), "dibao_urban", "500", JAN),
            "林": enroll(hh(head_name="林", bank_account=""), "dibao_urban", "420.50", JAN),
            "王": enroll(hh(head_name="王"), "dibao_urban", "300", JAN)}


@pytest.mark.django_db
def test_the_rest_is_paid_this_month_and_the_fixed_one_next_month(family: dict[str, Any], meishan_officer: Any,
                                                                  approver: Any) -> None:
    # given: January's roster lists 林 as not payable
    p = month_roster(JAN, meishan_officer)
    # when: the officer holds what the check found, submits, and the district approves
    assert holds.hold_blocked(payroll=p, user=meishan_officer) == 1
    p = approve(p, meishan_officer, approver)
    # then: the bank file carries the two others, and the fund is charged only with what leaves it
    _, data = bankfiles.export(payroll=p, user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    text = data.decode("gbk")
    assert "陈" in text and "王" in text and "林" not in text and "800.00" in text.splitlines()[0]
    assert sum(e.amount for e in FundEntry.objects.filter(payroll=p)) == Decimal("800.00") == p.payable_total
    held = PayrollLine.objects.get(enrollment=family["林"])
    assert held.status == LineStatus.HELD and held.hold_reason == "林 没有银行账号" and held.held_by == meishan_officer
    # when: the account is recorded in the household record and the hold released
    head = family["林"].household.head
    with pytest.raises(ValidationError, match="仍不能发放"):
        holds.release(line=held, user=meishan_officer)   # not fixed yet: refused
    head.bank_account = card(555)
    head.save()
    assert holds.release(line=held, user=meishan_officer) == 1
    # then: February pays 林 for February and January's money as 补发, with the new account
    feb = month_roster(FEB, meishan_officer)
    assert lines(FEB) == [("陈", "regular", "2026-02", Decimal("500.00"), "pending"),
                          ("林", "arrears", "2026-01", Decimal("420.50"), "pending"),
                          ("林", "regular", "2026-02", Decimal("420.50"), "pending"),
                          ("王", "regular", "2026-02", Decimal("300.00"), "pending")]
    bufa = feb.lines.get(kind=LineKind.ARREARS)
    assert bufa.reissue_of == held and bufa.bank_account == card(555) and bufa.problem == ""
    # and March, with nothing changed, pays nobody twice
    feb = approve(feb, meishan_officer, approver)
    approve(month_roster(MAR, meishan_officer), meishan_officer, approver)
    assert [x[1] for x in lines(MAR)] == ["regular", "regular", "regular"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"payments.hold", "payments.release", "payments.prepare", "payments.approve"} <= actions


@pytest.mark.django_db
def test_nothing_is_owed_or_recovered_while_a_line_is_held(family: dict[str, Any], meishan_officer: Any,
                                                           approver: Any) -> None:
    # given: 林 held in January and never released
    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    head = family["林"].household.head
    head.bank_account = card(556)
    head.save()
    # when: February is generated
    month_roster(FEB, meishan_officer)
    # then: no 补发 for January while it is held
    assert [x for x in lines(FEB) if x[0] == "林"] == [("林", "regular", "2026-02", Decimal("420.50"), "pending")]
    # and a death discovered later recovers nothing that was never paid
    head.is_deceased, head.death_date = True, dt.date(2025, 12, 20)
    head.save()
    services.generate(month=FEB, user=meishan_officer)
    assert [x for x in lines(FEB) if x[0] == "林"] == []


@pytest.mark.django_db
def test_hold_and_release_refuse_what_makes_no_sense(family: dict[str, Any], meishan_officer: Any, approver: Any,
                                                     xiadao_officer: Any) -> None:
    p = month_roster(JAN, meishan_officer)
    e = family["陈"].pk
    with pytest.raises(ValidationError, match="原因"):
        holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[e], reason="  ")
    holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[e], reason="家庭情况待核实")
    with pytest.raises(ValidationError, match="已经挂起"):   # double hold
        holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[e], reason="再挂一次")
    from django.http import Http404

    with pytest.raises(Http404):   # another township's officer does not even see it
        holds.hold(payroll=p, user=xiadao_officer, enrollment_ids=[family["王"].pk], reason="越权")
    line = PayrollLine.objects.get(enrollment_id=e)
    # in a draft, releasing puts the line back; releasing twice is refused
    assert holds.release(line=line, user=meishan_officer) == 1
    with pytest.raises(ValidationError, match="没有挂起"):
        holds.release(line=line, user=meishan_officer)
    holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[e], reason="家庭情况待核实")
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    # after approval nothing more is held; a released line cannot be released again
    with pytest.raises(ValidationError, match="只有草稿"):
        holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[family["王"].pk], reason="太晚了")
    holds.release(line=line, user=meishan_officer)
    with pytest.raises(ValidationError, match="已经解除挂起"):
        holds.release(line=line, user=meishan_officer)


@pytest.mark.django_db
def test_whoever_held_lines_does_not_approve(family: dict[str, Any], approver: Any, make_user: Any,
                                            county: Any, meishan: Any) -> None:
    # given: a district approver generates nothing but holds a line in the township's draft
    other = make_user("district_approver", county, username="qu_shenpi_h")
    officer = make_user("township_officer", meishan, username="meishan_h")
    p = month_roster(JAN, officer)
    holds.hold_blocked(payroll=p, user=approver)
    services.prepare(payroll=p, user=officer)
    # then: the approver who held is refused, another approver approves
    with pytest.raises(PermissionDenied, match="审批分离"):
        services.approve(payroll=p, user=approver)
    assert services.approve(payroll=p, user=other).status == PayrollStatus.APPROVED


@pytest.mark.django_db
def test_regenerating_a_draft_keeps_holds_unless_the_problem_was_fixed(family: dict[str, Any],
                                                                      meishan_officer: Any) -> None:
    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    holds.hold(payroll=p, user=meishan_officer, enrollment_ids=[family["陈"].pk], reason="入户核查中")
    # the account of 林 is recorded; the draft is generated again
    head = family["林"].household.head
    head.bank_account = card(557)
    head.save()
    res = services.generate(month=JAN, user=meishan_officer)
    assert res.counts["holds_kept"] == 1 and res.counts["holds_cleared"] == 1
    by = {x[0]: x[4] for x in lines(JAN)}
    assert by == {"陈": "held", "林": "pending", "王": "pending"}
    p.refresh_from_db()
    assert (p.held_count, p.held_total) == (1, Decimal("500.00"))


@pytest.mark.django_db
def test_an_approved_roster_can_be_returned_until_its_bank_file_exists(family: dict[str, Any], meishan_officer: Any,
                                                                      approver: Any) -> None:
    # given: approved with 林 held
    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    assert FundEntry.objects.filter(payroll=p).exists()
    # when: the approver returns it with a reason (the account was recorded meanwhile)
    with pytest.raises(ValidationError, match="原因"):
        services.send_back(payroll=p, user=approver, reason="")
    with pytest.raises(PermissionDenied):
        services.send_back(payroll=p, user=meishan_officer, reason="乡镇不能自己退回")
    services.send_back(payroll=p, user=approver, reason="林的账户已补录，请重新造册")
    p.refresh_from_db()
    # then: a draft again, its booking undone, the reason kept across regeneration
    assert (p.status, p.prepared_by, p.approved_by) == (PayrollStatus.DRAFT, None, None)
    assert not FundEntry.objects.filter(payroll=p).exists()
    head = family["林"].household.head
    head.bank_account = card(558)
    head.save()
    p = month_roster(JAN, meishan_officer)
    assert p.snapshot["returns"][0]["reason"] == "林的账户已补录，请重新造册" and p.held_count == 0
    p = approve(p, meishan_officer, approver)
    assert p.payable_total == Decimal("1220.50")
    # once the bank file exists, it can no longer be returned
    bankfiles.export(payroll=p, user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    with pytest.raises(ValidationError, match="银行文件已生成"):
        services.send_back(payroll=p, user=approver, reason="太晚了")
    assert AuditEntry.objects.filter(action="payments.send_back").count() == 1


@pytest.mark.django_db
def test_supplementary_roster_pays_fixed_lines_in_the_same_month(family: dict[str, Any], meishan_officer: Any,
                                                                 approver: Any) -> None:
    # given: January approved and sent with 林 held
    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    bankfiles.export(payroll=p, user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    with pytest.raises(ValidationError, match="没有待补发"):
        supplements.generate(payroll=p, user=meishan_officer)
    # when: the account is recorded, the hold released, a supplement generated, checked and approved
    head = family["林"].household.head
    head.bank_account = card(559)
    head.save()
    holds.release(line=PayrollLine.objects.get(enrollment=family["林"]), user=meishan_officer)
    sup = supplements.generate(payroll=p, user=meishan_officer)
    assert (sup.supplement_of, sup.month, sup.line_count, sup.total) == (p, JAN, 1, Decimal("420.50"))
    again = supplements.generate(payroll=sup, user=meishan_officer)   # rebuilds the draft, never a second one
    assert again.pk == sup.pk and again.line_count == 1 and Payroll.objects.filter(supplement_of=p).count() == 1
    with pytest.raises(PermissionDenied):
        approve(sup, meishan_officer, meishan_officer)
    sup = Payroll.objects.get(pk=sup.pk)
    services.approve(payroll=sup, user=approver)
    assert sum(e.amount for e in FundEntry.objects.filter(payroll=sup)) == Decimal("420.50")
    # then: February does not pay January again, and the database refuses a second re-payment of the line
    month_roster(FEB, meishan_officer)
    assert [x[1] for x in lines(FEB)] == ["regular", "regular", "regular"]
    with pytest.raises(IntegrityError), transaction.atomic():
        again = sup.lines.get()
        again.pk, again.payroll = None, Payroll.objects.filter(month=FEB).get()
        again.save()


@pytest.mark.django_db
def test_no_supplement_once_a_later_month_exists(family: dict[str, Any], meishan_officer: Any,
                                                 approver: Any) -> None:
    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    head = family["林"].household.head
    head.bank_account = card(560)
    head.save()
    holds.release(line=PayrollLine.objects.get(enrollment=family["林"]), user=meishan_officer)
    month_roster(FEB, meishan_officer)
    with pytest.raises(ValidationError, match="更晚月份"):
        supplements.generate(payroll=p, user=meishan_officer)


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_one_wins(hh: Any, meishan_officer: Any, approver: Any, make_user: Any,
                                        county: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("in-memory SQLite test database has no row locks; SQLite serialises writers anyway")
    # given: a submitted roster and two approvers pressing 审批 together
    from tests.conftest import ensure_reference_data

    ensure_reference_data()
    other = make_user("district_approver", county, username="qu_shenpi_race")
    enroll(hh(), "dibao_urban", "300", JAN)
    p = month_roster(JAN, meishan_officer)
    services.prepare(payroll=p, user=meishan_officer)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run(user: Any) -> None:
        try:
            barrier.wait(timeout=10)
            services.approve(payroll=Payroll.objects.get(pk=p.pk), user=user)
            results.append("ok")
        except ValidationError as exc:
            results.append("refused:" + exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (approver, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then: one approval, one clear refusal, booked once
    assert sorted(r.split(":")[0] for r in results) == ["ok", "refused"] and any("不能重复审批" in r for r in results)
    booked = list(FundEntry.objects.filter(payroll=p, kind="disbursement").values_list("source", "amount"))
    assert len(booked) == len({s for s, _ in booked}) and sum(a for _, a in booked) == Decimal("300")


@pytest.mark.django_db
def test_a_roster_with_every_line_held_still_closes_the_month(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: the township's only orphan has a guardian recorded without an account
    from minzheng.payments.models import Guardianship

    from .conftest import make_person

    home = hh(head_name="刘")
    ward = make_person(home, name="刘小", relation="40", birth=dt.date(2016, 1, 1))
    Guardianship.objects.create(person=ward, guardian_name="刘姑", bank_account="")
    enroll(home, "orphan", "1500", JAN, person=ward)
    p = month_roster(JAN, meishan_officer)
    # when: held, submitted and approved
    holds.hold_blocked(payroll=p, user=meishan_officer)
    p = approve(p, meishan_officer, approver)
    # then: nothing leaves the fund, the bank file is empty, and February can be generated
    assert p.payable_total == 0 and not FundEntry.objects.filter(payroll=p).exists()
    _, data = bankfiles.export(payroll=p, user=meishan_officer, layout=BankFileLayout.objects.get(code="csv_gbk"))
    assert data.decode("gbk").splitlines()[0].split(",")[3] == "0"
    assert month_roster(FEB, meishan_officer).lines.get().problem == "guardian_account"


@pytest.mark.django_db
def test_a_held_payee_of_an_approved_roster_is_on_the_officers_to_do_list(
        family: dict[str, Any], meishan_officer: Any, approver: Any) -> None:
    from minzheng.core import tasks

    p = month_roster(JAN, meishan_officer)
    holds.hold_blocked(payroll=p, user=meishan_officer)
    assert not [t for t in tasks.for_user(meishan_officer) if t.kind == "挂起/失败待补正"]   # a draft: 提交 says it
    p = approve(p, meishan_officer, approver)
    owed = [t for t in tasks.for_user(meishan_officer) if t.kind == "挂起/失败待补正"]
    assert [(t.title, t.url) for t in owed] == [
        (f"{p.title} 1 笔挂起或发放失败，补正领款信息后解除挂起或补发", f"/payments/payroll/{p.pk}/?show=held")]
