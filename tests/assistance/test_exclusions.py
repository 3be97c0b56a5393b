"""Person-level exclusions across programmes (特困 and 低保 incl. 单人保, 特困 and 孤儿): checked at assessment, at
approval and at payroll generation; a conflicting decision is refused with the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance import services
from minzheng.assistance.services.approval import refuse_conflicts
from minzheng.assistance.workflow import WorkflowError
from minzheng.core import dates
from minzheng.payments import preflight
from minzheng.payments import services as payroll
from minzheng.payments.models import PayrollLine
from minzheng.registry.models import Enrollment, Programme

from .wf_fixtures import advance_to_publicity, dibao_family, person, tekun_elder

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 5, 6)


def enrol(code: str, hh: Any, who: Any, amount: str = "900", start: dt.date = dt.date(2024, 1, 1)) -> Enrollment:
    return Enrollment.objects.create(programme=Programme.objects.get(code=code), household=hh, person=who,
                                     covered_persons=1, monthly_amount=Decimal(amount), start_month=start,
                                     source="test")


def test_tekun_person_single_person_dibao_is_refused_at_assessment(xiadao_village: Any, xiadao_officer: Any) -> None:
    hh, elder = tekun_elder(xiadao_village)
    elder.disability_grade, elder.disability_category = 1, "4"
    elder.save()
    enrol("tekun_dispersed", hh, elder)
    app = services.create_application(actor=xiadao_officer, programme_code="dibao_rural", household=hh,
                                      applicant=elder, person=elder, single_person=True, received_on=DAY)
    decision = services.assess(app, on=DAY)
    assert not decision["eligible"]
    assert "特困人员不再纳入低保" in decision["explanation"]
    with pytest.raises(WorkflowError, match="特困人员不再纳入低保"):
        advance_to_publicity(app, xiadao_officer, DAY)


def test_an_imported_tekun_record_under_verification_also_counts(xiadao_village: Any, xiadao_officer: Any) -> None:
    hh, elder = tekun_elder(xiadao_village)
    e = enrol("tekun_dispersed", hh, elder)
    e.status = "verifying"
    e.save()
    app = services.create_application(actor=xiadao_officer, programme_code="dibao_rural", household=hh,
                                      applicant=elder, person=elder, single_person=True, received_on=DAY)
    assert "特困人员不再纳入低保" in services.assess(app, on=DAY)["explanation"]


def test_orphan_cannot_be_granted_tekun(xiadao_village: Any, xiadao_officer: Any) -> None:
    hh, _elder = tekun_elder(xiadao_village)
    child = person(hh, "黄小宝", dt.date(2015, 1, 1), "20")
    enrol("orphan", hh, child)
    app = services.create_application(actor=xiadao_officer, programme_code="tekun_dispersed", household=hh,
                                      applicant=child, person=child, received_on=DAY)
    decision = services.assess(app, on=DAY)
    assert not decision["eligible"] and "孤儿基本生活保障" in decision["explanation"]


def test_approval_refuses_a_programme_granted_meanwhile(zhongshan: Any, meishan_officer: Any) -> None:
    hh, _head, wife = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="tekun_dispersed", household=hh,
                                      applicant=wife, person=wife, received_on=DAY)
    refuse_conflicts(app)   # nothing held yet
    enrol("dibao_urban", hh, wife)      # a 单人保 granted (or imported) meanwhile
    with pytest.raises(WorkflowError, match="不能批准：不能同时享受：特困人员不再纳入低保"):
        refuse_conflicts(app)


def test_payroll_marks_the_later_of_two_conflicting_programmes(zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    month = dates.month_start(dates.today())
    tekun = enrol("tekun_dispersed", hh, head, start=month)
    single = enrol("dibao_urban", hh, head, "600", start=month)   # legacy data: 单人保 for the same 特困 person
    payroll.generate(month=month, user=meishan_officer)
    good = PayrollLine.objects.get(enrollment=tekun)
    bad = PayrollLine.objects.get(enrollment=single)
    assert good.problem != "conflict" and bad.problem == "conflict"
    (blocking,) = [b for b in preflight.blocking([bad.payroll_id]) if b.line_id == bad.pk]
    assert "已享受特困供养(分散)，不能同时享受城市低保" in blocking.message and "特困人员不再纳入低保" in blocking.message
