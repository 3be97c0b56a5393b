"""Disaster API: events, rounds, reports (validated with the same rules as the form; invalid → 422 with the
rules' Chinese messages), registers, warehouses and distributions.

Write endpoints read their JSON body after the record has been found in the caller's jurisdiction, so an outsider
gets 404 rather than a body-validation error that would confirm the record exists.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import ValidationError as PydanticError

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs
from minzheng.core.scoping import get_visible, in_scope, visible, visible_divisions
from minzheng.registry.models import Household

from . import indicators, relief, services
from .models import (
    Allocation,
    DisasterType,
    Distribution,
    DistributionLine,
    Item,
    Report,
    Round,
    ValidationRule,
    Warehouse,
)
from .selectors import get_event, visible_events

router = Router(tags=["灾情与救灾"])


def _need(request: AuthedRequest, cap: str = Cap.VIEW_BUSINESS) -> Any:
    return need_cap(request, cap)


def _body(request: AuthedRequest, schema: type[Schema]) -> Any:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise ValidationError("请求体不是有效的 JSON") from exc
    try:
        return schema.model_validate(data)
    except PydanticError as exc:
        raise ValidationError({".".join(str(p) for p in e["loc"]) or "__all__": [e["msg"]]
                               for e in exc.errors()}) from exc


def _doc(schema: type[Schema]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}},
                            "required": True}}


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


class RuleFindingOut(Schema):
    rule: str
    severity: str
    message: str
    fields: list[str]


class RoundOut(Schema):
    id: int
    kind: str
    label: str
    seq: int
    as_of: dt.datetime
    due_at: dt.datetime


class EventOut(Schema):
    id: int
    name: str
    dtype: str
    dtype_code: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    registered_at: dt.datetime
    severity: str
    is_major: bool
    status: str
    department: str
    townships: list[str]
    rounds: list[RoundOut]
    overdue_initial: list[str]


class EventIn(Schema):
    name: str
    dtype_code: str
    started_at: inputs.Moment
    areas: list[str]  # division codes (townships or villages)
    severity: str = "4"
    is_major: bool = False
    description: str = ""


class ReportOut(Schema):
    id: int
    event_id: int
    round_id: inputs.Ref
    kind: str
    division_code: str
    division_name: str
    nil: bool
    status: str
    locked: bool
    values: dict[str, str]
    explanation: str
    warnings: list[RuleFindingOut]
    findings: list[RuleFindingOut]


class ReportOpenIn(Schema):
    round_id: inputs.Ref
    division_code: str


class ReportIn(Schema):
    values: dict[str, Any] = {}
    explanation: str = ""
    nil: bool = False
    from_villages: bool = False
    submit: bool = False


class ReturnReasonIn(Schema):
    reason: str


class StableIn(Schema):
    ended_at: inputs.Moment


def _round(r: Round) -> RoundOut:
    return RoundOut(id=r.pk, kind=r.kind, label=str(r), seq=r.seq, as_of=r.as_of, due_at=r.due_at)


def _event(ev: Any, user: Actor) -> EventOut:
    towns = [t for t in services.affected_townships(ev) if in_scope(user, t)]
    return EventOut(id=ev.pk, name=ev.name, dtype=ev.dtype.name, dtype_code=ev.dtype.code, started_at=ev.started_at,
                    ended_at=ev.ended_at, registered_at=ev.registered_at, severity=ev.severity,
                    is_major=ev.is_major, status=ev.status, department=ev.department,
                    townships=[t.code for t in towns], rounds=[_round(r) for r in services.event_rounds(ev)],
                    overdue_initial=[t.code for t in services.overdue_initial(ev) if t in towns])


def _report(rep: Report, outcome: Any = None) -> ReportOut:
    outcome = outcome or services.validate(rep)
    return ReportOut(id=rep.pk, event_id=rep.event_id, round_id=rep.round_id, kind=rep.round.kind,
                     division_code=rep.division.code, division_name=rep.division.name, nil=rep.nil,
                     status=rep.status, locked=rep.locked, values=rep.values, explanation=rep.explanation,
                     warnings=[RuleFindingOut(**w) for w in rep.warnings],
                     findings=[RuleFindingOut(**f.as_dict()) for f in outcome.findings])


def _get_report(request: AuthedRequest, report_id: inputs.RecordId) -> Report:
    return get_visible(Report.objects.select_related("round", "event", "division"), request.user, pk=report_id)


@router.get("/events", response=list[EventOut])
def list_events(request: AuthedRequest) -> list[EventOut]:
    user = _need(request)
    return [_event(e, user) for e in visible_events(user)[:200]]


@router.post("/events", response={201: EventOut, 422: Problem}, openapi_extra=_doc(EventIn))
def create_event(request: AuthedRequest) -> Status:
    user = _need(request, Cap.EDIT_BUSINESS)
    body = _body(request, EventIn)
    dtype = DisasterType.objects.filter(code=body.dtype_code).first()
    if dtype is None:
        raise ValidationError({"dtype_code": f"未知灾害类型代码 {body.dtype_code}"})
    divs = list(visible_divisions(user).filter(code__in=body.areas))
    if len(divs) != len(set(body.areas)):
        raise ValidationError({"areas": "有区划代码不存在或不在您的辖区内"})
    ev = services.register_event(actor=user, name=body.name, dtype=dtype, started_at=body.started_at, areas=divs,
                                 severity=body.severity, is_major=body.is_major, description=body.description)
    return Status(201, _event(ev, user))


@router.get("/events/{event_id}", response=EventOut)
def get_event_api(request: AuthedRequest, event_id: inputs.RecordId) -> EventOut:
    user = _need(request)
    return _event(get_event(user, event_id), user)


@router.post("/events/{event_id}/rounds", response={201: RoundOut})
def open_round(request: AuthedRequest, event_id: inputs.RecordId) -> Status:
    user = _need(request)
    ev = get_event(user, event_id)
    return Status(201, _round(services.open_update_round(actor=user, event=ev)))


@router.post("/events/{event_id}/stable", response={201: RoundOut, 422: Problem}, openapi_extra=_doc(StableIn))
def stable(request: AuthedRequest, event_id: inputs.RecordId) -> Status:
    user = _need(request)
    ev = get_event(user, event_id)
    body = _body(request, StableIn)
    return Status(201, _round(services.mark_stable(actor=user, event=ev, ended_at=body.ended_at)))


class AreasIn(Schema):
    areas: list[str]


@router.post("/events/{event_id}/areas", response={200: EventOut, 422: Problem}, openapi_extra=_doc(AreasIn))
def add_areas(request: AuthedRequest, event_id: inputs.RecordId) -> EventOut:
    """The disaster spreads: more townships (or villages) join the event and owe reports from now on."""
    user = _need(request, Cap.EDIT_BUSINESS)
    ev = get_event(user, event_id)
    body = _body(request, AreasIn)
    divs = list(visible_divisions(user).filter(code__in=body.areas))
    if len(divs) != len(set(body.areas)):
        raise ValidationError({"areas": "有区划代码不存在或不在您的辖区内"})
    services.add_areas(actor=user, event=ev, areas=divs)
    return _event(ev, user)


class SummaryOut(Schema):
    round: RoundOut
    approved: int
    expected: int
    total: dict[str, str]
    townships: list[dict[str, Any]]


@router.get("/events/{event_id}/summary", response=SummaryOut)
def summary(request: AuthedRequest, event_id: inputs.RecordId, round_id: inputs.OptionalId = None) -> SummaryOut:
    user = _need(request)
    ev = get_event(user, event_id)
    rounds = services.event_rounds(ev)
    rnd = next((r for r in rounds if r.pk == round_id), rounds[-1] if rounds else None)
    if rnd is None:
        raise ValidationError("没有期次")
    towns = [t for t in services.affected_townships(ev) if in_scope(user, t)]
    s = services.summarise(rnd, towns)
    rows = [{"code": r.division.code, "name": r.division.name, "status": r.report.status if r.report else None,
             "counted": r.counted, "values": indicators.total([r.values]),
             "villages": [{"code": v.division.code, "name": v.division.name, "status": v.report.status,
                           "values": indicators.total([v.values])} for v in r.villages]} for r in s.rows]
    return SummaryOut(round=_round(rnd), approved=s.approved, expected=s.expected, total=s.total, townships=rows)


@router.post("/events/{event_id}/reports", response={200: ReportOut, 422: Problem}, openapi_extra=_doc(ReportOpenIn))
def open_report(request: AuthedRequest, event_id: inputs.RecordId) -> ReportOut:
    user = _need(request, Cap.EDIT_BUSINESS)
    ev = get_event(user, event_id)
    body = _body(request, ReportOpenIn)
    rnd = Round.objects.filter(event=ev, pk=body.round_id).first()
    div = visible_divisions(user).filter(code=body.division_code).first()
    if rnd is None or div is None:
        raise ValidationError("期次或区划不存在，或不在您的辖区内")
    return _report(services.open_report(actor=user, round=rnd, division=div))


@router.get("/reports/{report_id}", response=ReportOut)
def get_report(request: AuthedRequest, report_id: inputs.RecordId) -> ReportOut:
    _need(request)
    return _report(_get_report(request, report_id))


@router.put("/reports/{report_id}", response={200: ReportOut, 422: Problem}, openapi_extra=_doc(ReportIn))
def save_report(request: AuthedRequest, report_id: inputs.RecordId) -> ReportOut:
    """Save figures (a draft may still have errors). With "submit": true it is also submitted, and refused with
    422 and the rules' messages while any error remains."""
    user = _need(request, Cap.EDIT_BUSINESS)
    rep = _get_report(request, report_id)
    body = _body(request, ReportIn)
    outcome = services.save_report(actor=user, report=rep, values=body.values, explanation=body.explanation,
                                   nil=body.nil, from_villages=body.from_villages)
    if body.submit:
        outcome = services.submit_report(actor=user, report=rep)
    rep.refresh_from_db()
    return _report(rep, outcome)


