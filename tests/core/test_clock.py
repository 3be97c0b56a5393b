"""The one clock: Beijing dates on a UTC server, and nothing else reading the process clock."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.core import dates

SRC = Path(__file__).resolve().parents[2] / "src"
# 23:30 UTC on 5 December is 07:30 on 6 December in Beijing: the hours in which a UTC date is a day early.
LATE_UTC = "2026-12-05T23:30:00+00:00"


def test_only_the_clock_module_reads_the_process_clock() -> None:
    banned = re.compile(r"date\.today\(\)|datetime\.now\(|datetime\.utcnow\(|timezone\.(now|localdate|localtime)\(")
    out = subprocess.run(["git", "grep", "-nE", banned.pattern, "--", "minzheng"], cwd=SRC, text=True,
                         capture_output=True).stdout
    offenders = [line for line in out.splitlines() if not line.startswith("minzheng/core/dates.py:")]
    assert offenders == []


def test_month_arithmetic_and_ages_have_one_definition() -> None:
    out = subprocess.run(["git", "grep", "-nE", r"^def (_?add_months|_age|age_on|first_of_month|last_day_of_month|"
                          r"is_workday|add_workdays)\(", "--", "minzheng"], cwd=SRC, text=True,
                         capture_output=True).stdout
    assert {line.split(":")[0] for line in out.splitlines()} <= {"minzheng/core/dates.py"}


def test_today_is_the_beijing_date_late_in_the_utc_evening() -> None:
    with dates.frozen(LATE_UTC):
        assert dates.today() == dt.date(2026, 12, 6)
        assert dates.now().tzinfo is not None
        assert dates.local().hour == 7
        assert dates.current_month() == dt.date(2026, 12, 1)
    with dates.frozen("2026-11-30T23:30:00Z"):
        assert dates.current_month() == dt.date(2026, 12, 1)


def test_typed_wall_times_are_beijing() -> None:
    at = dates.aware(dt.datetime(2026, 12, 6, 1, 38))
    assert at.astimezone(dt.UTC) == dt.datetime(2026, 12, 5, 17, 38, tzinfo=dt.UTC)
    assert dates.local_date(at) == dt.date(2026, 12, 6)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
       st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_age_counts_completed_years(birth: dt.date, day: dt.date) -> None:
    age = dates.age_on(birth, day)
    if day < birth:
        assert age < 0 or (age == 0 and day.year == birth.year)
        return
    # the birthday of year birth+age has been reached, that of the next year not yet
    def reached(years: int) -> bool:
        y = birth.year + years
        try:
            bday = birth.replace(year=y)
        except ValueError:  # 29 February in a common year: reached on 1 March
            bday = dt.date(y, 3, 1)
        return bday <= day

    assert reached(age) and not reached(age + 1)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(-600, 600))
def test_month_arithmetic(day: dt.date, n: int) -> None:
    first = dates.add_months(day, n)
    assert first.day == 1 and dates.months_between(day, first) == n
    shifted = dates.shift_months(day, n)
    assert dates.month_start(shifted) == first and shifted.day <= day.day
    assert dates.month_end(shifted) >= shifted and dates.add_months(dates.month_end(shifted), 1) > shifted


@pytest.mark.django_db
def test_date_sensitive_paths_at_2330_utc(login: Any, make_user: Any, coordinator: Any, zhongshan: Any) -> None:
    """The paths that stamp a date on a record, run at 23:30 UTC: each must see 6 December, Beijing's date."""
    from minzheng.accounts.roles import Role
    from minzheng.policy import services as policy
    from minzheng.registry.models import Household, Person
    from minzheng.workforce import needs

    with dates.frozen(LATE_UTC):
        # 民情直通车: the reference and the deadline count from the Beijing date
        report = needs.submit(village=zhongshan, category="hardship", description="独居老人生活困难无人照料",
                              source="coordinator", actor=coordinator)
        assert report.reference.startswith("MQ20261206-")
        n = int(policy.value("workforce.needs.response_workdays", on=dt.date(2026, 12, 6), division=zhongshan))
        assert report.deadline == dates.add_workdays(dt.date(2026, 12, 6), n)
        # ages: someone born on 6 December 1946 is 80 in Beijing this morning
        hh = Household.objects.create(division=zhongshan, hukou_type="urban")
        elder = Person(household=hh, name="王老", birth_date=dt.date(1946, 12, 6), relation="02")
        assert elder.age == 80
        # times leave the API in Beijing time
        client = login(make_user(Role.AUDIT_ADMIN))
        entries = client.get("/api/audit/entries").json()
        assert entries and all(e["at"].endswith("+08:00") for e in entries)
        assert any(e["at"].startswith("2026-12-06T07:30") for e in entries)
