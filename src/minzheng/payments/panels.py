"""Home panel and to-dos: drafts to submit for township officers, rosters to approve for the district."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
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

    lines = visible(PayrollLine, user)
    return {"month": latest, **month, "drafts": qs.filter(status=PayrollStatus.DRAFT).count(),
            "prepared": prepared["n"] if user.has_cap(Cap.APPROVE) else 0, "prepared_total": prepared["t"],
            "failed": lines.filter(status=LineStatus.FAILED).count(),
            "blocked": lines.filter(~Q(problem=""), status=LineStatus.PENDING,
                                    payroll__status=PayrollStatus.DRAFT).count(),
            "held": lines.filter(status=LineStatus.HELD).exclude(payroll__status=PayrollStatus.DRAFT).count(),
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
        blocked = dict(visible(PayrollLine, user).filter(~Q(problem=""), status=LineStatus.PENDING,
                                                         payroll__status=PayrollStatus.DRAFT)
                       .values_list("payroll_id").annotate(n=Count("id")).values_list("payroll_id", "n"))
        for p in qs.filter(status=PayrollStatus.DRAFT)[:50]:
            n = blocked.get(p.pk)
            what = f"{n} 笔不能发放，需补正或挂起" if n else "草稿待核对提交"
            out.append(TaskItem("花名册提交", f"{p.title} {what}",
                                reverse("payments:payroll", kwargs={"payroll_id": p.pk}), division=p.township.name))
        owed = (visible(PayrollLine, user).filter(status__in=[LineStatus.HELD, LineStatus.FAILED])
                .exclude(payroll__status=PayrollStatus.DRAFT).filter(reissues__isnull=True)
                .values("payroll_id").annotate(n=Count("id")))
        owed_rows = list(owed[:50])
        rosters = qs.in_bulk([r["payroll_id"] for r in owed_rows])   # one query, not one per roster
        for r in owed_rows:
            roster = rosters.get(r["payroll_id"])
            if roster is not None:
                out.append(TaskItem("挂起/失败待补正",
                                    f"{roster.title} {r['n']} 笔挂起或发放失败，补正领款信息后解除挂起或补发",
                                    reverse("payments:payroll", kwargs={"payroll_id": roster.pk}) + "?show=held",
                                    division=roster.township.name))
    return out
