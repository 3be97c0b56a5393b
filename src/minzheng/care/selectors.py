"""Reads of the care files: whose visits are due or overdue, and the overview per group and division."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from minzheng.accounts.roles import is_outside
from minzheng.core import dates
from minzheng.regions.models import Level

from .access import files_for, groups_for
from .models import CareFile, FileStatus, Group, Referral, Risk, Visit


def mine(user: Any) -> QuerySet[CareFile]:
    """The files this user must visit: assigned to them, or — for a village's 协管员 / 儿童主任 — every open file of
    their village in their groups that has no named visitor."""
    qs = files_for(user).filter(status=FileStatus.OPEN)
    div = user.division
    if is_outside(user) or div is None or div.level != Level.VILLAGE:
        return qs.filter(responsible=user)
    return qs.filter(Q(responsible=user) | Q(responsible__isnull=True, village=div))


def due_within(qs: QuerySet[CareFile], today: dt.date, days: int) -> QuerySet[CareFile]:
    return qs.filter(status=FileStatus.OPEN, next_due__gte=today, next_due__lte=today + dt.timedelta(days=days))


def overdue(qs: QuerySet[CareFile], today: dt.date) -> QuerySet[CareFile]:
    return qs.filter(status=FileStatus.OPEN, next_due__lt=today)


def _bucket_path(div: Any) -> tuple[str, str]:
    """Rows of the overview: townships for the county, villages for a township or village."""
    if div is None or div.level in (Level.COUNTY, Level.CITY, Level.PROVINCE):
        return "village__parent__code", "village__parent__name"
    return "village__code", "village__name"


def overview(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per group and division: files, by risk, visits due this month / done this month / overdue, escalated,
    referrals open. Only the groups this user may see."""
    return _overview(files_for(user), groups_for(user), user.division, today or dates.today())


def overview_for_division(division: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The operator's overview (CLI): every group, within `division` (None: everywhere)."""
    qs = CareFile.objects.all()
    if division is not None:
        qs = qs.filter(village__path__startswith=division.path)
    return _overview(qs, list(Group.values), division, today or dates.today())


def _overview(qs: QuerySet[CareFile], groups: list[str], division: Any, today: dt.date) -> list[dict[str, Any]]:
    month_start, month_end = dates.month_start(today), dates.month_end(today)
    code_key, name_key = _bucket_path(division)
    files = qs.filter(status=FileStatus.OPEN)
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(group: str, code: str, name: str) -> dict[str, Any]:
        key = (group, code)
        if key not in rows:
            rows[key] = {"group": group, "group_label": str(Group(group).label), "division_code": code,
                         "division": name, "total": 0, "high": 0, "medium": 0, "low": 0, "due": 0, "done": 0,
                         "overdue": 0, "escalated": 0, "referrals_open": 0}
        return rows[key]

    agg = files.values("group", code_key, name_key).annotate(
        total=Count("id"),
        high=Count("id", filter=Q(risk=Risk.HIGH)), medium=Count("id", filter=Q(risk=Risk.MEDIUM)),
        low=Count("id", filter=Q(risk=Risk.LOW)),
        due=Count("id", filter=Q(next_due__gte=today, next_due__lte=month_end)),
        overdue=Count("id", filter=Q(next_due__lt=today)),
        escalated=Count("id", filter=Q(escalation__gt=0)))
    for a in agg:
        r = row(a["group"], a[code_key] or "", a[name_key] or "")
        for k in ("total", "high", "medium", "low", "due", "overdue", "escalated"):
            r[k] = a[k]
    visits = (Visit.objects.filter(file__in=files, visited_on__gte=month_start, visited_on__lte=month_end)
              .values("file__group", f"file__{code_key}", f"file__{name_key}")
              .annotate(n=Count("file", distinct=True)))
    for v in visits:
        row(v["file__group"], v[f"file__{code_key}"] or "", v[f"file__{name_key}"] or "")["done"] = v["n"]
    refs = (Referral.objects.filter(file__in=files, closed_on__isnull=True)
            .values("file__group", f"file__{code_key}", f"file__{name_key}").annotate(n=Count("id")))
    for v in refs:
        row(v["file__group"], v[f"file__{code_key}"] or "", v[f"file__{name_key}"] or "")["referrals_open"] = v["n"]
    order = {g: i for i, g in enumerate(groups)}
    return sorted(rows.values(), key=lambda r: (order.get(r["group"], 99), r["division_code"]))


def totals(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The overview summed per group (the county's line per group)."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        t = out[r["group"]]
        t["group_label"] = r["group_label"]
        for k in ("total", "high", "medium", "low", "due", "done", "overdue", "escalated", "referrals_open"):
            t[k] += r[k]
    for t in out.values():
        due_total = t["done"] + t["due"] + t["overdue"]
        t["rate"] = round(100 * t["done"] / t["total"], 1) if t["total"] else 0.0
        t["due_total"] = due_total
    return {g: dict(t) for g, t in out.items()}


OVERVIEW_HEADERS = ["类别", "区划", "在册", "高风险", "中风险", "低风险", "本月应访", "本月已访", "逾期未访", "逾期督办",
                    "转介未办结"]


def overview_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["group_label"], r["division"], r["total"], r["high"], r["medium"], r["low"], r["due"], r["done"],
             r["overdue"], r["escalated"], r["referrals_open"]] for r in rows]
