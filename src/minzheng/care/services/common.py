"""Shared by the care services: parameters in force, the acting name, the file's event log and write checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from minzheng.accounts.roles import Cap
from minzheng.audit import context as audit_context
from minzheng.core import dates
from minzheng.core.scoping import in_scope
from minzheng.policy import services as policy
from minzheng.regions.models import Division

from .. import rules
from ..access import groups_for
from ..models import CareEvent, CareFile, Group


def params(on: dt.date, division: Division | None = None) -> rules.Param:
    """A `care.*` parameter reader for one day and division (most specific division wins)."""
    cache: dict[str, Any] = {}

    def read(key: str) -> Any:
        if key not in cache:
            cache[key] = policy.value(key, on=on, division=division)
        return cache[key]

    return read


def who(actor: Any) -> str:
    if actor is None:
        return audit_context.current().username or "系统"
    return getattr(actor, "full_name", "") or actor.username


def event(f: CareFile, action: str, text: str = "", actor: Any = None, at: dt.datetime | None = None) -> None:
    CareEvent.objects.create(file=f, at=at or dates.now(), actor=who(actor), action=action, text=text[:300])


def require_write(actor: Any, f: CareFile) -> None:
    """Before changing a file: it must be in the actor's jurisdiction and group (404 / 403 otherwise); office staff
    (EDIT_BUSINESS) change any file, the children's roles the children's files they visit."""
    if actor is None:
        return
    if f.group not in groups_for(actor):
        raise PermissionDenied("儿童关爱档案仅限儿童主任、儿童督导员和民政经办人员办理" if f.group == Group.CHILD
                               else "您的角色不办理此类关爱档案")
    if not in_scope(actor, f.village):
        raise Http404("记录不存在或不在您的辖区内")
    if actor.has_cap(Cap.EDIT_BUSINESS) or (f.group == Group.CHILD and actor.has_cap(Cap.CARE_VISIT)):
        return
    raise PermissionDenied("您的角色没有此操作权限")


EVENT_LABELS = {"opened": "建档", "reopened": "重新建档", "risk": "风险评估", "plan": "关爱计划", "assigned": "指定走访人",
                "visited": "走访", "escalated": "逾期督办", "referred": "转介", "referral_closed": "转介办结",
                "agreement": "签订照料协议", "admitted": "入住机构（集中供养）", "discharged": "离院",
                "annual": "年度确认", "care_need": "照护需求", "closed": "结案", "profile": "儿童信息"}
