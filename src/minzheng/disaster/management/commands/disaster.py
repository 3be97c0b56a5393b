"""`minzheng disaster overdue|reconcile|rules`: 灾情报送逾期、救灾物资对账 from the command line (cron-friendly:
non-zero exit when something is overdue or does not reconcile)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting
from minzheng.core import dates


class Command(BaseCommand):
    help = "灾情报送逾期检查、救灾物资对账、校验规则 / disaster: overdue reports, supply reconciliation, rules"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="operator", help="操作员（记入审计）/ operator name for the audit log")
        sub = parser.add_subparsers(dest="action", required=True)
        od = sub.add_parser("overdue", help="列出逾期未报的灾情报告 / list overdue disaster reports")
        od.add_argument("--at", help="检查时点 / check time (ISO, 默认现在 default now)")
        od.add_argument("--json", action="store_true", help="输出 JSON / JSON output")
        rc = sub.add_parser("reconcile", help="物资对账 / reconcile supplies (差异时返回 1 / exit 1 on discrepancies)")
        rc.add_argument("--distribution", type=int, help="发放批次编号 / distribution id")
        rc.add_argument("--warehouse", type=int, help="仓库编号 / warehouse id")
        rc.add_argument("--json", action="store_true")
        rd = sub.add_parser("rounds", help="按续报间隔发起到期的续报/零报告期次 / open due update rounds (cron)")
        rd.add_argument("--at", help="时点 / time (ISO, 默认现在 default now)")
        rd.add_argument("--json", action="store_true")
        ru = sub.add_parser("rules", help="列出灾情校验规则 / list validation rules")
        ru.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        with acting(Actor(f"cli:{opts['user']}", "operator")):
            getattr(self, f"do_{opts['action']}")(opts)

    def emit(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) if opts.get("json") else text)

    def do_overdue(self, opts: dict[str, Any]) -> None:
        from minzheng.disaster import services
        from minzheng.disaster.models import Event, EventStatus

        at = self._at(opts)
        rows = []
        for ev in Event.objects.exclude(status=EventStatus.CLOSED).select_related("dtype"):
            for d in services.dues(ev, now=at):
                if d.overdue and not d.done:
                    rows.append({"event": ev.name, "round": str(d.round), "division": d.division.name,
                                 "due_at": dates.local(d.round.due_at).isoformat()})
        text = "\n".join(f"{r['event']}  {r['round']}  {r['division']}  时限 {r['due_at'][:16]}" for r in rows)
        self.emit(opts, rows, (text or "没有逾期未报的灾情报告 / nothing overdue") + "\n")
        if rows:
            sys.exit(1)

    def do_rounds(self, opts: dict[str, Any]) -> None:
        from minzheng.disaster import services

        at = self._at(opts)
        rounds = services.open_due_rounds(now=at)
        data = [{"event": r.event.name, "round": str(r), "as_of": dates.local(r.as_of).isoformat(),
                 "due_at": dates.local(r.due_at).isoformat()} for r in rounds]
        self.emit(opts, data, "".join(f"{d['event']}  {d['round']}  时限 {d['due_at'][:16]}\n" for d in data)
                  or "没有到期的续报期次 / no round due\n")

    def _at(self, opts: dict[str, Any]) -> dt.datetime:
        try:
            at = dt.datetime.fromisoformat(opts["at"]) if opts.get("at") else dates.now()
        except ValueError:
            raise CommandError(f"时间格式有误 / bad time: {opts['at']}") from None
        return dates.aware(at)

    def do_reconcile(self, opts: dict[str, Any]) -> None:
        from minzheng.disaster import relief
        from minzheng.disaster.models import Distribution, Warehouse

        if opts.get("distribution"):
            obj = Distribution.objects.filter(pk=opts["distribution"]).first()
            rec = relief.reconcile_distribution(obj) if obj else None
        elif opts.get("warehouse"):
            obj = Warehouse.objects.filter(pk=opts["warehouse"]).first()
            rec = relief.reconcile_warehouse(obj) if obj else None
        else:
            raise CommandError("请指定 --distribution 或 --warehouse / give --distribution or --warehouse")
        if rec is None:
            raise CommandError("记录不存在 / not found")
        data = {"object": str(obj), "discrepancies": [d.__dict__ for d in rec.discrepancies]}
        text = f"{obj}：差异 {rec.count} 项 / {rec.count} discrepancies\n" + "".join(
            f"  [{d.kind}] {d.message} ({d.ref})\n" for d in rec.discrepancies)
        self.emit(opts, data, text)
        if rec.count:
            sys.exit(1)

    def do_rules(self, opts: dict[str, Any]) -> None:
        from minzheng.disaster.models import ValidationRule

        rules = list(ValidationRule.objects.filter(active=True))
        data = [{"code": r.code, "severity": r.severity, "expression": r.expression, "each": r.each,
                 "message": r.message} for r in rules]
        self.emit(opts, data, "".join(f"{r.code} [{r.get_severity_display()}] {r.expression}  — {r.message}\n"
                                      for r in rules))
