"""购买服务 API: the same services and scoping as the pages. Routes that address a record read it through the
central jurisdiction layer before parsing anything else, so another township's (or another worker's) record is a 404."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator
from pydantic import ValidationError as PydanticError

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import api_errors, inputs
from minzheng.core.scoping import get_visible, home_division, visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry.models import Person

from . import selectors
from .models import (
    Assessment,
    CallbackItem,
    CallbackSample,
    Confirmation,
    EvaluatorAssignment,
    Milestone,
    Provider,
    ProviderStaff,
    RecordFlag,
    ServiceOrder,
    ServiceRecord,
)
from .services import assessment, callbacks, checks, contracts, delivery, evaluation, payments, providers

router = Router(tags=["政府购买服务"])

S = TypeVar("S", bound=Schema)


def _body(request: AuthedRequest, schema: type[S]) -> S:
    """Parse the JSON body after the addressed record was found visible: an outsider gets 404 before any parsing
    error, and a bad body is a 422 naming the field in Chinese (core.api_errors)."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("请求体不是有效的 JSON") from exc
    try:
        return schema.model_validate(data)
    except PydanticError as exc:
        raise ValidationError(api_errors.describe(list(exc.errors()))) from exc  # type: ignore[arg-type]


def _doc(schema: type[Schema]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema.model_json_schema()}},
                            "required": True}}

Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(max_length=100)]


class ProviderIn(Schema):
    name: Short
    credit_code: Annotated[str, Field(max_length=30)]
    kind: Annotated[str, Field(max_length=16)]
    registered_with: Short = ""
    legal_rep: Annotated[str, Field(max_length=64)] = ""
    phone: Annotated[str, Field(max_length=32)] = ""


class ProviderOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str


def _provider_out(p: Provider) -> ProviderOut:
    return ProviderOut(id=p.pk, name=p.name, credit_code=p.credit_code, kind=p.kind)


@router.get("/providers", response=list[ProviderOut])
def providers_list(request: AuthedRequest) -> list[ProviderOut]:
    return [_provider_out(p) for p in visible(Provider, need_cap(request, Cap.VIEW_BUSINESS)).order_by("name")[:500]]


@router.post("/providers", response={201: ProviderOut})
def providers_create(request: AuthedRequest, body: ProviderIn) -> Status:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    p = providers.register(actor=user, division=home_division(user), name=body.name, credit_code=body.credit_code,
                           kind=body.kind, registered_with=body.registered_with, legal_rep=body.legal_rep,
                           phone=body.phone)
    return Status(201, _provider_out(p))


class ReconOut(Schema):
    budget: Decimal
    planned: Decimal
    approved: Decimal
    ledger: Decimal
    remaining: Decimal
    balanced: bool


class ContractOut(Schema):
    id: int
    number: str
    title: str
    provider: str
    service: str
    budget: Decimal
    start: dt.date
    end: dt.date
    townships: list[str]
    visits_per_month: int
    min_minutes: int
    reconciliation: ReconOut


@router.get("/contracts", response=list[ContractOut])
def contracts_list(request: AuthedRequest) -> list[ContractOut]:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    qs = selectors.contracts_for(user).select_related("provider").prefetch_related("areas__township")[:300]
    return [_contract_out(c) for c in qs]


def _contract_out(c: object) -> ContractOut:
    from .models import Contract

    assert isinstance(c, Contract)
    r = selectors.reconcile(c)
    return ContractOut(id=c.pk, number=c.number, title=c.title, provider=c.provider.name, service=c.service,
                       budget=c.budget, start=c.start, end=c.end,
                       townships=[a.township.name for a in c.areas.all()], visits_per_month=c.visits_per_month,
                       min_minutes=c.min_minutes,
                       reconciliation=ReconOut(budget=r.budget, planned=r.planned, approved=r.approved,
                                               ledger=r.ledger, remaining=r.remaining, balanced=r.balanced))


