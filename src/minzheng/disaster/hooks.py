"""Home panel and to-do items: open events, 初报 overdue, reports waiting for approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import in_scope
from minzheng.core.tasks import TaskItem

from . import services
from .models import EventStatus


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not user.has_cap(Cap.VIEW_BUSINESS):
        return {}
    now = dates.now()
    events = services.open_events(user)[:8]
    late = services.late_townships(user, now=now)
    return {"events": events, "late_initial": [d for d in late if d.round.kind == "initial"], "late": late,
            "department": services.department()}


def task_items(user: Actor) -> list[TaskItem]:
    if not user.is_authenticated or not user.has_cap(Cap.VIEW_BUSINESS):
        return []
    now = dates.now()
    items: list[TaskItem] = []
    if user.has_cap(Cap.EDIT_BUSINESS):
        for d in services.open_rounds_for(user, now=now):
            items.append(TaskItem(kind=f"灾情{d.round.get_kind_display()}", title=f"{d.round.event} · {d.round}",
                                  url=reverse("disaster:event", kwargs={"event_id": d.round.event_id}),
                                  due=d.round.due_at, overdue=d.overdue, division=d.division.name))
        for ev in (e for e in services.open_events(user) if e.status == EventStatus.ONGOING):
            due = services.next_update_due(ev, now=now)
            if due is not None and due <= now and in_scope(user, ev.division):
                items.append(TaskItem(kind="续报待发起", title=f"{ev} 应发起{'零报告/' if ev.is_major else ''}续报",
                                      url=reverse("disaster:event", kwargs={"event_id": ev.pk}), due=due,
                                      overdue=True, division=ev.division.name))
    for r in services.pending_approvals(user):
        items.append(TaskItem(kind="灾情报告审核", title=f"{r.division.name} {r.event} {r.kind_label}",
                              url=reverse("disaster:report", kwargs={"report_id": r.pk}), due=r.round.due_at,
                              division=r.division.name))
    if user.division and user.division.level != "township":
        for d in services.late_townships(user, now=now):
            items.append(TaskItem(kind="灾情报告逾期", title=f"{d.division.name} {d.round.event} {d.round} 未按时报送",
                                  url=reverse("disaster:event", kwargs={"event_id": d.round.event_id}),
                                  due=d.round.due_at, overdue=True, division=d.division.name))
    return items
