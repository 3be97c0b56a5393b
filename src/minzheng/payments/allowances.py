"""Allowance service: turns the rules in rules.py into registry Enrollments (+ EnrollmentAmount versions).

`refresh(month=…)` is idempotent: a person already enrolled at the right amount is left alone; a changed amount
(a birthday moving someone into a higher 高龄 band, a new standard) becomes a new amount version from that month;
someone no longer eligible is ended — from the month after death for a death, otherwise from the month refreshed.
Every decision carries a readable explanation and the parameter versions it was made under (decided_under).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import batched, record
from minzheng.core import dates
from minzheng.core.scoping import require_division, visible
from minzheng.policy.services import resolve
from minzheng.regions.models import Division
from minzheng.registry.models import (
    Enrollment,
    EnrollmentAmount,
    EnrollmentStatus,
    Household,
    Person,
    Programme,
)

from . import rules
from .models import BeneficiaryFacts


def standards(month: dt.date, resolver: Callable[..., Any] = resolve) -> rules.Standards:
    """The allowance parameters in force in `month`; `resolver` (key, on=…) may serve proposed versions (提标)."""
    def r(key: str) -> Any:
        return resolver(key, on=month)

    bands, start, life, care = (r("payments.gaoling.bands"), r("payments.gaoling.start_rule"),
                                r("payments.canji_life.amounts"), r("payments.canji_care.amounts"))
    higher, youfu, per_year = (r("payments.allowance.higher_of"), r("payments.youfu.standards"),
                               r("payments.youfu.per_service_year"))
    conscript_age = r("payments.youfu.old_conscript_age")
    return rules.Standards(
        bands=rules.parse_bands(bands.value), start_rule=str(start.value),
        life={k: Decimal(str(v)) for k, v in life.value.items()},
        care={k: Decimal(str(v)) for k, v in care.value.items()},
        higher_of=[list(g) for g in higher.value], youfu={k: Decimal(str(v)) for k, v in youfu.value.items()},
        per_service_year=per_year.decimal, old_conscript_age=int(conscript_age.value),
        refs={"old_conscript_age": conscript_age.ref(), "bands": bands.ref(), "start_rule": start.ref(), "life": life.ref(), "care": care.ref(),
              "higher_of": higher.ref(), "youfu": youfu.ref(), "per_service_year": per_year.ref()})


def _active_in(month: dt.date) -> Q:
    return Q(start_month__lte=month) & (Q(end_month__isnull=True) | Q(end_month__gt=month)) & Q(
        status=EnrollmentStatus.ACTIVE)


def _alive_in(p: Person, month: dt.date) -> bool:
    if p.death_date is not None:
        return p.death_date >= month
    return not p.is_deceased


def _birth(p: Person) -> dt.date:
    """Age comes from the ID number's birth date (GB 11643); the stored birth date only when the ID has none."""
    return _id_birth(p.id_number, dates.today()) or p.birth_date


@functools.lru_cache(maxsize=1 << 16)
def _id_birth(id_number: str, today: dt.date) -> dt.date | None:
    """Each refresh reads every candidate's ID number again (the demo refreshes four months in a row)."""
    from minzheng.registry.idnumber import check

    return check(id_number, today=today).birth_date


@dataclass
class RefreshResult:
    month: dt.date
    created: list[tuple[str, int, str]] = field(default_factory=list)
    changed: list[tuple[str, int, str]] = field(default_factory=list)
    ended: list[tuple[str, int, str]] = field(default_factory=list)
    unchanged: int = 0
    notes: dict[int, list[str]] = field(default_factory=dict)
    # Enrollments kept because a fact is missing (never ended for that): (programme, person id, township, fact).
    missing: list[tuple[str, int, str, str]] = field(default_factory=list)

    def missing_by_township(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for code, pid, town, what in self.missing:
            out.setdefault(town, []).append({"programme": code, "person_id": pid, "missing": what})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"month": f"{self.month:%Y-%m}", "created": len(self.created), "changed": len(self.changed),
                "ended": len(self.ended), "unchanged": self.unchanged, "facts_missing": len(self.missing),
                "facts_missing_by_township": self.missing_by_township(),
                "details": [{"action": a, "programme": c, "person_id": pid, "why": why}
                            for a, rows in (("created", self.created), ("changed", self.changed),
                                            ("ended", self.ended)) for c, pid, why in rows][:500]}