@router.post("/reports/{report_id}/validate", response={200: list[RuleFindingOut], 422: Problem},
             openapi_extra=_doc(ReportIn))
def validate(request: AuthedRequest, report_id: inputs.RecordId) -> list[RuleFindingOut]:
    """Check figures against the rules without saving (what the form does on every change)."""
    _need(request)
    rep = _get_report(request, report_id)
    body = _body(request, ReportIn)
    values, errors = indicators.clean_values(body.values)
    if errors:
        raise ValidationError(errors)
    outcome = services.validate(rep, values=values, explanation=body.explanation)
    return [RuleFindingOut(**f.as_dict()) for f in outcome.findings]


@router.post("/reports/{report_id}/submit", response={200: ReportOut, 422: Problem})
def submit(request: AuthedRequest, report_id: inputs.RecordId) -> ReportOut:
    user = _need(request, Cap.EDIT_BUSINESS)
    rep = _get_report(request, report_id)
    outcome = services.submit_report(actor=user, report=rep)
    rep.refresh_from_db()
    return _report(rep, outcome)


@router.post("/reports/{report_id}/approve", response={200: ReportOut, 422: Problem})
def approve(request: AuthedRequest, report_id: inputs.RecordId) -> ReportOut:
    user = _need(request)
    rep = _get_report(request, report_id)
    return _report(services.approve_report(actor=user, report=rep))


