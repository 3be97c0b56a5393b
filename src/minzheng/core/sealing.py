"""Walking every sealed column (core/sealed.py): seal plaintext left from before the upgrade, re-seal under a new
key (`minzheng keys rotate`). Batch by batch in primary-key order, each batch its own transaction, touching only
rows not yet sealed under the target key: a run stopped half-way is simply run again (idempotent, resumable)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection as default_connection
from django.db import transaction

from . import sealed

BATCH = 2000


@dataclass(frozen=True)
class Column:
    name: str
    derived: tuple[tuple[str, str], ...] = ()   # (column, "index" | "last4" | "shape")


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: tuple[Column, ...]
    pk: str = "id"


def specs() -> list[TableSpec]:
    """Every table with a sealed column, from the models."""
    from django.apps import apps

    from .sealed_fields import derived_of

    out = []
    for model in apps.get_models():
        found = derived_of(model)
        if found:
            meta = model._meta
            cols = tuple(Column(_column(meta.get_field(name)), tuple((d.column, d.derive) for d in derived))
                         for name, derived in sorted(found.items()))
            out.append(TableSpec(meta.db_table, cols, meta.pk.column))
    return sorted(out, key=lambda s: s.table)


def _column(f: Any) -> str:
    return str(f.column)


def _derive(kind: str, plain: str, key: sealed.Key) -> str:
    return sealed.blind_index(plain, key) if kind == "index" else sealed.DERIVE[kind](plain)


def reseal_table(spec: TableSpec, *, connection: Any = None, batch: int = BATCH,
                 progress: Callable[[int], None] | None = None) -> int:
    """Seal the rows of one table whose values are plaintext or sealed under another key than the one values are
    written with (the next key while a rotation runs). The first key is made only when there is a row to write."""
    conn = connection or default_connection
    q = conn.ops.quote_name
    key = sealed.keyring(refresh=True).write
    changed, last = 0, None
    while True:
        kid = key.kid if key is not None else "--------"
        stale = " OR ".join(f"({q(c.name)} <> '' AND {q(c.name)} NOT LIKE %s)" for c in spec.columns)
        params: list[Any] = [f"{sealed.PREFIX}{kid}:%"] * len(spec.columns)
        after = ""
        if last is not None:
            after, params = f"{q(spec.pk)} > %s AND ", [last, *params]
        cols = ", ".join(q(c.name) for c in spec.columns)
        with transaction.atomic(using=conn.alias), conn.cursor() as cur:
            cur.execute(f"SELECT {q(spec.pk)}, {cols} FROM {q(spec.table)} WHERE {after}({stale}) "
                        f"ORDER BY {q(spec.pk)} LIMIT {int(batch)}", params)
            rows = cur.fetchall()
            if not rows:
                return changed
            if key is None:
                key = _write_key()
            updates = []
            for pk, *values in rows:
                new: list[Any] = []
                for col, value in zip(spec.columns, values, strict=True):
                    plain = sealed.unseal(value) if value else ""
                    new.append(sealed.seal(plain, key) if plain else "")
                    new.extend(_derive(kind, plain, key) for _, kind in col.derived)
                updates.append((*new, pk))
            sets = ", ".join(f"{q(n)} = %s" for c in spec.columns for n in (c.name, *(d for d, _ in c.derived)))
            cur.executemany(f"UPDATE {q(spec.table)} SET {sets} WHERE {q(spec.pk)} = %s", updates)
        changed += len(rows)
        last = rows[-1][0]
        if progress:
            progress(changed)


def reseal_all(*, batch: int = BATCH, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Every sealed column of every table under the write key: plaintext from before the upgrade, rows a raw
    writer left, values under a retired key, and during a rotation everything under the old key. Run by
    `minzheng init` and `minzheng keys seal|rotate`; with nothing to do it is one scan per table."""
    out = {}
    for spec in specs():
        def each(n: int, t: str = spec.table) -> None:
            if progress is not None:
                progress(t, n)

        out[spec.table] = reseal_table(spec, batch=batch, progress=each)
    return out


def unsealed_counts() -> dict[str, int]:
    """Per table, rows still holding a value that is not sealed (plaintext)."""
    q = default_connection.ops.quote_name
    out = {}
    with default_connection.cursor() as cur:
        for spec in specs():
            cond = " OR ".join(f"({q(c.name)} <> '' AND {q(c.name)} NOT LIKE %s)" for c in spec.columns)
            cur.execute(f"SELECT COUNT(*) FROM {q(spec.table)} WHERE {cond}", [f"{sealed.PREFIX}%"] * len(spec.columns))
            out[spec.table] = int(cur.fetchone()[0])
    return out


def migration_sealer(table: str, columns: dict[str, tuple[tuple[str, str], ...]]) -> Callable[[Any, Any], None]:
    """A RunPython function sealing one table's existing values, for the migration that makes the columns sealed
    (the column names are the migration's, fixed, not the models' of the day)."""
    spec = TableSpec(table, tuple(Column(name, derived) for name, derived in columns.items()))

    def run(apps: Any, schema_editor: Any) -> None:
        reseal_table(spec, connection=schema_editor.connection)

    return run


def _write_key() -> sealed.Key:
    key = sealed.ensure_key().write
    assert key is not None
    return key
