"""ECharts option dictionaries (rendered with json_script; app.js draws them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.accounts.actor import Actor
from minzheng.core.scoping import visible
from minzheng.regions.models import Division

from . import selectors, training
from .models import AssessmentScheme, TownshipResult

RED, GREY, BLUE, ORANGE = "#b71c1c", "#90a4ae", "#1565c0", "#ef6c00"


def _short(name: str) -> str:
    return name.replace("街道", "").replace("镇", "").replace("乡", "")


def bar(names: list[str], series: list[tuple[str, list[Any], str]], *, percent: bool = False) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 50, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 60, "interval": 0, "fontSize": 10}},
        "yAxis": {"type": "value", **({"max": 100} if percent else {})},
        "series": [{"name": n, "type": "bar", "data": d, "itemStyle": {"color": c}} for n, d, c in series],
    }


def pie(data: dict[str, int]) -> dict[str, Any]:
    return {"tooltip": {"trigger": "item"}, "legend": {"bottom": 0},
            "series": [{"type": "pie", "radius": ["35%", "65%"],
                        "data": [{"name": k, "value": v} for k, v in data.items()]}]}


def staffing_chart(rows: list[selectors.StaffingRow]) -> dict[str, Any]:
    names = [_short(r.township.name) for r in rows]
    return bar(names, [("编制标准(下限)", [r.norm.posts_min if r.norm else None for r in rows], GREY),
                       ("在岗民政助理员", [r.assistants_filled for r in rows], RED)])


def training_chart(comp: list[training.TownshipCompliance]) -> dict[str, Any]:
    return bar([_short(c.township.name) for c in comp],
               [("培训达标率%", [float(c.rate * 100) if c.rate is not None else None for c in comp], BLUE)],
               percent=True)


def assessment_chart(results: list[TownshipResult]) -> dict[str, Any]:
    return bar([_short(r.township.name) for r in results],
               [("考核总分", [float(r.total) if r.total is not None else None for r in results], ORANGE)],
               percent=True)


def dashboard(user: Actor, townships: list[Division], today: dt.date) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {"staffing": staffing_chart(selectors.staffing(townships, on=today))}
    comp = training.by_township(training.compliance_of(user, year=today.year, on=today))
    out["training"] = training_chart(comp)
    scheme = (visible(AssessmentScheme, user).filter(scored_on__isnull=False).order_by("-year").first())
    if scheme is not None:
        results = list(visible(TownshipResult, user).filter(scheme=scheme).select_related("township")
                       .order_by("township__code"))
        out["assessment"] = assessment_chart(results)
        out["assessment"]["title"] = {"text": f"{scheme.year}年度", "left": "right", "textStyle": {"fontSize": 12}}
    return out
