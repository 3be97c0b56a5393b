"""The bulk writer on its own: what it writes for a batch of checked households, the indexes it drops for a big
load and builds again (some while it waits for the reading process), and its check of the references the
database does not check for it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from minzheng.regions.models import Division
from minzheng.registry.ledger.writer import LedgerWriter
from minzheng.registry.models import Enrollment, EnrollmentAmount, Household, Membership, Person, Programme

TODAY = dt.date(2026, 11, 29)


def person(name: str, idn: str, relation: str, *, bank: str = "", account: str = "") -> tuple[Any, ...]:
    return (name, idn, f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}", "1" if int(idn[16]) % 2 else "2", "x", "01",
            relation, "", "", "", "", "", None, "", bank, account, "")


ALL = tuple(range(17))
FILLED = (0, 1, 2, 3, 4, 5, 6, 14, 15)     # a ledger without education, health, … or phone columns


def batch(village: int, programme: int, fields: tuple[int, ...] = ALL) -> tuple[tuple[int, ...], list[Any]]:
    """Two households in the writer's compact form: the second has its head on the second row."""
    return fields, [
        (village, "rural", "", "13900000000", "", 0,
         (person("陈志富", "350702195003150011", "02", bank="农信社", account="6228480012345678"),
          person("林秀英", "350702195208120026", "10")),
         ((programme, -1, 2, "900.00", "2026-11-01", "农村低保A类"),)),
        (village, "rural", "", "", "", 1,
         (person("黄小明", "350702200001010013", "20"), person("黄大明", "350702197001010017", "02")),
         ((programme, -1, 1, "450.00", "2026-11-01", ""),)),
    ]


def split(b: tuple[tuple[int, ...], list[Any]]) -> tuple[tuple[tuple[int, ...], list[Any]], ...]:
    fields, households = b
    return (fields, households[:1]), (fields, households[1:])


def index_sql() -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'registry_%' "
                    "ORDER BY name")
        return cur.fetchall()


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [ALL, FILLED], ids=["every-field", "fewer-columns"])
def test_writes_households_persons_memberships_enrollments_and_amount_versions(county: Any,
                                                                              fields: tuple[int, ...]) -> None:
    village = Division.objects.get(name="洋坑村委会", parent__name="夏道镇")
    programme = Programme.objects.get(code="dibao_rural")
    with transaction.atomic():
        w = LedgerWriter(source_ref="夏道镇低保台账.xlsx", today=TODAY)
        try:
            w.write(batch(village.pk, programme.pk, fields))
            w.finish()
        finally:
            w.close()
    assert (w.written.households, w.written.persons, w.written.memberships, w.written.enrollments) == (2, 4, 4, 2)
    chen = Person.objects.get(id_number="350702195003150011")
    huang = Person.objects.get(id_number="350702197001010017")
    assert chen.household.head_id == chen.pk and huang.household.head_id == huang.pk
    assert (chen.bank_name, chen.bank_account, chen.birth_date) == ("农信社", "6228480012345678", dt.date(1950, 3, 15))
    assert (chen.ethnicity, chen.education, chen.disability_grade, chen.phone, chen.id_number_old) == (
        "01", "", None, "", "")
    assert sorted(Membership.objects.values_list("person__name", "household_id", "relation", "start_date", "reason")) \
        == sorted((p.name, p.household_id, p.relation, TODAY, "台账导入") for p in Person.objects.all())
    e = Enrollment.objects.get(household=chen.household)
    assert (e.monthly_amount, e.covered_persons, e.source, e.decided_under) == (
        900, 2, "import", {"来源": "台账导入", "文件": "夏道镇低保台账.xlsx", "保障类别": "农村低保A类"})
    assert list(EnrollmentAmount.objects.values_list("enrollment__household__head__name", "from_month",
                                                     "monthly_amount", "covered_persons", "reason")
                .order_by("enrollment_id")) == [
        ("陈志富", dt.date(2026, 11, 1), 900, 2, "台账导入"), ("黄大明", dt.date(2026, 11, 1), 450, 1, "台账导入")]


@pytest.mark.sqlite_only       # only SQLite loads with its indexes dropped
@pytest.mark.django_db
def test_a_bulk_load_builds_every_dropped_index_again(county: Any, settings: Any) -> None:
    settings.MINZHENG_IMPORT_BULK_MIN_PERSONS = 1
    before = index_sql()
    village = Division.objects.get(name="洋坑村委会", parent__name="夏道镇")
    programme = Programme.objects.get(code="dibao_rural")
    households = batch(village.pk, programme.pk)
    with transaction.atomic():
        w = LedgerWriter(source_ref="t.xlsx", today=TODAY, expected_persons=4)
        try:
            dropped = len(w.dropped_indexes)
            assert dropped > 10 and len(index_sql()) == len(before) - dropped
            assert not w.build_index_early()          # nothing written yet: not worth building
            first, rest = split(households)
            w.write(first)                            # half the persons
            assert w.build_index_early()
            assert len(w.dropped_indexes) == dropped - 1
            w.write(rest)                             # added to the index built early, row by row
            w.finish()
        finally:
            w.close()
    assert index_sql() == before and not w.dropped_indexes
    # The indexes answer for every row, the early one included.
    assert Person.objects.filter(birth_date=dt.date(1970, 1, 1)).get().name == "黄大明"
    with connection.cursor() as cur:
        cur.execute("PRAGMA integrity_check")
        assert cur.fetchall() == [("ok",)]


@pytest.mark.sqlite_only       # the writer process turns foreign keys off only on SQLite
@pytest.mark.django_db(transaction=True)
def test_without_database_foreign_keys_the_writer_checks_outside_references(county: Any) -> None:
    village = Division.objects.get(name="洋坑村委会", parent__name="夏道镇")
    programme = Programme.objects.get(code="dibao_rural")
    with connection.cursor() as cur:
        cur.execute("PRAGMA foreign_keys = OFF")
    try:
        for bad in ({"village": 10**9}, {"programme": 10**9}):
            with pytest.raises(IntegrityError), transaction.atomic():
                w = LedgerWriter(source_ref="t.xlsx", today=TODAY)
                try:
                    assert not w.head_later       # heads go in with their household
                    w.write(batch(bad.get("village", village.pk), bad.get("programme", programme.pk)))
                    w.finish()
                finally:
                    w.close()
            assert not Household.objects.exists() and not Person.objects.exists()
        with transaction.atomic():                 # and with good references the same rows go in
            w = LedgerWriter(source_ref="t.xlsx", today=TODAY)
            w.write(batch(village.pk, programme.pk))
            w.finish()
            w.close()
        assert not Household.objects.filter(head__isnull=True).exists() and Person.objects.count() == 4
    finally:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = ON")
