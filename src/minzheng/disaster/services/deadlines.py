"""Deadlines: which township owes which round, what is overdue, and the to-do lists built from that."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from minzheng.accounts.actor import Principal
from minzheng.core import requestmemo
from minzheng.core.scoping import in_scope
from minzheng.regions.models import Division, Level

from ..models import Event, EventStatus, Report, ReportStatus, Round, RoundKind
from .events import _now, affected_townships


@dataclass(frozen=True)
class Due:
    round: Round
    division: Division
    report: Report | None
    overdue: bool

    @property
    def done(self) -> bool:
        return self.report is not None and self.report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def open_events(user: Principal) -> list[Event]:
    """The events the user sees that are not closed; read once per page (the home's panel and to-dos both ask)."""
    from ..selectors import visible_events

    return requestmemo.once(("disaster.open_events", user.username),
                            lambda: list(visible_events(user).exclude(status=EventStatus.CLOSED)))


def _affected(event: Event) -> list[Division]:
    return requestmemo.once(("disaster.affected", event.pk), lambda: affected_townships(event))


def dues(event: Event, *, now: dt.datetime | None = None, townships: Iterable[Division] | None = None) -> list[Due]:
    """Every affected township's state for every round: submitted, pending, or overdue (past due, not sent)."""
    now = _now(now)
    towns = list(townships) if townships is not None else _affected(event)
    reports, rounds = requestmemo.once(("disaster.dues", event.pk, tuple(t.pk for t in towns)), lambda: (
        {(r.round_id, r.division_id): r
         for r in Report.objects.filter(event=event, division__in=towns).select_related("round")},
        list(event.rounds.order_by("as_of", "seq"))))
    out = []
    for rnd in rounds:
        for t in towns:
            rep = reports.get((rnd.pk, t.pk))
            sent = rep is not None and rep.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
            late = not rep.on_time if sent and rep else now > rnd.due_at
            out.append(Due(rnd, t, rep, late))
    return out


def overdue_initial(event: Event, *, now: dt.datetime | None = None) -> list[Division]:
    """Townships whose 初报 is late: not sent by the deadline (or sent after it)."""
    return [d.division for d in dues(event, now=now) if d.round.kind == RoundKind.INITIAL and d.overdue]


def open_rounds_for(user: Principal, *, now: dt.datetime | None = None) -> list[Due]:
    """Rounds the user's township (or village) has not yet sent (tasks and the home panel)."""
    div = user.division
    if div is None or div.level not in (Level.TOWNSHIP, Level.VILLAGE):
        return []
    out = []
    for ev in open_events(user):
        out += [d for d in dues(ev, now=now, townships=[div]) if not d.done]
    return out


def late_townships(user: Principal, *, now: dt.datetime | None = None) -> list[Due]:
    """For district users: overdue township reports across open events."""
    out = []
    for ev in open_events(user):
        towns = [t for t in _affected(ev) if in_scope(user, t)]
        out += [d for d in dues(ev, now=now, townships=towns) if d.overdue and not d.done]
    return out
