"""Monthly facts, computed set-based: a handful of GROUP BY queries over enrollments, persons and the approved
payroll give one row per village × programme (never a Python loop over persons), written in one transaction.

Definitions (the figures the returns, trends and flags read):
- in force in month M: start_month ≤ M < end_month (or no end), active or since ended (or under 存量核查 but
  carried over past M) — the payroll engine's own rule;
- persons: the enrolled person (特困, allowances) or the household's living members at month end (低保);
  老年人 ≥ 60, 未成年人 < 18 at month end, 成年人 the rest; urban/rural by the household's 户籍性质;
- new: started in M; exited: ended from M (end_month = M: no longer paid in M);
- children by category: of the persons enrolled one by one, those whose 儿童档案 (care module) classifies them as
  事实无人抚养儿童, and the rest as 孤儿 (see _child_categories) — read when the month is computed, frozen by its close;
- amount: lines of approved rosters (审批 and after) of month M, held lines excluded (what left the fund), in fen;
- late: approved payroll of earlier closed months beyond what their frozen facts reported (corrections appear in
  the next month, as the forms require).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from minzheng.core import dates
from minzheng.payments.models import HELD_STATUSES, LOCKED, Payroll, PayrollLine
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Enrollment, EnrollmentStatus, HukouType, Person

from .models import StatMonth, VillageFact, VillageMonth

Key = tuple[int, int]   # (village id, programme id)


def fen(amount: Any) -> int:
    """Yuan (Decimal, or a float from SQLite's SUM) to whole fen."""
    return int((Decimal(str(amount or 0)) * 100).quantize(Decimal("1")))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 Feb → 28 Feb): born on or before it = aged ≥ years on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def in_force(month: dt.date, prefix: str = "") -> Q:
    """Enrollments paid for `month` (payments.engine's rule), as a filter on Enrollment or through `prefix`."""
    p = prefix
    return (Q(**{f"{p}start_month__lte": month})
            & (Q(**{f"{p}end_month__isnull": True}) | Q(**{f"{p}end_month__gt": month}))
            & (Q(**{f"{p}status__in": [EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED]})
               | Q(**{f"{p}status": EnrollmentStatus.VERIFYING, f"{p}carry_until__gt": month})))


def alive_at(day: dt.date, prefix: str = "") -> Q:
    p = prefix
    return (Q(**{f"{p}birth_date__lte": day})
            & (Q(**{f"{p}is_deceased": False}) | Q(**{f"{p}death_date__gt": day})))


def paid_lines(months: list[dt.date] | dt.date) -> Any:
    """Lines of approved rosters for a month (or months) as approved: lines held back when the roster was approved
    are excluded (its header says total less held); a line held later (a second bank failure) was approved to be
    paid and counts, as it does in the header."""
    qs = PayrollLine.objects.filter(payroll__status__in=LOCKED).filter(
        ~Q(status__in=HELD_STATUSES) | Q(held_at__gt=F("payroll__approved_at")))
    return qs.filter(payroll__month__in=months) if isinstance(months, list) else qs.filter(payroll__month=months)


def payroll_fen(month: dt.date) -> int:
    """The month's approved rosters from their headers (total less held), summed independently of the lines."""
    agg = Payroll.objects.filter(month=month, status__in=LOCKED).aggregate(t=Sum("total"), h=Sum("held_total"))
    return fen(agg["t"]) - fen(agg["h"])


def _age_counts(me: dt.date, birth: str) -> dict[str, Any]:
    old, adult = years_before(me, 60), years_before(me, 18)
    one = Value(1)
    return {
        "elderly": Coalesce(Sum(Case(When(**{f"{birth}__lte": old}, then=one), default=Value(0),
                                     output_field=IntegerField())), 0),
        "minors": Coalesce(Sum(Case(When(**{f"{birth}__gt": adult}, then=one), default=Value(0),
                                    output_field=IntegerField())), 0),
    }


