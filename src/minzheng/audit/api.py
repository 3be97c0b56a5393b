from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core import inputs

from . import services
from .masking import masked
from .models import AuditEntry

router = Router(tags=["审计"])


class EntryOut(Schema):
    seq: int
    at: dt.datetime
    actor: str
    actor_role: str
    ip: str
    action: str
    object_type: str
    object_id: str
    summary: str


class VerifyOut(Schema):
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str


def _check(request: AuthedRequest) -> None:
    if not request.user.has_cap(Cap.VIEW_AUDIT):
        raise PermissionDenied("只有审计管理员可以查看审计日志")


@router.get("/entries", response=list[EntryOut])
def entries(request: AuthedRequest, action: str = "",
            limit: Annotated[int, inputs.limit(1000)] = 100) -> list[EntryOut]:
    """As the audit page shows them: ID, phone and account numbers quoted in a summary or object id are masked
    (the 审计管理员 reviews what was done, not people's data)."""
    _check(request)
    qs = AuditEntry.objects.order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    return [EntryOut(seq=e.seq, at=e.at, actor=e.actor, actor_role=e.actor_role, ip=e.ip, action=e.action,
                     object_type=e.object_type, object_id=masked(e.object_id), summary=masked(e.summary))
            for e in qs[:limit]]


@router.get("/verify", response=VerifyOut)
def verify(request: AuthedRequest) -> VerifyOut:
    _check(request)
    r = services.verify()
    return VerifyOut(ok=r.ok, checked=r.checked, first_bad_seq=r.first_bad_seq, reason=r.reason)
