"""Helpers every 队伍建设 page shares: today, the year or date asked for, the user's townships and what they may edit."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest

from minzheng.accounts.actor import Principal
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs
from minzheng.core.scoping import visible_divisions
from minzheng.regions.models import Division, Level


def _today() -> dt.date:
    return dates.today()


def _year(request: HttpRequest) -> int:
    """?year=, within core.inputs' bounds (a 400 with a Chinese message otherwise)."""
    return inputs.get_year(request, default=_today().year)


def _date(request: HttpRequest, name: str = "on") -> dt.date:
    return inputs.get_date(request, name, default=_today()) or _today()


def _townships(user: Principal) -> list[Division]:
    return list(visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"))


def _is_county(user: Principal) -> bool:
    return user.division is not None and user.division.level == Level.COUNTY


def _can_edit(user: Principal) -> bool:
    """Staff who keep the records (a coordinator edits business data but does not process cases)."""
    return user.has_cap(Cap.EDIT_BUSINESS) and user.has_cap(Cap.PROCESS_CASES)


def _reports_only(user: Principal) -> bool:
    """A village coordinator: reports 民情 but does not handle it."""
    return user.has_cap(Cap.REPORT_NEEDS) and not user.has_cap(Cap.PROCESS_CASES)
