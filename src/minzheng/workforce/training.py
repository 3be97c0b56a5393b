"""Training: sessions, attendance and compliance against the report's frequencies.

县(市、区)民政部门 … 组织乡(镇)、街道民政助理员进行培训，每年不少于2次; 各乡(镇)、街道 … 对村(居)民政协管员 … 每年不少3次
(延平区民政局课题组, 2018). Both numbers are parameters (workforce.training.*).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates, requestmemo
from minzheng.core.scoping import require_division, require_edit, visible
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from .models import (
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    Attendance,
    PostHolding,
    StaffMember,
    TrainingLevel,
    TrainingMaterial,
    TrainingPlan,
    TrainingSession,
)

ALLOWED_MATERIAL_EXT = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png", ".txt",
                        ".mp4", ".zip"}
MAX_MATERIAL_BYTES = 50 * 1024 * 1024


@transaction.atomic
def create_session(*, actor: Actor, division: Division, level: str, date: dt.date, topic: str, place: str = "",
                   trainer: str = "", plan: Any = None) -> TrainingSession:
    require_division(actor, division, Cap.EDIT_BUSINESS)
    expected = Level.COUNTY if level == TrainingLevel.DISTRICT else Level.TOWNSHIP
    if division.level != expected:
        raise ValidationError({"level": f"{TrainingLevel(level).label}培训应由{Level(expected).label}组织"})
    if not topic.strip():
        raise ValidationError({"topic": "请填写培训主题"})
    return TrainingSession.objects.create(division=division, level=level, date=date, topic=topic.strip(),
                                          place=place, trainer=trainer, plan=plan)


@transaction.atomic
def create_plan(*, actor: Actor, division: Division, year: int, title: str, planned_sessions: int,
                content: str = "") -> TrainingPlan:
    require_division(actor, division, Cap.EDIT_BUSINESS)
    if division.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError({"division": "培训计划由区民政局或乡镇(街道)制定"})
    if not title.strip():
        raise ValidationError({"title": "请填写计划名称"})
    level = TrainingLevel.DISTRICT if division.level == Level.COUNTY else TrainingLevel.TOWNSHIP
    return TrainingPlan.objects.create(division=division, year=year, level=level, title=title.strip(),
                                       planned_sessions=planned_sessions, content=content)


@transaction.atomic
def add_material(*, actor: Actor, session: TrainingSession, title: str, file: Any = None,
                 link: str = "") -> TrainingMaterial:
    require_edit(actor, session)
    if not file and not link:
        raise ValidationError({"file": "请上传文件或填写链接"})
    if file:
        import os

        ext = os.path.splitext(file.name)[1].lower()
        if ext not in ALLOWED_MATERIAL_EXT:
            raise ValidationError({"file": f"不支持的文件类型 {ext}"})
        if file.size > MAX_MATERIAL_BYTES:
            raise ValidationError({"file": "文件不能超过 50MB"})
    return TrainingMaterial.objects.create(session=session, title=title or getattr(file, "name", link),
                                           file=file or "", link=link)


@transaction.atomic
def record_attendance(*, actor: Actor, session: TrainingSession, present_ids: set[int],
                      eligible: QuerySet[StaffMember]) -> int:
    """Set attendance for the eligible people the actor may see: ticked = present, others absent."""
    require_edit(actor, session)
    n = 0
    for s in eligible:
        Attendance.objects.update_or_create(session=session, staff=s, defaults={"present": s.pk in present_ids})
        n += 1
    return n


def eligible_staff(session: TrainingSession, visible_staff: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """District sessions train township staff; township sessions train that township's village posts."""
    on = session.date
    holding = PostHolding.objects.filter(start__lte=on).exclude(end__lt=on)
    if session.level == TrainingLevel.DISTRICT:
        holding = holding.filter(post__kind__in=TOWNSHIP_KINDS)
    else:
        holding = holding.filter(post__kind__in=VILLAGE_KINDS, post__division__parent=session.division)
    return visible_staff.filter(pk__in=holding.values("staff_id")).order_by("division__code", "name")


