"""关爱走访 API: the same services and access rules as the pages (care.access on top of core.scoping).

A route that addresses a file reads it through access.open_file() before parsing any body, so another township's
file is a 404 and a child's file is a 403 for a role without the need, whatever the request carries."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import ValidationError as PydanticError

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.registry.masking import can_see_sensitive, mask_id

from . import access, selectors
from .models import CareFile, FileStatus, Visit
from .services import files as file_services
from .services import visits

router = Router(tags=["关爱走访"])


class CareFileOut(Schema):
    id: int
    group: str
    group_label: str
    person_name: str
    id_number: str
    village_code: str
    village_name: str
    status: str
    categories: list[str]
    category_labels: list[str]
    risk: str
    risk_reasons: list[str]
    plan: str
    responsible: str
    last_visit_on: dt.date | None
    next_due: dt.date
    overdue: bool
    escalation: int


class CareVisitOut(Schema):
    id: int
    file_id: int
    visited_on: dt.date
    mode: str
    visitor_name: str
    answers: dict[str, Any]
    findings: str
    risk: str
    occasion: str
    has_photo: bool
    need_id: int | None
    referral_id: int | None
    client_id: str | None


class CareOverviewRow(Schema):
    group: str
    group_label: str
    division_code: str
    division: str
    total: int
    high: int
    medium: int
    low: int
    due: int
    done: int
    overdue: int
    escalated: int
    referrals_open: int


class CareVisitIn(Schema):
    visited_on: dt.date | None = None
    mode: str = "home"
    answers: dict[str, Any] = {}
    findings: str = ""
    risk: str = ""
    occasion: str = ""
    need: dict[str, Any] | None = None
    referral: dict[str, Any] | None = None
    client_id: str | None = None
    photo_base64: str | None = None


def _file_out(f: CareFile, user: Any, today: dt.date) -> CareFileOut:
    r = f.responsible
    return CareFileOut(
        id=f.pk, group=f.group, group_label=f.get_group_display(), person_name=f.person.name,
        id_number=f.person.id_number if can_see_sensitive(user) else mask_id(f.person.id_number),
        village_code=f.village.code, village_name=f.village.name, status=f.status, categories=list(f.categories),
        category_labels=file_services.label_categories(f), risk=f.risk, risk_reasons=list(f.risk_reasons), plan=f.plan,
        responsible=(r.full_name or r.username) if r else "", last_visit_on=f.last_visit_on, next_due=f.next_due,
        overdue=f.is_open and f.next_due < today, escalation=f.escalation)


def _visit_out(v: Visit) -> CareVisitOut:
    return CareVisitOut(id=v.pk, file_id=v.file_id, visited_on=v.visited_on, mode=v.mode, visitor_name=v.visitor_name,
                        answers=dict(v.answers), findings=v.findings, risk=v.risk, occasion=v.occasion,
                        has_photo=bool(v.photo), need_id=v.need_id, referral_id=v.referral_id, client_id=v.client_id)


@router.get("/files", response=list[CareFileOut])
def list_files(request: AuthedRequest, group: str = "", view: str = "open", limit: int = 200) -> list[CareFileOut]:
    """Files the caller may see; view = open | due (30 days) | overdue | mine | closed."""
    user = need_cap(request, Cap.VIEW_BUSINESS)
    today = dates.today()
    if not 1 <= limit <= 1000:
        raise ValidationError({"limit": "limit 应在 1–1000 之间"})
    qs = selectors.mine(user) if view == "mine" else access.files_for(user)
    if group:
        qs = qs.filter(group=group)
    if view == "closed":
        qs = qs.filter(status=FileStatus.CLOSED)
    elif view == "due":
        qs = selectors.due_within(qs, today, 30)
    elif view == "overdue":
        qs = selectors.overdue(qs, today)
    elif view in ("open", "mine"):
        qs = qs.filter(status=FileStatus.OPEN)
    else:
        raise ValidationError({"view": "view 应为 open、due、overdue、mine 或 closed"})
    rows = list(qs.select_related("person", "village", "responsible").order_by("next_due", "id")[:limit])
    if any(f.group == "child" for f in rows):
        from minzheng.audit import services as audit

        audit.record("care.child.list", summary="通过接口查看儿童关爱档案列表", detail={"view": view})
    return [_file_out(f, user, today) for f in rows]


@router.get("/files/{file_id}", response=CareFileOut)
def get_file(request: AuthedRequest, file_id: int) -> CareFileOut:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    return _file_out(access.open_file(user, file_id), user, dates.today())


@router.get("/files/{file_id}/visits", response=list[CareVisitOut])
def list_visits(request: AuthedRequest, file_id: int) -> list[CareVisitOut]:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    f = access.open_file(user, file_id)
    return [_visit_out(v) for v in f.visits.all()[:200]]


@router.post("/files/{file_id}/visits", response={201: CareVisitOut})
def post_visit(request: AuthedRequest, file_id: int) -> Status[CareVisitOut]:
    """Record a visit (care.services.visits.record_visit); a repeated client_id returns the first visit."""
    user = need_cap(request, Cap.CARE_VISIT)
    f = access.open_file(user, file_id)
    try:
        raw = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("请求体应为 JSON") from exc
    if not isinstance(raw, dict):
        raise ValidationError("请求体应为 JSON 对象")
    try:
        body = CareVisitIn(**raw)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "__all__"
        raise ValidationError({field: f"“{field}”取值无效"}) from None
    photo = None
    if body.photo_base64:
        try:
            photo = base64.b64decode(body.photo_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"photo_base64": "照片应为 base64 编码的图片"}) from None
    data = body.model_dump(exclude={"photo_base64"})
    data["visited_on"] = body.visited_on or dates.today()
    v = visits.record_visit(user, f, data, photo=photo)
    return Status(201, _visit_out(v))


@router.get("/overview", response=list[CareOverviewRow])
def overview(request: AuthedRequest) -> list[CareOverviewRow]:
    user = need_cap(request, Cap.VIEW_BUSINESS)
    return [CareOverviewRow(**r) for r in selectors.overview(user)]