@dataclass
class Row:
    households: int = 0
    persons: int = 0
    persons_urban: int = 0
    households_urban: int = 0
    elderly: int = 0
    minors: int = 0
    new_households: int = 0
    new_persons: int = 0
    exited_households: int = 0
    exited_persons: int = 0
    children_orphan: int = 0
    children_unsupported: int = 0
    children_unclassified: int = 0
    amount_fen: int = 0
    lines: int = 0
    late_fen: int = 0


def _collect(month: dt.date) -> dict[Key, Row]:
    me = dates.month_end(month)
    rows: dict[Key, Row] = defaultdict(Row)
    urban = HukouType.URBAN
    live = Enrollment.objects.filter(in_force(month))
    # Households and their 户籍性质, per village and programme.
    for r in (live.values("household__division_id", "programme_id")
              .annotate(h=Count("household_id", distinct=True),
                        hu=Count("household_id", distinct=True, filter=Q(household__hukou_type=urban)))):
        x = rows[(r["household__division_id"], r["programme_id"])]
        x.households, x.households_urban = r["h"], r["hu"]
    # Persons enrolled one by one (特困, allowances).
    for r in (live.filter(person__isnull=False).values("household__division_id", "programme_id")
              .annotate(n=Count("person_id"), u=Count("person_id", filter=Q(household__hukou_type=urban)),
                        **_age_counts(me, "person__birth_date"))):
        x = rows[(r["household__division_id"], r["programme_id"])]
        x.persons += r["n"]
        x.persons_urban += r["u"]
        x.elderly += r["elderly"]
        x.minors += r["minors"]
        x.children_orphan = r["n"]   # until their child files say otherwise (below)
        x.children_unclassified = r["n"]
    _child_categories(live, rows)
    # Households enrolled as a whole (低保): their living members at month end.
    # One filter() call: every condition on household__enrollments applies to the same enrollment (one join).
    members = Person.objects.filter(alive_at(me) & Q(household__enrollments__person__isnull=True)
                                    & in_force(month, "household__enrollments__"))
    for r in (members.values("household__division_id", "household__enrollments__programme_id")
              .annotate(n=Count("id"), u=Count("id", filter=Q(household__hukou_type=urban)),
                        **_age_counts(me, "birth_date"))):
        x = rows[(r["household__division_id"], r["household__enrollments__programme_id"])]
        x.persons += r["n"]
        x.persons_urban += r["u"]
        x.elderly += r["elderly"]
        x.minors += r["minors"]
    persons_of = Case(When(person__isnull=False, then=Value(1)), default="covered_persons",
                      output_field=IntegerField())
    for field, flt in (("new", Q(start_month=month) & in_force(month)),
                       ("exited", Q(end_month=month, start_month__lt=month)
                        & Q(status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED]))):
        for r in (Enrollment.objects.filter(flt).values("household__division_id", "programme_id")
                  .annotate(h=Count("household_id", distinct=True), p=Coalesce(Sum(persons_of), 0))):
            x = rows[(r["household__division_id"], r["programme_id"])]
            setattr(x, f"{field}_households", r["h"])
            setattr(x, f"{field}_persons", r["p"])
    for r in (paid_lines(month).values("village_id", "payroll__programme_id")
              .annotate(t=Sum("amount"), n=Count("id"))):
        x = rows[(r["village_id"], r["payroll__programme_id"])]
        x.amount_fen, x.lines = fen(r["t"]), r["n"]
    for key, late in _late(month).items():
        rows[key].late_fen = late
    return rows


def _child_categories(live: Any, rows: dict[Key, Row]) -> None:
    """Split the persons enrolled one by one by their 儿童档案 category (care.ChildCategory, as care.rules classified
    the child from the file's facts): a child whose file says 事实无人抚养儿童 counts there; every other paid person
    counts as 孤儿 — the programme 孤儿基本生活费 pays only these two, and a child it pays without a file saying which
    (none opened yet, or one whose category is neither) is more likely an orphan whose file is missing than an
    unrecognised 事实无人抚养 case, so the 孤儿 line keeps it and says how many (`children_unclassified`) rather
    than the return losing a paid child. A file is read whatever its status (a closed file keeps its last
    classification). Only children with a file are read here: one row per such paid child, not per person."""
    from minzheng.care.models import ChildCategory, Group

    for r in (live.filter(person__isnull=False, person__care_files__group=Group.CHILD)
              .values("household__division_id", "programme_id", "person__care_files__categories")):
        x = rows[(r["household__division_id"], r["programme_id"])]
        categories = r["person__care_files__categories"] or []
        if ChildCategory.UNSUPPORTED in categories:
            x.children_unsupported += 1
            x.children_orphan -= 1
            x.children_unclassified -= 1
        elif ChildCategory.ORPHAN in categories:
            x.children_unclassified -= 1