def candidates(month: dt.date, division: Division | None) -> QuerySet[Person]:
    """People who might get an allowance: old enough for the lowest band, disabled, 优抚, or already enrolled."""
    s = standards(month)
    lowest = min((b.min_age for b in s.bands), default=200)
    cutoff = dt.date(month.year - lowest, month.month, 1) + dt.timedelta(days=31)
    qs = Person.objects.filter(
        Q(birth_date__lt=cutoff) | Q(disability_grade__isnull=False) | ~Q(payment_facts__youfu_category="")
        & Q(payment_facts__isnull=False)
        | Q(enrollments__programme__code__in=rules.ALLOWANCES, enrollments__status=EnrollmentStatus.ACTIVE))
    if division is not None:
        qs = qs.filter(household__division__path__startswith=division.path)
    # Households are not joined: refresh() loads the few it writes for (a join read thousands, sealed phones and all).
    # In id order: the enrollments created and amounts changed are numbered the same on any database.
    return qs.distinct().select_related("payment_facts").order_by("pk")


def person_facts(person: Person, month: dt.date, enrolled: dict[int, set[str]],
                 household_enrolled: dict[int, set[str]]) -> rules.PersonFacts:
    facts = getattr(person, "payment_facts", None)
    return rules.PersonFacts(
        person_id=person.pk, birth=_birth(person), alive=_alive_in(person, month),
        disability_grade=person.disability_grade,
        needs_long_term_care=facts.needs_long_term_care if facts else None,
        work_injury_care=bool(facts and facts.work_injury_care),
        youfu_category=facts.youfu_category if facts else "", youfu_status=facts.youfu_status if facts else "",
        service_years=facts.service_years if facts else None,
        enrolled=frozenset(enrolled.get(person.pk, set())),
        household_enrolled=frozenset(household_enrolled.get(person.household_id, set())))


def _township_name(person: Person) -> str:
    d = person.household.division
    return d.name if d.level == "township" or d.parent is None else d.parent.name


def check_refresh(*, month: dt.date, user: Actor | None = None) -> None:
    """What refresh() would refuse before any work (no right, a month before any standard), so a page or the API
    can say so at once instead of queuing a job that fails."""
    if user is not None:
        require_division(user, user.division, Cap.EDIT_BUSINESS)
    standards(dates.month_start(month))


def refresh(*, month: dt.date, user: Actor | None = None, division: Division | None = None) -> RefreshResult:
    """Bring allowance enrollments in line with the rules for `month` (idempotent)."""
    month = dates.month_start(month)
    if user is not None:
        division = division or user.division
        require_division(user, division, Cap.EDIT_BUSINESS)
    s = standards(month)
    progs = {p.code: p for p in Programme.objects.filter(code__in=rules.ALLOWANCES)}
    result = RefreshResult(month)
    people = list(candidates(month, division))
    ids = [p.pk for p in people]
    hh_ids = {p.household_id for p in people}
    enrolled: dict[int, set[str]] = {}
    household_enrolled: dict[int, set[str]] = {}
    active = Enrollment.objects.filter(_active_in(month))
    for pid, code in active.filter(person_id__in=ids).values_list("person_id", "programme__code"):
        enrolled.setdefault(pid, set()).add(code)
    for hid, code in active.filter(household_id__in=hh_ids).values_list("household_id", "programme__code"):
        household_enrolled.setdefault(hid, set()).add(code)
    code_of = {p.pk: code for code, p in progs.items()}
    current: dict[tuple[str, int | None], Enrollment] = {}
    for e in Enrollment.objects.filter(person_id__in=ids, programme__code__in=rules.ALLOWANCES,
                                       status=EnrollmentStatus.ACTIVE):
        e.programme = progs[code_of[e.programme_id]]
        current[(e.programme.code, e.person_id)] = e
    current_of: dict[int, list[tuple[str, Enrollment]]] = {}  # by person: each person's own, not all of them
    for (code, pid), e in current.items():
        if pid is not None:
            current_of.setdefault(pid, []).append((code, e))
    decided = [(person, f, *rules.decide(f, month, s)) for person in people
               for f in [person_facts(person, month, enrolled, household_enrolled)]]
    _load_households(decided, current_of)
    with batched():  # one transaction; the entries of every enrollment written are chained at its end
        for person, f, decisions, notes in decided:
            if notes:
                result.notes[person.pk] = notes
            wanted = {d.programme: d for d in decisions}
            for code, d in wanted.items():
                e = current.get((code, person.pk))
                basis = {"rule": f"payments.rules.decide/{code}", "explanation": d.reason, "params": d.refs}
                if e is None:
                    e = Enrollment.objects.create(
                        programme=progs[code], household=person.household, person=person,
                        covered_persons=1, monthly_amount=d.amount, start_month=month, source="allowance",
                        source_ref=f"{code}:{month:%Y-%m}", decided_under=basis)
                    EnrollmentAmount.objects.create(enrollment=e, from_month=month, monthly_amount=d.amount,
                                                    reason=d.reason[:200], decided_under=basis)
                    result.created.append((code, person.pk, d.reason))
                elif e.monthly_amount != d.amount:
                    EnrollmentAmount.objects.create(enrollment=e, from_month=max(month, e.start_month),
                                                    monthly_amount=d.amount, reason=d.reason[:200],
                                                    decided_under=basis)
                    e.monthly_amount, e.decided_under = d.amount, basis
                    e.save(update_fields=["monthly_amount", "decided_under", "updated_at"])
                    result.changed.append((code, person.pk, d.reason))
                else:
                    result.unchanged += 1
            pid = person.pk
            for code, e in current_of.get(pid, ()):
                if code in wanted:
                    continue
                lacking = rules.missing_fact(code, f) if f.alive else ""
                if lacking:
                    # Unknown is not "no": keep paying as decided before and ask the township for the fact.
                    result.missing.append((code, pid, _township_name(person), lacking))
                    result.unchanged += 1
                    continue
                why = "；".join(notes) or "不再符合条件"
                end = month
                if person.death_date is not None:
                    end = dates.add_months(dates.month_start(person.death_date), 1)
                end = max(end, e.start_month)
                e.status, e.end_month, e.end_reason = EnrollmentStatus.ENDED, end, why[:200]
                e.save(update_fields=["status", "end_month", "end_reason", "updated_at"])
                result.ended.append((code, pid, why))
        if result.created or result.changed or result.ended or result.missing:
            record("payments.allowances", summary=f"{month:%Y-%m} 津贴补贴核定：新增 {len(result.created)}，"
                   f"调整 {len(result.changed)}，停发 {len(result.ended)}，缺认定信息 {len(result.missing)}",
                   division_code=division.code if division else "", detail=result.as_dict())
    return result


