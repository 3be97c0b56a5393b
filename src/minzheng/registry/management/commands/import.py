"""`minzheng import households FILE`: import a township household ledger (.xlsx/.xls/.csv)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context


class Command(BaseCommand):
    help = "导入台账 / Import a ledger: households FILE [--programme CODE] [--dry-run] [--skip-invalid] " \
           "[--errors OUT.xlsx] [--json]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser(
            "households",
            help="家庭台账（.xlsx/.xls/.csv）：家庭、成员和享受待遇 / household ledger: households, members, enrollments")
        p.add_argument("file", help="台账文件 / ledger file (.xlsx, .xls, .csv UTF-8 or GBK)")
        p.add_argument("--programme", help="救助项目：代码、名称或别名（如 dibao_rural、农村低保、特困）；缺省时按工作表名、"
                                           "标题或“保障类别”列判断 / programme code, name or alias")
        p.add_argument("--dry-run", action="store_true", help="只校验，不写入 / validate only, write nothing")
        p.add_argument("--skip-invalid", action="store_true",
                       help="写入无误的家庭，报告其余（缺省：有任何错误则全部不写入）/ write valid households, "
                            "report the rest (default: any error, nothing written)")
        p.add_argument("--errors", metavar="OUT.xlsx", help="把错误和警告写成 Excel / write errors and warnings to a workbook")
        p.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        from minzheng.registry.ledger import CellError, LedgerFileError, import_ledger
        from minzheng.registry.ledger.errors_workbook import write_error_workbook

        path = Path(o["file"])
        if not path.exists():
            raise CommandError(f"文件不存在 / file not found: {path}")
        with context.acting(context.Actor(f"cli:{getpass.getuser()}", "operator")):
            try:
                result = import_ledger(path, programme=o["programme"], dry_run=o["dry_run"],
                                       skip_invalid=o["skip_invalid"])
            except (LedgerFileError, CellError) as exc:
                raise CommandError(str(exc)) from exc
        if o["errors"]:
            Path(o["errors"]).write_bytes(write_error_workbook(result))
        if o["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
        else:
            for label, issues, total in (("错误", result.errors, result.error_count),
                                         ("警告", result.warnings, result.warning_count)):
                for i in issues[:200]:
                    where = f"{i.sheet} 第 {i.row} 行" if i.row else i.sheet
                    self.stdout.write(f"{label} · {where} · {i.column}：{i.message}")
                if total > 200:
                    self.stdout.write(f"…… 另有{label} {total - 200} 处（用 --errors OUT.xlsx 导出全部）")
            self.stdout.write(result.summary())
        if result.error_count and not (o["skip_invalid"] and result.imported):
            sys.exit(1)
