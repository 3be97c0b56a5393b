"""Boundary maps: a GeoJSON FeatureCollection the district uploads (none ships). Each feature names a township or
village of the district by its 12-digit code (property `code`); the file is refused whole, with a reason, when it
is not GeoJSON, has no usable polygons, or names codes that are not the district's."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core.scoping import require_division
from minzheng.regions.models import Division, Level

from .models import Boundary

MAX_BYTES = 20 * 1024 * 1024
CODE_KEYS = ("code", "区划代码", "adcode")


def _positions(coords: Any, depth: int) -> bool:
    """Nested arrays `depth` deep ending in [x, y] number pairs."""
    if depth == 0:
        return (isinstance(coords, list) and len(coords) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords[:2]))
    return isinstance(coords, list) and bool(coords) and all(_positions(c, depth - 1) for c in coords)


def _code(props: Any) -> str:
    if not isinstance(props, dict):
        return ""
    for k in CODE_KEYS:
        if props.get(k):
            return str(props[k]).strip()
    return ""


def parse(data: bytes, county: Division) -> tuple[dict[str, Any], str, int]:
    """Check the file; return (geojson, level, features). Every problem is listed in one refusal."""
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": f"文件超过 {MAX_BYTES // 1024 // 1024} MB"})
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"file": "不是有效的 GeoJSON：文件不是 UTF-8 编码的 JSON"}) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ValidationError({"file": "不是有效的 GeoJSON：顶层应为 FeatureCollection，并含 features 数组"})
    if not doc["features"]:
        raise ValidationError({"file": "GeoJSON 中没有任何区域（features 为空）"})
    known = {d.code: d.level for d in Division.objects.filter(path__startswith=county.path,
                                                             level__in=[Level.TOWNSHIP, Level.VILLAGE])}
    problems: list[str] = []
    levels: set[str] = set()
    seen: set[str] = set()
    for i, f in enumerate(doc["features"], start=1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(f"第 {i} 个要素不是 Feature")
            continue
        geom = f.get("geometry") or {}
        kind = geom.get("type") if isinstance(geom, dict) else None
        depth = {"Polygon": 2, "MultiPolygon": 3}.get(str(kind))
        if depth is None or not _positions(geom.get("coordinates"), depth):
            problems.append(f"第 {i} 个要素的几何不是有效的 Polygon/MultiPolygon")
        code = _code(f.get("properties"))
        if not code:
            problems.append(f"第 {i} 个要素没有区划代码（properties.code）")
        elif code not in known:
            problems.append(f"第 {i} 个要素的区划代码 {code[:20]} 不是{county.name}的乡镇或村(社区)")
        else:
            if code in seen:
                problems.append(f"区划代码 {code} 出现了不止一次")
            seen.add(code)
            levels.add(known[code])
        if len(problems) >= 20:
            problems.append("……（其余问题未列出）")
            break
    if not problems and len(levels) > 1:
        problems.append("同一文件应全部为乡镇(街道)边界或全部为村(社区)边界")
    if problems:
        raise ValidationError({"file": problems})
    # Normalise the code property so the chart can name features by it.
    for f in doc["features"]:
        f["properties"] = {**f.get("properties", {}), "code": _code(f.get("properties"))}
    return doc, levels.pop(), len(doc["features"])


@transaction.atomic
def upload(*, actor: Actor, county: Division, data: bytes) -> Boundary:
    require_division(actor, county, Cap.MANAGE_POLICY)
    if county.level != Level.COUNTY:
        raise ValidationError({"division": "边界地图按区(县)上传"})
    doc, level, n = parse(data, county)
    b, _ = Boundary.objects.update_or_create(division=county, defaults={
        "level": level, "geojson": doc, "features": n, "uploaded_by": actor})
    record("stats.boundary", obj=b, summary=f"上传边界地图：{n} 个{'乡镇(街道)' if level == Level.TOWNSHIP else '村(社区)'}")
    return b


def for_division(division: Division) -> Boundary | None:
    """The uploaded boundary that draws `division`'s parts (a county's townships, a township's villages)."""
    county = division if division.level == Level.COUNTY else Division.objects.filter(
        level=Level.COUNTY, path__in=[division.path[:i + 1] for i, ch in enumerate(division.path) if ch == "/"]).first()
    if county is None:
        return None
    b = Boundary.objects.filter(division=county).first()
    want = Level.TOWNSHIP if division.level == Level.COUNTY else Level.VILLAGE
    if b is None or b.level != want:
        return None
    if want == Level.VILLAGE:
        codes = set(Division.objects.filter(parent=division).values_list("code", flat=True))
        features = [f for f in b.geojson["features"] if f["properties"]["code"] in codes]
        if not features:
            return None
        b.geojson = {"type": "FeatureCollection", "features": features}
    return b