def _late(month: dt.date) -> dict[Key, int]:
    """Per village and programme: approved payroll of closed months before `month` beyond what they reported."""
    closed = list(StatMonth.objects.filter(month__lt=month, closed_at__isnull=False).values_list("month", flat=True))
    if not closed:
        return {}
    out: dict[Key, int] = defaultdict(int)
    for r in paid_lines(closed).values("village_id", "payroll__programme_id").annotate(t=Sum("amount")):
        out[(r["village_id"], r["payroll__programme_id"])] += fen(r["t"])
    for r in (VillageFact.objects.filter(month__in=closed).values("village_id", "programme_id")
              .annotate(a=Sum("amount_fen"), b=Sum("late_fen"))):
        out[(r["village_id"], r["programme_id"])] -= int(r["a"] or 0) + int(r["b"] or 0)
    return {k: v for k, v in out.items() if v}


def _residents(month: dt.date) -> dict[int, int]:
    me = dates.month_end(month)
    return dict(Person.objects.filter(alive_at(me)).values("household__division_id")
                .annotate(n=Count("id")).values_list("household__division_id", "n"))


class MonthClosed(Exception):
    pass


@transaction.atomic
def compute(month: dt.date) -> StatMonth:
    """(Re)compute an open month's facts. A closed month is frozen: asking again changes nothing."""
    month = dates.month_start(month)
    state = StatMonth.objects.select_for_update().filter(month=month).first()
    if state is not None and state.closed:
        raise MonthClosed(f"{month:%Y-%m} 已关账，统计数据不再重算")
    villages = {d.pk: d for d in Division.objects.filter(level=Level.VILLAGE, parent__isnull=False)
                .only("id", "parent_id", "code", "level")}
    rows = _collect(month)
    VillageFact.objects.filter(month=month).delete()
    VillageMonth.objects.filter(month=month).delete()
    facts = [VillageFact(month=month, village_id=v, township_id=int(villages[v].parent_id or 0), programme_id=p,
                         adults=max(0, r.persons - r.elderly - r.minors), **r.__dict__)
             for (v, p), r in rows.items() if v in villages]
    VillageFact.objects.bulk_create(facts, batch_size=2000)
    residents = _residents(month)
    VillageMonth.objects.bulk_create(
        [VillageMonth(month=month, village_id=v.pk, township_id=v.parent_id, urban=v.is_urban,
                      residents=residents.get(v.pk, 0)) for v in villages.values() if v.parent_id], batch_size=2000)
    total = sum(f.amount_fen for f in facts)
    values = {"computed_at": dates.now(), "payroll_fen": payroll_fen(month), "facts_fen": total,
              "late_fen": sum(f.late_fen for f in facts), "rows": len(facts),
              "unapproved_rosters": Payroll.objects.filter(month=month).exclude(status__in=LOCKED).count()}
    if state is None:
        state = StatMonth.objects.create(month=month, **values)
    else:
        for k, v in values.items():
            setattr(state, k, v)
        state.save()
    return state


def ensure(month: dt.date, *, max_age_seconds: int | None = 600) -> StatMonth:
    """Facts for `month`: a closed month as frozen; an open one computed now unless computed less than
    `max_age_seconds` ago (None: any earlier computation will do — the months a cumulative column only adds up)."""
    month = dates.month_start(month)
    state = StatMonth.objects.filter(month=month).first()
    if state is not None and (state.closed or max_age_seconds is None
                              or (dates.now() - state.computed_at).total_seconds() < max_age_seconds):
        return state
    return compute(month)
