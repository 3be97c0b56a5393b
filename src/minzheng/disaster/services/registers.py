"""Per-person registers (因灾死亡失踪人员, 倒损住房户) and their check against the reported figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from minzheng.accounts.actor import Principal
from minzheng.core.scoping import require_division
from minzheng.regions.models import Division, Level

from .. import indicators
from ..models import CasualtyEntry, CasualtyStatus, DamageLevel, Event, HouseDamageEntry, Report, ReportStatus
from .events import _reporting_divisions


def register_counts(event: Event, division: Division) -> dict[str, int]:
    """Rows of the per-person registers inside `division`'s subtree."""
    cas = CasualtyEntry.objects.filter(event=event, division__path__startswith=division.path)
    dead = cas.filter(status=CasualtyStatus.DEAD).count()
    missing = cas.filter(status=CasualtyStatus.MISSING).count()
    houses = dict(HouseDamageEntry.objects.filter(event=event, division__path__startswith=division.path)
                  .values_list("level").annotate(n=Count("id")))
    rooms = dict(HouseDamageEntry.objects.filter(event=event, division__path__startswith=division.path)
                 .values_list("level").annotate(n=Sum("rooms")))
    out = {"dead": dead, "missing": missing}
    for lv in DamageLevel:
        out[f"{lv.value}_hh"] = houses.get(lv.value, 0)
        out[f"{lv.value}_rooms"] = rooms.get(lv.value) or 0
    return out


def _in_event(event: Event, division: Division) -> None:
    if division.level != Level.VILLAGE:
        raise ValidationError({"division": "台账按村(社区)登记"})
    if division.pk not in _reporting_divisions(event):
        raise ValidationError({"division": "该村(社区)不在本次灾害的受灾范围内"})


@transaction.atomic
def add_casualty(*, actor: Principal, event: Event, division: Division, name: str, status: str, occurred_on: dt.date,
                 sex: str = "", age: int | None = None, id_number: str = "", place: str = "", cause: str = "",
                 person: Any = None) -> CasualtyEntry:
    require_division(actor, division)
    _in_event(event, division)
    if not name.strip():
        raise ValidationError({"name": "请填写姓名"})
    if id_number:
        from minzheng.registry import idnumber

        chk = idnumber.check(id_number)
        if not chk.valid:
            raise ValidationError({"id_number": f"公民身份号码有误：{chk.reason}"})
        id_number = chk.normalized
        sex = sex or chk.sex_code
    return CasualtyEntry.objects.create(event=event, division=division, name=name.strip(), status=status,
                                        occurred_on=occurred_on, sex=sex, age=age, id_number=id_number,
                                        place=place, cause=cause, person=person)


@transaction.atomic
def add_house_damage(*, actor: Principal, event: Event, division: Division, head_name: str, level: str, rooms: int,
                     household: Any = None, address: str = "", note: str = "") -> HouseDamageEntry:
    require_division(actor, division)
    _in_event(event, division)
    if rooms < 1:
        raise ValidationError({"rooms": "间数至少为 1"})
    if not head_name.strip():
        raise ValidationError({"head_name": "请填写户主姓名"})
    return HouseDamageEntry.objects.create(event=event, division=division, household=household,
                                           head_name=head_name.strip(), level=level, rooms=rooms, address=address,
                                           note=note)


@dataclass
class RegisterCheck:
    division: Division
    report: Report | None
    rows: list[tuple[str, int | None, int, bool]]  # (label, reported, registered, matches)

    @property
    def ok(self) -> bool:
        return all(m for *_x, m in self.rows)


REGISTER_PAIRS = [
    ("pop_dead", "dead"), ("pop_missing", "missing"),
    ("house_collapsed_hh", "collapsed_hh"), ("house_collapsed_rooms", "collapsed_rooms"),
    ("house_severe_hh", "severe_hh"), ("house_severe_rooms", "severe_rooms"),
]


def register_reconciliation(event: Event, townships: Iterable[Division]) -> list[RegisterCheck]:
    """Each township's latest sent figures beside its per-person registers (one row per person/household)."""
    out = []
    for t in townships:
        rep = (Report.objects.filter(event=event, division=t,
                                     status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED])
               .order_by("-round__as_of").first())
        reg = register_counts(event, t)
        nums = indicators.as_numbers(rep.values) if rep else {}
        rows = []
        for code, key in REGISTER_PAIRS:
            reported = int(nums[code]) if rep else None
            rows.append((indicators.label(code), reported, reg[key], reported is None or reported == reg[key]))
        out.append(RegisterCheck(t, rep, rows))
    return out
