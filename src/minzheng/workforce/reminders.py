"""To-dos for 我的待办: 民情 items to handle, documents to read, training falling behind, notes to follow up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import visible
from minzheng.core.tasks import TaskItem
from minzheng.regions.models import Level

from . import needs as needs_service
from . import training
from .models import CircularReceipt, NeedReport, NeedStatus, WorkNote


def tasks_for(user: Actor) -> list[TaskItem]:
    if not user.has_cap(Cap.VIEW_BUSINESS) or user.division is None:
        return []
    today = dates.today()
    items: list[TaskItem] = []
    level = user.division.level
    if user.has_cap(Cap.PROCESS_CASES):
        qs = visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED).select_related("village")
        if level == Level.COUNTY:
            qs = needs_service.district_queue(qs, today)
        else:
            qs = qs.filter(Q(assignee=user) | Q(assignee__isnull=True))
        for r in qs.order_by("deadline")[:50]:
            items.append(TaskItem("民情直通车", f"{r.village.name}：{r.get_category_display()}",
                                  reverse("workforce:need_detail", args=[r.pk]), r.deadline,
                                  r.deadline < today, r.village.name))
    for rc in (CircularReceipt.objects.filter(recipient=user.division, read_at__isnull=True)
               .select_related("circular")[:20]):
        items.append(TaskItem("文件阅知", rc.circular.title, reverse("workforce:receipt", args=[rc.pk]),
                              dates.local_date(rc.circular.published_at), False, user.division.name))
    for n in WorkNote.objects.filter(owner=user, closed=False, follow_up__isnull=False)[:20]:
        items.append(TaskItem("工作笔记", n.title, reverse("workforce:notes"), n.follow_up, n.follow_up < today))
    if user.has_cap(Cap.EDIT_BUSINESS) and level in (Level.COUNTY, Level.TOWNSHIP) and today.month >= 3:
        rows = training.compliance_of(user, year=today.year, on=today)
        behind = [r for r in rows if r.behind]
        if behind:
            towns = len({r.township.pk for r in behind if r.township})
            where = f"{towns} 个乡镇(街道)" if level == Level.COUNTY else "本乡镇(街道)"
            items.append(TaskItem("培训提醒", f"{where} {len(behind)} 人今年培训进度落后",
                                  reverse("workforce:training") + "?behind=1", dt.date(today.year, 12, 31), False,
                                  user.division.name))
    return items
