from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core import inputs
from minzheng.core.scoping import get_visible, visible

from . import raises, services
from .catalog import catalog
from .models import Parameter, Raise

router = Router(tags=["政策参数"])


class ParamOut(Schema):
    id: int
    key: str
    division_code: str | None
    effective_from: dt.date
    effective_to: dt.date | None
    value: Any
    unit: str
    source_document: str
    certainty: str
    is_demo: bool


class ParamIn(Schema):
    key: str
    value: Any
    effective_from: inputs.Day
    source_document: str
    certainty: str = "V"
    note: str = ""


def _out(p: Parameter) -> ParamOut:
    return ParamOut(id=p.pk, key=p.key, division_code=p.division.code if p.division else None,
                    effective_from=p.effective_from, effective_to=p.effective_to, value=p.value, unit=p.unit,
                    source_document=p.source_document, certainty=p.certainty, is_demo=p.is_demo)


@router.get("/parameters", response=list[ParamOut])
def parameters(request: AuthedRequest, key: str = "") -> list[ParamOut]:
    from django.core.exceptions import PermissionDenied

    if not request.user.has_cap(Cap.VIEW_BUSINESS):
        raise PermissionDenied("没有权限")
    qs = Parameter.objects.select_related("division")
    if key:
        qs = qs.filter(key=key)
    return [_out(p) for p in qs if p.key in catalog.specs]


@router.post("/parameters", response={201: ParamOut})
def add_parameter(request: AuthedRequest, body: ParamIn) -> Status[ParamOut]:
    p = services.add_version(key=body.key, value=body.value, effective_from=body.effective_from,
                             source_document=body.source_document, certainty=body.certainty, note=body.note,
                             actor=request.user)
    return Status(201, _out(p))


# --- 提标 (a batch decision on amount-affecting parameters; see raises.py) ----------------------------------------


class ChangeIn(Schema):
    key: str
    value: Any


class RaiseIn(Schema):
    changes: list[ChangeIn]
    effective_from: inputs.Day
    source_document: str = ""
    title: str = ""
    note: str = ""


class RaiseOut(Schema):
    id: int
    title: str
    changes: list[dict[str, Any]]
    effective_from: dt.date
    source_document: str
    status: str
    preview: dict[str, Any]
    result: dict[str, Any]
    prepared_by: str
    approved_by: str
    version: int


def _raise_out(r: Raise) -> RaiseOut:
    return RaiseOut(id=r.pk, title=r.title, changes=list(r.changes), effective_from=r.effective_from,
                    source_document=r.source_document, status=r.status, preview=dict(r.preview),
                    result=dict(r.result), prepared_by=r.prepared_by_name, approved_by=r.approved_by_name,
                    version=r.version)


def _district(request: AuthedRequest) -> None:
    from django.core.exceptions import PermissionDenied

    if not request.user.has_cap(Cap.APPROVE):
        raise PermissionDenied("没有权限")
    raises._district(request.user)


def _bounded(body: RaiseIn) -> list[dict[str, Any]]:
    from django.core.exceptions import ValidationError

    if len(body.changes) > 20:
        raise ValidationError({"changes": "一次提标最多调整 20 项参数"})
    if len(body.source_document) > 255 or len(body.title) > 100 or len(body.note) > 4000:
        raise ValidationError({"source_document": "依据文件不超过 255 字，名称不超过 100 字，说明不超过 4000 字"})
    return [{"key": c.key[:100], "value": c.value} for c in body.changes]


@router.get("/raises", response=list[RaiseOut])
def raise_list(request: AuthedRequest) -> list[RaiseOut]:
    _district(request)
    return [_raise_out(r) for r in visible(Raise, request.user)[:500]]


@router.get("/raises/{raise_id}", response=RaiseOut)
def raise_get(request: AuthedRequest, raise_id: inputs.RecordId) -> RaiseOut:
    _district(request)
    return _raise_out(get_visible(Raise, request.user, pk=raise_id))


@router.post("/raise-preview", response=dict[str, Any])
def raise_preview(request: AuthedRequest, body: RaiseIn) -> dict[str, Any]:
    """The effect of a 提标 (households, persons, monthly totals before/after per township), nothing stored."""
    _district(request)
    cleaned = raises._clean(_bounded(body))
    raises._check(cleaned, body.effective_from)
    return raises.preview(cleaned, body.effective_from).summary


@router.post("/raises", response={201: RaiseOut})
def raise_prepare(request: AuthedRequest, body: RaiseIn) -> Status:
    _district(request)
    r = raises.prepare(actor=request.user, changes=_bounded(body), effective_from=body.effective_from,
                       source_document=body.source_document, title=body.title, note=body.note)
    return Status(201, _raise_out(r))


@router.post("/raises/{raise_id}/approve", response=RaiseOut)
def raise_approve(request: AuthedRequest, raise_id: inputs.RecordId) -> RaiseOut:
    _district(request)
    return _raise_out(raises.approve(get_visible(Raise, request.user, pk=raise_id), actor=request.user))


@router.post("/raises/{raise_id}/cancel", response=RaiseOut)
def raise_cancel(request: AuthedRequest, raise_id: inputs.RecordId) -> RaiseOut:
    _district(request)
    return _raise_out(raises.cancel(get_visible(Raise, request.user, pk=raise_id), actor=request.user))