def _load_households(decided: list[tuple[Person, rules.PersonFacts, list[rules.Decision], list[str]]],
                     current_of: dict[int, list[tuple[str, Enrollment]]]) -> None:
    """The households (with division and head) of the enrollments refresh() is about to write, in one query: the
    audit entry of each write names the household and its division. Every other person's is never read."""
    wanted: dict[int, list[Person | Enrollment]] = {}
    for person, _f, decisions, _notes in decided:
        mine = dict(current_of.get(person.pk, ()))
        codes = {d.programme for d in decisions}
        for d in decisions:
            e = mine.get(d.programme)
            if e is None:
                wanted.setdefault(person.household_id, []).append(person)
            elif e.monthly_amount != d.amount:
                wanted.setdefault(e.household_id, []).append(e)
        if any(code not in codes for code in mine):   # ended, or kept for a missing fact (names the township)
            wanted.setdefault(person.household_id, []).append(person)
            for code, e in mine.items():
                if code not in codes:
                    wanted.setdefault(e.household_id, []).append(e)
    households = Household.objects.select_related("division__parent", "head").in_bulk(list(wanted))
    for hid, objs in wanted.items():
        for obj in objs:
            obj.household = households[hid]


@dataclass(frozen=True)
class Upcoming:
    person: Person
    birth: dt.date
    band: rules.Band
    previous: rules.Band | None


def upcoming_gaoling(*, month: dt.date, user: Actor | None) -> list[Upcoming]:
    """People who become eligible for 高龄津贴 (or move to a higher band) next month: the monthly 预告 list."""
    month = dates.month_start(month)
    nxt = dates.add_months(month, 1)
    s = standards(nxt)
    if not s.bands:
        return []
    lowest = s.bands[0].min_age
    cutoff = dt.date(nxt.year - lowest, nxt.month, 1) + dt.timedelta(days=31)
    out = []
    for p in visible(Person, user).filter(birth_date__lt=cutoff, is_deceased=False).select_related(
            "household__division").order_by("birth_date"):
        birth = _birth(p)
        now_band = rules.gaoling_band(birth, month, s.bands, s.start_rule)
        next_band = rules.gaoling_band(birth, nxt, s.bands, s.start_rule)
        if next_band is not None and next_band != now_band:
            out.append(Upcoming(p, birth, next_band, now_band))
    return out


def set_facts(*, person: Person, user: Actor, **values: Any) -> BeneficiaryFacts:
    """Record the facts allowances need for a person in the user's area, typed in by an officer (手工录入)."""
    from . import facts

    return facts.set_manual(person=person, user=user, **values)
