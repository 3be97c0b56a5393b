from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context
from minzheng.core import dbdump
from minzheng.core.backup import BackupError
from minzheng.core.restore import restore


class Command(BaseCommand):
    help = ("从 minzheng backup 的备份恢复到空的安装（新的 MINZHENG_HOME、空数据库） / Restore a backup into an EMPTY "
            "installation")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="备份文件 / archive")

    def handle(self, *args: Any, **o: Any) -> None:
        if not o["file"].is_file():
            raise CommandError(f"备份文件不存在 / no such file: {o['file']}")
        try:
            with context.acting(context.operator()):
                done = restore(o["file"])
        except (BackupError, dbdump.DumpError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复 / restored: {o['file']}（备份时间 {done.archive.manifest['created_at']}）"))
        for note in done.notes:
            self.stdout.write(f"  {note}")
        r = done.verify
        if not r.ok:
            self.stderr.write(f"恢复后审计日志校验失败 / audit chain broken after restore: {r.reason}")
            sys.exit(1)
        self.stdout.write(f"  审计日志完整 / audit chain intact: {r.checked} 条，检查点 {r.checkpoints} 个")