@router.get("/contracts/{contract_id}", response=ContractOut)
def contract_detail(request: AuthedRequest, contract_id: inputs.RecordId) -> ContractOut:
    return _contract_out(selectors.contract_for(need_cap(request, Cap.VIEW_BUSINESS), contract_id))


class AssignIn(Schema):
    person_id: inputs.Ref
    staff_id: inputs.Ref | None = None
    start: inputs.Day | None = None


class OrderOut(Schema):
    id: int
    contract_id: int
    person: str
    village: str
    staff: str | None
    start: dt.date
    end: dt.date | None


def _order_out(o: ServiceOrder) -> OrderOut:
    return OrderOut(id=o.pk, contract_id=o.contract_id, person=o.person.name, village=o.village.name,
                    staff=o.staff.name if o.staff else None, start=o.start, end=o.end)


@router.post("/contracts/{contract_id}/orders", response={201: OrderOut}, openapi_extra=_doc(AssignIn))
def orders_create(request: AuthedRequest, contract_id: inputs.RecordId) -> Status:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    c = selectors.contract_for(user, contract_id)
    body = _body(request, AssignIn)
    person = get_visible(Person.objects.select_related("household__division"), user, pk=body.person_id)
    staff = None
    if body.staff_id is not None:
        staff = ProviderStaff.objects.filter(pk=body.staff_id, provider=c.provider).first()
        if staff is None:
            raise ValidationError({"staff_id": "服务人员不属于该合同的承接主体"})
    return Status(201, _order_out(delivery.assign(actor=user, contract=c, person=person, staff=staff,
                                                  start=body.start)))


@router.get("/orders", response=list[OrderOut])
def orders_list(request: AuthedRequest, offset: inputs.Offset = 0) -> list[OrderOut]:
    """A provider's worker gets only the beneficiaries assigned to them (central jurisdiction)."""
    user = need_cap(request, Cap.VIEW_BUSINESS)
    qs = visible(ServiceOrder, user).select_related("person", "village", "staff").order_by("id")
    return [_order_out(o) for o in qs[offset:offset + 500]]


class RecordIn(Schema):
    started_at: inputs.Moment
    ended_at: inputs.Moment
    content: Text
    confirmation: Annotated[str, Field(max_length=12)] = Confirmation.NONE
    confirmed_by: Annotated[str, Field(max_length=64)] = ""
    code: Annotated[str, Field(max_length=6)] = ""


class RecordOut(Schema):
    id: int
    order_id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    minutes: int
    status: str
    flags: list[str]


def _record_out(r: ServiceRecord) -> RecordOut:
    return RecordOut(id=r.pk, order_id=r.order_id, started_at=r.started_at, ended_at=r.ended_at, minutes=r.minutes,
                     status=r.status, flags=[f.code for f in r.flags.all()])


@router.post("/orders/{order_id}/records", response={201: RecordOut}, openapi_extra=_doc(RecordIn))
def records_create(request: AuthedRequest, order_id: inputs.RecordId) -> Status:
    """The assigned worker records a service (photos are taken on the phone page)."""
    user = need_cap(request, Cap.DELIVER_SERVICES)
    o = get_visible(ServiceOrder.objects.select_related("contract"), user, pk=order_id)
    body = _body(request, RecordIn)
    return Status(201, _record_out(delivery.record(
        actor=user, order=o, started_at=body.started_at, ended_at=body.ended_at, content=body.content,
        confirmation=body.confirmation, confirmed_by=body.confirmed_by, code=body.code)))


@router.get("/orders/{order_id}/records", response=list[RecordOut])
def records_list(request: AuthedRequest, order_id: inputs.RecordId) -> list[RecordOut]:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    o = get_visible(ServiceOrder, user, pk=order_id)
    return [_record_out(r) for r in visible(ServiceRecord, user).filter(order=o).prefetch_related("flags")[:500]]


class CodeOut(Schema):
    code: str


