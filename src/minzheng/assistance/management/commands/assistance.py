from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting
from minzheng.core import dates


class Command(BaseCommand):
    help = ("社会救助日常任务 / social-assistance daily jobs: "
            "sweep = 撤下到期公示并将无异议案件报县级审核 / take down expired 公示 and send cases without open "
            "objections to the county; overdue = 列出逾期案件 / list overdue cases")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["sweep", "overdue"], help="sweep | overdue")
        parser.add_argument("--date", help="按该日期执行 (YYYY-MM-DD)，默认今天 / run as of this date")
        parser.add_argument("--user", default="scheduler", help="记入审计日志的操作员 / operator for the audit log")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            day = dt.date.fromisoformat(o["date"]) if o["date"] else dates.today()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
        from minzheng.assistance import services, workflow
        from minzheng.assistance.models import OPEN_STATUSES, Application

        with acting(Actor(f"cli:{o['user']}", "operator")):
            if o["job"] == "sweep":
                result = services.sweep(today=day)
                self.stdout.write(json.dumps({"date": str(day), **result}, ensure_ascii=False))
                return
            rows = [a for a in Application.objects.filter(status__in=OPEN_STATUSES).select_related(
                "township", "programme") if workflow.is_overdue(a, day)]
            for a in rows:
                self.stdout.write(f"{a.number}\t{a.township.name}\t{a.programme.name}\t{a.get_status_display()}\t"
                                  f"{a.step_due or ''}\t{a.overall_due or ''}")
            self.stdout.write(f"逾期案件 {len(rows)} 件 / overdue cases: {len(rows)}")
