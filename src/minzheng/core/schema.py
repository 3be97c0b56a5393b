"""A fresh, empty database gets its whole schema in one pass instead of replaying every migration.

Replaying the migrations re-renders the historical models after each operation: on a fresh SQLite home that takes
most of half a minute, before the demo can serve its login page. The models and their migrations agree (a model
change without its migration fails a test), so on a database with no table at all the tables are created straight
from the models and every migration is recorded as applied, all in one transaction: a crash leaves the database
empty, and the next run simply tries again. The migrations' data steps only transform rows that already exist, so
on an empty database they have nothing to do. A test compares this schema with the migrated one, table by table.
"""

from __future__ import annotations

from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


def create_at_once(*, using: str = DEFAULT_DB_ALIAS, verbosity: int = 0) -> bool:
    """Create every table of a database that has none, and record all migrations as applied.

    Returns False (and does nothing) when the database already has a table: that one is migrated as usual."""
    connection = connections[using]
    if connection.introspection.table_names():
        return False
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    loader.check_consistent_history(connection)
    recorder = MigrationRecorder(connection)
    # The models as the migrations leave them (rendered once, not after every operation): the tables come out as
    # the migrations make them, down to the key type of a contrib app's many-to-many table.
    state_apps = loader.project_state().apps
    with connection.schema_editor() as editor:  # one transaction on SQLite and PostgreSQL (both roll DDL back)
        editor.create_model(recorder.Migration)
        for model in state_apps.get_models():
            if model._meta.can_migrate(connection) and router.allow_migrate_model(connection.alias, model):
                editor.create_model(model)  # also its auto-created many-to-many tables
        for app_label, name in sorted(loader.disk_migrations):
            recorder.record_applied(app_label, name)
    # What `migrate` does after applying: content types and permissions for every model.
    emit_post_migrate_signal(verbosity, False, connection.alias, apps=state_apps, plan=[])
    return True
