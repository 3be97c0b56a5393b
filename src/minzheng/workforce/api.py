"""队伍建设 API: the same services and scoping as the pages.

Routes that address one record read it through get_visible() before parsing any body, so a request for another
township's record is a 404 whatever it carries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, inputs
from minzheng.core.scoping import get_visible, visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry import validators

from . import circulars, needs, selectors, staff, training
from .models import (
    AssessmentScheme,
    CircularReceipt,
    IndicatorScore,
    NeedReport,
    Post,
    PostHolding,
    StaffMember,
    TownshipResult,
)

router = Router(tags=["队伍建设"])


def _need(request: AuthedRequest, cap: str = Cap.VIEW_BUSINESS) -> Any:
    return need_cap(request, cap)


def _body(request: AuthedRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("请求体应为 JSON") from exc
    if not isinstance(data, dict):
        raise ValidationError("请求体应为 JSON 对象")
    return data


class HoldingOut(Schema):
    staff_id: int
    name: str
    employment: str
    start: dt.date
    end: dt.date | None
    end_reason: str
    cohort: int | None


class PostOut(Schema):
    id: int
    division_code: str
    division_name: str
    kind: str
    kind_label: str
    title: str
    is_head: bool
    established: bool
    holder: HoldingOut | None
    history: list[HoldingOut] = []


def _holding(h: PostHolding) -> HoldingOut:
    return HoldingOut(staff_id=h.staff_id, name=h.staff.name, employment=h.employment, start=h.start, end=h.end,
                      end_reason=h.end_reason, cohort=h.cohort)


def _post(p: Post, holder: PostHolding | None, history: list[PostHolding] | None = None) -> PostOut:
    return PostOut(id=p.pk, division_code=p.division.code, division_name=p.division.name, kind=p.kind,
                   kind_label=str(p.get_kind_display()), title=p.title, is_head=p.is_head, established=p.established,
                   holder=_holding(holder) if holder else None, history=[_holding(h) for h in history or []])


@router.get("/posts", response=list[PostOut])
def posts(request: AuthedRequest, kind: str = "", township: str = "") -> list[PostOut]:
    user = _need(request)
    qs = visible(Post, user).select_related("division")
    if kind:
        qs = qs.filter(kind=kind)
    if township:
        qs = qs.filter(division__path__contains=f"/{township}/")
    open_h = {h.post_id: h for h in visible(PostHolding, user).filter(end__isnull=True).select_related("staff")}
    return [_post(p, open_h.get(p.pk)) for p in qs[:5000]]


@router.get("/posts/{post_id}", response=PostOut)
def post_detail(request: AuthedRequest, post_id: inputs.RecordId) -> PostOut:
    p = get_visible(Post.objects.select_related("division"), _need(request), pk=post_id)
    hs = list(p.holdings.select_related("staff").order_by("-start"))
    return _post(p, next((h for h in hs if h.end is None), None), hs)


class HandoverOut(Schema):
    id: int
    moved: dict[str, int]
    left_open: dict[str, int]


@router.post("/posts/{post_id}/handover", response=HandoverOut)
def post_handover(request: AuthedRequest, post_id: inputs.RecordId) -> HandoverOut:
    """Body: {"date": "YYYY-MM-DD", "reason": "resigned", "successor_id": 1 | null, "successor_name": "…",
    "receiver_id": user id | null, "employment": "full"|"part", "note": "…"}"""
    user = _need(request, Cap.EDIT_BUSINESS)
    p = get_visible(Post, user, pk=post_id)
    data = _body(request)
    successor = None
    if data.get("successor_id"):
        successor = get_visible(StaffMember, user, pk=data["successor_id"])
    elif data.get("successor_name"):
        successor = staff.create_staff(division=p.division, name=str(data["successor_name"]), actor=user)
    receiver = None
    if data.get("receiver_id"):
        from minzheng.accounts.models import User

        receiver = User.objects.filter(pk=data["receiver_id"], division__in=visible_divisions(user)).first()
        if receiver is None:
            raise ValidationError({"receiver_id": "接收账号不在您的辖区内"})
    try:
        on = dt.date.fromisoformat(str(data.get("date", "")))
    except ValueError as exc:
        raise ValidationError({"date": "日期格式应为 YYYY-MM-DD"}) from exc
    h = staff.hand_over(post=p, on=on, reason=str(data.get("reason", "")), successor=successor, receiver=receiver,
                        employment=str(data.get("employment", "full")), note=str(data.get("note", "")), actor=user)
    return HandoverOut(id=h.pk, moved=h.moved, left_open=h.left_open)


class StaffingOut(Schema):
    township: str
    population: int | None
    population_is_demo: bool
    norm_min: int | None
    norm_max: int | None
    assistants_filled: int
    part_time: int
    status: str


@router.get("/staffing", response=list[StaffingOut])
def staffing(request: AuthedRequest) -> list[StaffingOut]:
    user = _need(request, Cap.VIEW_DASHBOARD)
    towns = list(visible_divisions(user).filter(level=Level.TOWNSHIP).order_by("code"))
    return [StaffingOut(township=r.township.name, population=r.population, population_is_demo=r.population_is_demo,
                        norm_min=r.norm.posts_min if r.norm else None, norm_max=r.norm.posts_max if r.norm else None,
                        assistants_filled=r.assistants_filled, part_time=r.part_time, status=r.status)
            for r in selectors.staffing(towns, on=dates.today())]


class CohortOut(Schema):
    kind: str
    cohort: int
    recruited: int
    gone_within_window: int
    window_years: int
    gone_rate_percent: Decimal


class WorkforceReportOut(Schema):
    on: dt.date
    heads: int
    heads_by_education: dict[str, int]
    heads_by_age: dict[str, int]
    cohorts: list[CohortOut]


@router.get("/report", response=WorkforceReportOut)
def report(request: AuthedRequest, on: inputs.OptionalDate = None) -> WorkforceReportOut:
    user = _need(request, Cap.VIEW_DASHBOARD)
    on = on or dates.today()
    hs = visible(PostHolding, user)
    heads = selectors.office_heads(hs, on=on)
    return WorkforceReportOut(on=on, heads=heads.total, heads_by_education=dict(heads.by_education),
                     heads_by_age=dict(heads.by_age),
                     cohorts=[CohortOut(kind=c.kind, cohort=c.cohort, recruited=c.recruited,
                                        gone_within_window=c.gone_window, window_years=c.window_years,
                                        gone_rate_percent=c.gone_rate) for c in selectors.cohort_turnover(hs, on=on)])


class ComplianceOut(Schema):
    staff_id: int
    name: str
    township: str
    level: str
    required: int
    attended: int
    ok: bool
    behind: bool


@router.get("/training/compliance", response=list[ComplianceOut])
def training_compliance(request: AuthedRequest, year: inputs.OptionalYear = None) -> list[ComplianceOut]:
    user = _need(request, Cap.VIEW_DASHBOARD)
    rows = training.compliance(visible(PostHolding, user), year=year or dates.today().year)
    return [ComplianceOut(staff_id=r.staff.pk, name=r.staff.name, township=r.township.name if r.township else "",
                          level=r.level, required=r.required, attended=r.attended, ok=r.ok, behind=r.behind)
            for r in rows]


class NeedOut(Schema):
    id: int
    reference: str
    village_code: str
    village: str
    category: str
    description: str
    source: str
    status: str
    deadline: dt.date
    overdue: bool
    escalated: bool
    resolution: str
    resolved_at: dt.datetime | None
    has_photo: bool


class NeedIn(Schema):
    village_code: str
    category: str
    description: str
    reporter_name: validators.OptionalPersonName = ""
    reporter_phone: validators.Phone = ""


def _need_out(r: NeedReport) -> NeedOut:
    today = dates.today()
    return NeedOut(id=r.pk, reference=r.reference, village_code=r.village.code, village=r.village.name,
                   category=r.category, description=r.description, source=r.source, status=r.status,
                   deadline=r.deadline, overdue=r.overdue_on(today), escalated=r.escalated_at is not None,
                   resolution=r.resolution, resolved_at=r.resolved_at, has_photo=bool(r.photo))


@router.get("/needs", response=list[NeedOut])
def needs_list(request: AuthedRequest, status: str = "", escalated: bool = False) -> list[NeedOut]:
    user = _need(request)
    qs = visible(NeedReport, user).select_related("village")
    if status:
        qs = qs.filter(status=status)
    if escalated:
        qs = needs.district_queue(qs)
    return [_need_out(r) for r in qs[:1000]]


@router.post("/needs", response={201: NeedOut})
def needs_create(request: AuthedRequest, body: NeedIn) -> Status:
    user = _need(request)
    village = visible_divisions(user).filter(code=body.village_code, level=Level.VILLAGE).first()
    if village is None:
        raise ValidationError({"village_code": "村(社区)不存在或不在您的辖区内"})
    r = needs.submit(village=village, category=body.category, description=body.description, actor=user,
                     source="coordinator" if user.has_cap(Cap.REPORT_NEEDS) else "staff",
                     reporter_name=body.reporter_name, reporter_phone=body.reporter_phone)
    return Status(201, _need_out(r))


@router.get("/needs/{needreport_id}", response=NeedOut)
def need_detail(request: AuthedRequest, needreport_id: inputs.RecordId) -> NeedOut:
    return _need_out(get_visible(NeedReport.objects.select_related("village"), _need(request), pk=needreport_id))


@router.post("/needs/{needreport_id}/accept", response=NeedOut)
def need_accept(request: AuthedRequest, needreport_id: inputs.RecordId) -> NeedOut:
    user = _need(request)
    r = get_visible(NeedReport, user, pk=needreport_id)
    return _need_out(needs.accept(actor=user, report=r))


@router.post("/needs/{needreport_id}/resolve", response=NeedOut)
def need_resolve(request: AuthedRequest, needreport_id: inputs.RecordId) -> NeedOut:
    """Body: {"resolution": "办理结果"}"""
    user = _need(request)
    r = get_visible(NeedReport, user, pk=needreport_id)
    return _need_out(needs.resolve(actor=user, report=r, resolution=str(_body(request).get("resolution", ""))))


class ScoreOut(Schema):
    township: str
    rank: int | None
    total: Decimal | None
    scores: dict[str, Decimal | None]


@router.get("/assessment/{assess_year}", response=list[ScoreOut])
def assessment_year(request: AuthedRequest, assess_year: inputs.Year) -> list[ScoreOut]:
    user = _need(request, Cap.VIEW_DASHBOARD)
    scheme = AssessmentScheme.objects.filter(year=assess_year, division__level=Level.COUNTY).first()
    if scheme is None:
        return []
    scores: dict[int, dict[str, Decimal | None]] = {}
    for s in visible(IndicatorScore, user).filter(indicator__scheme=scheme).select_related("indicator"):
        scores.setdefault(s.township_id, {})[s.indicator.name] = s.score
    return [ScoreOut(township=r.township.name, rank=r.rank, total=r.total, scores=scores.get(r.township_id, {}))
            for r in visible(TownshipResult, user).filter(scheme=scheme).select_related("township")]


class ReceiptOut(Schema):
    id: int
    title: str
    issuer: str
    doc_number: str
    published_at: dt.datetime
    read_at: dt.datetime | None


@router.get("/circulars/inbox", response=list[ReceiptOut])
def inbox(request: AuthedRequest) -> list[ReceiptOut]:
    user = _need(request)
    qs = CircularReceipt.objects.filter(recipient=user.division).select_related("circular__issuer")
    return [ReceiptOut(id=r.pk, title=r.circular.title, issuer=r.circular.issuer.name,
                       doc_number=r.circular.doc_number, published_at=r.circular.published_at, read_at=r.read_at)
            for r in qs[:200]]


@router.post("/receipts/{receipt_id}/read", response=ReceiptOut)
def receipt_read(request: AuthedRequest, receipt_id: inputs.RecordId) -> ReceiptOut:
    user = _need(request)
    r = get_visible(CircularReceipt.objects.select_related("circular__issuer"), user, pk=receipt_id)
    circulars.mark_read(user=user, receipt=r)
    return ReceiptOut(id=r.pk, title=r.circular.title, issuer=r.circular.issuer.name,
                      doc_number=r.circular.doc_number, published_at=r.circular.published_at, read_at=r.read_at)


