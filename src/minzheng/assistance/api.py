"""REST API of the assistance workflow (/api/assistance/): the same services, actions and scoping as the pages."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs
from minzheng.core.scoping import get_visible, visible
from minzheng.registry import validators
from minzheng.registry.masking import shown
from minzheng.registry.models import Household, Person

from . import actions, selectors, services, workflow
from .models import Application, KinshipRegistration, Objection, Publicity, ReviewSchedule

router = Router(tags=["社会救助"])

T = TypeVar("T", bound=Schema)


def _body(request: AuthedRequest, schema: type[T]) -> T:
    """Parse a JSON body after the record was found visible, so outsiders get 404 before any parsing error."""
    try:
        raw = json.loads(request.body or b"{}")
        return schema.model_validate(raw)
    except (ValueError, PydanticValidationError) as exc:
        raise ValidationError(f"请求数据有误：{exc}") from exc


def _doc(schema: type[Schema]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}},
                            "required": True}}


_need = need_cap


class CaseOut(Schema):
    id: int
    number: str
    programme: str
    programme_name: str
    kind: str
    status: str
    status_label: str
    confirm_level: str
    applicant: str
    applicant_id_number: str
    village: str
    township: str
    channel: str
    rule_set: str
    linshi_type: str
    received_on: dt.date
    step_due: dt.date | None
    overall_due: dt.date | None
    overdue: bool
    flags: list[str]
    proposed_amount: Decimal | None
    covered_persons: int | None
    effective_month: dt.date | None
    enrollment_id: int | None
    version: int
    allowed_actions: list[str]


class CaseDetailOut(CaseOut):
    decision: dict[str, Any]
    opinions: list[dict[str, Any]]
    publicity: dict[str, Any] | None
    objections: list[dict[str, Any]]
    spot_check: dict[str, Any] | None
    refusal: dict[str, Any] | None
    kinship_matches: list[str]


def _case(app: Application, user: Actor) -> dict[str, Any]:
    return {
        "id": app.pk, "number": app.number, "programme": app.programme.code, "programme_name": app.programme.name,
        "kind": app.kind, "status": app.status, "status_label": workflow.step_label(app, app.status),
        "confirm_level": app.confirm_level,
        "applicant": app.applicant.name, "applicant_id_number": shown(user, app.applicant.id_number, "id"),
        "village": app.division.name, "township": app.township.name, "channel": app.channel,
        "rule_set": app.rule_set, "linshi_type": app.linshi_type, "received_on": app.received_on,
        "step_due": app.step_due, "overall_due": app.overall_due, "overdue": workflow.is_overdue(app),
        "flags": [f for f, _ in selectors.flags(app)], "proposed_amount": app.proposed_amount,
        "covered_persons": app.covered_persons, "effective_month": app.effective_month,
        "enrollment_id": app.enrollment_id, "version": app.version,
        "allowed_actions": [a.code for a in workflow.allowed(app)]
        if (app.is_open or workflow.pending_after_check(app)) else [],
    }


def _detail(app: Application, user: Actor) -> dict[str, Any]:
    out = _case(app, user)
    pub = app.publicities.order_by("-start_date", "-id").first()
    spot = getattr(app, "spot_check_record", None) if hasattr(app, "spot_check_record") else None
    refusal = getattr(app, "refusal", None) if hasattr(app, "refusal") else None
    out.update({
        "decision": app.decision,
        "opinions": [{"at": o.at.isoformat(), "actor": o.actor_name, "action": o.action, "from": o.from_status,
                      "to": o.to_status, "text": o.text} for o in app.opinions.order_by("at", "id")],
        "publicity": None if pub is None else {"id": pub.pk, "start": str(pub.start_date), "end": str(pub.end_date),
                                               "status": pub.status, "listed": pub.listed, "entry": pub.entry},
        "objections": [{"id": o.pk, "content": o.content, "status": o.status, "due": str(o.due_date),
                        "upheld": o.upheld, "outcome": o.outcome} for o in app.objections.all()],
        "spot_check": None if spot is None else {"reason": spot.reason, "visited_on": str(spot.visited_on or ""),
                                                 "confirmed": spot.confirmed, "findings": spot.findings,
                                                 "after_decision": spot.after_decision, "draw": spot.ratio},
        "refusal": None if refusal is None else {"reasons": refusal.reasons, "decided_on": str(refusal.decided_on),
                                                 "due_on": str(refusal.due_on),
                                                 "issued_on": str(refusal.issued_on or "")},
        "kinship_matches": [m.note for m in app.kinship_matches.all()],
    })
    return out


@router.get("/applications", response=list[CaseOut])
def list_applications(request: AuthedRequest, status: str = "open", programme: str = "", flag: str = "",
                      q: str = "", limit: Annotated[int, inputs.limit(500)] = 100,
                      offset: inputs.Offset = 0) -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    qs = selectors.filtered(request.user, status=status, programme=programme, flag=flag, q=q).order_by("-id")
    return [_case(a, request.user) for a in qs[offset:offset + limit]]


@router.get("/queue", response=list[CaseOut])
def county_queue(request: AuthedRequest) -> list[dict[str, Any]]:
    _need(request, Cap.APPROVE)
    return [_case(a, request.user) for a in selectors.county_queue(request.user)[:500]]


class CaseIn(Schema):
    programme: str
    household_id: inputs.Ref
    applicant_id: inputs.Ref
    person_id: inputs.Ref | None = None
    channel: str = "self"
    entrusted_to: str = ""
    rule_set: str | None = None
    linshi_type: str = ""
    months: Annotated[int, Field(ge=1, le=120)] | None = None
    # 支出型临时救助: the family's self-paid expense (元), which decides the months and caps the amount.
    expense_amount: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)] | None = None
    single_person: bool = False
    selfcare_failed: list[str] = []
    reason: str = ""
    declared_kinship: str = ""
    received_on: inputs.Day | None = None


@router.post("/applications", response={201: CaseDetailOut})
def create_application(request: AuthedRequest, body: CaseIn) -> Status[dict[str, Any]]:
    _need(request, Cap.EDIT_BUSINESS)
    household = get_visible(Household, request.user, pk=body.household_id)
    members = Person.objects.filter(household=household)
    applicant = get_visible(members, request.user, pk=body.applicant_id)
    person = get_visible(members, request.user, pk=body.person_id) if body.person_id else None
    app = services.create_application(
        actor=request.user, programme_code=body.programme, household=household, applicant=applicant,
        person=person, channel=body.channel, entrusted_to=body.entrusted_to, rule_set=body.rule_set,
        linshi_type=body.linshi_type, months=body.months, single_person=body.single_person,
        selfcare_failed=body.selfcare_failed, reason=body.reason, declared_kinship=body.declared_kinship,
        received_on=body.received_on, expense_amount=body.expense_amount)
    return Status(201, _detail(app, request.user))


@router.get("/applications/{application_id}", response=CaseDetailOut)
def get_application(request: AuthedRequest, application_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    return _detail(get_visible(selectors.cases(request.user), request.user, pk=application_id), request.user)


@router.get("/applications/{application_id}/assessment")
def assessment(request: AuthedRequest, application_id: inputs.RecordId) -> dict[str, Any]:
    """The rules run now on the household as it stands (nothing stored)."""
    _need(request, Cap.VIEW_BUSINESS)
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    return services.assess(app)


class ActIn(Schema):
    action: str
    version: int | None = None
    data: dict[str, Any] = {}


@router.post("/applications/{application_id}/act", response=CaseDetailOut, openapi_extra=_doc(ActIn))
def act(request: AuthedRequest, application_id: inputs.RecordId) -> dict[str, Any]:
    """Run one workflow step: `action` is one of `allowed_actions`; `data` carries the step's fields
    (e.g. investigator_1/2 and signatures, votes, reasons, text); `version` is the case version you saw."""
    _need(request, Cap.VIEW_BUSINESS)
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    body = _body(request, ActIn)
    data = dict(body.data)
    if body.version is not None:
        data["version"] = body.version
    actions.dispatch(app, body.action, request.user, data)
    app = Application.objects.get(pk=app.pk)
    return _detail(app, request.user)


class CheckIn(Schema):
    source: str
    matched: bool = False
    summary: str = ""
    detail: dict[str, Any] = {}


@router.post("/applications/{application_id}/checks", response={201: dict}, openapi_extra=_doc(CheckIn))
def add_check(request: AuthedRequest, application_id: inputs.RecordId) -> Status[dict[str, Any]]:
    _need(request, Cap.EDIT_BUSINESS)
    app = get_visible(selectors.cases(request.user), request.user, pk=application_id)
    body = _body(request, CheckIn)
    c = services.add_check_result(app, actor=request.user, source=body.source, matched=body.matched,
                                  summary=body.summary, detail=body.detail)
    return Status(201, {"id": c.pk, "source": c.source, "matched": c.matched})


@router.get("/publicities")
def publicities(request: AuthedRequest, status: str = "active") -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    qs = visible(Publicity, request.user).select_related("application", "division")
    if status:
        qs = qs.filter(status=status)
    return [{"id": p.pk, "application": p.application.number, "village": p.division.name, "kind": p.kind,
             "start": str(p.start_date), "end": str(p.end_date), "status": p.status, "listed": p.listed,
             "entry": p.entry} for p in qs.order_by("-start_date")[:500]]


@router.get("/publicities/{publicity_id}")
def publicity(request: AuthedRequest, publicity_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    p = get_visible(Publicity, request.user, pk=publicity_id)
    return {"id": p.pk, "application_id": p.application_id, "village": p.division.name, "kind": p.kind,
            "start": str(p.start_date), "end": str(p.end_date), "status": p.status, "listed": p.listed,
            "entry": p.entry}


@router.get("/objections")
def objections(request: AuthedRequest, status: str = "open") -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    qs = visible(Objection, request.user).select_related("application")
    if status:
        qs = qs.filter(status=status)
    return [{"id": o.pk, "application_id": o.application_id, "application": o.application.number,
             "content": o.content, "due": str(o.due_date), "status": o.status} for o in qs[:500]]


class ObjectionIn(Schema):
    upheld: bool
    outcome: str
    redo: str = "investigate"
    version: int | None = None


@router.post("/objections/{objection_id}/handle", openapi_extra=_doc(ObjectionIn))
def handle_objection(request: AuthedRequest, objection_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.EDIT_BUSINESS)
    o = get_visible(Objection, request.user, pk=objection_id)
    body = _body(request, ObjectionIn)
    data = {"objection_id": o.pk, "upheld": body.upheld, "outcome": body.outcome, "redo": body.redo,
            "version": body.version}
    actions.dispatch(o.application, "handle_objection", request.user, data)
    o.refresh_from_db()
    return {"id": o.pk, "status": o.status, "upheld": o.upheld}


class KinshipIn(Schema):
    division_code: str
    staff_name: validators.PersonName
    staff_id_number: str
    staff_role: str
    post: str = ""
    relative_name: validators.OptionalPersonName = ""
    relative_id_number: str = ""
    relation: str = ""


@router.get("/kinship")
def kinship(request: AuthedRequest) -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    return [{"id": r.pk, "division": r.division.name, "staff_name": r.staff_name,
             "staff_id_number": shown(request.user, r.staff_id_number, "id"), "staff_role": r.staff_role,
             "relative_name": r.relative_name,
             "relative_id_number": shown(request.user, r.relative_id_number, "id"), "relation": r.relation}
            for r in visible(KinshipRegistration, request.user).select_related("division")[:1000]]


@router.post("/kinship", response={201: dict})
def add_kinship(request: AuthedRequest, body: KinshipIn) -> Status[dict[str, Any]]:
    from minzheng.regions.models import Division

    _need(request, Cap.EDIT_BUSINESS)
    division = Division.objects.filter(code=body.division_code).first()
    reg = services.register_kinship(actor=request.user, division=division, staff_name=body.staff_name,
                                    staff_id_number=body.staff_id_number, staff_role=body.staff_role,
                                    post=body.post, relative_name=body.relative_name,
                                    relative_id_number=body.relative_id_number, relation=body.relation)
    return Status(201, {"id": reg.pk})


@router.get("/kinship/report")
def kinship_report(request: AuthedRequest) -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    return selectors.kinship_report(request.user)


@router.get("/reviews")
def due_reviews(request: AuthedRequest, days: inputs.Days = 30) -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    return [{"id": s.pk, "enrollment_id": s.enrollment_id, "programme": s.enrollment.programme.code,
             "household_class": s.household_class, "interval_months": s.interval_months,
             "next_due": str(s.next_due), "monthly_amount": str(s.enrollment.monthly_amount)}
            for s in selectors.due_reviews(request.user, within_days=days)[:500]]


class ReviewIn(Schema):
    reasons: str
    work_income_rise: bool = False
    stop: bool = False
    terminate: bool = False


@router.post("/reviews/{review_schedule_id}", openapi_extra=_doc(ReviewIn))
def review(request: AuthedRequest, review_schedule_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.EDIT_BUSINESS)
    sched = get_visible(ReviewSchedule, request.user, pk=review_schedule_id)
    body = _body(request, ReviewIn)
    if body.terminate:
        app = services.propose_termination(sched.enrollment, actor=request.user, reason=body.reasons)
        return {"termination_application_id": app.pk, "number": app.number}
    adj = services.review_enrollment(sched.enrollment, actor=request.user, reasons=body.reasons,
                                     work_income_rise=body.work_income_rise, stop=body.stop)
    return {"kind": adj.kind, "old_amount": str(adj.old_amount), "new_amount": str(adj.new_amount),
            "effective_month": str(adj.effective_month), "explanation": adj.decision.get("explanation", "")}


# 存量核查 (imported ledger records) operations live in their own module.
from .verification_api import register as _register_ledger_checks  # noqa: E402

_register_ledger_checks(router, _body, _doc)
