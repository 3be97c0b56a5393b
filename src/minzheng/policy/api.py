from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core import inputs

from . import services
from .catalog import catalog
from .models import Parameter

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
def add_parameter(request: AuthedRequest, body: ParamIn) -> tuple[int, ParamOut]:
    p = services.add_version(key=body.key, value=body.value, effective_from=body.effective_from,
                             source_document=body.source_document, certainty=body.certainty, note=body.note,
                             actor=request.user)
    return 201, _out(p)
