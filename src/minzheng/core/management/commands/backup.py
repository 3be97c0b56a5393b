from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context
from minzheng.core import backup, dbdump


class Command(BaseCommand):
    help = ("备份：数据库、上传文件、审计检查点和清单，写入一个校验过的 tar.gz / Back up the database, uploads and "
            "audit checkpoints into one verified tar.gz")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, metavar="FILE",
                            help="输出文件（默认 MINZHENG_HOME/backups/minzheng-时间.tar.gz） / output file")
        parser.add_argument("--include-keys", action="store_true",
                            help="把密钥也放进备份：持有备份者即可伪造审计记录，须像密钥一样保管 / put the keys in "
                                 "the archive too: it must then be guarded like the keys")
        parser.add_argument("--check", type=Path, metavar="FILE",
                            help="只校验一个已有的备份，不备份 / only verify an existing archive")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            if o["check"] is not None:
                archive = backup.check(o["check"])
                self.stdout.write(self.style.SUCCESS(
                    f"备份完整 / archive intact: {len(archive.members)} 个文件，{archive.manifest['created_at']}"))
                return
            with context.acting(context.operator()):
                archive = backup.create(o["out"], include_keys=o["include_keys"])
        except (backup.BackupError, dbdump.DumpError) as exc:
            raise CommandError(str(exc)) from exc
        m = archive.manifest
        head = m["audit_head"] or {}
        lines = [f"已备份并校验 / backup written and verified: {archive.path}",
                 f"  数据库 database: {m['database']}；文件 members: {len(archive.members)}；"
                 f"审计链头 audit head: #{head.get('seq', 0)}"]
        if m["keys_included"]:
            lines.append("  含密钥 keys INCLUDED：请像保管密钥一样保管此文件 / guard this file like the keys")
        else:
            lines.append("  不含密钥 keys not included：恢复时需要以下密钥文件 / a restore needs these key files:")
            lines += [f"    {name}: sha256 {fp}" for name, fp in m["keys"].items() if fp]
        self.stdout.write(self.style.SUCCESS(lines[0]) + "\n" + "\n".join(lines[1:]))
