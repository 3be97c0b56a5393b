"""Department files that carry facts people maintain — 残联 disability data, 退役军人事务 优抚 data — are not only
compared: loading one also records its facts on the persons it names, through the app whose rules use them
(payments: 残疾人两项补贴 and 优抚). Inside the load's transaction, so a file is stored with its facts or not at all.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from . import schemas
from .models import Dataset


def record(dataset: Dataset, table: pa.Table, actor: Any) -> str:
    """Record the facts of a just-loaded dataset; returns a sentence for the load message ('' for other kinds)."""
    schema = schemas.SCHEMAS.get(dataset.kind)
    if schema is None or not schema.records_facts:
        return ""
    from minzheng.payments import facts

    result = facts.import_rows(kind=dataset.kind, rows=table.to_pylist(), as_of=dataset.as_of,
                               reference=f"{schema.label} 第 {dataset.version} 版（{dataset.file_name}）", actor=actor)
    return result.message
