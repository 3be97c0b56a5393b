"""Annual assessment of townships and of village coordinators.

县(市、区)民政部门年初要制定考核细则，将全年的重点考核任务下达到各乡(镇)、街道民政办，年终根据任务完成情况进行考核，评先评优
… 对于村(居)民政协管员 … 采取一月一例会、一季一检查的方式进行考核 (延平区民政局课题组, 2018).

Scoring: each indicator gives 0–100 (a rate at or above target earns 100, below it marks in proportion). The total
is the weighted mean over the indicators that have data; an indicator without data (无数据) drops out and its weight
is shared among the rest in proportion, so a township is never punished for another app not being in use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.assistance import selectors as assistance_selectors
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.core.rates import share
from minzheng.core.scoping import require_division, require_edit
from minzheng.disaster import selectors as disaster_selectors
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from . import training
from .models import (
    VILLAGE_KINDS,
    AssessmentScheme,
    Award,
    CoordinatorCheck,
    CoordinatorMeeting,
    Indicator,
    IndicatorScore,
    IndicatorSource,
    NeedReport,
    PostHolding,
    StaffMember,
    TownshipResult,
    TownshipTarget,
)

Q2 = Decimal("0.01")

DEFAULT_INDICATORS = [
    ("低保特困按期复核", IndicatorSource.OVERDUE_REVIEWS, 20, "1"),
    ("公示按时发布", IndicatorSource.PUBLICITY_ON_TIME, 15, "1"),
    ("灾情按时报送", IndicatorSource.DISASTER_ON_TIME, 15, "1"),
    ("培训达标", IndicatorSource.TRAINING, 20, "1"),
    ("民情按期办结", IndicatorSource.NEEDS_ON_TIME, 15, "0.9"),
    ("重点工作任务完成情况", IndicatorSource.MANUAL, 15, "1"),
]


def indicator_score(value: Decimal, target: Decimal) -> Decimal:
    """0–100 marks for a rate: full marks at or above target, proportional below."""
    if target <= 0:
        return Decimal(100)
    return min(Decimal(100), Decimal(100) * value / target).quantize(Q2, ROUND_HALF_UP)


def weighted_total(parts: Iterable[tuple[Decimal, Decimal | None]]) -> tuple[Decimal | None, Decimal]:
    """(weight, score or None) → (total, weight used). Missing scores drop out; their weight is redistributed."""
    used = [(w, s) for w, s in parts if s is not None and w > 0]
    wsum = sum((w for w, _ in used), Decimal(0))
    if not wsum:
        return None, Decimal(0)
    return (sum((w * s for w, s in used), Decimal(0)) / wsum).quantize(Q2, ROUND_HALF_UP), wsum


def competition_rank(totals: dict[Any, Decimal | None]) -> dict[Any, int | None]:
    """1, 2, 2, 4 …: equal totals share a rank; those without a total are unranked."""
    ordered = sorted(((t, k) for k, t in totals.items() if t is not None), key=lambda x: -x[0])
    ranks: dict[Any, int | None] = {k: None for k, t in totals.items() if t is None}
    prev: Decimal | None = None
    rank = 0
    for i, (t, k) in enumerate(ordered, start=1):
        if t != prev:
            rank, prev = i, t
        ranks[k] = rank
    return ranks


def needs_on_time_rate(township: Division, year: int) -> Decimal | None:
    """民情 items due in `year`: share resolved by their deadline (open past-deadline ones count as late)."""
    today = dates.today()
    qs = NeedReport.objects.filter(village__parent=township, deadline__year=year, deadline__lt=today)
    on_time = sum(1 for r in qs.only("resolved_at", "deadline")
                  if r.resolved_at and dates.local_date(r.resolved_at) <= r.deadline)
    return share(on_time, qs.count())


# Each computed indicator and the app that publishes it (None = 无数据: the weight goes to the other indicators).
MEASURES: dict[str, Callable[[Division, int], Decimal | None]] = {
    IndicatorSource.OVERDUE_REVIEWS: assistance_selectors.review_on_time_rate,
    IndicatorSource.PUBLICITY_ON_TIME: assistance_selectors.publicity_on_time_rate,
    IndicatorSource.DISASTER_ON_TIME: disaster_selectors.reports_on_time_rate,
    IndicatorSource.TRAINING: training.township_rate,
    IndicatorSource.NEEDS_ON_TIME: needs_on_time_rate,
}


def measured(source: str, township: Division, year: int) -> Decimal | None:
    measure = MEASURES.get(source)
    return None if measure is None else measure(township, year)


def _require_manager(actor: Actor | None, scheme: AssessmentScheme) -> None:
    if actor is None:
        return
    require_edit(actor, scheme)
    if actor.division is None or actor.division.level != Level.COUNTY:
        raise PermissionDenied("考核由区民政局组织")


@transaction.atomic
def create_scheme(*, year: int, division: Division, actor: Actor | None = None, title: str = "",
                  indicators: list[tuple[str, str, int, str]] | None = None,
                  published_on: dt.date | None = None) -> AssessmentScheme:
    if actor is not None:
        require_division(actor, division, Cap.EDIT_BUSINESS)
    if division.level != Level.COUNTY:
        raise ValidationError({"division": "考核方案由区民政局制定"})
    if AssessmentScheme.objects.filter(division=division, year=year).exists():
        raise ValidationError({"year": f"{year} 年度考核方案已存在"})
    scheme = AssessmentScheme.objects.create(division=division, year=year,
                                             title=title or f"{year}年度乡镇(街道)民政工作考核",
                                             published_on=published_on or dt.date(year, 1, 15))
    for i, (name, source, weight, target) in enumerate(indicators or DEFAULT_INDICATORS):
        Indicator.objects.create(scheme=scheme, name=name, source=source, weight=Decimal(weight),
                                 target=Decimal(target), order=i)
    return scheme


@transaction.atomic
def set_target(*, actor: Actor, indicator: Indicator, township: Division, target: Decimal | None,
               task: str = "") -> TownshipTarget:
    _require_manager(actor, indicator.scheme)
    obj, _ = TownshipTarget.objects.update_or_create(indicator=indicator, township=township,
                                                     defaults={"target": target, "task": task})
    return obj


@transaction.atomic
def set_manual_score(*, actor: Actor | None, indicator: Indicator, township: Division, score: Decimal,
                     note: str = "") -> IndicatorScore:
    _require_manager(actor, indicator.scheme)
    if indicator.scheme.finalized:
        raise ValidationError({"score": "考核结果已定稿，不能修改"})
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "得分应在 0–100 之间"})
    obj, _ = IndicatorScore.objects.update_or_create(
        indicator=indicator, township=township,
        defaults={"score": score.quantize(Q2), "value": None, "manual": True, "note": note})
    return obj


@dataclass
class ScoredTownship:
    township: Division
    total: Decimal | None
    rank: int | None


@transaction.atomic
def score_scheme(*, scheme: AssessmentScheme, actor: Actor | None = None, on: dt.date | None = None) -> list[TownshipResult]:
    """Year-end scoring: compute every indicator for every township, total with redistribution, rank."""
    _require_manager(actor, scheme)
    if scheme.finalized:
        raise ValidationError({"scheme": "考核结果已定稿"})
    townships = list(Division.objects.filter(level=Level.TOWNSHIP, path__startswith=scheme.division.path))
    indicators = list(scheme.indicators.all())
    targets = {(t.indicator_id, t.township_id): t.target for t in
               TownshipTarget.objects.filter(indicator__scheme=scheme, target__isnull=False)}
    existing = {(s.indicator_id, s.township_id): s for s in IndicatorScore.objects.filter(indicator__scheme=scheme)}
    totals: dict[int, Decimal | None] = {}
    used: dict[int, Decimal] = {}
    for t in townships:
        parts: list[tuple[Decimal, Decimal | None]] = []
        for ind in indicators:
            row = existing.get((ind.pk, t.pk))
            if ind.source == IndicatorSource.MANUAL:
                parts.append((ind.weight, row.score if row else None))
                continue
            value = measured(ind.source, t, scheme.year)
            score = None if value is None else indicator_score(value, targets.get((ind.pk, t.pk), ind.target))
            note = "" if value is not None else "无数据：权重按比例分配给其他指标"
            IndicatorScore.objects.update_or_create(indicator=ind, township=t, defaults={
                "value": value, "score": score, "manual": False, "note": note})
            parts.append((ind.weight, score))
        totals[t.pk], used[t.pk] = weighted_total(parts)
    ranks = competition_rank(totals)
    results = []
    for t in townships:
        r, _ = TownshipResult.objects.update_or_create(scheme=scheme, township=t, defaults={
            "total": totals[t.pk], "rank": ranks[t.pk], "weights_used": used[t.pk]})
        results.append(r)
    scheme.scored_on = on or dates.today()
    scheme.save(update_fields=["scored_on"])
    audit.record("workforce.assessment.score", obj=scheme, summary=f"{scheme.title} 年终评分",
                 detail={"townships": len(townships)})
    return results


@transaction.atomic
def finalize(*, scheme: AssessmentScheme, actor: Actor | None = None) -> AssessmentScheme:
    _require_manager(actor, scheme)
    if not scheme.results.exists():
        raise ValidationError({"scheme": "请先评分"})
    scheme.finalized = True
    scheme.save(update_fields=["finalized"])
    return scheme


@transaction.atomic
def give_award(*, actor: Actor, division: Division, year: int, title: str, date: dt.date, staff: StaffMember | None = None,
               reward: str = "") -> Award:
    require_division(actor, division, Cap.EDIT_BUSINESS)
    if not title.strip():
        raise ValidationError({"title": "请填写荣誉名称"})
    return Award.objects.create(division=division, year=year, staff=staff, title=title.strip(), reward=reward,
                                date=date)


# --- Village coordinators ---------------------------------------------------------------------------------------


@transaction.atomic
def record_meeting(*, actor: Actor, township: Division, date: dt.date, topic: str, attendee_ids: set[int],
                   minutes: str = "") -> CoordinatorMeeting:
    require_division(actor, township, Cap.EDIT_BUSINESS)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": "例会由乡镇(街道)组织"})
    m = CoordinatorMeeting.objects.create(township=township, date=date, topic=topic, minutes=minutes)
    m.attendees.set(StaffMember.objects.filter(pk__in=attendee_ids, division__parent=township))
    return m


@transaction.atomic
def record_check(*, actor: Actor, staff: StaffMember, year: int, quarter: int, score: Decimal, date: dt.date,
                 findings: str = "") -> CoordinatorCheck:
    require_edit(actor, staff)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "季度应为 1–4"})
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": "得分应在 0–100 之间"})
    obj, _ = CoordinatorCheck.objects.update_or_create(staff=staff, year=year, quarter=quarter, defaults={
        "score": score, "date": date, "findings": findings, "checked_by": getattr(actor, "full_name", "") or ""})
    return obj


@dataclass
class CoordinatorScore:
    staff: StaffMember
    village: Division
    meetings: int
    attended: int
    checks: int
    check_avg: Decimal | None
    total: Decimal | None
    rank: int | None = None

    @property
    def attendance_rate(self) -> Decimal | None:
        return None if not self.meetings else (Decimal(self.attended) / self.meetings).quantize(Decimal("0.0001"))


def coordinator_scores(township: Division, year: int, *, on: dt.date | None = None) -> list[CoordinatorScore]:
    """Each village coordinator: monthly-meeting attendance and quarterly-check average, weighted (parameters)."""
    on = on or dates.today()
    mw = Decimal(policy.value("workforce.coordinator.meeting_weight", on=on, division=township))
    cw = Decimal(policy.value("workforce.coordinator.check_weight", on=on, division=township))
    holdings = (PostHolding.objects.filter(post__kind__in=VILLAGE_KINDS, post__division__parent=township,
                                           start__lte=dt.date(year, 12, 31))
                .exclude(end__lt=dt.date(year, 1, 1)).select_related("staff", "post__division"))
    meetings = list(CoordinatorMeeting.objects.filter(township=township, date__year=year)
                    .prefetch_related("attendees"))
    out: list[CoordinatorScore] = []
    seen: set[int] = set()
    for h in holdings.order_by("post__division__code"):
        if h.staff_id in seen:
            continue
        seen.add(h.staff_id)
        mine = [m for m in meetings if m.date >= h.start and (h.end is None or m.date <= h.end)]
        attended = sum(1 for m in mine if any(a.pk == h.staff_id for a in m.attendees.all()))
        checks = list(CoordinatorCheck.objects.filter(staff=h.staff, year=year).values_list("score", flat=True))
        avg = (sum(checks, Decimal(0)) / len(checks)).quantize(Decimal("0.1")) if checks else None
        rate = None if not mine else Decimal(attended) / len(mine)
        total, _ = weighted_total([(mw, None if rate is None else rate * 100), (cw, avg)])
        out.append(CoordinatorScore(h.staff, h.post.division, len(mine), attended, len(checks), avg, total))
    ranks = competition_rank({c.staff.pk: c.total for c in out})
    for c in out:
        c.rank = ranks[c.staff.pk]
    return sorted(out, key=lambda c: (c.rank is None, c.rank or 0))
