"""Reads of the household registry, always through core.scoping.visible (the user's jurisdiction).

Search (`search_persons`) is what the UI, the API and bench/search.py all call. It classifies each word the officer
typed: an ID number (full, first digits, or last four), a phone or bank account number (whole, or its last four digits), a birth date
(19500315), pinyin initials ("czf") or a name (prefix first, then anywhere in the name). Every branch is an index
range scan; on SQLite prefixes are written as ranges because LIKE cannot use an index there.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from minzheng.accounts.actor import Actor
from minzheng.core import dates, sealed
from minzheng.core.scoping import get_visible, visible

from . import idnumber
from .models import (
    Asset,
    Enrollment,
    EnrollmentStatus,
    GivenName,
    Household,
    Income,
    IncomeCategory,
    Last4,
    Membership,
    Person,
    Programme,
)

_TOP = "\U0010ffff"
_DIGITS = re.compile(r"^[0-9]+[X]?$")
_LETTERS = re.compile(r"^[a-z]+$")


def _prefix(field: str, value: str) -> Q:
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": value, f"{field}__lt": value + _TOP})
    return Q(**{f"{field}__startswith": value})


@dataclass(frozen=True)
class Term:
    kind: str    # id | digits | initials | name
    text: str


def parse_query(q: str) -> list[Term]:
    """Words of a query, each classified. Full-width input and a lowercase x are normalised first."""
    text = unicodedata.normalize("NFKC", q or "").strip()
    terms = []
    for word in text.split():
        upper = word.upper()
        if _DIGITS.match(upper):
            n = idnumber.normalize(upper)
            if len(n) == 18 or (len(n) == 15 and n.isdigit()):
                terms.append(Term("id", idnumber.check(n).normalized if len(n) == 15 else n))
            else:
                terms.append(Term("digits", n))
        elif _LETTERS.match(word.lower()):
            terms.append(Term("initials", word.lower()))
        else:
            terms.append(Term("name", word))
    return terms


def _pks(*conds: Q, annotate: dict[str, Any] | None = None) -> QuerySet[Person]:
    """UNION of primary keys matching each condition: every arm runs on its own index (SQLite will not combine
    indexes for an OR across columns, and would scan the table instead)."""
    arms = []
    for cond in conds:
        qs = Person.objects.all()
        if annotate:
            qs = qs.annotate(**annotate)
        arms.append(qs.filter(cond).values("pk"))
    return arms[0].union(*arms[1:]) if len(arms) > 1 else arms[0]


def _whole_number(d: str) -> list[Q]:
    """Phones and bank accounts are sealed at rest (core/sealed.py): a whole number is found by its keyed blind
    index (there is no prefix search on them); an account through its indexed last four first."""
    if len(d) < 7 or not d.isdigit():
        return []
    idx = sealed.index_candidates(d)
    return [Q(phone_index__in=idx), Q(household_id__in=Household.objects.filter(phone_index__in=idx).values("pk")),
            Q(bank_account_last4=d[-4:], bank_account_index__in=idx)]


def _digits(d: str) -> QuerySet[Person]:
    """A partial number: start of an ID, last digits of an ID, a phone (person's or household's), a birth date."""
    conds = [_prefix("id_number", d), *_whole_number(d)]
    if 4 <= len(d) <= 8:
        # Last digits of the ID: the indexed last-four expression narrows, endswith finishes.
        conds.append(Q(id_last4=d[-4:], id_number__endswith=d))
    if len(d) == 4:
        conds.append(Q(phone_last4=d))
        conds.append(Q(bank_account_last4=d))
    if len(d) == 8:
        try:
            conds.append(Q(birth_date=dt.date(int(d[:4]), int(d[4:6]), int(d[6:]))))
        except ValueError:
            pass
    return _pks(*conds, annotate={"id_last4": Last4("id_number")})


def _name(text: str) -> QuerySet[Person] | Q:
    """Name prefix (陈志 → 陈志富) or given-name prefix (志富, 秀 → 林秀英); anywhere in the name when neither hits
    and the text has two characters or more (one character anywhere would match half the district)."""
    given = _pks(_prefix("given_name", text), annotate={"given_name": GivenName("name")})
    if len(text) < 2:
        # A surname alone ("陈") matches tens of thousands: filter by the range directly so the planner can start
        # from a narrower index, and fall back to the given name only when no name starts so.
        by_name = _prefix("name", text)
        return by_name if Person.objects.filter(by_name).exists() else given
    arms = _pks(_prefix("name", text), _prefix("given_name", text), annotate={"given_name": GivenName("name")})
    if arms.exists():
        return arms
    return Q(name__contains=text)


# Most selective kinds first: once an ID or a number has narrowed the set to a few rows, the other words are
# checked on those rows only.
_RANK = {"id": 0, "digits": 1, "initials": 2, "name": 3}
NARROW_LIMIT = 5000


def search_persons(user: Actor, q: str, *, include_deceased: bool = True,
                   within: QuerySet[Person] | None = None) -> QuerySet[Person]:
    """Persons in the user's jurisdiction matching every word of `q`, best matches first.

    An empty query gives all visible persons (newest first). Callers paginate.
    """
    qs = visible(within if within is not None else Person.objects.all(), user)
    if not include_deceased:
        qs = qs.filter(is_deceased=False)
    terms = sorted(parse_query(q), key=lambda t: _RANK[t.kind])
    if not terms:
        return qs.select_related("household__division").order_by("-id")
    order = "name"
    narrowed = False
    for t in terms:
        if t.kind == "id":
            qs = qs.filter(id_number=t.text)
            narrowed = True
        elif t.kind == "digits" and len(t.text) > 8 and not t.text.startswith("1") and not narrowed:
            # A whole account or landline number, else an ID prefix: walk the unique index in order and stop
            # after one page.
            whole = _pks(*_whole_number(t.text)) if t.text.isdigit() else None
            if whole is not None and whole.exists():
                qs = qs.filter(pk__in=whole)
                narrowed = True
            else:
                qs = qs.filter(_prefix("id_number", t.text))
                order = "id_number"
        elif t.kind == "digits":
            arms = _digits(t.text)
            pks = [r["pk"] for r in arms[: NARROW_LIMIT + 1]]
            qs = qs.filter(pk__in=pks if len(pks) <= NARROW_LIMIT else arms)
            narrowed = narrowed or len(pks) <= NARROW_LIMIT
        elif t.kind == "initials":
            qs = qs.filter(_prefix("name_initials", t.text))
            order = "name" if narrowed else "name_initials"
        elif narrowed:
            qs = qs.filter(name__contains=t.text)
        else:
            cond = _name(t.text)
            qs = qs.filter(cond) if isinstance(cond, Q) else qs.filter(pk__in=cond)
    return qs.select_related("household__division").order_by(order, "id")


def households(user: Actor, *, q: str = "", division_id: int | None = None,
               programme: str | None = None) -> QuerySet[Household]:
    """Households in the user's jurisdiction; `q` searches their members (name, initials, ID, phone)."""
    qs = visible(Household, user)
    if division_id:
        qs = qs.filter(division_id=division_id)
    if programme:
        qs = qs.filter(enrollments__programme__code=programme, enrollments__status=EnrollmentStatus.ACTIVE)
    if q.strip():
        member_hh = search_persons(user, q).order_by().values("household_id")
        qs = qs.filter(pk__in=member_hh)
    return qs.select_related("division", "head").order_by("-id").distinct() if programme else \
        qs.select_related("division", "head").order_by("-id")


