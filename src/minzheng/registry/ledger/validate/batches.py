"""What the check hands to the writer: batches of valid households in compact form (plain tuples, marshal-able and
small), spooled to a file or sent to the writer process, and the registry look-up each batch needs first.

A household: (village pk, hukou, address, phone, note, index of the head among the persons, persons, enrollments).
A person: the 17 fields of writer.PERSON_FIELDS, in that order. An enrollment: (programme pk, person index or -1
for the whole household, persons covered, amount as text, start month ISO, note).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from typing import IO, Any

from django.db import connection

from ..reader import Row

BATCH_PERSONS = 2000
# (the person fields the batch's households fill, the households)
Batch = tuple[tuple[int, ...], list[tuple[Any, ...]]]
# A checked household waiting for its batch: (ID column label, household, [(ID, row, sheet)] kept only to report a
# clash with the registry, [(programme code, amount)] for the totals).
Checked = tuple[str, tuple[Any, ...], list[tuple[str, Row, str]], list[tuple[Any, Any]]]

# The person fields a sheet can fill, by the columns it has. The others stay "" (None for the grade), and the writer
# leaves them to the column defaults instead of binding them row by row. 16, the old 15-digit number, is filled only
# in a household where an ID was upgraded, which declares all fields.
ALL_PERSON_FIELDS = frozenset(range(17))
_PERSON_ALWAYS = frozenset({0, 1, 2, 3, 4, 6})    # name, ID, birth, sex, initials, relation
_PERSON_FIELD_COLUMNS = {5: ("ethnicity",), 7: ("education",), 8: ("marital_status",), 9: ("health",),
                         10: ("work_capacity",), 11: ("disability_category",), 12: ("disability_grade",),
                         13: ("phone",), 14: ("bank_name", "account"), 15: ("bank_name", "account")}


def person_fields(cols: dict[str, int]) -> frozenset[int]:
    """The person fields a sheet with these columns can fill (without an upgraded old number)."""
    return _PERSON_ALWAYS | {i for i, keys in _PERSON_FIELD_COLUMNS.items() if any(k in cols for k in keys)}


def read_spool(fh: IO[bytes]) -> Iterator[Batch]:
    fh.seek(0)
    while True:
        try:
            yield marshal.load(fh)
        except EOFError:
            return


def registry_has_persons() -> bool:
    from minzheng.registry.models import Person

    with connection.cursor() as cur:
        cur.execute(f'SELECT 1 FROM "{Person._meta.db_table}" LIMIT 1')
        return cur.fetchone() is not None


def existing_ids(ids: list[str]) -> set[str]:
    """ID numbers among `ids` already in the registry (one indexed lookup per 500)."""
    from minzheng.registry.models import Person

    table = Person._meta.db_table
    col = Person._meta.get_field("id_number").column
    found: set[str] = set()
    with connection.cursor() as cur:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join(["%s"] * len(chunk))
            cur.execute(f'SELECT "{col}" FROM "{table}" WHERE "{col}" IN ({marks})', chunk)
            found.update(r[0] for r in cur.fetchall())
    return found
