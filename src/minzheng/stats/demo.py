"""Demo: a few deterministic 人情保 patterns planted over the demo population (a coordinator's phone on a recipient
household, a 村委会 member's registered relative receiving 低保, three recipient households with one phone), then
the last 24 months computed and closed (the last three reconcile to the demo's approved rosters) and the latest
month screened. The demo population itself already holds villages whose 低保 coverage is far above their peers
(small villages, random draws): the coverage flags find them."""

from __future__ import annotations

import datetime as dt
import time
from typing import TextIO

from django.db import transaction
from django.db.models import Count

from minzheng.assistance.models import KinshipRegistration, StaffRole
from minzheng.core import dates
from minzheng.registry.models import Household, ProgrammeFamily

from . import closing, risk
from .models import StatMonth

MONTHS = 24
SHARED_PHONE = "13959900001"
COORDINATOR_PHONE = "13959900002"


def _recipient_households(village_id: int, month: dt.date) -> list[Household]:
    ids = (risk.recipients(month).filter(household__division_id=village_id, programme__family=ProgrammeFamily.DIBAO)
           .values_list("household_id", flat=True).distinct())
    return list(Household.objects.filter(pk__in=list(ids)).select_related("head").order_by("id"))


@transaction.atomic
def _plant(month: dt.date) -> list[str]:
    """Patterns the screening should find, in the first villages (by code) with enough 低保 households."""
    from minzheng.workforce.models import PostHolding, PostKind

    done: list[str] = []
    candidates = (risk.recipients(month).filter(programme__family=ProgrammeFamily.DIBAO)
                  .values("household__division_id").annotate(n=Count("household_id", distinct=True))
                  .filter(n__gte=3).order_by("household__division__code").values_list("household__division_id",
                                                                                         flat=True))
    villages = list(candidates[:2])
    if not villages:
        return done
    first = _recipient_households(villages[0], month)
    # A 村委会 member's registered relative (近亲属备案) holding 低保.
    relative = first[0].head
    if relative is not None:
        KinshipRegistration.objects.create(
            division_id=villages[0], staff_name=f"{relative.name[0]}建国", staff_id_number="350702197001010018",
            staff_role=StaffRole.VILLAGE_COMMITTEE, post="村委会主任", relative_name=relative.name,
            relative_id_number=relative.id_number, relation="兄弟姐妹", registered_on=dates.today())
        done.append("村委会主任近亲属享受低保")
    # The village's coordinator's phone on a recipient household.
    holding = (PostHolding.objects.filter(end__isnull=True, post__kind=PostKind.VILLAGE_COORDINATOR,
                                          post__division_id=villages[0]).select_related("staff").first())
    if holding is not None:
        holding.staff.phone = COORDINATOR_PHONE
        holding.staff.save(update_fields=["phone"])
        first[1].phone = COORDINATOR_PHONE
        first[1].save(update_fields=["phone", "updated_at"])
        done.append("协管员电话登记在低保户名下")
    if len(villages) > 1:
        for x in _recipient_households(villages[1], month)[:3]:
            x.phone = SHARED_PHONE
            x.save(update_fields=["phone", "updated_at"])
        done.append("三户低保对象同一电话")
    return done


def load(out: TextIO, *, scale: float) -> None:
    last = dates.add_months(dates.current_month(), -1)
    if StatMonth.objects.filter(month=last, closed_at__isnull=False).exists():
        out.write("统计分析演示数据已存在，跳过\n")
        return
    t0 = time.monotonic()
    planted = _plant(last)
    closed = 0
    for i in range(MONTHS - 1, -1, -1):
        month = dates.add_months(last, -i)
        if not StatMonth.objects.filter(month=month, closed_at__isnull=False).exists():
            closing.close_month(month=month)
            closed += 1
    flags = risk.detect(last)
    by_kind: dict[str, int] = {}
    for f in flags:
        by_kind[f.get_kind_display()] = by_kind.get(f.get_kind_display(), 0) + 1
    out.write(f"统计分析：关账 {closed} 个月，{last:%Y-%m} 疑点提示 {len(flags)} 条（"
              + "、".join(f"{k} {n}" for k, n in by_kind.items()) + f"）；演示植入：{'、'.join(planted) or '无'}"
              f"（{time.monotonic() - t0:.0f} 秒）\n")
