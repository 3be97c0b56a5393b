"""Gathering the facts the rules decide on: a registry household or person on a date, as the rules' input
dataclasses (reads only).

The rules (`assistance.rules`) never touch the database; this is the one place that turns registry rows into
`HouseholdFacts` / `TekunFacts`. Incomes are those current on the date (`Income.objects.current_on`), assets those
held on it (`Asset.objects.held_on`), members the living persons of the household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from minzheng.core import dates
from minzheng.registry.models import (
    HOLDING_STATUSES,
    Asset,
    Health,
    Household,
    Income,
    Person,
    ProgrammeFamily,
)

from .rules import (
    AssetItem,
    HouseholdFacts,
    IncomeItem,
    Member,
    Params,
    Supporter,
    TekunFacts,
    per_capita_income,
)


def household_facts(household: Household, *, on: dt.date,
                    overrides: Mapping[str, Mapping[str, Any]] | None = None,
                    area: str | None = None) -> HouseholdFacts:
    """`HouseholdFacts` of a registry Household on a date.

    Members are the living persons of the household; a member already supported as 特困 is marked `in_tekun`.
    `overrides` maps a person key (str(pk)) to Member fields the survey found (living_together, imprisoned,
    religious_professional …), which the registry does not hold. Area comes from the 户籍性质 unless given.
    """
    extra = overrides or {}
    in_tekun = set(
        household.enrollments.filter(status__in=HOLDING_STATUSES, programme__family=ProgrammeFamily.TEKUN,
                                     person__isnull=False).values_list("person_id", flat=True))
    members: list[Member] = []
    for p in Person.objects.filter(household=household, is_deceased=False).order_by("id"):
        key = str(p.pk)
        fields: dict[str, Any] = {
            "key": key, "name": p.name, "age": dates.age_on(p.birth_date, on), "relation": p.relation,
            "disability_category": p.disability_category or "", "disability_grade": p.disability_grade,
            "serious_illness": p.health == Health.SERIOUS, "in_tekun": p.pk in in_tekun,
        }
        fields.update(extra.get(key, {}))
        members.append(Member(**fields))
    incomes = tuple(
        IncomeItem(i.category, i.monthly_amount, i.item, str(i.person_id) if i.person_id else None, i.code)
        for i in Income.objects.filter(household=household).current_on(on).order_by("id"))
    assets = tuple(
        AssetItem(a.kind, a.value, dict(a.attributes or {}), str(a.person_id) if a.person_id else None, a.description)
        for a in Asset.objects.filter(household=household).held_on(on).order_by("id"))
    return HouseholdFacts(area or household.hukou_type, tuple(members), incomes, assets)


def supporters_of(rows: Any) -> tuple[Supporter, ...]:
    """The rules' Supporter facts from recorded LegalSupporter rows."""
    return tuple(Supporter(name=s.name, age=s.age, in_tekun=s.in_tekun, in_dibao=s.in_dibao,
                           disability_category=s.disability_category or "", disability_grade=s.disability_grade,
                           income_below_disposable=s.income_below_disposable,
                           assets_within_limits=s.assets_within_limits, no_legal_capacity=s.no_legal_capacity,
                           declared_missing=s.declared_missing, imprisoned=s.imprisoned) for s in rows)


def tekun_facts(person: Person, *, on: dt.date, params: Params, supporters: Sequence[Supporter] = (),
                assets_ok: bool = True, other_no_work_capacity: str = "", orphan_eligible: bool = False,
                supporters_recorded: bool = True) -> TekunFacts:
    """`TekunFacts` of a registry Person on a date: age, disability and own counted income (特困 exclusions)."""
    own = [IncomeItem(i.category, i.monthly_amount, i.item, str(person.pk), i.code)
           for i in Income.objects.filter(person=person).current_on(on).order_by("id")]
    income = per_capita_income(own, member_keys=[str(person.pk)], params=params,
                               exclusions_key="tekun.income.exclusions").amount
    return TekunFacts(name=person.name, age=dates.age_on(person.birth_date, on), area=person.household.hukou_type,
                      monthly_income=income, assets_ok=assets_ok, disability_category=person.disability_category or "",
                      disability_grade=person.disability_grade, other_no_work_capacity=other_no_work_capacity,
                      supporters=tuple(supporters), orphan_eligible=orphan_eligible,
                      supporters_recorded=supporters_recorded)
