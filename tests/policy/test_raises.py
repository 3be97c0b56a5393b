"""提标 as a batch decision: preview, maker-checker, one amount record per affected enrollment from the effective
month, 补发 on the next roster, and refusals that leave nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minzheng.assistance import amount_check
from minzheng.audit.models import AuditEntry
from minzheng.payments import services as payroll
from minzheng.payments.models import PayrollLine
from minzheng.policy import raises
from minzheng.policy import services as policy
from minzheng.policy.models import Parameter, Raise, RaiseStatus
from minzheng.registry.models import EnrollmentAmount, Relation
from tests.payments.conftest import enroll, make_household, make_person

JAN, FEB, MAR, APR = (dt.date(2026, m, 1) for m in range(1, 5))
pytestmark = pytest.mark.django_db


def run_and_approve(month: dt.date, maker: Any, checker: Any) -> None:
    res = payroll.generate(month=month, user=maker)
    for p in res.payrolls:
        payroll.prepare(payroll=p, user=maker)
        payroll.approve(payroll=p, user=checker)


def rules_amount(e: Any) -> Decimal:
    rows = amount_check.expected_all(type(e).objects.filter(pk=e.pk), on=JAN)
    return rows[0].amount


@pytest.fixture
def recipients(zhongshan: Any) -> dict[str, Any]:
    # a 低保 couple of working age without income (no 分类施保), and a 特困 elder
    h = make_household(zhongshan, birth=dt.date(1990, 3, 1))
    make_person(h, birth=dt.date(1991, 4, 2), relation=Relation.SPOUSE)
    dibao = enroll(h, "dibao_urban", "0", JAN, covered=2)
    t = make_household(zhongshan, birth=dt.date(1950, 6, 1))
    tekun = enroll(t, "tekun_dispersed", "0", JAN, person=t.head)
    # each at the amount the rules give under the standard in force (870 元 in 2026)
    for e in (dibao, tekun):
        amount = rules_amount(e)
        e.amounts.update(monthly_amount=amount)
        e.monthly_amount = amount
        e.save()
    return {"dibao": dibao, "tekun": tekun}


def prepare(admin: Any, value: str = "920", day: dt.date = FEB) -> Raise:
    return raises.prepare(actor=admin, effective_from=day, source_document="南平市提标通知（测试）",
                          changes=[{"key": "dibao.standard.urban", "value": value}])


def test_backdated_raise_pays_the_difference_as_arrears(recipients: dict[str, Any], district_admin: Any,
                                                        approver: Any, meishan_officer: Any) -> None:
    dibao, tekun = recipients["dibao"], recipients["tekun"]
    assert (dibao.monthly_amount, tekun.monthly_amount) == (Decimal("1740.00"), Decimal("1321.00"))
    for m in (JAN, FEB, MAR):
        run_and_approve(m, meishan_officer, approver)
    # when: in April the urban standard is raised by 50 元 from February, prepared by the admin
    r = prepare(district_admin)
    # then: the preview counts both recipients (特困 follows: 1.3 × 低保标准), per township
    p = r.preview
    assert (p["households"], p["enrollments"], p["persons"]) == (2, 2, 3)
    assert (p["before"], p["after"]) == ("3061.00", "3226.00")
    assert [(t["township"], t["households"], t["change"]) for t in p["by_township"]] == [("梅山街道", 2, "165.00")]
    assert not EnrollmentAmount.objects.filter(reason__startswith="提标").exists()
    # and the one who prepared it cannot approve it
    with pytest.raises(PermissionDenied, match="制单人不能审批"):
        raises.approve(r, actor=district_admin)
    r = raises.approve(r, actor=approver)
    assert r.status == RaiseStatus.APPROVED and r.result["amount_records"] == 2
    version = Parameter.objects.get(key="dibao.standard.urban", effective_from=FEB)
    new = EnrollmentAmount.objects.get(enrollment=dibao, from_month=FEB)
    assert new.monthly_amount == Decimal("1840.00") and new.covered_persons == 2
    assert {"key": "dibao.standard.urban", "version_id": version.pk} == {
        k: v for k, v in next(x for x in new.decided_under["params"] if x["key"] == "dibao.standard.urban").items()
        if k in ("key", "version_id")}
    assert EnrollmentAmount.objects.get(enrollment=tekun, from_month=FEB).monthly_amount == Decimal("1386.00")
    assert AuditEntry.objects.filter(action__in=["policy.raise.prepare", "policy.raise.approve"]).count() == 2
    # and April's roster pays 50 × 2 persons (and 65 for 特困) for February and March as 补发
    payroll.generate(month=APR, user=meishan_officer)
    arrears = sorted((x.enrollment_id, f"{x.period_month:%m}", x.amount)
                     for x in PayrollLine.objects.filter(paid_month=APR, kind="arrears"))
    assert arrears == [(dibao.pk, "02", Decimal("100.00")), (dibao.pk, "03", Decimal("100.00")),
                       (tekun.pk, "02", Decimal("65.00")), (tekun.pk, "03", Decimal("65.00"))]
    # and the rules agree with what is now paid
    assert amount_check.verify(on=APR).disagreements == []


def test_raise_before_the_arrears_window_is_refused_and_nothing_is_done(
        recipients: dict[str, Any], district_admin: Any, approver: Any, meishan_officer: Any) -> None:
    policy.add_version(key="payments.arrears_lookback_months", value=1, effective_from=JAN,
                       source_document="测试：只追溯 1 个月")
    for m in (JAN, FEB, MAR):
        run_and_approve(m, meishan_officer, approver)
    versions = Parameter.objects.count()
    with pytest.raises(ValidationError) as exc:
        prepare(district_admin, day=FEB)
    assert "早于可补发的范围" in str(exc.value) and "2026年03月" in str(exc.value)
    assert Raise.objects.count() == 0 and Parameter.objects.count() == versions
    assert not EnrollmentAmount.objects.filter(reason__startswith="提标").exists()
    # the month the window still reaches is accepted
    assert prepare(district_admin, day=MAR).preview["households"] == 2


@pytest.mark.parametrize(("changes", "day", "message"), [
    ([{"key": "workflow.days.publicity", "value": "9"}], FEB, "不影响待遇金额"),
    ([{"key": "dibao.standard.urban", "value": "九百"}], FEB, "不是数字"),
    ([{"key": "dibao.standard.urban", "value": "-1"}], FEB, "不能为负数"),
    ([{"key": "no.such.key", "value": "1"}], FEB, "未知参数"),
    ([], FEB, "至少填写一项"),
    ([{"key": "dibao.standard.urban", "value": "920"}], dt.date(2026, 2, 15), "须为某月 1 日"),
    ([{"key": "dibao.standard.urban", "value": "920"}], dt.date(2025, 6, 1), "已有 2026-01-01 起生效的版本"),
])
def test_bad_input_is_refused_in_chinese(district_admin: Any, changes: list[dict[str, str]], day: dt.date,
                                         message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        raises.prepare(actor=district_admin, changes=changes, effective_from=day, source_document="测试")
    assert Raise.objects.count() == 0


def test_only_district_roles_prepare_and_approve(district_admin: Any, meishan_officer: Any, auditor: Any) -> None:
    with pytest.raises(PermissionDenied):
        prepare(meishan_officer)
    r = prepare(district_admin)
    with pytest.raises(PermissionDenied):
        raises.approve(r, actor=meishan_officer)
    with pytest.raises(PermissionDenied):
        raises.approve(r, actor=auditor)
    raises.cancel(r, actor=district_admin)
    with pytest.raises(ValidationError, match="已撤销"):
        raises.approve(r, actor=district_admin)
