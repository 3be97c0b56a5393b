"""Disaster events (灾害过程) and their reporting rounds: registration, affected areas, 续报 and daily 零报告
rounds on the interval parameter, 灾情稳定 and the 核报 round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Principal
from minzheng.core import dates
from minzheng.core.models import SiteSettings
from minzheng.core.scoping import require_division
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from ..models import DisasterType, Event, EventArea, EventStatus, Round, RoundKind


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dates.now()


def _local(d: dt.datetime) -> dt.datetime:
    return dates.local(d) if d.tzinfo is not None else d


def department() -> str:
    return SiteSettings.current().disaster_department


def _expand_areas(divisions: Iterable[Division]) -> set[Division]:
    """A township brings its villages; a village brings its township, so both levels see the event."""
    out: set[Division] = set()
    for d in divisions:
        if d.level == Level.TOWNSHIP:
            out.add(d)
            out.update(Division.objects.filter(parent=d, level=Level.VILLAGE))
        elif d.level == Level.VILLAGE:
            out.add(d)
            if d.parent is not None:
                out.add(d.parent)
        else:
            raise ValidationError({"areas": f"受灾区划应为乡镇(街道)或村(社区)：{d.name}"})
    return out


@transaction.atomic
def register_event(*, actor: Principal, name: str, dtype: DisasterType, started_at: dt.datetime,
                   areas: Iterable[Division], severity: str = "4", is_major: bool = False, description: str = "",
                   division: Division | None = None, now: dt.datetime | None = None) -> Event:
    """登记灾害过程 and open its 初报 round, due a parameter number of hours after registration."""
    now = _now(now)
    owner = division or actor.division
    require_division(actor, owner)
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": "请选择至少一个受灾乡镇(街道)或村(社区)"})
    for d in areas:
        require_division(actor, d)
    if not name.strip():
        raise ValidationError({"name": "请填写灾害名称"})
    if started_at > now:
        raise ValidationError({"started_at": "发生时间不能晚于当前时间"})
    hours = policy.resolve("disaster.initial_report_hours", on=_local(now).date(), division=owner)
    event = Event.objects.create(
        name=name.strip(), dtype=dtype, division=owner, started_at=started_at, registered_at=now, severity=severity,
        is_major=is_major, department=department(), description=description, created_by=actor.username,
        decided_under={"initial_report_hours": hours.ref()},
    )
    EventArea.objects.bulk_create([EventArea(event=event, division=d) for d in _expand_areas(areas)])
    Round.objects.create(event=event, kind=RoundKind.INITIAL, seq=1, as_of=now,
                         due_at=now + dt.timedelta(hours=int(hours.value)), decided_under={"hours": hours.ref()})
    return event


@transaction.atomic
def add_areas(*, actor: Principal, event: Event, areas: Iterable[Division]) -> int:
    require_division(actor, event.division)
    existing = set(event.areas.values_list("division_id", flat=True))
    new = []
    for d in _expand_areas(list(areas)):
        require_division(actor, d)
        if d.pk not in existing:
            new.append(EventArea(event=event, division=d))
    EventArea.objects.bulk_create(new)
    if new:
        from minzheng.audit.services import record

        record("disaster.event.areas", obj=event, summary=f"{event} 增加受灾区划 {len(new)} 个",
               detail={"divisions": [a.division.code for a in new]})
    return len(new)


def affected_townships(event: Event) -> list[Division]:
    return list(Division.objects.filter(level=Level.TOWNSHIP, pk__in=event.areas.values("division_id"))
                .order_by("code"))


def affected_villages(event: Event, township: Division | None = None) -> list[Division]:
    qs = Division.objects.filter(level=Level.VILLAGE, pk__in=event.areas.values("division_id"))
    if township is not None:
        qs = qs.filter(parent=township)
    return list(qs.order_by("code"))


def _reporting_divisions(event: Event) -> set[int]:
    return set(event.areas.values_list("division_id", flat=True))


def update_interval(event: Event, on: dt.date) -> policy.ParamValue:
    key = "disaster.update_interval_major_days" if event.is_major else event.dtype.update_interval_key
    return policy.resolve(key, on=on, division=event.division)


@transaction.atomic
def open_update_round(*, actor: Principal, event: Event, as_of: dt.datetime | None = None,
                      now: dt.datetime | None = None) -> Round:
    """续报 (or, for a major event, the daily 零报告 round). Major: figures to 24:00, due at the set hour."""
    require_division(actor, event.division)
    return _new_update_round(event, as_of=as_of, now=_now(now))


def _new_update_round(event: Event, *, as_of: dt.datetime | None, now: dt.datetime) -> Round:
    if event.status != EventStatus.ONGOING:
        raise ValidationError("灾情已稳定，不能再发起续报，请报送核报")
    on = _local(now).date()
    if event.is_major:
        midnight = dates.aware(dt.datetime.combine(_local(as_of).date() if as_of else on, dt.time()))
        as_of = midnight
        hour = policy.resolve("disaster.daily_report_hour", on=on, division=event.division)
        due, ref = as_of + dt.timedelta(hours=int(hour.value)), hour.ref()
    else:
        as_of = as_of or now
        hrs = policy.resolve("disaster.update_report_hours", on=on, division=event.division)
        due, ref = as_of + dt.timedelta(hours=int(hrs.value)), hrs.ref()
    if event.rounds.filter(kind=RoundKind.UPDATE, as_of=as_of).exists():
        raise ValidationError("本期续报已发起")
    seq = (event.rounds.filter(kind=RoundKind.UPDATE).count()) + 1
    return Round.objects.create(event=event, kind=RoundKind.UPDATE, seq=seq, as_of=as_of, due_at=due,
                                decided_under={"deadline": ref})


@transaction.atomic
def open_due_rounds(*, now: dt.datetime | None = None) -> list[Round]:
    """The periodic job (cron: `minzheng disaster rounds`): open every 续报 / daily 零报告 round that the interval
    parameter says is due, catching up missed periods, so townships see the round without waiting for a click."""
    now = _now(now)
    opened: list[Round] = []
    for ev in Event.objects.filter(status=EventStatus.ONGOING).select_related("dtype", "division"):
        for _ in range(60):  # at most two months of daily rounds in one catch-up
            due = next_update_due(ev, now=now)
            if due is None or due > now:
                break
            opened.append(_new_update_round(ev, as_of=due, now=now))
    if opened:
        from minzheng.audit.services import record

        record("disaster.rounds.open", summary=f"按续报间隔自动发起 {len(opened)} 期",
               detail={"rounds": [r.pk for r in opened]})
    return opened


@transaction.atomic
def mark_stable(*, actor: Principal, event: Event, ended_at: dt.datetime, now: dt.datetime | None = None) -> Round:
    """灾情稳定: open the 核报 round, due N working days after (end of that day)."""
    now = _now(now)
    require_division(actor, event.division)
    if event.status != EventStatus.ONGOING:
        raise ValidationError("该灾害过程已进入核报阶段")
    if ended_at < event.started_at:
        raise ValidationError({"ended_at": "稳定时间不能早于发生时间"})
    n = policy.resolve("disaster.final_report_workdays", on=_local(ended_at).date(), division=event.division)
    day = dates.add_workdays(_local(ended_at).date(), int(n.value))
    due = dates.aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    event.status, event.ended_at = EventStatus.STABLE, ended_at
    event.save(update_fields=["status", "ended_at"])
    return Round.objects.create(event=event, kind=RoundKind.FINAL, seq=1, as_of=ended_at, due_at=due,
                                decided_under={"final_report_workdays": n.ref()})


def next_update_due(event: Event, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next 续报 round should be opened (periodic, interval parameter), or None if not ongoing."""
    if event.status != EventStatus.ONGOING:
        return None
    last = event.rounds.order_by("-as_of").first()
    if last is None:
        return None
    iv = update_interval(event, _local(_now(now)).date())
    if event.is_major:  # 24小时零报告: each day's figures run to 24:00
        day = _local(last.as_of).date() + dt.timedelta(days=int(iv.value))
        return dates.aware(dt.datetime.combine(day, dt.time()))
    return last.as_of + dt.timedelta(days=int(iv.value))


def event_rounds(event: Event) -> list[Round]:
    return list(event.rounds.order_by("as_of", "seq"))