@router.post("/orders/{order_id}/code", response={201: CodeOut})
def code_issue(request: AuthedRequest, order_id: inputs.RecordId) -> Status:
    """A one-time code to read to the beneficiary or guardian by phone (shown once, only its hash is kept)."""
    user = need_cap(request, Cap.EDIT_BUSINESS)
    return Status(201, CodeOut(code=delivery.issue_code(actor=user, order=get_visible(ServiceOrder, user,
                                                                                        pk=order_id))))


class ServiceMonthIn(Schema):
    month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM"),
                     AfterValidator(inputs._valid_month)]


def _month(raw: str) -> dt.date:
    inputs._valid_month(raw)
    return dt.date(int(raw[:4]), int(raw[5:7]), 1)


class ChecksOut(Schema):
    month: dt.date
    records: int
    verified: int
    new_flags: dict[str, int]


@router.post("/checks", response=ChecksOut)
def checks_run(request: AuthedRequest, body: ServiceMonthIn) -> ChecksOut:
    """Runs the automatic checks on the month's records of the contracts the user may see (county)."""
    user = need_cap(request, Cap.APPROVE)
    ids = list(selectors.contracts_for(user).values_list("pk", flat=True))
    r = checks.run(month=_month(body.month), contract_ids=ids)
    return ChecksOut(month=r.month, records=r.records, verified=r.verified, new_flags=r.new_flags)


class FlagOut(Schema):
    id: int
    record_id: int
    code: str
    text: str
    status: str


@router.get("/flags", response=list[FlagOut])
def flags_list(request: AuthedRequest, offset: inputs.Offset = 0) -> list[FlagOut]:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    qs = visible(RecordFlag, user).order_by("id")[offset:offset + 500]
    return [FlagOut(id=f.pk, record_id=f.record_id, code=f.code, text=f.text, status=f.status) for f in qs]


class SettleIn(Schema):
    confirmed: bool
    note: Annotated[str, Field(max_length=300)]


@router.post("/flags/{flag_id}/settle", response=FlagOut, openapi_extra=_doc(SettleIn))
def flag_settle(request: AuthedRequest, flag_id: inputs.RecordId) -> FlagOut:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    flag = get_visible(RecordFlag, user, pk=flag_id)
    body = _body(request, SettleIn)
    f = delivery.settle_flag(actor=user, flag=flag, confirmed=body.confirmed, note=body.note)
    return FlagOut(id=f.pk, record_id=f.record_id, code=f.code, text=f.text, status=f.status)


class DrawIn(Schema):
    township_code: Annotated[str, Field(max_length=12)]
    month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="月份 YYYY-MM")]


class SampleOut(Schema):
    id: int
    township: str
    month: dt.date
    seed: str
    population: int
    order_ids: list[int]


def _sample_out(s: CallbackSample) -> SampleOut:
    return SampleOut(id=s.pk, township=s.township.name, month=s.month, seed=s.seed, population=s.population,
                     order_ids=[i.order_id for i in s.items.all()])


@router.post("/callbacks", response={201: SampleOut})
def callbacks_draw(request: AuthedRequest, body: DrawIn) -> Status:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    town = visible_divisions(user).filter(code=body.township_code, level=Level.TOWNSHIP).first()
    if town is None:
        raise ValidationError({"township_code": "乡镇(街道)不存在或不在您的辖区内"})
    return Status(201, _sample_out(callbacks.draw(actor=user, township=town, month=_month(body.month))))


class CallbackOutcomeIn(Schema):
    outcome: Annotated[str, Field(max_length=16)]
    note: Annotated[str, Field(max_length=300)] = ""


@router.post("/callbacks/items/{callbackitem_id}", response=dict[str, str], openapi_extra=_doc(CallbackOutcomeIn))
def callback_outcome(request: AuthedRequest, callbackitem_id: inputs.RecordId) -> dict[str, str]:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    found = get_visible(CallbackItem, user, pk=callbackitem_id)
    body = _body(request, CallbackOutcomeIn)
    item = callbacks.record_outcome(actor=user, item=found, outcome=body.outcome, note=body.note)
    return {"outcome": item.outcome}


