"""`minzheng workforce escalate` — 民情事项逾期提级 (idempotent; run daily from cron)."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


class Command(BaseCommand):
    help = "队伍建设批处理 / workforce jobs: escalate（民情逾期提级 / escalate overdue 民情 items）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        esc = sub.add_parser("escalate", help="把超过办理期限的民情事项提级到区民政局 / escalate overdue items")
        esc.add_argument("--as-of", help="按该日期判断逾期 / judge overdue as of YYYY-MM-DD (默认 default today)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "escalate":
            from minzheng.workforce import needs

            try:
                as_of = dt.date.fromisoformat(opts["as_of"]) if opts.get("as_of") else None
            except ValueError as exc:
                raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
            with acting(Actor(f"cli:{getpass.getuser()}", "operator")):
                n = needs.escalate_overdue(as_of)
            self.stdout.write(f"已提级 {n} 件逾期民情事项 / escalated {n} overdue item(s)\n")
