"""Bulk writing of validated households: `executemany` on SQLite, `COPY` on PostgreSQL, in one transaction.

Row ids are allocated up front (SQLite: after MAX(id), under the IMMEDIATE write lock the transaction holds;
PostgreSQL: from the table's sequence), so households, persons, memberships and enrollments reference each other
without a round trip per row. Foreign keys are DEFERRABLE INITIALLY DEFERRED in Django's schema on both databases,
so insert order inside the transaction does not matter. Model signals do not fire: the caller records one audit
summary for the batch.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import Model

from minzheng.core import dates, sealed
from minzheng.registry import models as M

# Imported enrollments are existing records to verify (存量核查), never decisions: not paid until confirmed.
VERIFYING = str(M.EnrollmentStatus.VERIFYING)


def _adapt(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if connection.vendor == "sqlite":
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bool):
            return int(value)
    return value


class Table:
    """INSERT/COPY of one model's rows: the caller gives `provided` columns; every other column gets the model
    field's default (auto_now → now), so nullable or defaulted fields added to the model later still work."""

    def __init__(self, model: type[Model], provided: Sequence[str], *, with_id: bool, now: dt.datetime) -> None:
        self.model = model
        self.table = model._meta.db_table
        meta = model._meta
        cols = [meta.get_field(a).column for a in provided]
        self.with_id = with_id
        if with_id:
            cols.insert(0, meta.pk.column)
        tail: list[Any] = []
        for f in meta.concrete_fields:
            if f.primary_key or f.attname in provided or f.name in provided:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value: Any = now
            elif not f.has_default() and f.has_db_default():
                continue
            else:
                value = f.get_default()   # "" for text fields without a default, as the ORM does
                if value is None and not f.null:
                    raise TypeError(f"{model.__name__}.{f.name} has no default; the ledger writer must provide it")
            cols.append(f.column)
            tail.append(_adapt(value))
        self.columns = cols
        self.tail = tuple(tail)
        self.rows: list[tuple[Any, ...]] = []

        self.postgres = connection.vendor == "postgresql"
        names = ", ".join(f'"{c}"' for c in self.columns)
        given = len(self.columns) - len(self.tail)
        # SQLite binds each parameter separately, which dominates a wide row: the constant tail goes into the
        # statement as literals instead. PostgreSQL's COPY takes whole rows.
        self.copy_sql = f'COPY "{self.table}" ({names}) FROM STDIN'
        self.insert_sql = (f'INSERT INTO "{self.table}" ({names}) VALUES ('
                           + ", ".join(["?"] * given + [_literal(v) for v in self.tail]) + ")")

    def add(self, values: tuple[Any, ...]) -> None:
        self.rows.append(values + self.tail if self.postgres else values)

    def flush(self) -> int:
        n = len(self.rows)
        if not n:
            return 0
        if self.postgres:
            with connection.cursor() as cur, cur.cursor.copy(self.copy_sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            raw = connection.connection.cursor()
            try:
                raw.executemany(self.insert_sql, self.rows)
            finally:
                raw.close()
        self.rows = []
        return n

    def insert_from(self, source: str, columns: Sequence[str], constants: Sequence[Any], ids: list[int]) -> int:
        """INSERT … SELECT: one row per row of `source` with the given ids, its `columns` feeding this table's
        first provided columns and `constants` the rest. Rows derived from rows just written (memberships from
        persons, amount versions from enrollments) never travel through Python."""
        if not ids:
            return 0
        given = len(self.columns) - len(self.tail) - (1 if self.with_id else 0)
        assert not self.with_id and len(columns) + len(constants) == given
        names = ", ".join(f'"{c}"' for c in self.columns)
        picked = ", ".join([f'"{c}"' for c in columns] + ["%s"] * (len(constants) + len(self.tail)))
        params = [_adapt(v) for v in constants] + list(self.tail)
        if self.postgres:   # ids come from the sequence: other sessions may hold numbers in between
            where, params = '"id" = ANY(%s)', [*params, ids]
        else:               # under the transaction's write lock the ids are one unbroken range
            where, params = '"id" BETWEEN %s AND %s', [*params, ids[0], ids[-1]]
        with connection.cursor() as cur:
            cur.execute(f'INSERT INTO "{self.table}" ({names}) SELECT {picked} FROM "{source}" WHERE {where}', params)
        return len(ids)


def _literal(value: Any) -> str:
    """An SQLite literal for a constant column value (defaults of model fields: text, numbers, NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


# The compact person tuple the validator sends (validate/batches.py), as Person fields, and what each holds when
# the ledger leaves it empty.
PERSON_FIELDS = ("name", "id_number", "birth_date", "sex", "name_initials", "ethnicity", "relation", "education",
                 "marital_status", "health", "work_capacity", "disability_category", "disability_grade", "phone",
                 "bank_name", "bank_account", "id_number_old")
PERSON_ABSENT: tuple[Any, ...] = ("",) * 12 + (None,) + ("",) * 4


# Person tuple positions holding a sealed value → the kinds of derived column that follow it.
SEALED_AT = {PERSON_FIELDS.index("phone"): sealed.PHONE, PERSON_FIELDS.index("bank_account"): sealed.ACCOUNT}


def _sealing(pick: Callable[[tuple[Any, ...]], tuple[Any, ...]],
             kinds: list[tuple[str, ...] | None]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """`pick`, with each sealed value replaced by its sealed form and derived columns."""
    columns = sealed.columns

    def picked(p: tuple[Any, ...]) -> tuple[Any, ...]:
        out: list[Any] = []
        for v, k in zip(pick(p), kinds, strict=True):
            if k is None:
                out.append(v)
            else:
                out.extend(columns(v or "", k))
        return tuple(out)

    return picked


def _foreign_keys_on() -> bool:
    with connection.cursor() as cur:
        cur.execute("PRAGMA foreign_keys")
        return bool(cur.fetchone()[0])


EARLY_INDEX_SHARE = 0.5  # see LedgerWriter.build_index_early


class IdAllocator:
    def __init__(self, model: type[Model]) -> None:
        self.table = model._meta.db_table
        self.pk = model._meta.pk.column
        self.next = 0
        if connection.vendor != "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX("{self.pk}"), 0) FROM "{self.table}"')
                self.next = int(cur.fetchone()[0]) + 1

    def take(self, n: int) -> list[int]:
        if n <= 0:
            return []
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"SELECT nextval(pg_get_serial_sequence('\"{self.table}\"', '{self.pk}')) "
                            f"FROM generate_series(1, %s)", [n])
                return [r[0] for r in cur.fetchall()]
        start = self.next
        self.next += n
        return list(range(start, start + n))


@dataclass
class Written:
    households: int = 0
    persons: int = 0
    memberships: int = 0
    enrollments: int = 0


class LedgerWriter:
    """Call inside transaction.atomic(): `write(batch)` per spooled batch, `finish()`, and `close()` always.

    SQLite checks a deferred foreign key from the parent side too: while any reference is outstanding, every
    row inserted into a referenced table (a person, a household) makes it search every table that refers to
    it. So where foreign keys are on, SQLite households go in without their head, which is set once the
    batch's persons exist; no reference is ever outstanding and each insert costs only its own lookups. (The
    writer process turns them off and checks the outside references in finish().) A load of at least
    MINZHENG_IMPORT_BULK_MIN_PERSONS persons, no fewer than the registry holds, also drops the five tables'
    plain secondary indexes and builds them again before the commit (some already while waiting for rows):
    sorting once is much cheaper than half a million random index inserts. DDL is transactional in SQLite, so
    a rollback brings the indexes back unchanged."""

    BULK_TABLES = (M.Household, M.Person, M.Membership, M.Enrollment, M.EnrollmentAmount)

    def __init__(self, *, source_ref: str, today: dt.date, expected_persons: int = 0) -> None:
        connection.ensure_connection()
        self.sqlite = connection.vendor == "sqlite"
        now = dates.now()
        self.today = today.isoformat()
        self.source_ref = source_ref[:64]
        hh_fields = ["division_id", "head_id", "hukou_type", "address", "phone", "phone_index", "phone_last4", "note",
                     "source"]
        self.now = now
        self._person_tables: dict[tuple[int, ...], tuple[Table, Callable[[tuple[Any, ...]], tuple[Any, ...]]]] = {}
        self.households = Table(M.Household, hh_fields, with_id=True, now=now)
        self.memberships = Table(M.Membership, ["person_id", "household_id", "relation", "start_date", "reason"],
                                 with_id=False, now=now)
        self.enrollments = Table(M.Enrollment, ["programme_id", "household_id", "person_id", "status",
                                                "covered_persons", "monthly_amount", "start_month", "source",
                                                "source_ref", "decided_under"], with_id=True, now=now)
        self.amounts = Table(M.EnrollmentAmount, ["enrollment_id", "from_month", "monthly_amount", "covered_persons",
                                                  "reason"], with_id=False, now=now)
        # With foreign keys off (the writer process turns them off: every id here is allocated by this writer),
        # households take their head at once; the references from outside the batch are checked in finish().
        self.fk_enforced = not self.sqlite or _foreign_keys_on()
        self.head_later = self.sqlite and self.fk_enforced
        self.divisions: set[int] = set()
        self.programmes: set[int] = set()
        self._decided: dict[str, str] = {}
        self.hh_ids = IdAllocator(M.Household)
        self.p_ids = IdAllocator(M.Person)
        self.e_ids = IdAllocator(M.Enrollment)
        self.written = Written()
        self._cache_size: int | None = None
        if connection.vendor == "sqlite":
            # A big load touches every index of a large table: with SQLite's default 2 MB page cache the index
            # pages are evicted and re-read constantly. 256 MB for this connection while the import runs.
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size")
                self._cache_size = int(cur.fetchone()[0])
                cur.execute("PRAGMA cache_size = -262144")
        self.expected_persons = expected_persons
        self.dropped_indexes: list[str] = []
        # Below MINZHENG_IMPORT_BULK_MIN_PERSONS, rebuilding the indexes costs more than it saves.
        if self.sqlite and expected_persons >= settings.MINZHENG_IMPORT_BULK_MIN_PERSONS:
            with connection.cursor() as cur:
                cur.execute(f'SELECT COUNT(*) FROM "{M.Person._meta.db_table}"')
                if expected_persons >= cur.fetchone()[0]:
                    self._drop_indexes(cur)

    def _drop_indexes(self, cur: Any) -> None:
        tables = [m._meta.db_table for m in self.BULK_TABLES]
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
                    f"({', '.join(['%s'] * len(tables))})", tables)
        for name, sql in cur.fetchall():
            if not sql.lstrip().upper().startswith("CREATE INDEX") or " WHERE " in sql.upper():
                continue
            cur.execute(f'DROP INDEX "{name}"')
            self.dropped_indexes.append(sql)

    def build_index_early(self) -> bool:
        """Build one dropped index now, if most rows are written: the writer process calls this while it waits
        for the reading process, so that less is left for after the last row. The rows still to come are
        added to it one by one. False when there is nothing worth building yet."""
        if not self.dropped_indexes or self.written.persons < EARLY_INDEX_SHARE * self.expected_persons:
            return False
        with connection.cursor() as cur:
            cur.execute(self.dropped_indexes.pop())
        return True

    def finish(self) -> None:
        """After the last batch, still inside the transaction: check the references to rows this writer did not
        write (when the database does not), and build the dropped indexes again."""
        if not self.fk_enforced:
            from minzheng.regions.models import Division

            for model, ids in ((Division, self.divisions), (M.Programme, self.programmes)):
                if model.objects.filter(pk__in=ids).count() != len(ids):
                    raise IntegrityError(f"{model._meta.db_table}: 引用了不存在的记录")
        with connection.cursor() as cur:
            while self.dropped_indexes:
                cur.execute(self.dropped_indexes.pop())

    def close(self) -> None:
        """Always, success or not: restore the connection's page cache (a rollback restores any index)."""
        if self._cache_size is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def _person_table(self, fields: tuple[int, ...]) -> tuple[Table, Callable[[tuple[Any, ...]], tuple[Any, ...]]]:
        """The INSERT for persons filling `fields` of the compact tuple (the rest: the column defaults, which are
        what the validator leaves there), and the getter that picks those fields."""
        got = self._person_tables.get(fields)
        if got is None:
            # Phones and accounts are sealed at rest, each followed by its derived columns (core/sealed.py).
            kinds = [SEALED_AT.get(i) for i in fields]
            cols = [c for i, k in zip(fields, kinds, strict=True)
                    for c in (PERSON_FIELDS[i], *(f"{PERSON_FIELDS[i]}_{d}" for d in k or ()))]
            table = Table(M.Person, ["household_id", *cols], with_id=True, now=self.now)
            for i, name in enumerate(PERSON_FIELDS):
                default = M.Person._meta.get_field(name).get_default()
                if i not in fields and default != PERSON_ABSENT[i]:
                    raise TypeError(f"Person.{name}: default {default!r} is not what an empty ledger cell gives")
            pick = operator.itemgetter(*fields) if len(fields) > 1 else (lambda p, i=fields[0]: (p[i],))
            if any(kinds):
                pick = _sealing(pick, kinds)
            got = self._person_tables[fields] = (table, pick)
        return got

    def write(self, batch: tuple[tuple[int, ...], list[tuple[Any, ...]]]) -> None:
        fields, batch = batch
        persons_table, pick = self._person_table(fields)
        hh_ids = iter(self.hh_ids.take(len(batch)))
        all_pids = self.p_ids.take(sum(len(h[6]) for h in batch))
        all_eids = self.e_ids.take(sum(len(h[7]) for h in batch))
        p_ids, e_ids = iter(all_pids), iter(all_eids)
        heads: list[tuple[int, int]] = []
        decided_of = self._decided
        for division_id, hukou, address, phone, note, head_index, persons, enrollments in batch:
            hid = next(hh_ids)
            pids = [next(p_ids) for _ in persons]
            head_id = pids[head_index]
            if self.head_later:
                heads.append((head_id, hid))
                head_id = None
            self.divisions.add(division_id)
            self.households.add((hid, division_id, head_id, hukou, address, *sealed.columns(phone, sealed.PHONE), note,
                                 "import"))
            add_person = persons_table.add
            for pid, p in zip(pids, persons, strict=True):
                add_person((pid, hid, *pick(p)))
            for programme_id, person_index, covered, amount, start, category in enrollments:
                person_id = None if person_index < 0 else pids[person_index]
                decided = decided_of.get(category)
                if decided is None:
                    note_of = {"来源": "台账导入", "文件": self.source_ref} | ({"保障类别": category} if category else {})
                    decided = decided_of[category] = json.dumps(note_of, ensure_ascii=False)
                self.programmes.add(programme_id)
                self.enrollments.add((next(e_ids), programme_id, hid, person_id, VERIFYING, covered, amount, start,
                                      "import", self.source_ref, decided))
        self.written.households += self.households.flush()
        self.written.persons += persons_table.flush()
        if heads:
            raw = connection.connection.cursor()
            try:
                raw.executemany(f'UPDATE "{self.households.table}" SET "head_id" = ? WHERE "id" = ?', heads)
            finally:
                raw.close()
        self.written.memberships += self.memberships.insert_from(
            persons_table.table, ["id", "household_id", "relation"], [self.today, "台账导入"], all_pids)
        self.written.enrollments += self.enrollments.flush()
        self.amounts.insert_from(self.enrollments.table, ["id", "start_month", "monthly_amount", "covered_persons"],
                                 ["台账导入"], all_eids)
