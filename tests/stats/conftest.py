"""A small world for statistics: households of two 梅山街道 communities and a 夏道镇 village with 低保, 特困 and 高龄
enrollments, and approved rosters for the months before this one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from minzheng.core import dates
from minzheng.payments import services as payroll
from minzheng.payments.models import Payroll
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, Household, HukouType, Relation
from tests.payments.conftest import enroll, make_household, make_person


def months_ago(n: int) -> dt.date:
    return dates.add_months(dates.current_month(), -n)


@dataclass
class World:
    m3: dt.date   # three months ago: everything starts
    m2: dt.date
    m1: dt.date   # last month
    village: Division
    other_village: Division
    dibao: list[Enrollment]
    tekun: Enrollment
    gaoling: Enrollment


def pay(month: dt.date, maker: Any, checker: Any) -> list[Payroll]:
    """Generate, submit and approve every roster of `month` (maker-checker)."""
    res = payroll.generate(month=month, user=maker)
    for p in res.payrolls:
        payroll.prepare(payroll=p, user=maker)
        payroll.approve(payroll=p, user=checker)
    return res.payrolls


@pytest.fixture
def world(zhongshan: Any, meishan: Any) -> World:
    m3, m2, m1 = months_ago(3), months_ago(2), months_ago(1)
    other = Division.objects.filter(parent=meishan).exclude(pk=zhongshan.pk).order_by("code").first()
    assert other is not None
    today = dates.today()
    dibao = []
    # A family of four: an old father, two adults, a child (ages at month end).
    h1 = make_household(zhongshan, head_name="甲户主", birth=dt.date(today.year - 45, 1, 1))
    make_person(h1, name="甲父", birth=dt.date(today.year - 75, 2, 1), relation=Relation.PARENT)
    make_person(h1, name="甲妻", birth=dt.date(today.year - 44, 3, 1), relation=Relation.SPOUSE)
    make_person(h1, name="甲子", birth=dt.date(today.year - 8, 4, 1), relation=Relation.SON)
    dibao.append(enroll(h1, "dibao_urban", "1234.56", m3, covered=4))
    h2 = make_household(zhongshan, head_name="乙户主", birth=dt.date(today.year - 70, 5, 5))
    dibao.append(enroll(h2, "dibao_urban", "800.01", m3, covered=1))
    h3 = make_household(other, head_name="丙户主", birth=dt.date(today.year - 50, 6, 6))
    Household.objects.filter(pk=h3.pk).update(hukou_type=HukouType.RURAL)
    make_person(h3, name="丙妻", birth=dt.date(today.year - 49, 7, 7), relation=Relation.SPOUSE)
    dibao.append(enroll(h3, "dibao_rural", "655.50", m2, covered=2))
    h4 = make_household(zhongshan, head_name="丁特困", birth=dt.date(today.year - 82, 8, 8))
    tekun = enroll(h4, "tekun_dispersed", "1150.00", m3, person=h4.head)
    gaoling = enroll(h4, "gaoling", "100.00", m3, person=h4.head)
    return World(m3, m2, m1, zhongshan, other, dibao, tekun, gaoling)


@pytest.fixture
def paid(world: World, meishan_officer: Any, approver: Any) -> Callable[[dt.date], list[Payroll]]:
    return lambda month: pay(month, meishan_officer, approver)
