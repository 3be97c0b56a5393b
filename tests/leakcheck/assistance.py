"""Plant a case at every stage the routes address, in the victim's village (see tests/leakcheck/__init__.py).

Secrets are the applicant household's ID numbers, phones and bank account, and the names of people whose 公示 is
not active (a case at 县级审核确认): the public pages may legitimately show masked names of live 公示 only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.assistance import services
from minzheng.assistance.models import EdgeRecord, KinshipRegistration, LedgerCheck, ReviewSchedule
from minzheng.audit.context import Actor, acting
from minzheng.core import dates
from minzheng.registry import idnumber
from minzheng.registry.models import Household, Income, Person

from .planted import Planted


def _family(village: Any, surname: str, seq: int) -> tuple[Household, Person]:
    hh = Household.objects.create(division=village, hukou_type="urban", address="保密路7号", phone="13959990001")
    head = Person.objects.create(household=hh, name=f"{surname}秘密", birth_date=dt.date(1970, 1, 1),
                                 id_number=idnumber.make("350702", dt.date(1970, 1, 1), seq), sex="1",
                                 relation="02", phone="13959990002", bank_account="6228480000001234")
    hh.head = head
    hh.save()
    Income.objects.create(household=hh, person=head, category="wage", monthly_amount=Decimal("300"),
                          period_start=dt.date(2020, 1, 1))
    return hh, head


def plant(village: Any, owner: Any) -> Planted:
    today = dates.today()
    with acting(Actor(owner.username, owner.role)):
        # A case in 公示 (with an objection) — its masked name is public by design.
        hh1, p1 = _family(village, "公示", 771)
        a1 = services.create_application(actor=owner, programme_code="dibao_urban", household=hh1, applicant=p1,
                                         received_on=today, rule_set="2021")
        a1 = services.start_investigation(a1, actor=owner)
        services.record_investigation(a1, actor=owner, visited_on=today, investigator_1="甲", investigator_2="乙",
                                      investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True)
        a1.refresh_from_db()
        a1 = services.complete_checks(a1, actor=owner)
        a1 = services.township_opinion(a1, actor=owner)
        pub = a1.publicities.get()
        obj = services.submit_objection(pub, content="该户有车辆，收入不实", reporter_contact="13800000000")
        # A refused case, and a 近亲属 registration naming its applicant.
        hh2, p2 = _family(village, "拒绝", 773)
        a2 = services.create_application(actor=owner, programme_code="dibao_urban", household=hh2, applicant=p2,
                                         received_on=today, declared_kinship="村委会委员亲属")
        services.township_refuse(a2, actor=owner, reasons="收入超过标准")
        reg = KinshipRegistration.objects.create(
            division=village.parent, staff_name="备案员工", staff_id_number=idnumber.make(
                "350702", dt.date(1980, 1, 1), 775), staff_role="village_committee", relative_name=p2.name,
            relative_id_number=p2.id_number, relation="子女", registered_on=today)
        # An enrollment under review (动态管理).
        hh3, p3 = _family(village, "在保", 777)
        a3 = services.create_application(actor=owner, programme_code="linshi", household=hh3, applicant=p3,
                                         received_on=today, linshi_type="urgent", months=1)
        services.township_opinion(a3, actor=owner)
        sched = None
        from minzheng.registry.models import Enrollment, Programme

        enr = Enrollment.objects.create(programme=Programme.objects.get(code="dibao_urban"), household=hh3,
                                        covered_persons=1, monthly_amount=Decimal("500"),
                                        start_month=today.replace(day=1), source="leakcheck")
        sched = services.ensure_schedule(enr, on=today)
        assert isinstance(sched, ReviewSchedule)
        # An imported record under 存量核查 (the rules' check computed).
        hh4, p4 = _family(village, "核查", 779)
        Enrollment.objects.create(programme=Programme.objects.get(code="dibao_urban"), household=hh4,
                                  covered_persons=1, monthly_amount=Decimal("900"), status="verifying",
                                  start_month=today.replace(day=1), source="import", source_ref="台账.xlsx")
        from minzheng.assistance.services import verification

        verification.compute(user=owner, today=today)
        check = LedgerCheck.objects.get(enrollment__household=hh4)
        # A 低保边缘 register entry (the refused household).
        EdgeRecord.objects.create(household=hh2, application=a2, found_on=today, per_capita_income=Decimal("900"),
                                  limit=Decimal("1300"), explanation="属于低保边缘家庭")
    secrets = [p.id_number for p in (p1, p2, p3, p4)] + [p4.name, "13959990001", "13959990002", "6228480000001234",
                                                      "保密路7号", p2.name, p3.name, reg.staff_id_number]
    return Planted(
        scoped={"application_id": a1.pk, "publicity_id": pub.pk, "objection_id": obj.pk,
                "review_schedule_id": sched.pk, "ledger_check_id": check.pk},
        plain={"village_code": village.code, "township_code": village.parent.code},
        secrets=secrets,
    )
