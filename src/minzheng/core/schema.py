"""A fresh, empty database gets its whole schema in one pass instead of replaying every migration.

Replaying the migrations re-renders the historical models after each operation: on a fresh SQLite home that takes
most of half a minute, before the demo can serve its login page. The models and their migrations agree (a model
change without its migration fails a test), so on a database with no table at all the tables are created straight
from the models and every migration is recorded as applied, all in one transaction: a crash leaves the database
empty, and the next run simply tries again. A test compares this schema with the migrated one, table by table.

Data steps (RunPython, RunSQL) are not run: each one known is listed below as only transforming rows that already
exist, so on an empty database it has nothing to do. A migration with a data step not listed makes this replay the
migrations instead (slow, but complete), and a test fails until someone reads the step and lists it.
"""

from __future__ import annotations

from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.migrations.recorder import MigrationRecorder

# Migrations whose data steps only rewrite existing rows (clamping settings, sealing stored numbers, filling a new
# column from old ones, renaming a status, upgrading a seeded line): nothing to do on an empty database.
EMPTY_SAFE_DATA_STEPS = frozenset({
    ("accounts", "0003_separation_and_bounded_security"), ("accounts", "0005_sealed_phone"),
    ("auth", "0011_update_proxy_permissions"), ("contenttypes", "0002_remove_content_type_name"),
    ("django_tasks_database", "0008_separate_results_field"), ("django_tasks_database", "0011_rename_complete_status"),
    ("django_tasks_database", "0013_separate_exception_fields"),
    ("django_tasks_database", "0016_remove_dbtaskresult_django_task_new_ordering_idx_and_more"),
    ("django_tasks_database", "0018_rename_succeeded_status"),
    ("payments", "0003_sealed_fields"), ("registry", "0006_programme_family"), ("registry", "0007_sealed_fields"),
    ("stats", "0002_child_categories"), ("workforce", "0002_sealed_fields"),
})


def _is_data_step(op: Operation) -> bool:
    if isinstance(op, SeparateDatabaseAndState):
        return any(_is_data_step(o) for o in op.database_operations)
    return isinstance(op, RunPython | RunSQL)


def data_steps(loader: MigrationLoader) -> set[tuple[str, str]]:
    """The migrations (app label, name) that have a data step."""
    return {key for key, migration in loader.disk_migrations.items()
            if any(_is_data_step(op) for op in migration.operations)}


def create_at_once(*, using: str = DEFAULT_DB_ALIAS, verbosity: int = 0) -> bool:
    """Create every table of a database that has none, and record all migrations as applied.

    Returns False (and does nothing) when the database already has a table, or a migration has a data step not
    known to be empty-safe: that database is migrated as usual."""
    connection = connections[using]
    if connection.introspection.table_names():
        return False
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    if data_steps(loader) - EMPTY_SAFE_DATA_STEPS:
        return False  # a data step nobody has read: replay the migrations
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