class PeriodIn(Schema):
    period_start: inputs.Day
    period_end: inputs.Day


class AssessmentOut(Schema):
    id: int
    score: Decimal
    grade: str
    indicators: dict[str, dict[str, object]]


@router.post("/contracts/{contract_id}/assessments", response={201: AssessmentOut}, openapi_extra=_doc(PeriodIn))
def assessments_create(request: AuthedRequest, contract_id: inputs.RecordId) -> Status:
    user = need_cap(request, Cap.ASSESS_SERVICES)
    c = selectors.contract_for(user, contract_id)
    body = _body(request, PeriodIn)
    a: Assessment = assessment.assess(actor=user, contract=c, period_start=body.period_start,
                                      period_end=body.period_end)
    return Status(201, AssessmentOut(id=a.pk, score=a.score, grade=a.grade, indicators=a.indicators))


class PrepareIn(Schema):
    amount: inputs.Amount | None = None


class MilestoneOut(Schema):
    id: int
    status: str
    verified_units: int
    failed_records: int
    verified_amount: Decimal
    amount: Decimal
    prepared_by: str
    approved_by: str


def _ms_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(id=m.pk, status=m.status, verified_units=m.verified_units, failed_records=m.failed_records,
                        verified_amount=m.verified_amount, amount=m.amount, prepared_by=m.prepared_by,
                        approved_by=m.approved_by)


@router.post("/milestones/{milestone_id}/prepare", response=MilestoneOut, openapi_extra=_doc(PrepareIn))
def milestone_prepare(request: AuthedRequest, milestone_id: inputs.RecordId) -> MilestoneOut:
    """The maker: computes the verified amount and proposes a payment no larger than it."""
    user = need_cap(request, Cap.EDIT_BUSINESS)
    m = get_visible(Milestone.objects.select_related("contract"), user, pk=milestone_id)
    body = _body(request, PrepareIn)
    return _ms_out(payments.prepare(actor=user, milestone=m, amount=body.amount))


@router.post("/milestones/{milestone_id}/approve", response=MilestoneOut)
def milestone_approve(request: AuthedRequest, milestone_id: inputs.RecordId) -> MilestoneOut:
    """The checker (another person): approves and books the payment in the fund ledger."""
    user = need_cap(request, Cap.APPROVE)
    m = get_visible(Milestone.objects.select_related("contract"), user, pk=milestone_id)
    return _ms_out(payments.approve(actor=user, milestone=m))


# --------------------------------------------------------------------------- contracts: sign and end (district)


class MilestoneIn(Schema):
    title: Annotated[str, Field(max_length=64)]
    period_start: inputs.Day
    period_end: inputs.Day
    cap: inputs.Amount


class ContractIn(Schema):
    number: Annotated[str, Field(max_length=64)]
    title: Annotated[str, Field(max_length=200)]
    provider_id: inputs.Ref
    service: Annotated[str, Field(max_length=24)]
    procurement: Annotated[str, Field(max_length=24)]
    procurement_ref: Annotated[str, Field(max_length=64)] = ""
    fund: Annotated[str, Field(max_length=32)]
    fund_source: Annotated[str, Field(max_length=16)]
    budget: inputs.Amount
    start: inputs.Day
    end: inputs.Day
    township_codes: Annotated[list[Annotated[str, Field(max_length=12)]], Field(min_length=1, max_length=100)]
    unit_label: Annotated[str, Field(max_length=16)] = "次"
    visits_per_month: Annotated[int, Field(ge=1, le=62)]
    min_minutes: Annotated[int, Field(ge=1, le=720)]
    require_photo: bool = True
    require_confirmation: bool = True
    unit_price: inputs.Amount
    deduction_per_failed: inputs.Amount = Decimal("0")
    milestones: Annotated[list[MilestoneIn], Field(max_length=60)] = []


