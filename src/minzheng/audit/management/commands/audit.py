from __future__ import annotations

import datetime as dt
import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context, services
from minzheng.core import dates


class Command(BaseCommand):
    help = "审计日志 / Audit log: verify | purge --before YYYY-MM-DD"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验哈希链，损坏时返回非零 / verify the hash chain; non-zero exit when broken")
        p = sub.add_parser("purge", help="按保留期清理（至少保留 180 天） / purge by retention (keeps ≥ 180 days)")
        p.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "verify":
            r = services.verify()
            if r.ok:
                self.stdout.write(self.style.SUCCESS(f"审计日志完整 / audit chain intact: {r.checked} 条 entries"))
                return
            self.stderr.write(f"审计日志被篡改 / audit chain broken at entry #{r.first_bad_seq}: {r.reason}")
            sys.exit(1)
        cutoff = dates.aware(dt.datetime.fromisoformat(o["before"]))
        try:
            with context.acting(context.Actor(f"cli:{getpass.getuser()}", "operator")):
                n = services.purge_before(cutoff)
        except services.RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已清理 / purged {n}")
