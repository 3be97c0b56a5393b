"""Department data (部门数据): each file checked against its schema and stored as the next version, all rows or none.
Also the access rule shared by loading and running: department data covers the whole county."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_division
from minzheng.regions.selectors import root_county

from .. import engine, facts, loader, schemas
from ..models import Dataset


def data_dir() -> Path:
    return Path(settings.HOME) / "crosscheck"


def _actor_name(actor: Actor | None) -> str:
    if actor is None:
        from minzheng.audit import context

        return context.current().username or "system"
    return actor.username


def _require_county(actor: Actor | None, cap: str) -> None:
    """Department data covers the whole county: only county-level users with `cap` may load it or run checks."""
    if actor is None:
        return
    county = root_county()
    require_division(actor, county, cap)


@dataclass
class LoadResult:
    dataset: Dataset | None
    created: bool
    parsed: loader.Parsed | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.dataset is not None

    def as_dict(self) -> dict[str, Any]:
        p = self.parsed
        return {
            "ok": self.ok, "created": self.created, "message": self.message,
            "dataset": dataset_dict(self.dataset) if self.dataset else None,
            "rows_read": p.rows_read if p else None,
            "error_count": p.error_count if p else 0,
            "errors": [e.as_dict() for e in p.errors] if p else [],
            "notices": p.notices if p else [],
        }


def dataset_dict(d: Dataset) -> dict[str, Any]:
    return {"id": d.pk, "kind": d.kind, "label": schemas.SCHEMAS[d.kind].label if d.kind in schemas.SCHEMAS else d.kind,
            "version": d.version, "as_of": d.as_of.isoformat(), "rows": d.row_count, "file_name": d.file_name,
            "sha256": d.sha256, "loaded_by": d.loaded_by, "loaded_at": d.loaded_at.isoformat()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_dataset(*, kind: str, path: str | Path, actor: Actor | None = None, as_of: dt.date | None = None,
                 file_name: str = "", note: str = "") -> LoadResult:
    """Check a department file against its schema and store it as the next version (all rows or none)."""
    _require_county(actor, Cap.IMPORT)
    try:
        schema = schemas.get(kind)
    except KeyError as exc:
        raise ValidationError({"kind": str(exc.args[0])}) from None
    path = Path(path)
    as_of = as_of or dates.today()
    sha = _sha256(path)
    existing = Dataset.objects.filter(kind=kind, sha256=sha).first()
    if existing is not None:
        return LoadResult(existing, False, message=f"同一文件已于 {existing.loaded_at:%Y-%m-%d %H:%M} 加载为第 "
                                                   f"{existing.version} 版，未重复加载")
    parsed = loader.parse_file(schema, path)
    if not parsed.ok:
        return LoadResult(None, False, parsed, message=f"文件有 {parsed.error_count} 处错误，未加载任何数据")
    assert parsed.table is not None
    version = (Dataset.objects.filter(kind=kind).aggregate(m=Max("version"))["m"] or 0) + 1
    rel = f"crosscheck/{kind}/{version}.parquet"
    target = Path(settings.HOME) / rel
    if target.exists():  # a leftover from a failed load: never overwrite a file a Dataset may point to
        target = target.with_name(f"{version}-{sha[:8]}.parquet")
        rel = f"crosscheck/{kind}/{target.name}"
    engine.write_parquet(parsed.table, str(target))
    try:
        with transaction.atomic():
            ds = Dataset.objects.create(kind=kind, version=version, as_of=as_of, file_name=file_name or path.name,
                                        sha256=sha, row_count=parsed.table.num_rows, parquet_path=rel,
                                        loaded_by=_actor_name(actor), note=note)
            recorded = facts.record(ds, parsed.table, actor)   # 残联/退役军人事务 facts land on the persons
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return LoadResult(ds, True, parsed, message=f"已加载{schema.label} 第 {version} 版，{ds.row_count} 行"
                      + (f"；{recorded}" if recorded else ""))


def current_datasets(on: dt.date | None = None) -> dict[str, Dataset]:
    """The newest loaded version of each kind whose data is as of `on` or earlier."""
    out: dict[str, Dataset] = {}
    qs = Dataset.objects.order_by("kind", "-as_of", "-version")
    if on is not None:
        qs = qs.filter(as_of__lte=on)
    for d in qs:
        out.setdefault(d.kind, d)
    return out
