"""Month close (关账): compute the month's facts one last time, check that they reconcile to the approved payroll
to the fen, freeze them with the indicator lines of the form, and record who did it. All or nothing."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.regions.models import Level

from . import facts, returns
from .models import StatMonth


def require_district(actor: Actor | None, cap: str = Cap.APPROVE) -> None:
    """Closing months and editing the form are the district bureau's (the CLI operator, actor None, may too)."""
    if actor is None:
        return
    if not actor.has_cap(cap):
        raise PermissionDenied("您的角色没有此操作权限")
    if actor.division is None or actor.division.level != Level.COUNTY:
        raise PermissionDenied("统计关账由区民政局办理")


@transaction.atomic
def close_month(*, month: dt.date, actor: Actor | None = None) -> StatMonth:
    require_district(actor)
    month = dates.month_start(month)
    if month >= dates.current_month():
        raise ValidationError({"month": f"{month:%Y-%m} 尚未结束，不能关账（月份结束后才能关账）"})
    existing = StatMonth.objects.select_for_update().filter(month=month).first()
    if existing is not None and existing.closed:
        raise ValidationError({"month": f"{month:%Y-%m} 已于 {dates.local(existing.closed_at):%Y-%m-%d %H:%M} "
                                        f"由 {existing.closed_by} 关账，统计数据已冻结；更正将计入下月"})
    state = facts.compute(month)
    if state.facts_fen != state.payroll_fen:
        # Raising rolls back the facts just written: nothing is stored half.
        raise ValidationError({"month": f"{month:%Y-%m} 统计支出 {state.facts_fen / 100:.2f} 元与已审批花名册实发 "
                                        f"{state.payroll_fen / 100:.2f} 元不一致，不能关账，请先核查花名册"})
    state.closed_at = dates.now()
    state.closed_by = actor.username if actor is not None else "minzheng-cli"
    state.indicators = returns.current_definitions()
    state.save(update_fields=["closed_at", "closed_by", "indicators"])
    record("stats.close", obj=state, summary=f"统计关账 {month:%Y-%m}：支出 {state.facts_fen / 100:.2f} 元"
                                             f"（与已审批花名册一致），往月更正 {state.late_fen / 100:.2f} 元",
           detail={"month": f"{month:%Y-%m}", "rows": state.rows, "payroll_fen": state.payroll_fen,
                   "late_fen": state.late_fen, "unapproved_rosters": state.unapproved_rosters})
    return state


def parse_month(raw: str) -> dt.date:
    """YYYY-MM → the month's first day; anything else a Chinese refusal naming the field."""
    from minzheng.core.inputs import MAX_YEAR, MIN_YEAR

    raw = (raw or "").strip()
    try:
        if len(raw) != 7:
            raise ValueError
        day = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise ValidationError({"month": f"月份应为 YYYY-MM，收到“{raw[:20]}”"}) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError({"month": f"月份应在 {MIN_YEAR}–{MAX_YEAR} 年之间"})
    return day
