"""Leak-test planter: a 疑点 about a recipient in `village`, and the check run that raised it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from minzheng.core import dates

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.crosscheck.models import CheckRun, Finding
    from minzheng.regions.selectors import township_of
    from minzheng.registry.idnumber import check_char
    from minzheng.registry.models import Enrollment, Household, Person, Programme

    seq = 300
    while True:
        first17 = f"350702194406{seq % 28 + 1:02d}{seq:03d}"
        id_number = first17 + check_char(first17)
        if not Person.objects.filter(id_number=id_number).exists():
            break
        seq += 1
    name = "核对泄露测试甲"
    household = Household.objects.create(division=village, hukou_type="urban", address="核对测试路 1 号")
    person = Person.objects.create(household=household, name=name, id_number=id_number,
                                   birth_date=dt.date(1944, 6, seq % 28 + 1), sex="2")
    programme = Programme.objects.get(code="dibao_urban")
    enrollment = Enrollment.objects.create(programme=programme, household=household, monthly_amount=Decimal("700"),
                                           covered_persons=1, start_month=dt.date(2023, 1, 1), source="leakcheck")
    run = CheckRun.objects.create(as_of=dates.today(), started_by=owner.username, status="done", progress=100,
                                  hits={"death": 1}, new_findings=1)
    township = township_of(village) or village
    finding = Finding.objects.create(
        rule_code="death", rule_version=1, severity="stop", township=township, village=village, household=household,
        person=person, enrollment=enrollment, programme="dibao_urban", id_number=id_number, person_name=name,
        summary=f"{name}（城市低保）据公安于 2024-02-10 死亡，仍在享受待遇", suggested_action="停发待遇",
        subject_key=f"leak-{id_number}", fingerprint=f"leak-{id_number}",
        evidence=[{"death_date": "2024-02-10", "death_source": "公安", "programme": "dibao_urban"}],
        rows=[{"id_number": id_number, "name": name}], run=run, last_seen_run=run,
        deadline=dates.add_workdays(dates.today(), 10))
    return Planted(scoped={"finding_id": finding.pk}, plain={"run_id": run.pk}, secrets=[name, id_number])
