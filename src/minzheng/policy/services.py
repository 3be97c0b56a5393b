"""Reading and writing versioned parameters, and the Chinese working-day calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.regions.models import Division

from .catalog import catalog
from .models import Holiday, Parameter
from .values import ParamValue


class MissingParameter(LookupError):
    def __init__(self, key: str, on: dt.date, division: Division | None) -> None:
        label = catalog.specs[key].label if key in catalog.specs else key
        where = division.name if division else "全部区划"
        super().__init__(f"缺少政策参数“{label}”（{key}）在 {on:%Y-%m-%d}、{where} 的有效版本，请区管理员补录")
        self.key = key


# Within one web request (or one batch step that asks for it) the same parameter is read many times — a home page's
# panels ask for the training quota of every township once per person. Each request gets its own memo, so a new
# version is seen by the next request; any parameter write in the request clears it (signals in apps.py). The memo
# keeps each key's versions (a handful of rows), read once; every division and date is resolved from them, so a page
# asking for one quota per township makes one query, not one per township.
_memo: ContextVar[dict[str, list[Parameter]] | None] = ContextVar("policy_memo", default=None)


@contextmanager
def memoized() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def forget() -> None:
    """Drop what this request has memoised (a parameter was written)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def resolve(key: str, *, on: dt.date, division: Division | None = None) -> ParamValue:
    """The version of `key` in force on `on` for `division`: the most specific division, then the latest date."""
    memo = _memo.get()
    if memo is None:
        return _resolve(key, on=on, division=division)
    rows = memo.get(key)
    if rows is None:
        rows = memo[key] = list(Parameter.objects.filter(key=key).select_related("division"))
    return _pick(rows, key, on=on, division=division)


def _resolve(key: str, *, on: dt.date, division: Division | None) -> ParamValue:
    codes = [c for c in division.path.strip("/").split("/") if c] if division else []
    qs = Parameter.objects.filter(key=key, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    ).filter(Q(division__isnull=True) | Q(division__code__in=codes)).select_related("division")
    return _pick(list(qs), key, on=on, division=division)


def _pick(rows: list[Parameter], key: str, *, on: dt.date, division: Division | None) -> ParamValue:
    """Among a key's versions, the one in force on `on` for `division` (the same filter as the query above)."""
    codes = {c for c in division.path.strip("/").split("/") if c} if division else set()
    best: Parameter | None = None
    best_rank: tuple[int, dt.date] | None = None
    for p in rows:
        if p.key != key or p.effective_from > on or (p.effective_to is not None and p.effective_to <= on):
            continue
        if p.division is not None and p.division.code not in codes:
            continue
        rank = (p.division.depth if p.division else -1, p.effective_from)
        if best_rank is None or rank > best_rank:
            best, best_rank = p, rank
    if best is None:
        raise MissingParameter(key, on, division)
    return ParamValue(key, best.value, best.pk, best.effective_from, best.source_document, best.is_demo)


def value(key: str, *, on: dt.date, division: Division | None = None) -> Any:
    return resolve(key, on=on, division=division).value


def decimal(key: str, *, on: dt.date, division: Division | None = None) -> Decimal:
    return resolve(key, on=on, division=division).decimal


@transaction.atomic
def add_version(*, key: str, value: Any, effective_from: dt.date, source_document: str, actor: Actor | None = None,
                division: Division | None = None, certainty: str = "M", is_demo: bool = False, note: str = "",
                unit: str = "") -> Parameter:
    """A new version never overwrites an old one: decisions keep pointing at what they were made under."""
    if actor is not None and not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以维护政策参数")
    if key not in catalog.specs:
        raise ValidationError({"key": f"未知参数：{key}"})
    if not source_document.strip():
        raise ValidationError({"source_document": "必须填写依据文件"})
    spec = catalog.specs[key]
    value = _coerce(spec.kind, value)
    if spec.kind in ("decimal", "int"):
        try:
            num = Decimal(str(value))
        except Exception as exc:
            raise ValidationError({"value": f"“{value}”不是数字"}) from exc
        if num < 0:
            raise ValidationError({"value": "参数值不能为负数"})
        value = str(num) if spec.kind == "decimal" else int(num)
    for check in catalog.bounds.get(key, []):
        refusal = check(value, effective_from, division)
        if refusal:
            raise ValidationError({"value": refusal})
    if Parameter.objects.filter(key=key, division=division, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": f"{effective_from} 已有该参数的版本，请选择其他生效日期"})
    return Parameter.objects.create(
        key=key, value=value, effective_from=effective_from, source_document=source_document, division=division,
        certainty=certainty, is_demo=is_demo, note=note, unit=unit or spec.unit,
        created_by=getattr(actor, "username", "") or "",
    )


_TRUE = {"true", "1", "yes", "y", "是", "对", "开", "启用"}
_FALSE = {"false", "0", "no", "n", "否", "不", "关", "停用", ""}


def _coerce(kind: str, value: Any) -> Any:
    """Form and API input arrives as text: give it the parameter's declared kind (bool, json …)."""
    if kind == "bool" and not isinstance(value, bool):
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError({"value": f"“{value}”不是“是/否”"})
    if kind == "json" and isinstance(value, str):
        import json

        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            text = value.strip()
            if text and text[0] not in "[{\"":
                # A list typed the way people write it: 优待抚恤金、奖学金 / a, b / one per line.
                import re

                return [item.strip() for item in re.split(r"[、,，;；\n]", text) if item.strip()]
            raise ValidationError({"value": f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 个字符）"}) from exc
    return value


def seed_parameters() -> int:
    """Insert catalog seeds that are not there yet. Safe to run on every init."""
    created = 0
    for s in catalog.seeds:
        div = Division.objects.filter(code=s.division_code).first() if s.division_code else None
        if s.division_code and div is None:
            continue
        exists = Parameter.objects.filter(key=s.key, division=div, effective_from=s.effective_from).exists()
        if not exists:
            add_version(key=s.key, value=s.value, effective_from=s.effective_from, source_document=s.source_document,
                        division=div, certainty=s.certainty, is_demo=s.is_demo, note=s.note, unit=s.unit)
            created += 1
    return created


# --- Working days (工作日) -------------------------------------------------------------------------------


def seed_holidays() -> int:
    """Load the State Council holiday schedule bundled with chinesecalendar. Later years are entered by staff."""
    import chinese_calendar

    created = 0
    rows = [(d, False, str(n)) for d, n in chinese_calendar.holidays.items() if d.weekday() < 5]
    rows += [(d, True, str(n)) for d, n in chinese_calendar.workdays.items() if d.weekday() >= 5]
    existing = set(Holiday.objects.values_list("date", flat=True))
    new = [Holiday(date=d, is_workday=w, name=_holiday_name(n), source="国务院办公厅节假日安排(chinesecalendar)")
           for d, w, n in rows if d not in existing]
    Holiday.objects.bulk_create(new, batch_size=500)
    created = len(new)
    dates.clear_calendar_cache()
    return created


_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(raw: str) -> str:
    for en, zh in _NAMES.items():
        if en.lower() in raw.lower():
            return zh
    return raw
