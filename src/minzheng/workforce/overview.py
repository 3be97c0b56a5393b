"""Per township, money beside people: work funds next to staff, training and assessment figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from minzheng.accounts.actor import Actor
from minzheng.core.scoping import visible
from minzheng.payments.selectors import work_funds_by_township
from minzheng.regions.models import Division

from . import selectors, training
from .models import AssessmentScheme, NeedReport, NeedStatus, TownshipResult


@dataclass
class TownshipRow:
    staffing: selectors.StaffingRow
    training: training.TownshipCompliance | None
    result: TownshipResult | None
    open_needs: int
    funds: dict[str, Decimal] | None


@dataclass
class Overview:
    year: int
    rows: list[TownshipRow]
    scheme: AssessmentScheme | None


def build(user: Actor, townships: list[Division], *, year: int, on: dt.date) -> Overview:
    staffing = {r.township.pk: r for r in selectors.staffing(townships, on=on)}
    comp = {t.township.pk: t for t in training.by_township(
        training.compliance_of(user, year=year, on=on))}
    scheme = (visible(AssessmentScheme, user).filter(year=year).first()
              or AssessmentScheme.objects.filter(year=year, division__level="county").first())
    results = {r.township_id: r for r in visible(TownshipResult, user).filter(scheme=scheme)} if scheme else {}
    open_needs: dict[int, int] = {}
    for tid in (visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED)
                .values_list("village__parent_id", flat=True)):
        if tid is not None:
            open_needs[tid] = open_needs.get(tid, 0) + 1
    funds = work_funds_by_township(townships, year)
    rows = [TownshipRow(staffing[t.pk], comp.get(t.pk), results.get(t.pk), open_needs.get(t.pk, 0),
                        funds.get(t.pk)) for t in townships]
    return Overview(year, rows, scheme)