def with_member_counts(page: list[Household]) -> list[Household]:
    """Attach live member counts and current programme names to one page of households (two queries)."""
    ids = [h.pk for h in page]
    counts = dict(Person.objects.filter(household_id__in=ids, is_deceased=False).values_list("household_id")
                  .annotate(n=Count("id")).values_list("household_id", "n"))
    progs: dict[int, list[str]] = {}
    for hid, name in Enrollment.objects.filter(household_id__in=ids, status=EnrollmentStatus.ACTIVE) \
            .values_list("household_id", "programme__name").order_by("programme__order"):
        if name not in progs.setdefault(hid, []):
            progs[hid].append(name)
    for h in page:
        h.member_count = counts.get(h.pk, 0)  # type: ignore[attr-defined]
        h.programme_names = progs.get(h.pk, [])  # type: ignore[attr-defined]
    return page


def household(user: Actor, household_id: int) -> Household:
    return get_visible(Household.objects.select_related("division", "division__parent", "head"), user,
                       pk=household_id)


def person(user: Actor, person_id: int) -> Person:
    return get_visible(Person.objects.select_related("household__division__parent", "household__head"), user,
                       pk=person_id)


@dataclass
class HouseholdView:
    household: Household
    members: list[Person]
    former_members: list[Membership]
    incomes_by_category: list[dict[str, Any]]
    monthly_income_total: Any
    assets: list[Asset]
    current_enrollments: list[Enrollment]
    past_enrollments: list[Enrollment]
    history: list[Membership]


