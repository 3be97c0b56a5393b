"""Each figure opens the list it counts: the same definitions as facts.py, read live through the jurisdiction
layer. For a closed month the list is today's reading of that month (a later correction may make it differ from
the frozen figure; the page says so)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from minzheng.core import dates
from minzheng.core.scoping import visible
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, HukouType, Person

from . import facts
from .models import Measure

PERSON_MEASURES = {Measure.ELDERLY, Measure.ADULTS, Measure.MINORS}
LINE_MEASURES = {Measure.AMOUNT, Measure.AMOUNT_CUM, Measure.AVG_PER_PERSON}
CHILD_MEASURES = {Measure.CHILDREN_ORPHAN, Measure.CHILDREN_UNSUPPORTED}
LIMIT = 500


def _unsupported_children(programme_ids: set[int]) -> list[int]:
    """Persons enrolled in the programmes whose 儿童档案 says 事实无人抚养儿童 (facts._child_categories' rule, read
    today). JSON containment is not portable to SQLite: the few child files are read and tested here."""
    from minzheng.care.models import CareFile, ChildCategory, Group

    files = (CareFile.objects.filter(group=Group.CHILD, person__enrollments__programme_id__in=programme_ids)
             .values_list("person_id", "categories").distinct())
    return sorted({pid for pid, cats in files if ChildCategory.UNSUPPORTED in (cats or [])})


@dataclass
class Drill:
    kind: str            # enrollments | persons | lines
    rows: QuerySet[Any]
    count: int
    months: list[dt.date]


def _months(measure: str, month: dt.date) -> list[dt.date]:
    if measure == Measure.AMOUNT_CUM:
        return [dt.date(month.year, m, 1) for m in range(1, month.month + 1)]
    return [month]


def drill(user: Any, *, division: Division, month: dt.date, measure: str, programme_ids: set[int]) -> Drill:
    if measure in (Measure.HEADER, Measure.TOWNSHIPS) or measure not in Measure.values:
        raise ValidationError({"measure": "该指标没有可列出的名单"})
    me = dates.month_end(month)
    if measure in LINE_MEASURES:
        months = _months(measure, month)
        lines = (visible(facts.paid_lines(months), user)
                 .filter(payroll__programme_id__in=programme_ids, village__path__startswith=division.path)
                 .select_related("payroll__programme", "village", "household").order_by("village__code", "id"))
        return Drill("lines", lines, lines.count(), months)
    if measure in PERSON_MEASURES:
        old, adult = facts.years_before(me, 60), facts.years_before(me, 18)
        ages: dict[str, Q] = {Measure.ELDERLY: Q(birth_date__lte=old), Measure.MINORS: Q(birth_date__gt=adult),
                              Measure.ADULTS: Q(birth_date__gt=old, birth_date__lte=adult)}
        age = ages[measure]
        own = Q(enrollments__programme_id__in=programme_ids) & facts.in_force(month, "enrollments__")
        household = (Q(household__enrollments__programme_id__in=programme_ids)
                     & Q(household__enrollments__person__isnull=True)
                     & facts.in_force(month, "household__enrollments__"))
        people = (visible(Person, user).filter(facts.alive_at(me) & age,
                                               household__division__path__startswith=division.path)
                  .filter(Q(pk__in=Person.objects.filter(own).values("pk"))
                          | Q(pk__in=Person.objects.filter(household).values("pk")))
                  .select_related("household__division").order_by("household__division__code", "household_id", "id"))
        return Drill("persons", people, people.count(), [month])
    qs = visible(Enrollment, user).filter(programme_id__in=programme_ids,
                                          household__division__path__startswith=division.path)
    if measure == Measure.NEW_HOUSEHOLDS:
        qs = qs.filter(Q(start_month=month) & facts.in_force(month))
    elif measure == Measure.EXITED_HOUSEHOLDS:
        qs = qs.filter(end_month=month, start_month__lt=month)
    else:
        qs = qs.filter(facts.in_force(month))
        if measure == Measure.PERSONS_URBAN:
            qs = qs.filter(household__hukou_type=HukouType.URBAN)
        elif measure == Measure.PERSONS_RURAL:
            qs = qs.exclude(household__hukou_type=HukouType.URBAN)
    if measure in CHILD_MEASURES:
        unsupported = _unsupported_children(programme_ids)
        qs = qs.filter(person__isnull=False)
        qs = (qs.filter(person_id__in=unsupported) if measure == Measure.CHILDREN_UNSUPPORTED
              else qs.exclude(person_id__in=unsupported))
    qs = qs.select_related("programme", "household__division", "household__head", "person").order_by(
        "household__division__code", "household_id", "id")
    return Drill("enrollments", qs, qs.count(), [month])
