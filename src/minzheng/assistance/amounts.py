"""What the rules say 低保 and 特困 enrollments should be paid, for many enrollments at once (verify amounts, 提标,
the demo's 存量 cases).

The same decision as `assessment.assess_enrollment`, gathered set-based: one query per table for all households
(members, current incomes, held assets, 特困 members, self-care items of the last case), parameters from one
in-memory table (`policy.table`), then the pure rules per household. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from minzheng.core import dates
from minzheng.policy.table import ParamTable, path_codes
from minzheng.policy.values import ParamValue
from minzheng.regions.models import Division
from minzheng.registry.models import (
    Asset,
    Enrollment,
    EnrollmentStatus,
    Health,
    Household,
    Income,
    Person,
    ProgrammeFamily,
)

from . import rules
from .models import Application

FAMILIES = (ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN)


class TableParams(rules.Params):
    """`rules.Params` served from a `ParamTable` (no query per key); refs are those `resolve` would give."""

    def __init__(self, table: ParamTable, on: dt.date, codes: frozenset[str]) -> None:
        super().__init__(on)
        self.table = table
        self.codes = codes

    def get(self, key: str) -> ParamValue:
        if key not in self._cache:
            self._cache[key] = self.table.resolve(key, on=self.on, codes=self.codes)
        return self._cache[key]


class ParamsPool:
    """One TableParams per (day, set of division codes that have versions of their own): villages without local
    versions share one, so each parameter is resolved once per day, not once per household."""

    def __init__(self, table: ParamTable, divisions: Mapping[int, Division]) -> None:
        self.table = table
        self.divisions = divisions
        self.local = table.codes_with_versions()
        self._pool: dict[tuple[dt.date, frozenset[str]], TableParams] = {}

    def get(self, on: dt.date, division_id: int) -> TableParams:
        codes = path_codes(self.divisions[division_id].path)
        key = (on, codes & self.local)
        if key not in self._pool:
            self._pool[key] = TableParams(self.table, on, codes)
        return self._pool[key]


@dataclass
class Expected:
    """The rules' amount for one enrollment, with the decision that explains it."""

    enrollment_id: int
    programme: str
    household_id: int
    person_id: int | None
    division_id: int
    covered: int
    amount: Decimal
    eligible: bool
    decision: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"  # ok | no_rule | missing_facts | error


def all_divisions() -> dict[int, Division]:
    return {d.pk: d for d in Division.objects.all()}


def _area(code: str, hukou: str) -> str:
    if code == "dibao_urban":
        return "urban"
    if code == "dibao_rural":
        return "rural"
    return hukou or "rural"


@dataclass
class _Facts:
    """Rows gathered for a set of households, ready to become the rules' input dataclasses."""

    households: dict[int, dict[str, Any]]
    members: dict[int, list[dict[str, Any]]]
    incomes: dict[int, list[rules.IncomeItem]]
    own_incomes: dict[int, list[rules.IncomeItem]]
    assets: dict[int, list[rules.AssetItem]]
    in_tekun: set[int]
    selfcare: dict[int, list[str]]


def _gather(enrollments: QuerySet[Enrollment], on: dt.date) -> _Facts:
    hh_ids = enrollments.values("household_id")
    households = {h["id"]: h for h in Household.objects.filter(id__in=hh_ids).values("id", "hukou_type",
                                                                                       "division_id", "head_id")}
    members: dict[int, list[dict[str, Any]]] = {}
    for p in (Person.objects.filter(household_id__in=hh_ids, is_deceased=False).order_by("id")
              .values("id", "household_id", "name", "birth_date", "relation", "disability_category",
                      "disability_grade", "health")):
        members.setdefault(p["household_id"], []).append(p)
    incomes: dict[int, list[rules.IncomeItem]] = {}
    own: dict[int, list[rules.IncomeItem]] = {}
    for i in (Income.objects.filter(household_id__in=hh_ids).current_on(on).order_by("id")
              .values_list("household_id", "category", "monthly_amount", "item", "person_id")):
        item = rules.IncomeItem(i[1], i[2], i[3], str(i[4]) if i[4] else None)
        incomes.setdefault(i[0], []).append(item)
        if i[4]:
            own.setdefault(i[4], []).append(item)
    assets: dict[int, list[rules.AssetItem]] = {}
    for a in (Asset.objects.filter(household_id__in=hh_ids).held_on(on).order_by("id")
              .values_list("household_id", "kind", "value", "attributes", "person_id", "description")):
        assets.setdefault(a[0], []).append(
            rules.AssetItem(a[1], a[2], dict(a[3] or {}), str(a[4]) if a[4] else None, a[5]))
    in_tekun = set(Enrollment.objects.filter(household_id__in=hh_ids, status=EnrollmentStatus.ACTIVE,
                                             programme__family=ProgrammeFamily.TEKUN, person__isnull=False)
                   .values_list("person_id", flat=True))
    selfcare: dict[int, list[str]] = {}
    tekun_ids = enrollments.filter(programme__family=ProgrammeFamily.TEKUN).values("id")
    for eid, failed in (Application.objects.filter(enrollment_id__in=tekun_ids).order_by("enrollment_id", "id")
                        .values_list("enrollment_id", "selfcare_failed")):
        selfcare[eid] = list(failed or [])  # the last case's assessment wins (ordered by id)
    return _Facts(households, members, incomes, own, assets, in_tekun, selfcare)


