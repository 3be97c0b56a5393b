"""Aggregation: district totals from approved township reports, with each township's villages, as a table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from minzheng.regions.models import Division

from .. import indicators
from ..models import Report, ReportStatus, Round
from .events import affected_villages


@dataclass
class SummaryRow:
    division: Division
    report: Report | None
    values: dict[str, str]
    counted: bool  # approved, so it counts towards the level above
    villages: list[SummaryRow]


@dataclass
class Summary:
    round: Round
    rows: list[SummaryRow]
    total: dict[str, str]
    approved: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.approved == self.expected


def summarise(round: Round, townships: Iterable[Division]) -> Summary:
    """District totals = sum of approved township reports; each township row lists its village reports."""
    towns = list(townships)
    reps = {r.division_id: r for r in Report.objects.filter(round=round).select_related("division")}
    rows: list[SummaryRow] = []
    for t in towns:
        vrows = []
        for v in affected_villages(round.event, t):
            vr = reps.get(v.pk)
            if vr is not None:
                vrows.append(SummaryRow(v, vr, vr.values, vr.status == ReportStatus.APPROVED, []))
        rep = reps.get(t.pk)
        rows.append(SummaryRow(t, rep, rep.values if rep else {},
                               rep is not None and rep.status == ReportStatus.APPROVED, vrows))
    counted = [r.values for r in rows if r.counted]
    return Summary(round, rows, indicators.total(counted), len(counted), len(rows))


def summary_table(summary: Summary, *, with_villages: bool = True) -> tuple[list[str], list[list[Any]]]:
    headers = ["单位", "状态"] + [f"{i.label}({i.unit})" for i in indicators.INDICATORS]

    def line(name: str, status: str, values: dict[str, str]) -> list[Any]:
        nums = indicators.as_numbers(values)
        return [name, status] + [_num(nums[c]) for c in indicators.CODES]

    rows: list[list[Any]] = []
    for r in summary.rows:
        st = r.report.get_status_display() if r.report else "未报"
        rows.append(line(r.division.name, st, r.values))
        if with_villages:
            for v in r.villages:
                rows.append(line("　" + v.division.name, v.report.get_status_display() if v.report else "未报",
                                 v.values))
    rows.append(line("合计(已审核)", f"{summary.approved}/{summary.expected}", summary.total))
    return headers, rows


def _num(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)
