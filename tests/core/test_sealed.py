"""Bank account and phone numbers sealed at rest (core/sealed.py): the cipher round-trips, the raw tables hold no
plaintext, search still finds a number by its last four digits or whole, an upgraded database is sealed by its
migration, and `minzheng keys rotate` re-seals everything under a new key — resumably, and audited."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.audit.models import AuditEntry
from minzheng.core import sealed, sealing
from minzheng.payments import services as payroll
from minzheng.payments.models import Guardianship, PayrollLine
from minzheng.registry.models import Person
from minzheng.registry.selectors import search_persons

from ..payments.conftest import card, enroll, make_household


@pytest.fixture(autouse=True)
def _own_keys(settings: Any, tmp_path: Path) -> Any:
    """A MINZHENG_HOME of its own: rotation moves key files around."""
    settings.HOME = tmp_path
    sealed.forget()
    yield
    sealed.forget()


def _raw(table: str, *cols: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY id")
        return list(cur.fetchall())


# --- the cipher ------------------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=32))
def test_seal_round_trips_any_text(plain: str) -> None:
    s = sealed.seal(plain)
    assert sealed.unseal(s) == plain
    if plain and not plain.startswith(sealed.PREFIX):
        assert s.startswith(sealed.PREFIX)
        assert len(plain) < 8 or plain not in s
        assert sealed.seal(plain) != s        # a fresh nonce each time: equal numbers do not look equal
        assert len(s) <= 255


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9]{8,25}", fullmatch=True))
def test_blind_index_and_shape_depend_only_on_the_number(account: str) -> None:
    assert sealed.blind_index(account) == sealed.blind_index(account) != ""
    assert sealed.blind_index(account) != sealed.blind_index(account + "0")
    shape = sealed.account_shape(account)
    assert shape[6:8] == f"{len(account):02d}" and account[:6].startswith(shape[:6].rstrip("_"))
    assert account not in shape and len(shape) == 9


def test_a_tampered_value_or_a_missing_key_is_refused() -> None:
    s = sealed.seal("13905990001")
    body = s[:-3] + ("A" if s[-3] != "A" else "B") + s[-2:]
    with pytest.raises(sealed.SealError, match="改动"):
        sealed.unseal(body)
    sealed.key_path().rename(sealed.key_path().with_name("moved"))
    sealed.forget()
    with pytest.raises(sealed.SealError, match="field_key"):
        sealed.unseal(s)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), account=st.from_regex(r"62[0-9]{14,17}", fullmatch=True))
def test_sealed_fields_round_trip_through_the_database(zhongshan: Any, phone: str, account: str) -> None:
    h = make_household(zhongshan, phone=phone, bank_account=account)
    p = Person.objects.get(pk=h.head_id)
    assert (p.phone, p.bank_account) == (phone, account)
    raw_phone, raw_account, idx, last4 = _raw("registry_person", "phone", "bank_account", "bank_account_index",
                                              "bank_account_last4")[-1]
    assert raw_phone.startswith(sealed.PREFIX) and phone not in raw_phone
    assert raw_account.startswith(sealed.PREFIX) and account not in raw_account
    assert (idx, last4) == (sealed.blind_index(account), account[-4:])


# --- the tables hold no plaintext, search still works -----------------------------------------------------------

@pytest.mark.django_db
def test_raw_tables_hold_no_plaintext_and_search_finds_by_last_four(zhongshan: Any, district_admin: Any) -> None:
    h = make_household(zhongshan, head_name="陈明文", phone="13905997321", bank_account=card(4242))
    h.phone = "0599-8812345"
    h.save(update_fields=["phone"])
    Guardianship.objects.create(person=h.head, guardian_name="陈姑", bank_account=card(4343))
    district_admin.phone = "13800001234"   # a staff account's phone is personal data too
    district_admin.save(update_fields=["phone"])
    district_admin.refresh_from_db()
    assert district_admin.phone == "13800001234"
    for table, cols in (("registry_person", ("phone", "bank_account")), ("registry_household", ("phone",)),
                        ("payments_guardianship", ("bank_account",)), ("accounts_user", ("phone",))):
        for row in _raw(table, *cols):
            assert all(v == "" or v.startswith(sealed.PREFIX) for v in row), (table, row)
    assert "0599" not in _raw("registry_household", "phone")[-1][0]
    assert _raw("registry_household", "phone_last4", "phone_index")[-1] == (
        "2345", sealed.blind_index("05998812345"))
    # the officer types the last four digits of the phone or of the account, or the whole number
    for q in ("7321", card(4242)[-4:], "13905997321", card(4242), "05998812345"):
        assert list(search_persons(district_admin, q).values_list("pk", flat=True)) == [h.head_id], q
    assert not search_persons(district_admin, "1390599").exists()   # no prefix search on a sealed number
    with pytest.raises(FieldError, match="phone_index"):
        Person.objects.filter(phone="13905997321").exists()


@pytest.mark.django_db
def test_audit_entries_keep_sealed_numbers_masked(zhongshan: Any) -> None:
    h = make_household(zhongshan, bank_account=card(5151))
    p = Person.objects.get(pk=h.head_id)
    p.bank_account = card(6161)
    p.save()
    e = AuditEntry.objects.filter(action="registry.person.update").latest("seq")
    assert card(6161) not in str(e.after) and e.after["bank_account"].startswith("*" * 12 + card(6161)[-4:])
    assert card(5151) not in str(e.before)


# --- an upgraded database --------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_migration_seals_what_an_older_version_stored(zhongshan: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("registry", "0006_programme_family"), ("payments", "0002_holds_preflight_facts_spending"),
              ("workforce", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldHousehold, OldPerson = old.get_model("registry", "Household"), old.get_model("registry", "Person")
    h = OldHousehold.objects.create(division_id=zhongshan.pk, hukou_type="urban", phone="13905990009")
    OldPerson.objects.create(household=h, name="旧数据", id_number="350702196005010011",
                             birth_date=dt.date(1960, 5, 1), sex="1", relation="01", phone="13905990009",
                             bank_account=card(9090))
    assert _raw("registry_person", "bank_account")[-1] == (card(9090),)   # plaintext, as the old version kept it
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    raw = _raw("registry_person", "phone", "bank_account", "bank_account_shape", "phone_last4")[-1]
    assert raw[0].startswith(sealed.PREFIX) and raw[1].startswith(sealed.PREFIX) and card(9090) not in raw[1]
    assert raw[2] == sealed.account_shape(card(9090)) and raw[2].endswith("1") and raw[3] == "0009"
    assert Person.objects.get(name="旧数据").bank_account == card(9090)
    assert not any(sealing.unsealed_counts().values())


@pytest.mark.django_db
def test_keys_seal_catches_plaintext_a_raw_writer_left(zhongshan: Any) -> None:
    h = make_household(zhongshan)
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_person SET phone = %s WHERE id = %s", ["13905991111", h.head_id])
    assert sealing.unsealed_counts()["registry_person"] == 1
    out = io.StringIO()
    call_command("keys", "seal", stdout=out)
    assert "已加密 1 行" in out.getvalue() and not any(sealing.unsealed_counts().values())
    assert Person.objects.get(pk=h.head_id).phone_last4 == "1111"
    call_command("keys", "seal", stdout=out)            # idempotent
    assert "已加密 0 行" in out.getvalue()


# --- rotation --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rotation_reseals_everything_resumably_and_is_audited(zhongshan: Any, district_admin: Any) -> None:
    jan = dt.date(2026, 1, 1)
    h = make_household(zhongshan, phone="13905992222", bank_account=card(7070))
    enroll(h, "dibao_urban", "400", jan)
    with sealed_now(dt.date(2026, 2, 10)):
        payroll.generate(month=jan)
    old = sealed.keyring().current
    assert old is not None
    # a rotation stopped after its first table …
    sealed.start_rotation()
    first = sealing.specs()[0]
    sealing.reseal_table(first)
    with pytest.raises(ValidationError, match="轮换"), sealed_now(dt.date(2026, 2, 10)):
        payroll.generate(month=jan)   # duplicate accounts cannot be told apart under two keys: refused
    assert Person.objects.get(pk=h.head_id).bank_account == card(7070)   # both keys read meanwhile
    assert list(search_persons(district_admin, "13905992222").values_list("pk", flat=True)) == [h.head_id]
    # … is run again and finishes
    out = io.StringIO()
    call_command("keys", "rotate", stdout=out)
    new = sealed.keyring(refresh=True).current
    assert new is not None and new.kid != old.kid and not sealed.keyring().rotating
    assert (sealed.retired_dir() / f"{old.kid}.key").exists()
    for spec in sealing.specs():
        for row in _raw(spec.table, *(c.name for c in spec.columns)):
            assert all(v == "" or sealed.kid_of(v) == new.kid for v in row), spec.table
    assert PayrollLine.objects.get().bank_account == card(7070)
    assert PayrollLine.objects.get().bank_account_index == sealed.blind_index(card(7070), new)
    assert list(search_persons(district_admin, card(7070)[-4:]).values_list("pk", flat=True)) == [h.head_id]
    call_command("keys", "rotate", stdout=out)          # a second rotation, from its start
    assert sealed.keyring(refresh=True).current.kid not in (old.kid, new.kid)  # type: ignore[union-attr]
    entries = list(AuditEntry.objects.filter(action__startswith="keys.rotate").order_by("seq"))
    assert [e.action for e in entries] == ["keys.rotate", "keys.rotate.start", "keys.rotate"]
    assert entries[0].detail["resumed"] is True and entries[0].detail["new"] == new.kid


def sealed_now(day: dt.date) -> Any:
    from minzheng.core import dates

    return dates.frozen(dt.datetime(day.year, day.month, day.day, 10))