@router.post("/reports/{report_id}/return", response={200: ReportOut, 422: Problem}, openapi_extra=_doc(ReturnReasonIn))
def return_(request: AuthedRequest, report_id: inputs.RecordId) -> ReportOut:
    user = _need(request)
    rep = _get_report(request, report_id)
    body = _body(request, ReturnReasonIn)
    return _report(services.return_report(actor=user, report=rep, reason=body.reason))


class RuleOut(Schema):
    code: str
    name: str
    expression: str
    each: list[str]
    severity: str
    message: str
    kinds: list[str]
    active: bool
    version: int


@router.get("/rules", response=list[RuleOut])
def list_rules(request: AuthedRequest) -> list[RuleOut]:
    _need(request)
    return [RuleOut(code=r.code, name=r.name, expression=r.expression, each=r.each, severity=r.severity,
                    message=r.message, kinds=r.kinds, active=r.active, version=r.version)
            for r in ValidationRule.objects.all()]


# --- Supplies ------------------------------------------------------------------------------------------------


class StockOut(Schema):
    item_code: str
    item: str
    unit: str
    quantity_in: Decimal
    quantity_out: Decimal
    balance: Decimal


class WarehouseOut(Schema):
    id: int
    name: str
    division_code: str
    stock: list[StockOut]
    discrepancies: list[str]


class MoveIn(Schema):
    item_code: str
    kind: str
    quantity: inputs.Amount
    moved_on: inputs.Day | None = None
    doc_no: str = ""
    counterpart: str = ""
    note: str = ""


