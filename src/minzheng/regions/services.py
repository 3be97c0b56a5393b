"""Loading a division CSV (统计用区划代码 shape: code,name,level,parent_code)."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.db import transaction

from minzheng.audit import services as audit

from . import selectors
from .models import LEVEL_DEPTH, Division, DivisionDataset, Level

BUNDLED = "divisions_350702.csv"
BUNDLED_VERSION = "统计用区划代码2023"
_SUFFIXES = ("居民委员会", "村民委员会", "居委会", "村委会", "街道办事处", "街道")


class DivisionLoadError(ValueError):
    """A division CSV that cannot be loaded; the message names the line and field (Chinese)."""


@dataclass(frozen=True)
class LoadResult:
    dataset: DivisionDataset
    created: int
    updated: int


def short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem + ("村" if suffix in ("村民委员会", "村委会") and not stem.endswith("村") else "")
    return name


def _parse(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    need = {"code", "name", "level", "parent_code"}
    if reader.fieldnames is None or not need.issubset({f.strip() for f in reader.fieldnames}):
        raise DivisionLoadError(f"区划文件表头应为 code,name,level,parent_code，实际为：{reader.fieldnames}")
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    levels = {lv.value for lv in Level}
    for lineno, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        code, name, level, parent = row["code"], row["name"], row["level"], row["parent_code"]
        if not code.isdigit() or len(code) > 12:
            raise DivisionLoadError(f"第 {lineno} 行 code 列：区划代码“{code}”不是不超过 12 位的数字")
        if not name:
            raise DivisionLoadError(f"第 {lineno} 行 name 列：名称为空")
        if level not in levels:
            raise DivisionLoadError(f"第 {lineno} 行 level 列：层级“{level}”无效，应为 {'/'.join(sorted(levels))}")
        if code in seen:
            raise DivisionLoadError(f"第 {lineno} 行 code 列：区划代码 {code} 重复")
        if level != Level.PROVINCE and not parent:
            raise DivisionLoadError(f"第 {lineno} 行 parent_code 列：缺少上级区划代码")
        seen.add(code)
        rows.append({"code": code, "name": name, "level": level, "parent_code": parent, "line": str(lineno)})
    if not rows:
        raise DivisionLoadError("区划文件没有数据行")
    return rows


@transaction.atomic
def load_divisions(text: str, *, version: str, source: str) -> LoadResult:
    """Create or update the tree from CSV text. Idempotent: loading the same file twice changes nothing."""
    rows = _parse(text)
    existing = {d.code: d for d in Division.objects.all()}
    known = set(existing) | {r["code"] for r in rows}
    for r in rows:
        if r["parent_code"] and r["parent_code"] not in known:
            raise DivisionLoadError(f"第 {r['line']} 行 parent_code 列：上级区划代码 {r['parent_code']} 不存在")
    digest = hashlib.sha256(text.encode()).hexdigest()
    dataset = DivisionDataset.objects.filter(sha256=digest).first()
    if dataset is None:
        dataset = DivisionDataset.objects.create(version=version, source=source, sha256=digest, row_count=len(rows))
    # Insert parents before children regardless of file order.
    rows.sort(key=lambda r: LEVEL_DEPTH[Level(r["level"])])
    created = updated = 0
    for r in rows:
        parent = existing.get(r["parent_code"]) if r["parent_code"] else None
        path = (parent.path if parent else "") + r["code"] + "/"
        fields = {
            "name": r["name"],
            "short_name": short_name(r["name"]),
            "level": r["level"],
            "parent": parent,
            "path": path,
            "depth": LEVEL_DEPTH[Level(r["level"])],
        }
        div = existing.get(r["code"])
        if div is None:
            div = Division.objects.create(code=r["code"], dataset=dataset, **fields)
            existing[div.code] = div
            created += 1
        elif any(getattr(div, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(div, k, v)
            div.dataset = dataset
            div.save()
            updated += 1
    selectors.clear_cache()
    audit.record(
        "divisions.load",
        summary=f"加载区划 {version}：新增 {created}，更新 {updated}",
        detail={"version": version, "source": source, "sha256": digest, "rows": len(rows)},
    )
    return LoadResult(dataset=dataset, created=created, updated=updated)


def load_file(path: Path, *, version: str | None = None) -> LoadResult:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DivisionLoadError(f"区划文件 {path.name} 不是 UTF-8 编码") from exc
    return load_divisions(text, version=version or path.stem, source=str(path.name))


def load_bundled() -> LoadResult:
    text = resources.files("minzheng.regions").joinpath("data", BUNDLED).read_text(encoding="utf-8")
    return load_divisions(text, version=BUNDLED_VERSION, source=BUNDLED)