def household_view(user: Actor, household_id: int, *, on: dt.date | None = None) -> HouseholdView:
    """Everything the household page shows, in a handful of queries."""
    from decimal import Decimal

    on = on or dates.today()
    hh = household(user, household_id)
    members = list(hh.members.order_by("relation", "birth_date", "id"))
    history = list(Membership.objects.filter(household=hh).select_related("person").order_by("start_date", "id"))
    current_ids = {m.pk for m in members}
    former = [m for m in history if m.person_id not in current_ids and m.end_date is not None]
    incomes = list(hh.incomes.select_related("person").order_by("category", "-period_start"))
    in_force = set(hh.incomes.current_on(on).values_list("id", flat=True))
    by_cat = []
    total = Decimal("0")
    for value, label in IncomeCategory.choices:
        rows = [i for i in incomes if i.category == value]
        current = sum((i.monthly_amount for i in rows if i.pk in in_force), Decimal("0"))
        total += current
        by_cat.append({"code": value, "label": label, "rows": rows, "current": current})
    enrollments = list(Enrollment.objects.filter(household=hh).select_related("programme", "person")
                       .prefetch_related(Prefetch("amounts")).order_by("programme__order", "-start_month"))
    return HouseholdView(
        household=hh, members=members, former_members=former, incomes_by_category=by_cat,
        monthly_income_total=total, assets=list(hh.assets.select_related("person").order_by("kind", "id")),
        current_enrollments=[e for e in enrollments if e.status == EnrollmentStatus.ACTIVE],
        past_enrollments=[e for e in enrollments if e.status != EnrollmentStatus.ACTIVE],
        history=history,
    )


def area_counts(user: Actor) -> dict[str, int]:
    """Counts for the home panel: households, persons, current recipients (households and persons)."""
    hh = visible(Household, user)
    act = visible(Enrollment, user).filter(status=EnrollmentStatus.ACTIVE)
    return {
        "households": hh.count(),
        "persons": visible(Person, user).filter(is_deceased=False).count(),
        "recipient_households": act.values("household_id").distinct().count(),
        "enrollments": act.count(),
    }


def programme_counts(user: Actor) -> list[dict[str, Any]]:
    rows = (visible(Enrollment, user).filter(status=EnrollmentStatus.ACTIVE)
            .values("programme__code", "programme__name", "programme__order")
            .annotate(n=Count("id")).order_by("programme__order"))
    return [{"code": r["programme__code"], "name": r["programme__name"], "n": r["n"]} for r in rows]


def incomes(user: Actor) -> QuerySet[Income]:
    return visible(Income, user)


PER_PAGE = 20
# Counting every match of a wide query ("陈", a ten-digit ID prefix) costs more than the page itself; beyond this
# the pager says "1000+" — nobody pages through a thousand people, they narrow the query.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP + 1 (SELECT COUNT(*) over a LIMITed subquery)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # Unordered: any cap + 1 matching rows prove "more than cap", and no sort is needed to find them.
        return self.object_list.order_by()[: self.cap + 1].count()  # type: ignore[union-attr]

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def get_page(self, number: Any) -> Any:
        # Most searches fit on the first page: read it (one row more than fits) and skip the count query.
        try:
            n = int(number)
        except (TypeError, ValueError):
            n = 1
        if n <= 1:
            rows = list(self.object_list[: self.per_page + 1])  # type: ignore[index]
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)
                return self._get_page(rows, 1, self)
        return super().get_page(number)


def search_page(user: Actor, q: str, *, page: Any = 1, per_page: int = PER_PAGE,
                include_deceased: bool = True) -> Any:
    """One page of person search results (what the UI, the API and bench/search.py show)."""
    qs = search_persons(user, q, include_deceased=include_deceased)
    return CappedPaginator(qs, per_page).get_page(page)


_programme_names: tuple[float, dict[str, str]] = (0.0, {})


def programme_names() -> dict[str, str]:
    """Programme code → name, for showing codes in words (policy values); re-read at most once a minute."""
    global _programme_names
    read_at, names = _programme_names
    if time.monotonic() - read_at > 60:
        names = dict(Programme.objects.values_list("code", "name"))
        _programme_names = (time.monotonic(), names)
    return names


@dataclass(frozen=True)
class Departure:
    """When a person stopped being someone a village serves: death, or moving out of that village."""

    died_on: dt.date | None
    # village id → the day the person's last household there ended, for villages they no longer live in.
    left: dict[int, dt.date]


def departures(person_ids: list[int]) -> dict[int, Departure]:
    """For other apps' checks (purchased services delivered after death or departure); no user: a batch check."""
    out: dict[int, Departure] = {}
    died = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "death_date"))
    ended: dict[int, dict[int, dt.date]] = {}
    still: dict[int, set[int]] = {}
    for pid, village, end in Membership.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "household__division_id", "end_date"):
        if end is None:
            still.setdefault(pid, set()).add(village)
        else:
            prev = ended.setdefault(pid, {}).get(village)
            ended[pid][village] = max(end, prev) if prev else end
    for pid in person_ids:
        gone = {v: d for v, d in ended.get(pid, {}).items() if v not in still.get(pid, set())}
        out[pid] = Departure(died.get(pid), gone)
    return out
