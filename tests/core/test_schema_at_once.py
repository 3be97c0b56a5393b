"""A fresh database whose tables come straight from the models (`minzheng demo`) has the schema the migrations
build: the same tables, columns, keys, indexes and checks. The test database was built by the migrations."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

from minzheng.core import schema

ALIAS = "at_once"
# Names SQLite's introspection makes up by position; compared by what they constrain.
SYNTHETIC = re.compile(r"^(fk_\d+|__unnamed_constraint_\d+__|sqlite_autoindex_.*)$")


def _schema(connection: Any) -> dict[str, Any]:
    intro = connection.introspection
    out: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in sorted(t for t in intro.table_names(cursor) if not t.startswith("sqlite_")):
            columns = sorted((d.name, str(d.type_code), d.null_ok, str(d.default), d.collation)
                             for d in intro.get_table_description(cursor, table))
            constraints = sorted(
                ("*" if SYNTHETIC.match(name) else name, repr(sorted(c.items(), key=lambda kv: kv[0])))
                for name, c in intro.get_constraints(cursor, table).items())
            out[table] = {"columns": columns, "constraints": constraints}
    return out


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Any]:
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(default.settings_dict)
    if default.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "at_once.sqlite3")
    else:
        settings_dict["NAME"] = f"{default.settings_dict['NAME']}_at_once"
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    connections.settings[ALIAS] = settings_dict
    try:
        connection = connections[ALIAS]
        connection.connect()  # opened here: the test case allows only the databases it declares to be opened
        yield connection
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]
        if default.vendor != "sqlite":
            with default._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


@pytest.mark.django_db
def test_tables_made_at_once_match_the_migrated_schema(fresh_database: Any) -> None:
    assert schema.create_at_once(using=ALIAS)
    migrated, at_once = _schema(connections[DEFAULT_DB_ALIAS]), _schema(fresh_database)
    assert sorted(at_once) == sorted(migrated)
    for table, expected in migrated.items():
        assert at_once[table] == expected, table
    # every migration counts as applied: `migrate` has nothing left to do
    applied = MigrationRecorder(fresh_database).applied_migrations()
    assert applied.keys() == MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations().keys()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("migrate", database=ALIAS, plan=True, stdout=out)
    assert "No planned migration operations" in out.getvalue(), out.getvalue()


@pytest.mark.django_db
def test_a_database_with_tables_is_left_to_the_migrations() -> None:
    assert not schema.create_at_once()


def test_every_data_step_of_the_migrations_has_been_read() -> None:
    """A new RunPython/RunSQL may seed rows an empty database needs: read it, and if it only rewrites existing rows,
    list it in schema.EMPTY_SAFE_DATA_STEPS (until then `minzheng demo` replays every migration, correctly but
    slowly)."""
    from django.db.migrations.loader import MigrationLoader

    found = schema.data_steps(MigrationLoader(None, ignore_no_migrations=True))
    assert found - schema.EMPTY_SAFE_DATA_STEPS == set(), "unread data steps"
    assert schema.EMPTY_SAFE_DATA_STEPS - found == set(), "listed but gone: drop them from the list"


@pytest.mark.django_db
def test_an_unread_data_step_makes_it_replay_the_migrations(monkeypatch: pytest.MonkeyPatch,
                                                            fresh_database: Any) -> None:
    unread = schema.EMPTY_SAFE_DATA_STEPS - {("stats", "0002_child_categories")}
    monkeypatch.setattr(schema, "EMPTY_SAFE_DATA_STEPS", unread)
    assert not schema.create_at_once(using=ALIAS)
    assert fresh_database.introspection.table_names() == []
