from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import anchor, context, services
from minzheng.core import dates


class Command(BaseCommand):
    help = ("审计日志 / Audit log: verify [--checkpoints FILE] | checkpoints [--export FILE] | "
            "purge --before YYYY-MM-DD")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="校验审计链与检查点，损坏时返回非零 / verify the chain and its checkpoints; "
                                          "non-zero exit when broken")
        v.add_argument("--checkpoints", type=Path,
                       help="另行核对一份导出的检查点文件（审计管理员留存） / also check an exported checkpoint file")
        c = sub.add_parser("checkpoints", help="检查点文件概况或导出 / summary or export of the checkpoint file")
        c.add_argument("--export", type=Path, metavar="FILE", help="导出到文件 / copy to FILE for the auditor")
        p = sub.add_parser("purge", help="按保留期清理（至少保留 180 天） / purge by retention (keeps ≥ 180 days)")
        p.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args: Any, **o: Any) -> None:
        with context.acting(context.operator()):
            getattr(self, f"_{o['action']}")(o)

    def _verify(self, o: dict[str, Any]) -> None:
        extra = o["checkpoints"]
        if extra is not None and not extra.is_file():
            raise CommandError(f"检查点文件不存在 / no such file: {extra}")
        r = services.verify(checkpoints=extra)
        if not r.ok:
            where = f"#{r.first_bad_seq}" if r.first_bad_seq is not None else "—"
            self.stderr.write(f"审计日志被篡改或不完整 / audit chain broken at entry {where}: {r.reason}")
            sys.exit(1)
        legacy = f"（其中升级前的 SHA-256 记录 {r.legacy} 条）" if r.legacy else ""
        self.stdout.write(self.style.SUCCESS(
            f"审计日志完整 / audit chain intact: {r.checked} 条 entries{legacy}；"
            f"检查点 checkpoints: {r.checkpoints} 个，最新 latest #{r.anchored_seq}"))

    def _checkpoints(self, o: dict[str, Any]) -> None:
        src = anchor.path()
        if not src.exists():
            raise CommandError(f"检查点文件不存在 / no checkpoint file: {src}")
        try:
            cps = list(anchor.read())
        except anchor.BadCheckpoint as exc:
            raise CommandError(str(exc)) from exc
        latest = max((c.seq for c in cps), default=0)
        if o["export"] is None:
            self.stdout.write(f"{src}: {len(cps)} 个检查点 checkpoints，最新 latest #{latest}")
            return
        shutil.copyfile(src, o["export"])
        services.record_output("export", what="审计检查点", count=len(cps), detail={"latest_seq": latest})
        self.stdout.write(self.style.SUCCESS(
            f"已导出 / exported {len(cps)} 个检查点（最新 #{latest}）→ {o['export']}\n"
            "请交审计管理员离线留存；日后可用 minzheng audit verify --checkpoints FILE 核对。"))

    def _purge(self, o: dict[str, Any]) -> None:
        try:
            cutoff = dates.aware(dt.datetime.fromisoformat(o["before"]))
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{o['before']}") from exc
        try:
            n = services.purge_before(cutoff)
        except services.RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已清理 / purged {n}")
