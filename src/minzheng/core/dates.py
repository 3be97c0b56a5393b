"""The one clock: "today", "now", ages, months and working days, all in Beijing time.

Servers run on UTC while every user lives in Asia/Shanghai, so a date taken from the process clock is a day early
for eight hours a day. Nothing else in minzheng calls ``date.today()``, ``datetime.now()`` or ``timezone.now()``
(``tests/core/test_clock.py`` greps for them); tests freeze this clock with :func:`frozen`.

Times are stored aware (UTC in the database); :func:`local` turns one into Beijing wall time for display.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from functools import lru_cache
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

_override = threading.local()
_frozen_global: list[dt.datetime] = []  # a frozen instant seen by every thread (tests start servers in threads)


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    fixed = getattr(_override, "at", None) or (_frozen_global[-1] if _frozen_global else None)
    if fixed is not None:
        return fixed
    return dt.datetime.now(dt.UTC)


def local(when: dt.datetime | None = None) -> dt.datetime:
    """`when` (default: now) as Beijing wall time. A naive value is taken as UTC."""
    when = now() if when is None else when
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(BEIJING)


def today() -> dt.date:
    """Today's date in Beijing."""
    return local().date()


def local_date(when: dt.datetime) -> dt.date:
    """The Beijing calendar date of an instant."""
    return local(when).date()


def aware(wall: dt.datetime) -> dt.datetime:
    """A Beijing wall time typed by a user (naive) as an aware instant; an aware value is returned unchanged."""
    return wall if wall.tzinfo is not None else wall.replace(tzinfo=BEIJING)


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight Beijing time at the start of `day`, aware."""
    return dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)


@contextlib.contextmanager
def frozen(at: dt.datetime | str, *, all_threads: bool = True) -> Iterator[dt.datetime]:
    """Freeze the clock at `at` (aware, or ISO text; naive means UTC). For tests and reproducible batch runs."""
    when = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if all_threads:
        _frozen_global.append(when)
    else:
        _override.at = when
    try:
        yield when
    finally:
        if all_threads:
            _frozen_global.remove(when)
        else:
            _override.at = None


# --- Ages ------------------------------------------------------------------------------------------------------


def age_on(birth: dt.date, day: dt.date) -> int:
    """Completed years on `day`. Someone born on 29 February turns a year older on 1 March in common years."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_or_none(birth: dt.date | None, day: dt.date) -> int | None:
    return None if birth is None else age_on(birth, day)


def birthday_in(birth: dt.date, year: int) -> dt.date:
    """The date in `year` on which someone born on `birth` has their birthday (29 Feb → 28 Feb in common years)."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return birth.replace(year=year)


# --- Months ----------------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months after `day`'s month (n may be negative)."""
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def shift_months(day: dt.date, n: int) -> dt.date:
    """The same day of the month `n` months later, clipped to that month's last day (31 Jan + 1 → 28/29 Feb)."""
    first = add_months(day, n)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


def next_month_start(day: dt.date) -> dt.date:
    return add_months(day, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start`'s month to `end`'s month (end month not counted)."""
    return (end.year - start.year) * 12 + end.month - start.month


def current_month() -> dt.date:
    return month_start(today())


# --- Working days (工作日): weekends plus the State Council's holiday schedule kept in policy.Holiday ---------------


@lru_cache(maxsize=1)
def _calendar() -> dict[dt.date, bool]:
    from minzheng.policy.models import Holiday

    return dict(Holiday.objects.values_list("date", "is_workday"))


def clear_calendar_cache() -> None:
    _calendar.cache_clear()
    _years_known.cache_clear()


@lru_cache(maxsize=1)
def _years_known() -> frozenset[int]:
    return frozenset(d.year for d in _calendar())


def has_holiday_data(year: int) -> bool:
    """Whether the holiday schedule for `year` has been entered (deadlines in other years count weekends only)."""
    return year in _years_known()


def is_workday(day: dt.date) -> bool:
    special = _calendar().get(day)
    if special is not None:
        return special
    return day.weekday() < 5


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date `n` working days after `start` (start itself not counted): a deadline of n 工作日."""
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += is_workday(day)
    return n