def _warehouse(w: Warehouse) -> WarehouseOut:
    rec = relief.reconcile_warehouse(w)
    return WarehouseOut(id=w.pk, name=w.name, division_code=w.division.code,
                        stock=[StockOut(item_code=x["item"].code, item=x["item"].name, unit=x["item"].unit,
                                        quantity_in=x["in"], quantity_out=x["out"], balance=x["balance"])
                               for x in rec.items], discrepancies=[d.message for d in rec.discrepancies])


@router.get("/warehouses", response=list[WarehouseOut])
def warehouses(request: AuthedRequest) -> list[WarehouseOut]:
    user = _need(request)
    return [_warehouse(w) for w in visible(Warehouse, user).select_related("division")]


@router.get("/warehouses/{warehouse_id}", response=WarehouseOut)
def warehouse(request: AuthedRequest, warehouse_id: inputs.RecordId) -> WarehouseOut:
    _need(request)
    return _warehouse(get_visible(Warehouse, request.user, pk=warehouse_id))


@router.post("/warehouses/{warehouse_id}/moves", response={201: WarehouseOut, 422: Problem},
             openapi_extra=_doc(MoveIn))
def add_move(request: AuthedRequest, warehouse_id: inputs.RecordId) -> Status:
    user = _need(request, Cap.EDIT_BUSINESS)
    w = get_visible(Warehouse, user, pk=warehouse_id)
    body = _body(request, MoveIn)
    item = Item.objects.filter(code=body.item_code).first()
    if item is None:
        raise ValidationError({"item_code": "未知物资编码"})
    fn = relief.stock_in if body.kind in {k.value for k in relief.IN_KINDS} else relief.stock_out
    fn(actor=user, warehouse=w, item=item, quantity=body.quantity, kind=body.kind, moved_on=body.moved_on,
       doc_no=body.doc_no, counterpart=body.counterpart, note=body.note)
    return Status(201, _warehouse(w))


class AllocationIn(Schema):
    item_code: str
    quantity: inputs.Amount
    division_code: str
    warehouse_id: inputs.Ref | None = None
    parent_id: inputs.Ref | None = None
    event_id: inputs.Ref | None = None
    allocated_on: inputs.Day | None = None
    purpose: str = ""


class AllocationOut(Schema):
    id: int
    division_code: str
    item_code: str
    quantity: Decimal
    warehouse_id: int | None
    parent_id: int | None
    allocated_on: dt.date
    available: Decimal


@router.post("/allocations", response={201: AllocationOut, 422: Problem}, openapi_extra=_doc(AllocationIn))
def allocate(request: AuthedRequest) -> Status:
    """From a warehouse (stock goes out) or split from a township's allocation to one of its villages."""
    user = _need(request, Cap.EDIT_BUSINESS)
    body = _body(request, AllocationIn)
    item = Item.objects.filter(code=body.item_code).first()
    div = visible_divisions(user).filter(code=body.division_code).first()
    if item is None or div is None:
        raise ValidationError("物资编码或区划不存在，或不在您的辖区内")
    wh = get_visible(Warehouse, user, pk=body.warehouse_id) if body.warehouse_id else None
    parent = get_visible(Allocation, user, pk=body.parent_id) if body.parent_id else None
    ev = get_event(user, body.event_id) if body.event_id else None
    a = relief.allocate(actor=user, division=div, item=item, quantity=body.quantity, warehouse=wh, parent=parent,
                        event=ev, allocated_on=body.allocated_on, purpose=body.purpose)
    return Status(201, AllocationOut(id=a.pk, division_code=div.code, item_code=item.code, quantity=a.quantity,
                                     warehouse_id=a.warehouse_id, parent_id=a.parent_id,
                                     allocated_on=a.allocated_on, available=relief.available(div, item)))


class DistributionLineOut(Schema):
    id: int
    household_id: int
    item_code: str
    quantity: Decimal
    serving_no: int
    signed: bool
    sign_method: str
    signer_name: str
    signed_at: dt.datetime | None


class DiscrepancyOut(Schema):
    kind: str
    message: str
    ref: str


class DistributionOut(Schema):
    id: int
    title: str
    division_code: str
    distributed_on: dt.date
    allow_repeat: bool
    status: str
    published: bool
    lines: list[DistributionLineOut]
    discrepancies: list[DiscrepancyOut]


class DistributionIn(Schema):
    title: str
    division_code: str
    distributed_on: inputs.Day
    event_id: inputs.Ref | None = None
    allow_repeat: bool = False


class LineIn(Schema):
    household_id: inputs.Ref
    item_code: str
    quantity: inputs.Amount
    repeat_reason: str = ""
    signed: bool = False
    sign_method: str = "sign"
    signer_name: str = ""


