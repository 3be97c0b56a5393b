"""Monthly payroll: amounts to the fen, idempotency, arrears, recoveries, deaths, exits and maker-checker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from minzheng.core import dates
from minzheng.payments import services
from minzheng.payments.models import LineKind, Payroll, PayrollLine, PayrollStatus
from minzheng.policy import raises
from minzheng.registry.models import EnrollmentAmount, Programme

from .conftest import enroll

JAN, FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in range(1, 6))
pytestmark = pytest.mark.django_db


def lines(month: dt.date, **kw: Any) -> list[tuple[int, str, str, Decimal]]:
    qs = PayrollLine.objects.filter(paid_month=month, **kw).order_by("enrollment_id", "kind", "period_month")
    return [(line.enrollment_id, line.kind, f"{line.period_month:%Y-%m}", line.amount) for line in qs]


def run_and_approve(month: dt.date, maker: Any, checker: Any, **kw: Any) -> list[Payroll]:
    res = services.generate(month=month, user=maker, **kw)
    for p in res.payrolls:
        services.prepare(payroll=p, user=maker)
        services.approve(payroll=p, user=checker)
    return res.payrolls


def test_month_matches_enrollments_to_the_fen(hh: Any, meishan: Any, meishan_officer: Any) -> None:
    # given: three 低保 households and one 特困 person with awkward amounts; one suspended, one not yet started
    a = enroll(hh(), "dibao_urban", "812.37", JAN, covered=3)
    b = enroll(hh(), "dibao_urban", "0.01", JAN)
    h = hh()
    c = enroll(h, "tekun_dispersed", "1234.56", FEB, person=h.head)
    s = enroll(hh(), "dibao_urban", "500", JAN)
    s.status = "suspended"
    s.save()
    enroll(hh(), "dibao_urban", "600", APR)
    # when
    res = services.generate(month=MAR, user=meishan_officer)
    # then: one roster per programme, lines exactly the active enrollments, totals to the fen
    by_code = {p.programme.code: p for p in res.payrolls}
    assert set(by_code) == {"dibao_urban", "tekun_dispersed"}
    assert by_code["dibao_urban"].total == Decimal("812.38") and by_code["dibao_urban"].line_count == 2
    assert by_code["tekun_dispersed"].total == Decimal("1234.56")
    assert lines(MAR) == [(a.pk, "regular", "2026-03", Decimal("812.37")), (b.pk, "regular", "2026-03", Decimal("0.01")),
                          (c.pk, "regular", "2026-03", Decimal("1234.56"))]
    line = PayrollLine.objects.get(enrollment=a)
    assert line.payee_name == a.household.head.name and line.bank_account == a.household.head.bank_account
    assert line.covered_persons == 3 and line.amount_version_id == a.amounts.get().pk
    assert all(p.township == meishan and p.status == "draft" for p in res.payrolls)


def test_running_again_changes_nothing(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given
    for amount in ("300", "450.50", "99.99"):
        enroll(hh(), "dibao_rural", amount, JAN)
    first = services.generate(month=FEB, user=meishan_officer)
    before = lines(FEB)
    # when: the draft is generated again, then approved, then generated a third time
    again = services.generate(month=FEB, user=meishan_officer)
    assert lines(FEB) == before and again.total == first.total == Decimal("850.49")
    p = again.payrolls[0]
    services.prepare(payroll=p, user=meishan_officer)
    services.approve(payroll=p, user=approver)
    third = services.generate(month=FEB, user=meishan_officer)
    # then: nothing duplicated, the approved roster untouched and reported as skipped
    assert lines(FEB) == before and PayrollLine.objects.count() == 3
    assert third.payrolls == [] and [x.pk for x, _ in third.skipped] == [p.pk]


def test_database_refuses_a_second_regular_payment(hh: Any, meishan_officer: Any) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    services.generate(month=JAN, user=meishan_officer)
    line = PayrollLine.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        line.pk = None
        line.save()


def test_retroactive_standard_raise_pays_arrears(hh: Any, meishan_officer: Any, approver: Any,
                                                 district_admin: Any) -> None:
    # given: a one-person household without income, paid Jan–Mar at the 2026 urban standard (870 元, as the rules say)
    e = enroll(hh(birth=dt.date(1990, 5, 1)), "dibao_urban", "870", JAN)
    for m in (JAN, FEB, MAR):
        run_and_approve(m, meishan_officer, approver)
    # when: in April the standard is raised to 900.25 from February on, through the 提标 batch decision
    r = raises.prepare(actor=district_admin, effective_from=FEB, source_document="提标通知（测试）",
                       changes=[{"key": "dibao.standard.urban", "value": "900.25"}])
    raises.approve(r, actor=approver)
    assert EnrollmentAmount.objects.get(enrollment=e, from_month=FEB).monthly_amount == Decimal("900.25")
    res = services.generate(month=APR, user=meishan_officer)
    assert res.counts == {"removed": 0, "regular": 1, "arrears": 2}
    services.prepare(payroll=res.payrolls[0], user=meishan_officer)
    services.approve(payroll=res.payrolls[0], user=approver)
    # then: April pays the new amount plus 30.25 arrears for February and for March
    assert lines(APR) == [(e.pk, "arrears", "2026-02", Decimal("30.25")), (e.pk, "arrears", "2026-03", Decimal("30.25")),
                          (e.pk, "regular", "2026-04", Decimal("900.25"))]
    # and May, with nothing changed, pays no arrears again
    run_and_approve(MAY, meishan_officer, approver)
    assert lines(MAY) == [(e.pk, "regular", "2026-05", Decimal("900.25"))]


def test_late_approval_pays_months_already_run(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: rosters for Jan and Feb were approved; an application approved in March takes effect from January
    enroll(hh(), "dibao_urban", "100", JAN)
    run_and_approve(JAN, meishan_officer, approver)
    run_and_approve(FEB, meishan_officer, approver)
    late = enroll(hh(), "dibao_urban", "420", JAN)
    # when
    services.generate(month=MAR, user=meishan_officer)
    # then
    assert [x for x in lines(MAR) if x[0] == late.pk] == [
        (late.pk, "arrears", "2026-01", Decimal("420")), (late.pk, "arrears", "2026-02", Decimal("420")),
        (late.pk, "regular", "2026-03", Decimal("420"))]


def test_death_stops_payment_from_next_month_and_recovers(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: a 特困 person paid Jan–Mar
    h = hh()
    e = enroll(h, "tekun_dispersed", "1000", JAN, person=h.head)
    other = enroll(hh(), "dibao_urban", "200", JAN)
    for m in (JAN, FEB, MAR):
        run_and_approve(m, meishan_officer, approver)
    # when: in April it becomes known that they died on 15 January
    h.head.is_deceased, h.head.death_date = True, dt.date(2026, 1, 15)
    h.head.save()
    services.generate(month=APR, user=meishan_officer)
    # then: January (the month of death) stays paid, February and March are recovered, nothing for April
    assert [x for x in lines(APR) if x[0] == e.pk] == [(e.pk, "recovery", "2026-02", Decimal("-1000")),
                                                        (e.pk, "recovery", "2026-03", Decimal("-1000"))]
    assert [x for x in lines(APR) if x[0] == other.pk] == [(other.pk, "regular", "2026-04", Decimal("200"))]


def test_exit_stops_from_end_month_and_recovers_if_late(hh: Any, meishan_officer: Any, approver: Any) -> None:
    e = enroll(hh(), "dibao_urban", "300", JAN)
    enroll(hh(), "dibao_urban", "10", JAN)
    run_and_approve(JAN, meishan_officer, approver)
    run_and_approve(FEB, meishan_officer, approver)
    # the exit is recorded late: no longer paid from February
    e.status, e.end_month, e.end_reason = "ended", FEB, "收入超过标准"
    e.save()
    services.generate(month=MAR, user=meishan_officer)
    assert [x for x in lines(MAR) if x[0] == e.pk] == [(e.pk, "recovery", "2026-02", Decimal("-300"))]


def test_maker_checker(hh: Any, meishan_officer: Any, approver: Any, make_user: Any, county: Any) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    # a district approver who generates and prepares a roster cannot approve it
    p = services.generate(month=JAN, user=approver, township=meishan_officer.division).payrolls[0]
    services.prepare(payroll=p, user=approver)
    with pytest.raises(PermissionDenied, match="审批分离"):
        services.approve(payroll=p, user=approver)
    p.refresh_from_db()
    assert p.status == PayrollStatus.PREPARED
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        Payroll.objects.filter(pk=p.pk).update(approved_by=approver)
    # a township officer cannot approve at all; another approver can
    with pytest.raises(PermissionDenied):
        services.approve(payroll=p, user=meishan_officer)
    other = make_user("district_approver", county, username="qu_shenpi_2")
    services.approve(payroll=p, user=other)
    p.refresh_from_db()
    assert p.status == "approved" and p.approved_by == other and p.prepared_by == approver


def test_future_month_and_approved_roster_are_refused(hh: Any, meishan_officer: Any, approver: Any,
                                                      meishan: Any) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    future = dates.add_months(dates.today().replace(day=1), 1)
    with pytest.raises(ValidationError, match="未来月份"):
        services.generate(month=future, user=meishan_officer)
    assert not Payroll.objects.exists()
    (p,) = run_and_approve(JAN, meishan_officer, approver)
    prog = Programme.objects.get(code="dibao_urban")
    with pytest.raises(ValidationError, match="不能重新生成"):
        services.generate(month=JAN, user=meishan_officer, programme=prog, township=meishan)
    with pytest.raises(ValidationError, match="不能重复审批"):
        services.approve(payroll=p, user=approver)
    assert PayrollLine.objects.aggregate(t=Sum("amount"))["t"] == Decimal("300")


def test_other_township_cannot_generate_here(hh: Any, xiadao_officer: Any, meishan: Any) -> None:
    enroll(hh(), "dibao_urban", "300", JAN)
    with pytest.raises(PermissionDenied):
        services.generate(month=JAN, user=xiadao_officer, township=meishan)
    # generating for their own township does not reach 梅山
    services.generate(month=JAN, user=xiadao_officer)
    assert not PayrollLine.objects.exists()


def test_failed_bank_payment_is_reissued_next_month(hh: Any, meishan_officer: Any, approver: Any) -> None:
    e = enroll(hh(), "dibao_urban", "300", JAN)
    run_and_approve(JAN, meishan_officer, approver)
    PayrollLine.objects.filter(enrollment=e).update(status="failed")
    (p,) = run_and_approve(FEB, meishan_officer, approver)
    assert lines(FEB, kind=LineKind.REISSUE) == [(e.pk, "reissue", "2026-01", Decimal("300"))]
    assert PayrollLine.objects.get(paid_month=JAN).status == "reissued"
    assert p.total == Decimal("600")


def test_months_are_paid_in_order(hh: Any, meishan_officer: Any, approver: Any, meishan: Any) -> None:
    # given: January generated but not approved
    enroll(hh(), "dibao_urban", "300", JAN)
    services.generate(month=JAN, user=meishan_officer)
    # when: February is generated for the township, January's roster blocks it and says so
    res = services.generate(month=FEB, user=meishan_officer)
    assert res.payrolls == [] and "请先审批" in res.skipped[0][1]
    prog = Programme.objects.get(code="dibao_urban")
    with pytest.raises(ValidationError, match="尚未审批"):
        services.generate(month=FEB, user=meishan_officer, programme=prog, township=meishan)
    # then: once January is approved, February runs; January can no longer be generated
    (jan,) = Payroll.objects.filter(month=JAN)
    services.prepare(payroll=jan, user=meishan_officer)
    services.approve(payroll=jan, user=approver)
    assert services.generate(month=FEB, user=meishan_officer).payrolls[0].total == Decimal("300")
    PayrollLine.objects.filter(paid_month=FEB).delete()
    Payroll.objects.filter(month=FEB).delete()
    services.generate(month=FEB, user=meishan_officer)
    with pytest.raises(ValidationError, match="更晚月份"):
        services.generate(month=JAN, user=meishan_officer, programme=prog, township=meishan)
