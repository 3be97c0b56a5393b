"""Trends and comparisons, read from the monthly facts: 24 months per programme and division, and a division's
parts (townships of the county, villages of a township) against their urban/rural peers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum

from minzheng.core import dates
from minzheng.regions.models import Division, Level

from . import robust
from .models import StatMonth
from .returns import fact_rows, population_rows, programme_ids

MONTHS = 24
# Programme choices offered on the pages: a family or a single programme.
PROGRAMMES: dict[str, tuple[str, list[str]]] = {
    "dibao": ("低保（城乡）", ["family:dibao"]), "dibao_urban": ("城市低保", ["dibao_urban"]),
    "dibao_rural": ("农村低保", ["dibao_rural"]), "tekun": ("特困供养", ["family:tekun"]),
    "linshi": ("临时救助", ["linshi"]), "gaoling": ("高龄津贴", ["gaoling"]),
    "canji": ("残疾人两项补贴", ["canji_life", "canji_care"]), "orphan": ("孤儿基本生活费", ["orphan"]),
    "youfu": ("优抚", ["youfu"]),
}


def months_back(month: dt.date, n: int = MONTHS) -> list[dt.date]:
    return [dates.add_months(month, -i) for i in range(n - 1, -1, -1)]


@dataclass
class Point:
    month: dt.date
    households: int = 0
    persons: int = 0
    amount_fen: int = 0
    new: int = 0
    exited: int = 0
    residents: int = 0
    computed: bool = False

    @property
    def coverage(self) -> Decimal | None:
        if not self.residents:
            return None
        return (Decimal(self.persons) * 100 / self.residents).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def average(self) -> Decimal | None:
        if not self.persons or not self.amount_fen:
            return None
        return (Decimal(self.amount_fen) / 100 / self.persons).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_fen) / 100


def series(division: Division, programme: str, month: dt.date, n: int = MONTHS) -> list[Point]:
    """One point per month over the last `n` months: months never computed are empty (computed False)."""
    ids = programme_ids(PROGRAMMES[programme][1])
    months = months_back(month, n)
    done = set(StatMonth.objects.filter(month__in=months).values_list("month", flat=True))
    pts = {m: Point(m, computed=m in done) for m in months}
    for r in (fact_rows(division).filter(month__in=months, programme_id__in=ids).values("month")
              .annotate(h=Sum("households"), p=Sum("persons"), a=Sum("amount_fen"), late=Sum("late_fen"),
                        nw=Sum("new_households"), ex=Sum("exited_households"))):
        pt = pts[r["month"]]
        pt.households, pt.persons = int(r["h"] or 0), int(r["p"] or 0)
        pt.amount_fen = int(r["a"] or 0) + int(r["late"] or 0)
        pt.new, pt.exited = int(r["nw"] or 0), int(r["ex"] or 0)
    for r in population_rows(division).filter(month__in=months).values("month").annotate(n=Sum("residents")):
        pts[r["month"]].residents = int(r["n"] or 0)
    return [pts[m] for m in months]


@dataclass
class Part:
    division: Division
    urban: bool
    households: int
    persons: int
    residents: int
    amount_fen: int
    z: float | None = None
    peer_median: float | None = None

    @property
    def coverage(self) -> float | None:
        return self.persons / self.residents if self.residents else None

    @property
    def coverage_pct(self) -> Decimal | None:
        c = self.coverage
        return None if c is None else Decimal(str(round(c * 100, 2)))

    @property
    def average(self) -> Decimal | None:
        return None if not self.persons else (Decimal(self.amount_fen) / 100 / self.persons).quantize(Decimal("0.01"))

    @property
    def peer_median_pct(self) -> Decimal | None:
        return None if self.peer_median is None else Decimal(str(round(self.peer_median * 100, 2)))


def parts(division: Division, programme: str, month: dt.date) -> list[Part]:
    """The division's parts (a county's townships, a township's villages) with coverage against their peers: for
    villages, the other urban (社区) or rural (村) villages of the same township; for townships, the others."""
    ids = programme_ids(PROGRAMMES[programme][1])
    level = Level.TOWNSHIP if division.level == Level.COUNTY else Level.VILLAGE
    group = "township_id" if level == Level.TOWNSHIP else "village_id"
    children = list(Division.objects.filter(parent=division, level=level).order_by("code"))
    base = fact_rows(division).filter(month=month, programme_id__in=ids)
    agg = {r[group]: r for r in base.values(group).annotate(h=Sum("households"), p=Sum("persons"),
                                                             a=Sum("amount_fen"), late=Sum("late_fen"))}
    pops = dict(population_rows(division).filter(month=month).values(group).annotate(n=Sum("residents"))
                .values_list(group, "n"))
    out = []
    for c in children:
        r = agg.get(c.pk, {})
        out.append(Part(c, c.is_urban if level == Level.VILLAGE else False, int(r.get("h") or 0),
                        int(r.get("p") or 0), int(pops.get(c.pk) or 0),
                        int(r.get("a") or 0) + int(r.get("late") or 0)))
    for urban in (True, False):
        peers = [p for p in out if p.urban == urban and p.coverage is not None]
        if len(peers) < 3:
            continue
        s = robust.spread([p.coverage for p in peers if p.coverage is not None])
        for p in peers:
            p.z = round(s.z(p.coverage or 0.0), 1)
            p.peer_median = s.median
    return out


# --- ECharts options (rendered with json_script; app.js draws them) --------------------------------------------

BLUE, RED, GREEN, GREY, ORANGE = "#1565c0", "#b71c1c", "#2e7d32", "#90a4ae", "#ef6c00"


def trend_chart(points: list[Point]) -> dict[str, Any]:
    labels = [f"{p.month:%Y-%m}" for p in points]
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 50, "right": 60, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"fontSize": 10}},
        "yAxis": [{"type": "value", "name": "人/户"}, {"type": "value", "name": "元"}],
        "series": [
            {"name": "人数", "type": "line", "data": [p.persons if p.computed else None for p in points],
             "itemStyle": {"color": BLUE}},
            {"name": "户数", "type": "line", "data": [p.households if p.computed else None for p in points],
             "itemStyle": {"color": GREEN}},
            {"name": "支出(元)", "type": "bar", "yAxisIndex": 1,
             "data": [float(p.amount) if p.computed else None for p in points], "itemStyle": {"color": GREY}},
        ],
    }


def flow_chart(points: list[Point]) -> dict[str, Any]:
    labels = [f"{p.month:%Y-%m}" for p in points]
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 50, "right": 50, "bottom": 40, "top": 40},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"fontSize": 10}},
        "yAxis": [{"type": "value", "name": "户"}, {"type": "value", "name": "%"}],
        "series": [
            {"name": "新增户", "type": "bar", "data": [p.new for p in points], "itemStyle": {"color": GREEN}},
            {"name": "退出户", "type": "bar", "data": [-p.exited for p in points], "itemStyle": {"color": ORANGE}},
            {"name": "覆盖率%", "type": "line", "yAxisIndex": 1,
             "data": [float(p.coverage) if p.coverage is not None else None for p in points],
             "itemStyle": {"color": RED}},
        ],
    }


def compare_chart(items: list[Part]) -> dict[str, Any]:
    names = [p.division.name.replace("居委会", "").replace("村委会", "").replace("街道", "").replace("镇", "")
             .replace("乡", "") for p in items]
    return {
        "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 70, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 60, "interval": 0, "fontSize": 10}},
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {"name": "覆盖率%", "type": "bar",
             "data": [{"value": float(p.coverage_pct) if p.coverage_pct is not None else None,
                       "itemStyle": {"color": RED if (p.z or 0) >= 3.5 else BLUE}} for p in items]},
            {"name": "同类中位数%", "type": "line",
             "data": [float(p.peer_median_pct) if p.peer_median_pct is not None else None for p in items],
             "itemStyle": {"color": GREY}},
        ],
    }


def _colour(c: float | None, median: float) -> str:
    if c is None:
        return "#eeeeee"
    ratio = c / median if median else 1.0
    scale = [(0.5, "#e3f2fd"), (1.0, "#90caf9"), (1.5, "#42a5f5"), (2.0, "#ffb74d"), (3.0, "#ef6c00")]
    for limit, colour in scale:
        if ratio <= limit:
            return colour
    return RED


def schematic_chart(items: list[Part]) -> dict[str, Any]:
    """Without a boundary map: each part a rectangle sized by residents, coloured by coverage against the median."""
    covs = [p.coverage for p in items if p.coverage is not None]
    median = robust.median(covs) if covs else 0.0
    return {
        "tooltip": {"formatter": "{b}: {c} 人"},
        "series": [{"type": "treemap", "roam": False, "nodeClick": False, "breadcrumb": {"show": False},
                    "label": {"show": True, "formatter": "{b}"},
                    "data": [{"name": f"{p.division.name} {p.coverage_pct if p.coverage_pct is not None else '—'}%",
                              "value": max(1, p.residents),
                              "itemStyle": {"color": _colour(p.coverage, median)}} for p in items]}],
    }


def map_chart(items: list[Part], map_name: str) -> dict[str, Any]:
    data = [{"name": p.division.code, "value": float(p.coverage_pct) if p.coverage_pct is not None else None,
             "label": p.division.name} for p in items]
    values = [d["value"] for d in data if d["value"] is not None]
    return {
        "tooltip": {"trigger": "item"},
        "visualMap": {"min": 0, "max": max(values) if values else 1, "text": ["高", "低"], "calculable": True,
                      "inRange": {"color": ["#e3f2fd", "#42a5f5", "#ef6c00", RED]}},
        "series": [{"type": "map", "map": map_name, "nameProperty": "code", "data": data, "roam": True}],
    }
