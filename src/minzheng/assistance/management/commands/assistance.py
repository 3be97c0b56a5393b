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
        parser.add_argument("job", choices=["sweep", "overdue", "ledger-check"], help="sweep | overdue | ledger-check")
        parser.add_argument("--compute", action="store_true",
                            help="ledger-check: 核算尚未核算的导入记录 / recompute imported records not yet checked")
        parser.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
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
            if o["job"] == "ledger-check":
                self._ledger_check(day, compute=o["compute"], as_json=o["json"])
                return
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

    def _ledger_check(self, day: dt.date, *, compute: bool, as_json: bool) -> None:
        from minzheng.assistance.models import CheckStatus, LedgerCheck
        from minzheng.assistance.services import verification

        done = verification.compute(today=day).as_dict() if compute else {}
        open_ = (LedgerCheck.objects.filter(status=CheckStatus.PENDING).exclude(outcome="match")
                 .select_related("enrollment__programme", "enrollment__household__head").order_by("id"))
        rows = [{"check_id": c.pk, "enrollment_id": c.enrollment_id, "programme": c.enrollment.programme.code,
                 "head": c.enrollment.household.head.name if c.enrollment.household.head else "",
                 "imported_amount": str(c.imported_amount), "engine_amount": str(c.engine_amount),
                 "outcome": c.outcome, "flags": c.flags, "explanation": c.explanation} for c in open_[:5000]]
        uncomputed = verification.pending_enrollments(None).count()
        if as_json:
            self.stdout.write(json.dumps({**done, "uncomputed": uncomputed, "differences": rows}, ensure_ascii=False))
            return
        if done:
            self.stdout.write(f"已核算 {done['checked']} 项：{done['outcomes']}")
        for r in rows:
            self.stdout.write(f"{r['check_id']}\t{r['head']}\t{r['programme']}\t台账 {r['imported_amount']}\t"
                              f"规则 {r['engine_amount']}\t{'；'.join(r['flags'])}")
        self.stdout.write(f"待逐户处理的差异 {len(rows)} 项；尚未核算 {uncomputed} 项")