def _household_facts(f: _Facts, hid: int, area: str, on: dt.date) -> rules.HouseholdFacts:
    members = tuple(
        rules.Member(key=str(p["id"]), name=p["name"], age=dates.age_on(p["birth_date"], on), relation=p["relation"],
                     disability_category=p["disability_category"] or "", disability_grade=p["disability_grade"],
                     serious_illness=p["health"] == Health.SERIOUS, in_tekun=p["id"] in f.in_tekun)
        for p in f.members.get(hid, []))
    return rules.HouseholdFacts(area, members, tuple(f.incomes.get(hid, ())), tuple(f.assets.get(hid, ())))


def _summary(d: rules.Decision, steps: list[rules.Decision], *, covered: int, eligible: bool,
             amount: Decimal) -> dict[str, Any]:
    """The stored form of a decision, like `assessment._combine`, without the bulky inputs: explanation, amount,
    rule and parameter versions."""
    refs: dict[str, dict[str, Any]] = {}
    for s in steps:
        for r in s.params:
            refs.setdefault(r["key"], r)
    reasons: list[str] = []
    for s in steps:
        reasons += [r for r in s.reasons if r not in reasons]
    # Parameter refs are JSON already (ParamValue.ref): no deep conversion needed.
    return {"rule": d.rule, "version": d.version, "eligible": eligible, "amount": str(amount),
            "covered_persons": covered, "explanation": "；".join(s.explanation for s in steps),
            "params": list(refs.values()), "reasons": [str(r) for r in reasons]}


def _dibao(e: Mapping[str, Any], f: _Facts, params: rules.Params, on: dt.date) -> Expected:
    hh = f.households[e["household_id"]]
    found = _household_facts(f, e["household_id"], _area(e["programme__code"], hh["hukou_type"]), on)
    if e["person_id"] is not None:
        if not any(m.key == str(e["person_id"]) for m in found.members):
            raise ValueError("单人保对象已不在该家庭或已死亡")
        d = rules.single_person_dibao(str(e["person_id"]), found, params=params)
        covered = 1
    else:
        d = rules.dibao_assess(found, params=params)
        covered = int(d.details.get("covered_count") or 0)
    eligible = d.eligible and covered > 0
    amount = d.amount if eligible else Decimal(0)
    return Expected(e["id"], e["programme__code"], e["household_id"], e["person_id"], hh["division_id"],
                    max(covered, 1), amount, eligible,
                    _summary(d, [d], covered=max(covered, 1), eligible=eligible, amount=amount))


def _tekun(e: Mapping[str, Any], f: _Facts, params: rules.Params, on: dt.date) -> Expected:
    hh = f.households[e["household_id"]]
    pid = e["person_id"] or hh["head_id"]
    person = next((p for p in f.members.get(e["household_id"], []) if p["id"] == pid), None)
    if person is None:
        raise ValueError("供养对象已不在该家庭或已死亡")
    income = rules.per_capita_income(f.own_incomes.get(pid, []), member_keys=[str(pid)], params=params,
                                     exclusions_key="tekun.income.exclusions").amount
    found = rules.TekunFacts(name=person["name"], age=dates.age_on(person["birth_date"], on), area=hh["hukou_type"],
                             monthly_income=income, disability_category=person["disability_category"] or "",
                             disability_grade=person["disability_grade"])
    criteria = rules.tekun_criteria(found, params=params)
    failed = set(f.selfcare.get(e["id"], []))
    tier = rules.self_care_tier({k: k not in failed for k in rules.SELF_CARE_ITEMS}, params=params)
    arrangement = "central" if e["programme__code"] == "tekun_central" else "dispersed"
    support = rules.tekun_support(tier.details["tier"], arrangement=arrangement, area=found.area, params=params)
    amount = support.amount if criteria.eligible else Decimal(0)
    summary = _summary(support, [criteria, tier, support], covered=1, eligible=criteria.eligible, amount=amount)
    summary["tier"] = tier.details["tier"]
    return Expected(e["id"], e["programme__code"], e["household_id"], pid, hh["division_id"], 1, amount,
                    criteria.eligible, summary)


def expected(enrollments: QuerySet[Enrollment], *, on: dt.date, table: ParamTable | None = None,
             params_on: dt.date | Mapping[int, dt.date] | None = None,
             divisions: Mapping[int, Division] | None = None,
             selfcare: Mapping[int, list[str]] | None = None) -> list[Expected]:
    """The rules' amounts for the 低保 and 特困 enrollments in `enrollments`: facts as on `on`, parameters in force
    on `params_on` (default `on`; a mapping gives a day per enrollment id) from `table` (default: the stored
    versions). `selfcare` gives the self-care items of 特困 enrollments that have no case yet (the demo's)."""
    qs = enrollments.filter(programme__family__in=FAMILIES)
    facts = _gather(qs, on)
    facts.selfcare.update(selfcare or {})
    pool = ParamsPool(table or ParamTable.load(), divisions or all_divisions())
    out: list[Expected] = []
    for e in qs.order_by("id").values("id", "household_id", "person_id", "programme__code", "programme__family"):
        hh = facts.households[e["household_id"]]
        day = params_on.get(e["id"], on) if isinstance(params_on, Mapping) else (params_on or on)
        params = pool.get(day, hh["division_id"])
        try:
            if e["programme__family"] == ProgrammeFamily.DIBAO:
                out.append(_dibao(e, facts, params, on))
            else:
                out.append(_tekun(e, facts, params, on))
        except (ValueError, LookupError) as exc:
            out.append(Expected(e["id"], e["programme__code"], e["household_id"], e["person_id"], hh["division_id"],
                                1, Decimal(0), False, {"explanation": f"无法按规则测算：{exc}"}, status="error"))
    return out


def by_id(rows: Iterable[Expected]) -> dict[int, Expected]:
    return {r.enrollment_id: r for r in rows}