@dataclass
class PersonCompliance:
    staff: StaffMember
    post_kind: str
    township: Division | None
    level: str
    required: int
    attended: int
    expected_by_now: int

    @property
    def ok(self) -> bool:
        return self.attended >= self.required

    @property
    def behind(self) -> bool:
        return self.attended < self.expected_by_now


def _required(level: str, *, on: dt.date, division: Division | None) -> int:
    key = ("workforce.training.township_min_district" if level == TrainingLevel.DISTRICT
           else "workforce.training.village_min_township")
    return int(policy.value(key, on=on, division=division))


def expected_by(required: int, on: dt.date, year: int) -> int:
    """How many sessions a person should have had by `on` to stay on course (pro rata by month, rounded down)."""
    if on.year > year:
        return required
    if on.year < year:
        return 0
    return math.floor(required * on.month / 12)


def compliance(holdings: QuerySet[PostHolding], *, year: int, on: dt.date | None = None) -> list[PersonCompliance]:
    """Everyone in a township or village post during `year`, with the sessions of the right level they attended."""
    on = on or dates.today()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    hs = list(holdings.filter(start__lte=min(end, on)).exclude(end__lt=start)
              .filter(post__kind__in=[*TOWNSHIP_KINDS, *VILLAGE_KINDS])
              .select_related("staff", "post__division__parent").order_by("post__division__code", "staff__name"))
    staff_ids = {h.staff_id for h in hs}
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for sid, level in Attendance.objects.filter(staff_id__in=staff_ids, present=True, session__date__gte=start,
                                                session__date__lte=end).values_list("staff_id", "session__level"):
        counts[(sid, level)] += 1
    seen: set[int] = set()
    required: dict[tuple[str, int | None], int] = {}
    out = []
    for h in hs:
        if h.staff_id in seen:
            continue
        seen.add(h.staff_id)
        div = h.post.division
        township = div if div.level == Level.TOWNSHIP else div.parent
        level = TrainingLevel.DISTRICT if h.post.kind in TOWNSHIP_KINDS else TrainingLevel.TOWNSHIP
        quota = (level, township.pk if township else None)
        if (req := required.get(quota)) is None:   # one quota per township and level, not one per person
            req = required[quota] = _required(level, on=end, division=township)
        out.append(PersonCompliance(h.staff, h.post.get_kind_display(), township, level, req,
                                    counts[(h.staff_id, level)], expected_by(req, on, year)))
    return out


def compliance_of(user: Actor, *, year: int, on: dt.date) -> list[PersonCompliance]:
    """compliance() over the posts the user sees, read once per page (the home's to-dos and panel both ask)."""
    return requestmemo.once(("workforce.compliance", user.pk, year, on),
                            lambda: compliance(visible(PostHolding, user), year=year, on=on))


@dataclass
class TownshipCompliance:
    township: Division
    people: int
    compliant: int
    behind: int

    @property
    def rate(self) -> Decimal | None:
        if not self.people:
            return None
        return (Decimal(self.compliant) / self.people).quantize(Decimal("0.0001"))


def by_township(rows: list[PersonCompliance]) -> list[TownshipCompliance]:
    agg: dict[int, TownshipCompliance] = {}
    for r in rows:
        if r.township is None:
            continue
        t = agg.setdefault(r.township.pk, TownshipCompliance(r.township, 0, 0, 0))
        t.people += 1
        t.compliant += r.ok
        t.behind += r.behind
    return sorted(agg.values(), key=lambda t: t.township.code)


def township_rate(township: Division, year: int) -> Decimal | None:
    """Training compliance of one township's posts in `year` (the assessment indicator)."""
    hs = PostHolding.objects.filter(post__division__path__startswith=township.path)
    rows = compliance(hs, year=year, on=dt.date(year, 12, 31))
    total = len(rows)
    if not total:
        return None
    return (Decimal(sum(r.ok for r in rows)) / total).quantize(Decimal("0.0001"))