class SignIn(Schema):
    sign_method: str = "sign"
    signer_name: str


def _line(ln: DistributionLine) -> DistributionLineOut:
    return DistributionLineOut(id=ln.pk, household_id=ln.household_id, item_code=ln.item.code, quantity=ln.quantity,
                   serving_no=ln.serving_no, signed=ln.signed, sign_method=ln.sign_method,
                   signer_name=ln.signer_name, signed_at=ln.signed_at)


def _distribution(d: Distribution) -> DistributionOut:
    rec = relief.reconcile_distribution(d)
    return DistributionOut(id=d.pk, title=d.title, division_code=d.division.code, distributed_on=d.distributed_on,
                           allow_repeat=d.allow_repeat, status=d.status, published=d.published,
                           lines=[_line(ln) for ln in d.lines.select_related("item")],
                           discrepancies=[DiscrepancyOut(kind=x.kind, message=x.message, ref=x.ref)
                                          for x in rec.discrepancies])


@router.get("/distributions", response=list[DistributionOut])
def distributions(request: AuthedRequest) -> list[DistributionOut]:
    user = _need(request)
    return [_distribution(d) for d in visible(Distribution, user).select_related("division")[:100]]


@router.post("/distributions", response={201: DistributionOut, 422: Problem}, openapi_extra=_doc(DistributionIn))
def create_distribution(request: AuthedRequest) -> Status:
    user = _need(request, Cap.EDIT_BUSINESS)
    body = _body(request, DistributionIn)
    div = visible_divisions(user).filter(code=body.division_code).first()
    if div is None:
        raise ValidationError({"division_code": "区划不存在或不在您的辖区内"})
    ev = get_event(user, body.event_id) if body.event_id else None
    d = relief.create_distribution(actor=user, division=div, title=body.title, distributed_on=body.distributed_on,
                                   event=ev, allow_repeat=body.allow_repeat)
    return Status(201, _distribution(d))


@router.get("/distributions/{distribution_id}", response=DistributionOut)
def get_distribution(request: AuthedRequest, distribution_id: inputs.RecordId) -> DistributionOut:
    _need(request)
    return _distribution(get_visible(Distribution.objects.select_related("division"), request.user,
                                     pk=distribution_id))


@router.post("/distributions/{distribution_id}/lines", response={201: DistributionLineOut, 422: Problem},
             openapi_extra=_doc(LineIn))
def add_line(request: AuthedRequest, distribution_id: inputs.RecordId) -> Status:
    """Refused (422) when the household was already served this item in this distribution, or the quantity
    exceeds what was allocated."""
    user = _need(request, Cap.EDIT_BUSINESS)
    d = get_visible(Distribution.objects.select_related("division"), user, pk=distribution_id)
    body = _body(request, LineIn)
    hh = get_visible(Household.objects.select_related("division"), user, pk=body.household_id)
    item = Item.objects.filter(code=body.item_code).first()
    if item is None:
        raise ValidationError({"item_code": "未知物资编码"})
    ln = relief.add_line(actor=user, distribution=d, household=hh, item=item, quantity=body.quantity,
                         repeat_reason=body.repeat_reason, sign_method=body.sign_method if body.signed else "",
                         signer_name=body.signer_name)
    return Status(201, _line(ln))


@router.post("/distribution-lines/{distribution_line_id}/sign", response={200: DistributionLineOut, 422: Problem},
             openapi_extra=_doc(SignIn))
def sign(request: AuthedRequest, distribution_line_id: inputs.RecordId) -> DistributionLineOut:
    user = _need(request, Cap.EDIT_BUSINESS)
    ln = get_visible(DistributionLine.objects.select_related("item"), user, pk=distribution_line_id)
    body = _body(request, SignIn)
    return _line(relief.sign_line(actor=user, line=ln, method=body.sign_method, signer_name=body.signer_name))


@router.get("/distributions/{distribution_id}/reconciliation", response=list[DiscrepancyOut])
def reconciliation(request: AuthedRequest, distribution_id: inputs.RecordId) -> list[DiscrepancyOut]:
    _need(request)
    d = get_visible(Distribution.objects.select_related("division"), request.user, pk=distribution_id)
    return [DiscrepancyOut(kind=x.kind, message=x.message, ref=x.ref)
            for x in relief.reconcile_distribution(d).discrepancies]
