"""Households and cases for the workflow tests (registry rows made directly: these tests are about the workflow)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from minzheng.registry import idnumber
from minzheng.registry.models import Household, Income, Person

_seq = itertools.count(101)


def person(household: Household, name: str, birth: dt.date, relation: str = "02", **kw: Any) -> Person:
    region = household.division.code[:6]
    p = Person.objects.create(household=household, name=name, birth_date=birth, relation=relation,
                              id_number=idnumber.make(region, birth, next(_seq) % 1000), sex=kw.pop("sex", "1"),
                              **kw)
    if relation == "02":
        household.head = p
        household.save()
    return p


def household(village: Any, hukou: str = "urban", *, phone: str = "13905991234",
              address: str = "中山路18号") -> Household:
    return Household.objects.create(division=village, hukou_type=hukou, phone=phone, address=address)


def income(hh: Household, who: Person | None, amount: str, category: str = "wage", item: str = "") -> Income:
    return Income.objects.create(household=hh, person=who, category=category, item=item,
                                 monthly_amount=Decimal(amount), period_start=dt.date(2020, 1, 1), source="申报")


def dibao_family(village: Any, hukou: str = "urban") -> tuple[Household, Person, Person]:
    """Three people; 1,200 元 wages a month → 400 元 per head, below every demo standard."""
    hh = household(village, hukou)
    head = person(hh, "陈志富", dt.date(1975, 3, 4), "02", phone="13905990001", bank_account="6217001234567890")
    wife = person(hh, "林秀英", dt.date(1978, 6, 1), "10", sex="2")
    person(hh, "陈小明", dt.date(2012, 9, 9), "20")
    income(hh, head, "1200")
    return hh, head, wife


def tekun_elder(village: Any) -> tuple[Household, Person]:
    hh = household(village, "rural", address="溪口组3号")
    p = person(hh, "黄老根", dt.date(1945, 2, 2), "02", health="4", work_capacity="none")
    return hh, p


def advance_to_publicity(app: Any, officer: Any, today: dt.date) -> Any:
    from minzheng.assistance import services
    from minzheng.assistance.services.supporters import record_supporters

    if app.programme.family == "tekun" and not app.supporters_status:
        app = record_supporters(app, actor=officer, supporters=[], none=True)   # investigated: none
    app = services.start_investigation(app, actor=officer, today=today)
    services.record_investigation(app, actor=officer, visited_on=today, investigator_1="张伟", investigator_2="李娜",
                                  investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True,
                                  neighbour_visits=[{"name": "王五", "relation": "邻居", "statement": "属实"}],
                                  findings="家庭收入低", today=today)
    app.refresh_from_db()
    app = services.complete_checks(app, actor=officer, today=today)
    if app.status == "democratic_review":
        services.record_review(app, actor=officer, held_on=today, attendees=["甲", "乙", "丙", "丁", "戊"],
                               panel_size=5, votes_for=4, votes_against=1, votes_abstain=0, all_signed=True,
                               today=today)
        app.refresh_from_db()
    return services.township_opinion(app, actor=officer, today=today)
