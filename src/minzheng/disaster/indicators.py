"""The indicators of the 自然灾害损失情况统计快报表 (2016/2020 自然灾害情况统计制度), as the form lays them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    integer: bool  # people, households and rooms are whole numbers
    group: str


INDICATORS: list[Indicator] = [
    Indicator("pop_affected", "受灾人口", "人", True, "人口受灾"),
    Indicator("pop_dead", "因灾死亡人口", "人", True, "人口受灾"),
    Indicator("pop_missing", "因灾失踪人口", "人", True, "人口受灾"),
    Indicator("pop_relocated", "紧急转移安置人口", "人", True, "人口受灾"),
    Indicator("pop_need_aid", "需紧急生活救助人口", "人", True, "人口受灾"),
    Indicator("house_collapsed_hh", "倒塌房屋户数", "户", True, "房屋损失"),
    Indicator("house_collapsed_rooms", "倒塌房屋间数", "间", True, "房屋损失"),
    Indicator("house_severe_hh", "严重损坏房屋户数", "户", True, "房屋损失"),
    Indicator("house_severe_rooms", "严重损坏房屋间数", "间", True, "房屋损失"),
    Indicator("house_minor_hh", "一般损坏房屋户数", "户", True, "房屋损失"),
    Indicator("house_minor_rooms", "一般损坏房屋间数", "间", True, "房屋损失"),
    Indicator("crop_affected", "农作物受灾面积", "公顷", False, "农作物"),
    Indicator("crop_damaged", "农作物成灾面积", "公顷", False, "农作物"),
    Indicator("crop_lost", "农作物绝收面积", "公顷", False, "农作物"),
    Indicator("loss_total", "直接经济损失", "万元", False, "直接经济损失"),
    Indicator("loss_agri", "农业损失", "万元", False, "直接经济损失"),
    Indicator("loss_industry", "工矿商贸业损失", "万元", False, "直接经济损失"),
    Indicator("loss_house", "房屋损失", "万元", False, "直接经济损失"),
    Indicator("loss_infra", "基础设施损失", "万元", False, "直接经济损失"),
    Indicator("loss_public", "公益设施损失", "万元", False, "直接经济损失"),
    Indicator("loss_family", "家庭财产损失", "万元", False, "直接经济损失"),
]

BY_CODE = {i.code: i for i in INDICATORS}
CODES = [i.code for i in INDICATORS]
INT_CODES = [i.code for i in INDICATORS if i.integer]
DECIMAL_CODES = [i.code for i in INDICATORS if not i.integer]
LOSS_COMPONENTS = ["loss_agri", "loss_industry", "loss_house", "loss_infra", "loss_public", "loss_family"]
GROUPS = list(dict.fromkeys(i.group for i in INDICATORS))


def label(code: str) -> str:
    ind = BY_CODE.get(code)
    if ind is not None:
        return ind.label
    return {"explained": "数据变动说明"}.get(code, code)


def parse(raw: object) -> Decimal | None:
    """A typed figure: blank → None; anything not a number → raises ValueError with a Chinese message."""
    if raw is None:
        return None
    text = str(raw).strip().replace(",", "").replace("，", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"“{raw}”不是数字") from exc
    if not value.is_finite():
        raise ValueError(f"“{raw}”不是数字")
    return value


def clean_values(raw: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """Known codes only, as normalised strings; returns (values, parse errors by code)."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for code in CODES:
        if code not in raw:
            continue
        try:
            v = parse(raw[code])
        except ValueError as exc:
            errors[code] = f"{label(code)}：{exc}"
            continue
        if v is not None:
            values[code] = _fmt(v)
    return values, errors


def as_numbers(values: dict[str, str]) -> dict[str, Decimal]:
    """Every indicator, blank counted as 0 (a blank cell on the paper form means nothing to report)."""
    return {c: Decimal(values[c]) if values.get(c) not in (None, "") else Decimal(0) for c in CODES}


def add(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    na, nb = as_numbers(a), as_numbers(b)
    return {c: _fmt(na[c] + nb[c]) for c in CODES}


def _fmt(v: Decimal) -> str:
    """Canonical text: 35.30 → "35.3", 1E+2 → "100", -0 → "0"."""
    text = format(v.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def total(rows: list[dict[str, str]]) -> dict[str, str]:
    acc = {c: Decimal(0) for c in CODES}
    for r in rows:
        for c, v in as_numbers(r).items():
            acc[c] += v
    return {c: _fmt(v) for c, v in acc.items()}
