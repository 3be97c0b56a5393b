"""Allowance rules (高龄津贴, 残疾人两项补贴, 优抚) and the service that turns them into enrollments."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from minzheng.payments import allowances, rules, services
from minzheng.payments.models import BeneficiaryFacts, PayrollLine
from minzheng.registry import idnumber
from minzheng.registry.models import Enrollment

from .conftest import enroll, make_person

BANDS = rules.parse_bands([{"min_age": 80, "max_age": 89, "amount": "100"},
                           {"min_age": 90, "max_age": 99, "amount": "200"},
                           {"min_age": 100, "max_age": None, "amount": "500"}])


@given(birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2000, 12, 31)),
       month=st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2030, 12, 1)).map(lambda d: d.replace(day=1)),
       seq=st.integers(min_value=0, max_value=999))
def test_band_follows_the_id_birth_date(birth: dt.date, month: dt.date, seq: int) -> None:
    # the birth date read back from a valid ID number decides the band
    check = idnumber.check(idnumber.make("350702", birth, seq), today=dt.date(2031, 1, 1))
    assert check.valid and check.birth_date == birth
    band = rules.gaoling_band(check.birth_date, month, BANDS, "next_month")
    # completed years at the end of the previous month
    prev_end = month - dt.timedelta(days=1)
    age = prev_end.year - birth.year - ((prev_end.month, prev_end.day) < (birth.month, birth.day))
    if age < 80:
        assert band is None
    elif age < 90:
        assert band == BANDS[0]
    elif age < 100:
        assert band == BANDS[1]
    else:
        assert band == BANDS[2]


@given(birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1950, 12, 31)))
@example(birth=dt.date(1932, 2, 29))
def test_band_starts_the_month_after_the_birthday(birth: dt.date) -> None:
    # Born on 29 February: the 80th birthday is 29 February in a leap year, else 1 March.
    leap_day = birth.month == 2 and birth.day == 29
    eighty = birth.replace(year=birth.year + 80) if not leap_day or calendar.isleap(birth.year + 80) else dt.date(
        birth.year + 80, 3, 1)
    birthday_month = eighty.replace(day=1)
    after = dt.date(birthday_month.year + (birthday_month.month == 12), birthday_month.month % 12 + 1, 1)
    assert rules.gaoling_band(birth, birthday_month, BANDS) is None
    assert rules.gaoling_band(birth, after, BANDS) == BANDS[0]
    assert rules.gaoling_band(birth, birthday_month, BANDS, "birth_month") == BANDS[0]


def _std() -> rules.Standards:
    return rules.Standards(bands=BANDS, start_rule="next_month", life={"1": Decimal("100"), "2": Decimal("100"),
                           "3": Decimal("60"), "4": Decimal("60")}, care={"1": Decimal("100"), "2": Decimal("80")},
                           higher_of=[["gaoling", "canji_life"]], youfu={"martyr_family": Decimal("1800")},
                           per_service_year=Decimal("35"))


def _facts(**kw: Any) -> rules.PersonFacts:
    base: dict[str, Any] = {"person_id": 1, "birth": dt.date(1970, 1, 1), "alive": True}
    return rules.PersonFacts(**{**base, **kw})


M = dt.date(2026, 3, 1)


def codes(f: rules.PersonFacts) -> dict[str, Decimal]:
    return {d.programme: d.amount for d in rules.decide(f, M, _std())[0]}


def test_two_disability_allowances_rules() -> None:
    dibao = frozenset({"dibao_rural"})
    # grade-1 person in a 低保 family needing long-term care gets both
    assert codes(_facts(disability_grade=1, needs_long_term_care=True, household_enrolled=dibao)) == {
        "canji_life": Decimal("100"), "canji_care": Decimal("100")}
    # not in 低保: care only; grade 3: no care
    assert codes(_facts(disability_grade=2, needs_long_term_care=True)) == {"canji_care": Decimal("80")}
    assert codes(_facts(disability_grade=3, needs_long_term_care=True, household_enrolled=dibao)) == {
        "canji_life": Decimal("60")}
    # grade 1 without a long-term care need: no care allowance
    assert codes(_facts(disability_grade=1, household_enrolled=dibao)) == {"canji_life": Decimal("100")}
    # 特困 recipients get neither; 工伤护理费 recipients neither
    assert codes(_facts(disability_grade=1, needs_long_term_care=True, household_enrolled=dibao,
                        enrolled=frozenset({"tekun_dispersed"}))) == {}
    assert codes(_facts(disability_grade=1, needs_long_term_care=True, household_enrolled=dibao,
                        work_injury_care=True)) == {}
    # a child in orphan support: no living allowance, but the care allowance
    assert codes(_facts(disability_grade=1, needs_long_term_care=True, household_enrolled=dibao,
                        enrolled=frozenset({"orphan"}))) == {"canji_care": Decimal("100")}


def test_higher_of_overlapping_allowances() -> None:
    # 92 years old (200) and grade-3 disabled in a 低保 family (60): only the 高龄津贴
    f = _facts(birth=dt.date(1933, 6, 1), disability_grade=3, household_enrolled=frozenset({"dibao_urban"}))
    decisions, notes = rules.decide(f, M, _std())
    assert [(d.programme, d.amount) for d in decisions] == [("gaoling", Decimal("200"))]
    assert any("就高" in n for n in notes)


def test_youfu_by_category_and_service_years() -> None:
    assert codes(_facts(youfu_category="martyr_family")) == {"youfu": Decimal("1800")}
    assert codes(_facts(youfu_category="old_conscript", service_years=4, birth=dt.date(1950, 1, 1))) == {
        "youfu": Decimal("140")}
    assert codes(_facts(youfu_category="old_conscript", service_years=4, birth=dt.date(1970, 1, 1))) == {}
    assert codes(_facts(youfu_category="martyr_family", alive=False)) == {}


@pytest.mark.django_db
def test_refresh_creates_updates_and_ends_enrollments(hh: Any, meishan_officer: Any, approver: Any) -> None:
    # given: someone who turned 80 in January 2026, a 低保 family with a disabled member, a 优抚 widow
    old = hh(birth=dt.date(1946, 1, 10))
    h = hh()
    enroll(h, "dibao_urban", "900", dt.date(2025, 1, 1), covered=2)
    disabled = make_person(h, birth=dt.date(1990, 1, 1), relation="20", disability_grade=2)
    BeneficiaryFacts.objects.create(person=disabled, needs_long_term_care=True)
    widow = hh(birth=dt.date(1960, 1, 1))
    allowances.set_facts(person=widow.head, user=meishan_officer, youfu_category="martyr_family")
    # when
    jan = allowances.refresh(month=dt.date(2026, 1, 1), user=meishan_officer)
    feb = allowances.refresh(month=dt.date(2026, 2, 1), user=meishan_officer)
    again = allowances.refresh(month=dt.date(2026, 2, 1), user=meishan_officer)
    # then: 高龄 starts in February (the month after the 80th birthday); 两项补贴 and 优抚 from January
    got = {(e.programme.code, e.person_id): (e.start_month, e.monthly_amount) for e in Enrollment.objects.filter(
        source="allowance")}
    assert got == {("canji_life", disabled.pk): (dt.date(2026, 1, 1), Decimal("100")),
                   ("canji_care", disabled.pk): (dt.date(2026, 1, 1), Decimal("80")),
                   ("youfu", widow.head.pk): (dt.date(2026, 1, 1), Decimal("1800")),
                   ("gaoling", old.head.pk): (dt.date(2026, 2, 1), Decimal("100"))}
    assert len(jan.created) == 3 and len(feb.created) == 1 and not again.created and not again.changed
    e = Enrollment.objects.get(programme__code="gaoling")
    assert "1946-01-10" in e.decided_under["explanation"] and e.decided_under["params"][0]["demo"] is True
    # when: the old person dies on 20 March and it is refreshed in May
    old.head.is_deceased, old.head.death_date = True, dt.date(2026, 3, 20)
    old.head.save()
    may = allowances.refresh(month=dt.date(2026, 5, 1), user=meishan_officer)
    e.refresh_from_db()
    assert e.status == "ended" and e.end_month == dt.date(2026, 4, 1) and "死亡" in e.end_reason
    assert [c for c, _, _ in may.ended] == ["gaoling"]


@pytest.mark.django_db
def test_allowance_paid_through_the_same_engine(hh: Any, meishan_officer: Any, approver: Any) -> None:
    old = hh(birth=dt.date(1930, 6, 1))
    allowances.refresh(month=dt.date(2026, 1, 1), user=meishan_officer)
    res = services.generate(month=dt.date(2026, 1, 1), user=meishan_officer)
    assert [(p.programme.code, p.total) for p in res.payrolls] == [("gaoling", Decimal("200"))]
    assert PayrollLine.objects.get().person_id == old.head.pk


@pytest.mark.django_db
def test_upcoming_list_names_next_months_new_recipients(hh: Any, meishan_officer: Any) -> None:
    turning = hh(birth=dt.date(1946, 2, 14))   # 80 in February → eligible from March
    hh(birth=dt.date(1950, 2, 14))             # too young
    ninety = hh(birth=dt.date(1936, 2, 3))     # moves to the 90–99 band in March
    rows = allowances.upcoming_gaoling(month=dt.date(2026, 2, 1), user=meishan_officer)
    assert [(u.person.pk, u.band.min_age) for u in rows] == [(ninety.head.pk, 90), (turning.head.pk, 80)]
