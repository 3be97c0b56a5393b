"""Reads: staffing against the norm, the bureau report's tables, cohort turnover. All take querysets already scoped
by the caller (core.scoping.visible) or a list of townships the caller may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from .models import EDUCATION_BANDS, Post, PostHolding, PostKind


def township_of(division: Division) -> Division | None:
    if division.level == Level.TOWNSHIP:
        return division
    if division.level == Level.VILLAGE:
        return division.parent
    return None


# --- Staffing norm ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Norm:
    posts_min: int
    posts_max: int
    rule: dict[str, Any]

    @property
    def label(self) -> str:
        return str(self.posts_min) if self.posts_min == self.posts_max else f"{self.posts_min}–{self.posts_max}"


def norm_for(population: int | None, *, on: dt.date, division: Division | None = None) -> Norm | None:
    """The report's staffing norm: 1–2万 → 2 民政助理员 posts, over 2万 → 3–4 (bands are a versioned parameter)."""
    if population is None:
        return None
    pv = policy.resolve("workforce.staffing.norm_bands", on=on, division=division)
    for band in pv.value:
        lo, hi = band["min"], band["max"]
        if population >= lo and (hi is None or population < hi):
            return Norm(int(band["posts_min"]), int(band["posts_max"]), pv.ref())
    return None


@dataclass
class StaffingRow:
    township: Division
    population: int | None
    population_is_demo: bool
    norm: Norm | None
    assistant_posts: int
    assistants_filled: int
    part_time: int
    elderly_filled: int
    villages: int
    village_posts_filled: int

    @property
    def gap(self) -> int | None:
        if self.norm is None:
            return None
        return max(0, self.norm.posts_min - self.assistants_filled)

    @property
    def status(self) -> str:
        if self.norm is None:
            return "无人口数据"
        if self.assistants_filled < self.norm.posts_min:
            return "不足"
        if self.assistants_filled > self.norm.posts_max:
            return "超配"
        return "达标"


def staffing(townships: QuerySet[Division] | list[Division], *, on: dt.date) -> list[StaffingRow]:
    towns = list(townships)
    posts = Post.objects.filter(active=True).filter(Q(division__in=towns) | Q(division__parent__in=towns))
    open_holdings = {h.post_id: h for h in PostHolding.objects.filter(post__in=posts, end__isnull=True)}
    by_town: dict[int, Counter[str]] = defaultdict(Counter)
    village_count = Counter(Division.objects.filter(level=Level.VILLAGE, parent__in=towns)
                            .values_list("parent_id", flat=True))
    for p in posts.select_related("division"):
        tid = p.division_id if p.division.level == Level.TOWNSHIP else p.division.parent_id
        c = by_town[tid]
        h = open_holdings.get(p.pk)
        if p.kind == PostKind.TOWNSHIP_ASSISTANT:
            c["posts"] += 1
            if h:
                c["filled"] += 1
                c["part"] += h.employment == "part"
        elif p.kind == PostKind.ELDERLY_ASSISTANT and h:
            c["elderly"] += 1
        elif p.division.level == Level.VILLAGE and h:
            c["village"] += 1
    rows = []
    for t in towns:
        c = by_town[t.pk]
        rows.append(StaffingRow(t, t.population, t.population_is_demo, norm_for(t.population, on=on, division=t),
                                c["posts"], c["filled"], c["part"], c["elderly"], village_count[t.pk], c["village"]))
    return rows


# --- The bureau report's tables ------------------------------------------------------------------------------


AGE_BANDS = [("50岁及以上", 50, None), ("40至50岁", 40, 50), ("40岁以下", None, 40)]


def age_band(age: int | None) -> str:
    if age is None:
        return "未登记"
    for label, lo, hi in AGE_BANDS:
        if (lo is None or age >= lo) and (hi is None or age < hi):
            return label
    return "未登记"


def education_band(code: str) -> str:
    for label, codes in EDUCATION_BANDS:
        if code in codes:
            return label
    return "未登记"


@dataclass
class HeadsTable:
    on: dt.date
    total: int
    by_education: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    rows: list[dict[str, Any]] = field(default_factory=list)


def office_heads(holdings: QuerySet[PostHolding], *, on: dt.date) -> HeadsTable:
    """The 民政办主任 in post on `on` (one per township), by the report's education and age groups."""
    heads = (holdings.filter(post__is_head=True, post__kind=PostKind.TOWNSHIP_ASSISTANT, start__lte=on)
             .exclude(end__lt=on).select_related("staff", "post__division").order_by("post__division__code"))
    edu: Counter[str] = Counter()
    age: Counter[str] = Counter()
    rows = []
    for h in heads:
        a = h.staff.age_on(on)
        e = education_band(h.staff.education)
        edu[e] += 1
        age[age_band(a)] += 1
        rows.append({"township": h.post.division.name, "name": h.staff.name, "education": h.staff.get_education_display(),
                     "band": e, "age": a, "employment": h.get_employment_display(), "start": h.start})
    ed_labels = [label for label, _ in EDUCATION_BANDS] + (["未登记"] if edu["未登记"] else [])
    age_labels = [label for label, _, _ in AGE_BANDS] + (["未登记"] if age["未登记"] else [])
    return HeadsTable(on, len(rows), [(label, edu[label]) for label in ed_labels],
                      [(label, age[label]) for label in age_labels], rows)


@dataclass
class CohortRow:
    kind: str
    cohort: int
    recruited: int
    gone_1y: int
    gone_window: int
    still_in_post: int
    window_years: int
    # False while some of the cohort has not yet served the whole window: the rate can still grow.
    complete: bool = True

    @property
    def gone_rate(self) -> Decimal:
        if not self.recruited:
            return Decimal(0)
        return (Decimal(self.gone_window) / self.recruited * 100).quantize(Decimal("0.1"))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def cohort_turnover(holdings: QuerySet[PostHolding], *, on: dt.date) -> list[CohortRow]:
    """Of each recruitment cohort (post kind × year), how many left within one year and within the window."""
    window = int(policy.value("workforce.turnover.window_years", on=on))
    groups: dict[tuple[str, int], list[PostHolding]] = defaultdict(list)
    for h in holdings.filter(cohort__isnull=False).select_related("post"):
        groups[(h.post.kind, h.cohort)].append(h)  # type: ignore[index]
    rows = []
    for (kind, cohort), hs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        gone_1y = sum(1 for h in hs if h.end and h.end <= _years_after(h.start, 1))
        gone_w = sum(1 for h in hs if h.end and h.end <= _years_after(h.start, window))
        still = sum(1 for h in hs if h.end is None or h.end > on)
        complete = all(_years_after(h.start, window) <= on for h in hs)
        rows.append(CohortRow(str(PostKind(kind).label), cohort, len(hs), gone_1y, gone_w, still, window, complete))
    return rows
