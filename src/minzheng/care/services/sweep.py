"""The daily sweep: an overdue visit is escalated to the township (督办) and, overdue longer, to the county.

Days overdue before each level are parameters (care.escalate.township_days / county_days). Running it twice on a
day escalates nothing new; a visit resets the file's level (services.visits).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from minzheng.audit import services as audit
from minzheng.core import dates

from ..models import CareFile, FileStatus
from .common import event, params

LEVEL_LABELS = {0: "", 1: "乡镇(街道)督办", 2: "区民政局督办"}


@transaction.atomic
def escalate_overdue(today: dt.date | None = None) -> dict[str, int]:
    today = today or dates.today()
    p = params(today)
    to_township = int(p("care.escalate.township_days"))
    to_county = int(p("care.escalate.county_days"))
    now = dates.now()
    counts = {"township": 0, "county": 0}
    open_files = CareFile.objects.filter(status=FileStatus.OPEN)
    for f in open_files.filter(escalation__lt=2, next_due__lt=today - dt.timedelta(days=to_county)):
        f.escalation, f.escalated_at = 2, now
        f.save(update_fields=["escalation", "escalated_at"])
        event(f, "escalated", f"走访逾期（期限 {f.next_due}）超过 {to_county} 天，提级至区民政局督办")
        counts["county"] += 1
    for f in open_files.filter(escalation=0, next_due__lt=today - dt.timedelta(days=to_township)):
        f.escalation, f.escalated_at = 1, now
        f.save(update_fields=["escalation", "escalated_at"])
        event(f, "escalated", f"走访逾期（期限 {f.next_due}），由乡镇(街道)督办")
        counts["township"] += 1
    if counts["township"] or counts["county"]:
        audit.record("care.escalate", summary=f"关爱走访逾期提级：乡镇 {counts['township']} 件，区 {counts['county']} 件",
                     detail={"on": str(today), **counts})
    return counts
