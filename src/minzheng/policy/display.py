"""A parameter value in words for people: 是/否 for flags, bands and tables as readable lines, codes as labels.

Pages show values through `format_value`; the stored value (JSON) is unchanged. Apps add labels for their own codes
(programme codes, category codes …) with `register_labels` in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# Keys used inside structured parameters, in words.
_KEYS: dict[str, str] = {
    "min_age": "起始年龄", "max_age": "截止年龄", "amount": "金额", "min": "下限", "max": "上限",
    "months": "月数", "posts_min": "最少岗位", "posts_max": "最多岗位", "quantum": "取整单位", "mode": "方式",
    "rate": "比例", "central": "中央", "provincial": "省级", "municipal": "市级", "county": "县级",
    "*": "其他项目",
}
# Coded text values, in words.
_LABELS: dict[str, str] = {
    "ROUND_HALF_UP": "四舍五入", "ROUND_UP": "向上取整", "ROUND_DOWN": "向下取整",
    "next_month": "年满次月起发", "birth_month": "满龄当月起发", "max": "取最高", "sum": "累加",
    "name": "姓名", "village": "村(居)", "covered_persons": "保障人数", "category": "类别",
    "monthly_amount": "月保障金额", "period": "保障期",
}
_sources: list[Callable[[], Mapping[str, str]]] = []
_GRADES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}


def register_labels(source: Callable[[], Mapping[str, str]] | Mapping[str, str]) -> None:
    """Labels for codes an app owns; a callable is read when a page is shown (e.g. programme names)."""
    _sources.append(source if callable(source) else (lambda: source))


def label(code: Any) -> str:
    text = str(code)
    if text in _LABELS:
        return _LABELS[text]
    for source in _sources:
        found = source().get(text)
        if found:
            return found
    return text


def _scalar(value: Any) -> str:
    if value is None:
        return "不限"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    text = str(value)
    try:
        Decimal(text)
    except (InvalidOperation, ValueError):
        return label(text)
    return _number(text)


def _number(value: Any) -> str:
    d = Decimal(str(value))
    return format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")


def _key(key: Any) -> str:
    text = str(key)
    return _GRADES.get(text) or _KEYS.get(text) or label(text)


def format_value(value: Any, kind: str = "", unit: str = "") -> str:
    """One line (or several, joined by '；') a person reads, for any parameter kind."""
    if kind == "bool" or isinstance(value, bool):
        return "是" if value in (True, "true", "True", 1) else "否"
    if isinstance(value, list | dict) and not value:
        return "无"
    if isinstance(value, list):
        if all(isinstance(v, dict) for v in value):
            return "；".join("，".join(f"{_key(k)} {_part(v)}" for k, v in row.items()) for row in value)
        return "、".join(_part(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{_key(k)} {_part(v)}" for k, v in value.items())
    text = _scalar(value)
    return f"{text} {unit}".strip() if unit and kind in ("decimal", "int", "") else text


def _part(value: Any) -> str:
    return format_value(value) if isinstance(value, list | dict) else _scalar(value)
