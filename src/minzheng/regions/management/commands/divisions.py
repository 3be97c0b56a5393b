from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit import context
from minzheng.regions import services
from minzheng.regions.models import Division


class Command(BaseCommand):
    help = "行政区划 / Divisions: load FILE.csv (code,name,level,parent_code) | list"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="加载区划 CSV / load a division CSV")
        load.add_argument("file", help="CSV 文件 / CSV file")
        load.add_argument("--version", dest="data_version", help="数据版本 / data version label")
        sub.add_parser("list", help="列出乡镇 / list townships")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "list":
            for d in Division.objects.filter(depth__lte=3).order_by("code"):
                self.stdout.write(f"{d.code}  {'  ' * d.depth}{d.name}")
            return
        path = Path(o["file"])
        if not path.exists():
            raise CommandError(f"文件不存在 / no such file: {path}")
        try:
            with context.acting(context.Actor(f"cli:{getpass.getuser()}", "operator")):
                r = services.load_file(path, version=o["data_version"])
        except services.DivisionLoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"已加载 {r.dataset.version}：新增 {r.created}，更新 {r.updated} / loaded: {r.created} new, {r.updated} updated"))
