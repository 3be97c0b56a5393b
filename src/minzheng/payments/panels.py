"""Home panel and to-dos: drafts to submit for township officers, rosters to approve for the district."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import visible
from minzheng.core.tasks import TaskItem

from .models import LineStatus, Payroll, PayrollLine, PayrollStatus


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    qs = visible(Payroll, user)
    latest = qs.order_by("-month").values_list("month", flat=True).first() or dates.today().replace(day=1)
    month = qs.filter(month=latest).aggregate(count=Count("id"), lines=Sum("line_count"), total=Sum("total"))
    prepared = qs.filter(status=PayrollStatus.PREPARED).aggregate(n=Count("id"), t=Sum("total"))
    from . import funds

    return {"month": latest, **month, "drafts": qs.filter(status=PayrollStatus.DRAFT).count(),
            "prepared": prepared["n"] if user.has_cap(Cap.APPROVE) else 0, "prepared_total": prepared["t"],
            "failed": visible(PayrollLine, user).filter(status=LineStatus.FAILED).count(),
            "alerts": len(funds.alerts(user, year=latest.year)) if user.has_cap(Cap.APPROVE) else 0}


def task_items(user: Actor) -> list[TaskItem]:
    if not user.has_cap(Cap.VIEW_BUSINESS):
        return []
    out = []
    qs = visible(Payroll, user).select_related("programme", "township")
    if user.has_cap(Cap.APPROVE):
        for p in qs.filter(status=PayrollStatus.PREPARED).exclude(prepared_by=user).exclude(generated_by=user)[:50]:
            out.append(TaskItem("花名册审批", f"{p.township.name}{p.programme.name} {p.month:%Y-%m}",
                                reverse("payments:payroll", kwargs={"payroll_id": p.pk}), division=p.township.name))
    elif user.has_cap(Cap.EDIT_BUSINESS):
        for p in qs.filter(status=PayrollStatus.DRAFT)[:50]:
            out.append(TaskItem("花名册提交", f"{p.township.name}{p.programme.name} {p.month:%Y-%m} 草稿待核对提交",
                                reverse("payments:payroll", kwargs={"payroll_id": p.pk}), division=p.township.name))
    return out
