"""The recipients snapshot: who is being paid on the check date, exported from the registry to Parquet.

Read through a plain DB cursor (not model instances): at county scale that is ~500k rows, and DuckDB cannot reach
SQLite/PostgreSQL offline (no extensions), so rows travel cursor → Arrow → Parquet. Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import connection

from minzheng.assistance.selectors import filed_relative_id_numbers
from minzheng.core import dates
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, Household, Income, Person, Programme

from . import schemas

BATCH = 20000



def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _dec(v: Any) -> Decimal:
    return Decimal(str(v)) if v is not None else Decimal("0")


def township_codes() -> dict[int, tuple[str, str]]:
    """division id → (village code, township code) for every division at or below township level."""
    out: dict[int, tuple[str, str]] = {}
    for pk, code, path, depth in Division.objects.filter(depth__gte=3).values_list("id", "code", "path", "depth"):
        parts = [p for p in path.strip("/").split("/") if p]
        out[pk] = (code if depth >= 4 else "", parts[3] if len(parts) > 3 else code)
    return out


def household_facts(on: dt.date) -> tuple[dict[int, int], dict[int, Decimal], dict[int, Decimal]]:
    """Members, declared monthly income and the declared pension part of it, per household."""
    sizes: dict[int, int] = defaultdict(int)
    for hid, n in _rows(f"SELECT household_id, COUNT(*) FROM {Person._meta.db_table} "
                        f"WHERE is_deceased = %s GROUP BY household_id", [False]):
        sizes[hid] = n
    income: dict[int, Decimal] = defaultdict(Decimal)
    pension: dict[int, Decimal] = defaultdict(Decimal)
    current = Income.objects.current_on(on).values_list("household_id", "item", "monthly_amount")
    for hid, item, amount in current:
        income[hid] += amount
        if item and ("养老" in item or "退休" in item):
            pension[hid] += amount
    return sizes, income, pension


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def recipients(on: dt.date, *, household_ids: list[int] | None = None) -> pa.Table:
    """One row per person being paid (person-level enrollments) or covered (household enrollments) on `on`."""
    divisions = township_codes()
    sizes, income, pension = household_facts(on)
    e, p, h, pr = (Enrollment._meta.db_table, Person._meta.db_table, Household._meta.db_table,
                   Programme._meta.db_table)
    cols = ("e.id, pr.code, e.household_id, p.id, p.id_number, p.name, p.birth_date, h.division_id, "
            "e.monthly_amount, e.covered_persons, e.start_month")
    where = "e.status = %s AND e.start_month <= %s AND (e.end_month IS NULL OR e.end_month > %s)"
    params: list[Any] = ["active", on, on]
    if household_ids is not None:
        where += f" AND e.household_id IN ({','.join(str(int(x)) for x in household_ids) or 'NULL'})"
    queries = [
        # Person-level enrollments (特困, 高龄 …): the named person, wherever they live now.
        (f"SELECT {cols}, 1 FROM {e} e JOIN {pr} pr ON pr.id = e.programme_id "
         f"JOIN {p} p ON p.id = e.person_id JOIN {h} h ON h.id = e.household_id WHERE {where} "
         f"AND e.person_id IS NOT NULL", params),
        # Household enrollments (低保): every current member of the household.
        (f"SELECT {cols}, 0 FROM {e} e JOIN {pr} pr ON pr.id = e.programme_id "
         f"JOIN {p} p ON p.household_id = e.household_id JOIN {h} h ON h.id = e.household_id WHERE {where} "
         f"AND e.person_id IS NULL AND p.is_deceased = %s", [*params, False]),
    ]
    batches: list[pa.RecordBatch] = []
    names = [f.name for f in schemas.RECIPIENTS_SCHEMA]
    for sql, qparams in queries:
        with connection.cursor() as cur:
            cur.execute(sql, qparams)
            while True:
                chunk = cur.fetchmany(BATCH)
                if not chunk:
                    break
                data: dict[str, list[Any]] = {n: [] for n in names}
                for (eid, code, hid, pid, idn, name, birth, div, amount, covered, start, direct) in chunk:
                    village, township = divisions.get(div, ("", ""))
                    birth = _date(birth)
                    data["enrollment_id"].append(eid)
                    data["programme"].append(code)
                    data["household_id"].append(hid)
                    data["person_id"].append(pid)
                    data["id_number"].append(idn)
                    data["name"].append(name)
                    data["birth_date"].append(birth)
                    data["age"].append(dates.age_or_none(birth, on))
                    data["village_code"].append(village)
                    data["township_code"].append(township)
                    data["monthly_amount"].append(_dec(amount).quantize(Decimal("0.01")))
                    data["covered_persons"].append(covered)
                    data["start_month"].append(_date(start))
                    data["is_direct"].append(bool(direct))
                    data["household_size"].append(sizes.get(hid, 0))
                    data["household_income"].append(income.get(hid, Decimal("0")).quantize(Decimal("0.01")))
                    data["declared_pension"].append(pension.get(hid, Decimal("0")).quantize(Decimal("0.01")))
                batches.append(pa.RecordBatch.from_pydict(data, schema=schemas.RECIPIENTS_SCHEMA))
    return pa.Table.from_batches(batches, schema=schemas.RECIPIENTS_SCHEMA)


def kinship_filed() -> pa.Table:
    """Relatives registered under 近亲属备案 (published by assistance), with their household if known."""
    ids = filed_relative_id_numbers()
    households = dict(Person.objects.filter(id_number__in=ids).values_list("id_number", "household_id"))
    return pa.Table.from_pylist([{"household_id": households.get(i), "id_number": i} for i in ids],
                                schema=schemas.KINSHIP_FILED_SCHEMA)


def applicant_household(household: Household, programme_code: str, on: dt.date) -> pa.Table:
    """The recipients view for one applying household: every living member, as if enrolled in the programme."""
    divisions = township_codes()
    village, township = divisions.get(household.division_id, ("", ""))
    members = list(Person.objects.filter(household=household, is_deceased=False).order_by("id"))
    income = pension = Decimal("0")
    for item, amount in Income.objects.filter(household=household).current_on(on).values_list("item",
                                                                                               "monthly_amount"):
        income += amount
        if item and ("养老" in item or "退休" in item):
            pension += amount
    rows = [{
        "enrollment_id": -household.pk, "programme": programme_code, "household_id": household.pk,
        "person_id": p.pk, "id_number": p.id_number, "name": p.name, "birth_date": p.birth_date,
        "age": dates.age_or_none(p.birth_date, on), "village_code": village, "township_code": township,
        "monthly_amount": Decimal("0.00"), "covered_persons": max(1, len(members)), "start_month": on.replace(day=1),
        "is_direct": False, "household_size": len(members),
        "household_income": income.quantize(Decimal("0.01")), "declared_pension": pension.quantize(Decimal("0.01")),
    } for p in members]
    return pa.Table.from_pylist(rows, schema=schemas.RECIPIENTS_SCHEMA)
