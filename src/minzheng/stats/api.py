"""统计分析 API: the return (JSON, with reconciliation), the 低保 综合统计表, trends, month close, risk flags and
turning one into a spot check. The same services and jurisdiction as the pages: a division outside the user's
area is a 404, a month not closed asked as final a 422 with a Chinese reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Division

from . import closing, returns, risk, sampling, trends
from .models import RiskFlag

router = Router(tags=["统计分析"])

Code = Annotated[str, Query(max_length=12, description="区划代码（默认本人所属区划）")]


def _division(request: AuthedRequest, code: str) -> Division:
    user = request.user
    if not code:
        if user.division is None:
            raise Http404("您的账号没有所属区划")
        return user.division
    d = visible_divisions(user).filter(code=code).first()
    if d is None:
        raise Http404("该区划不在您的辖区内")
    return d


def _month(raw: str) -> dt.date:
    return closing.parse_month(raw) if raw else dates.current_month()


class StatLineOut(Schema):
    code: str
    name: str
    unit: str
    indent: int
    value: Decimal | int | None
    previous: Decimal | int | None
    change_pct: Decimal | None


class StatReturnOut(Schema):
    division: str
    division_name: str
    month: str
    final: bool
    computed_at: dt.datetime
    payroll_fen: int
    facts_fen: int
    late_fen: int
    reconciled: bool
    lines: list[StatLineOut]


@router.get("/return", response=StatReturnOut)
def return_(request: AuthedRequest, month: inputs.Month = "", division: Code = "", final: bool = False) -> StatReturnOut:
    need_cap(request, Cap.VIEW_DASHBOARD)
    r = returns.compute(_division(request, division), _month(month), final=final)
    return StatReturnOut(division=r.division.code, division_name=r.division.name, month=f"{r.month:%Y-%m}",
                     final=r.final, computed_at=r.state.computed_at, payroll_fen=r.payroll_fen,
                     facts_fen=r.facts_fen, late_fen=r.late_fen, reconciled=r.reconciled,
                     lines=[StatLineOut(code=x.code, name=x.name, unit=x.unit, indent=x.indent, value=x.value,
                                    previous=x.previous, change_pct=x.change) for x in r.lines])


class AreaOut(Schema):
    code: str
    name: str
    residents: int
    coverage_pct: Decimal | None
    households: int
    persons: int
    persons_cum: int
    elderly: int
    adults: int
    minors: int
    amount_fen: int
    amount_cum_fen: int
    avg_per_person: Decimal | None
    standard: str


class DibaoOut(Schema):
    month: str
    programme: str
    closed: bool
    rows: list[AreaOut]
    total: AreaOut


def _area(x: returns.AreaRow) -> AreaOut:
    return AreaOut(code=x.division.code, name=x.division.name, residents=x.residents, coverage_pct=x.coverage,
                   households=x.households, persons=x.persons, persons_cum=x.persons_cum, elderly=x.elderly,
                   adults=x.adults, minors=x.minors, amount_fen=x.amount_fen, amount_cum_fen=x.amount_cum_fen,
                   avg_per_person=x.avg, standard=x.standard)


@router.get("/dibao", response=DibaoOut)
def dibao(request: AuthedRequest, month: inputs.Month = "", division: Code = "",
          programme: Annotated[str, Query(max_length=20)] = "dibao") -> DibaoOut:
    need_cap(request, Cap.VIEW_DASHBOARD)
    t = returns.dibao_table(_division(request, division), _month(month), programme=programme)
    return DibaoOut(month=f"{t.month:%Y-%m}", programme=t.programme, closed=t.state.closed,
                    rows=[_area(x) for x in t.rows], total=_area(t.total))


class CloseIn(Schema):
    month: Annotated[str, Field(max_length=7, description="YYYY-MM")]


class CloseOut(Schema):
    month: str
    closed_at: dt.datetime
    payroll_fen: int
    facts_fen: int
    late_fen: int
    rows: int


@router.post("/close", response={201: CloseOut})
def close(request: AuthedRequest, body: CloseIn) -> Status:
    user = need_cap(request, Cap.APPROVE)
    s = closing.close_month(month=closing.parse_month(body.month), actor=user)
    assert s.closed_at is not None
    return Status(201, CloseOut(month=f"{s.month:%Y-%m}", closed_at=s.closed_at, payroll_fen=s.payroll_fen,
                                facts_fen=s.facts_fen, late_fen=s.late_fen, rows=s.rows))


class PointOut(Schema):
    month: str
    computed: bool
    households: int
    persons: int
    amount_fen: int
    coverage_pct: Decimal | None
    average: Decimal | None
    new: int
    exited: int


@router.get("/trends", response=list[PointOut])
def trend(request: AuthedRequest, month: inputs.Month = "", division: Code = "",
          programme: Annotated[str, Query(max_length=20)] = "dibao") -> list[PointOut]:
    need_cap(request, Cap.VIEW_DASHBOARD)
    if programme not in trends.PROGRAMMES:
        raise ValidationError({"programme": f"应为 {'、'.join(trends.PROGRAMMES)} 之一"})
    pts = trends.series(_division(request, division), programme, _month(month))
    return [PointOut(month=f"{p.month:%Y-%m}", computed=p.computed, households=p.households, persons=p.persons,
                     amount_fen=p.amount_fen, coverage_pct=p.coverage, average=p.average, new=p.new,
                     exited=p.exited) for p in pts]


class StatFlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    division: str
    month: str
    score: Decimal
    explanation: str
    households: int
    status: str
    sample_id: int | None


def _flag(f: RiskFlag) -> StatFlagOut:
    sample = getattr(f, "sample", None) if hasattr(f, "sample") else None
    return StatFlagOut(id=f.pk, kind=f.kind, kind_label=f.get_kind_display(), division=f.division.name,
                   month=f"{f.month:%Y-%m}", score=f.score, explanation=f.explanation, households=len(f.households),
                   status=f.status, sample_id=sample.pk if sample else None)


@router.get("/flags", response=list[StatFlagOut])
def flags(request: AuthedRequest, month: inputs.Month = "") -> list[StatFlagOut]:
    user = need_cap(request, Cap.VIEW_DASHBOARD)
    qs = visible(RiskFlag, user).select_related("division")
    if month:
        qs = qs.filter(month=closing.parse_month(month))
    return [_flag(f) for f in qs.order_by("-month", "kind", "-score")[:500]]


class DetectIn(Schema):
    month: Annotated[str, Field(max_length=7, description="YYYY-MM")]


@router.post("/flags/detect", response={201: list[StatFlagOut]})
def detect(request: AuthedRequest, body: DetectIn) -> Status:
    user = need_cap(request, Cap.APPROVE)
    closing.require_district(user)
    return Status(201, [_flag(f) for f in risk.detect(closing.parse_month(body.month))])


@router.get("/flags/{risk_flag_id}", response=StatFlagOut)
def flag(request: AuthedRequest, risk_flag_id: inputs.RecordId) -> StatFlagOut:
    user = need_cap(request, Cap.VIEW_DASHBOARD)
    return _flag(get_visible(RiskFlag.objects.select_related("division"), user, pk=risk_flag_id))


class StatSampleOut(Schema):
    id: int
    flag_id: int
    drawn_on: dt.date
    seed: str
    households: list[int]


@router.post("/flags/{risk_flag_id}/sample", response={201: StatSampleOut})
def sample(request: AuthedRequest, risk_flag_id: inputs.RecordId) -> Status:
    user = need_cap(request, Cap.VIEW_DASHBOARD)
    f = get_visible(RiskFlag, user, pk=risk_flag_id)
    s = sampling.draw(flag=f, actor=user)
    return Status(201, StatSampleOut(id=s.pk, flag_id=f.pk, drawn_on=s.drawn_on, seed=s.seed,
                                 households=list(s.items.values_list("household_id", flat=True))))