@router.post("/contracts", response={201: ContractOut})
def contracts_create(request: AuthedRequest, body: ContractIn) -> Status:
    """The district signs a contract (validated as a whole; nothing is written on refusal)."""
    from .services.contracts import MilestonePlan

    user = need_cap(request, Cap.EDIT_BUSINESS)
    provider = visible(Provider, user).filter(pk=body.provider_id).first()
    if provider is None:
        raise ValidationError({"provider_id": "承接主体不存在或不在您的辖区内"})
    towns = list(visible_divisions(user).filter(code__in=body.township_codes, level=Level.TOWNSHIP))
    missing = sorted(set(body.township_codes) - {t.code for t in towns})
    if missing:
        raise ValidationError({"township_codes": f"乡镇(街道)不存在或不在您的辖区内：{'、'.join(missing[:5])}"})
    c = contracts.create(
        actor=user, buyer=home_division(user), provider=provider, number=body.number, title=body.title,
        service=body.service, procurement=body.procurement, procurement_ref=body.procurement_ref, fund=body.fund,
        fund_source=body.fund_source, budget=body.budget, start=body.start, end=body.end, townships=towns,
        visits_per_month=body.visits_per_month, min_minutes=body.min_minutes, unit_price=body.unit_price,
        deduction_per_failed=body.deduction_per_failed, unit_label=body.unit_label,
        require_photo=body.require_photo, require_confirmation=body.require_confirmation,
        milestones=[MilestonePlan(m.title, m.period_start, m.period_end, m.cap) for m in body.milestones])
    return Status(201, _contract_out(c))


class EndIn(Schema):
    on: inputs.Day
    reason: Annotated[str, Field(max_length=200)]


@router.post("/contracts/{contract_id}/end", response=ContractOut, openapi_extra=_doc(EndIn))
def contract_end(request: AuthedRequest, contract_id: inputs.RecordId) -> ContractOut:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    c = selectors.contract_for(user, contract_id)
    body = _body(request, EndIn)
    return _contract_out(contracts.end(actor=user, contract=c, on=body.on, reason=body.reason))


# --------------------------------------------------------------------------- provider staff: bind and unbind


class StaffOut(Schema):
    id: int
    provider_id: int
    username: str
    name: str
    active: bool
    bound_at: dt.datetime | None
    bound_by: str
    unbound_at: dt.datetime | None
    unbound_by: str
    unbind_reason: str


def _staff_out(s: ProviderStaff) -> StaffOut:
    return StaffOut(id=s.pk, provider_id=s.provider_id, username=s.user.username, name=s.name, active=s.active,
                    bound_at=s.bound_at, bound_by=s.bound_by, unbound_at=s.unbound_at, unbound_by=s.unbound_by,
                    unbind_reason=s.unbind_reason)


@router.get("/providers/{provider_id}/staff", response=list[StaffOut])
def staff_list(request: AuthedRequest, provider_id: inputs.RecordId) -> list[StaffOut]:
    """Every binding of the provider, current and past (the history: who, when, by whom)."""
    user = need_cap(request, Cap.VIEW_BUSINESS)
    p = get_visible(Provider, user, pk=provider_id)
    return [_staff_out(s) for s in visible(ProviderStaff, user).filter(provider=p).select_related("user")[:500]]


class BindIn(Schema):
    username: Annotated[str, Field(max_length=150)]
    name: Annotated[str, Field(max_length=64)] = ""


@router.post("/providers/{provider_id}/staff", response={201: StaffOut}, openapi_extra=_doc(BindIn))
def staff_bind(request: AuthedRequest, provider_id: inputs.RecordId) -> Status:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    p = get_visible(Provider, user, pk=provider_id)
    body = _body(request, BindIn)
    account = selectors.bindable_accounts(user).filter(username=body.username).first()
    if account is None:
        raise ValidationError({"username": "账号不存在、不在您的辖区内、不是“社会组织”角色或已绑定"})
    return Status(201, _staff_out(providers.bind_staff(actor=user, provider=p, user=account, name=body.name)))


