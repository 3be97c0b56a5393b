"""Fixtures: households and enrollments in 梅山街道 中山社区 with amount histories, built through the registry models."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from minzheng.payments.accounts import luhn_digit
from minzheng.registry import idnumber
from minzheng.registry.models import (
    Enrollment,
    EnrollmentAmount,
    Household,
    HukouType,
    Person,
    Programme,
    Relation,
)

_seq = itertools.count(1)


def card(n: int) -> str:
    """A 16-digit UnionPay card number with a valid check digit."""
    payload = f"62210{n:010d}"
    return payload + luhn_digit(payload)


def make_person(household: Household, *, name: str = "", birth: dt.date = dt.date(1960, 5, 1),
                relation: str = Relation.HEAD, **kw: Any) -> Person:
    n = next(_seq)
    kw.setdefault("bank_account", card(n))
    p = Person.objects.create(household=household, name=name or f"测试{n}",
                              id_number=idnumber.make("350702", birth, (n * 2 + 1) % 1000), birth_date=birth,
                              sex="1", relation=relation, bank_name="南平农商行", **kw)
    return p


def make_household(village: Any, *, head_name: str = "", **kw: Any) -> Household:
    h = Household.objects.create(division=village, hukou_type=HukouType.URBAN)
    h.head = make_person(h, name=head_name, **kw)
    h.save()
    return h


def enroll(household: Household, programme: str, amount: str, start: dt.date, *, person: Person | None = None,
           covered: int = 1, end: dt.date | None = None) -> Enrollment:
    e = Enrollment.objects.create(programme=Programme.objects.get(code=programme), household=household, person=person,
                                  covered_persons=covered, monthly_amount=Decimal(amount), start_month=start,
                                  end_month=end, status="active", source="test")
    EnrollmentAmount.objects.create(enrollment=e, from_month=start, monthly_amount=Decimal(amount),
                                    covered_persons=covered, reason="初次核定")
    return e


@pytest.fixture
def hh(zhongshan: Any) -> Callable[..., Household]:
    return lambda **kw: make_household(zhongshan, **kw)
