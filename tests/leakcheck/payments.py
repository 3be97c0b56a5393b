"""Leak-test planter: a roster with one line in the victim's village (see tests/leakcheck/__init__.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.core import dates
from minzheng.payments.models import FundEntry, FundEntryKind, Payroll, PayrollLine, PayrollStatus
from minzheng.registry import idnumber
from minzheng.registry.models import Enrollment, Household, HukouType, Person, Programme

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    township = village.parent
    month = dates.today().replace(day=1)
    hh = Household.objects.create(division=village, hukou_type=HukouType.URBAN)
    id_number = idnumber.make("350702", dt.date(1941, 3, 9), 517)
    person = Person.objects.create(household=hh, name="钱发放泄露测试", id_number=id_number,
                                   birth_date=dt.date(1941, 3, 9), sex="1", relation="02", bank_name="南平农商行",
                                   bank_account="6221000099990001")
    hh.head = person
    hh.save()
    prog = Programme.objects.get(code="tekun_dispersed")
    e = Enrollment.objects.create(programme=prog, household=hh, person=person, monthly_amount=Decimal("987.65"),
                                  start_month=month, source="leakcheck")
    p = Payroll.objects.create(programme=prog, township=township, month=month, status=PayrollStatus.DRAFT,
                               generated_by=owner, line_count=1, total=Decimal("987.65"))
    line = PayrollLine.objects.create(payroll=p, paid_month=month, enrollment=e, household=hh, person=person,
                                      village=village, payee_name=person.name, id_number=id_number,
                                      bank_name=person.bank_name, bank_account=person.bank_account,
                                      amount=Decimal("987.65"), period_month=month)
    entry = FundEntry.objects.create(fund=prog.code, source="county", kind=FundEntryKind.ALLOCATION,
                                     township=township, month=month, amount=Decimal("1"), note="泄露测试拨付")
    return Planted(scoped={"payroll_id": p.pk, "payline_id": line.pk, "entry_id": entry.pk},
                   secrets=[person.name, id_number])