class UnbindIn(Schema):
    reason: Annotated[str, Field(max_length=200)]


@router.post("/staff/{providerstaff_id}/unbind", response=StaffOut, openapi_extra=_doc(UnbindIn))
def staff_unbind(request: AuthedRequest, providerstaff_id: inputs.RecordId) -> StaffOut:
    user = need_cap(request, Cap.EDIT_BUSINESS)
    s = get_visible(ProviderStaff.objects.select_related("user"), user, pk=providerstaff_id)
    body = _body(request, UnbindIn)
    return _staff_out(providers.unbind_staff(actor=user, staff=s, reason=body.reason))


# --------------------------------------------------------------------------- third-party evaluation


class AssignmentIn(Schema):
    evaluator: Annotated[str, Field(max_length=150, description="评估机构账号的用户名")]
    period_start: inputs.Day
    period_end: inputs.Day


class AssignmentOut(Schema):
    id: int
    contract_id: int
    contract: str
    evaluator: str
    period_start: dt.date
    period_end: dt.date
    assigned_by: str
    assessment_id: int | None


def _assignment_out(a: EvaluatorAssignment, user: Any) -> AssignmentOut:
    done = visible(Assessment, user).filter(contract_id=a.contract_id, period_start=a.period_start,
                                            period_end=a.period_end).values_list("pk", flat=True).first()
    return AssignmentOut(id=a.pk, contract_id=a.contract_id, contract=a.contract.number,
                         evaluator=a.evaluator.username, period_start=a.period_start, period_end=a.period_end,
                         assigned_by=a.assigned_by, assessment_id=done)


@router.post("/contracts/{contract_id}/evaluators", response={201: AssignmentOut}, openapi_extra=_doc(AssignmentIn))
def evaluator_assign(request: AuthedRequest, contract_id: inputs.RecordId) -> Status:
    user = need_cap(request, Cap.ASSESS_SERVICES)
    c = selectors.contract_for(user, contract_id)
    body = _body(request, AssignmentIn)
    evaluator = selectors.evaluators_for(user).filter(username=body.evaluator).first()
    if evaluator is None:
        raise ValidationError({"evaluator": "评估机构账号不存在或不属于本区"})
    a = evaluation.assign(actor=user, contract=c, evaluator=evaluator, period_start=body.period_start,
                          period_end=body.period_end)
    return Status(201, _assignment_out(a, user))


@router.get("/evaluations", response=list[AssignmentOut])
def evaluations_list(request: AuthedRequest) -> list[AssignmentOut]:
    """An evaluator's assigned periods (only those); the district's assignments."""
    user = need_cap(request, Cap.ASSESS_SERVICES)
    qs = visible(EvaluatorAssignment, user).select_related("contract", "evaluator")[:500]
    return [_assignment_out(a, user) for a in qs]


# --------------------------------------------------------------------------- service card of one-time codes


class CardIn(Schema):
    count: Annotated[int, Field(ge=1, le=100)] = 12


class CardOut(Schema):
    order_id: int
    codes: list[str]


@router.post("/orders/{order_id}/card", response={201: CardOut}, openapi_extra=_doc(CardIn))
def card_issue(request: AuthedRequest, order_id: inputs.RecordId) -> Status:
    """A service card of one-time codes for the beneficiary (printed by the township; shown once, hashes kept)."""
    user = need_cap(request, Cap.EDIT_BUSINESS)
    o = get_visible(ServiceOrder.objects.select_related("contract"), user, pk=order_id)
    body = _body(request, CardIn)
    return Status(201, CardOut(order_id=o.pk, codes=delivery.issue_card(actor=user, order=o, count=body.count)))
