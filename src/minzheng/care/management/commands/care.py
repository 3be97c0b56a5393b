"""`minzheng care sweep|overview|derive` — 关爱走访 batch jobs."""

from __future__ import annotations

import datetime as dt
import getpass
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = ("关爱走访 / care visits: sweep（逾期走访提级 / escalate overdue visits）, overview（概况 / overview per "
            "group and division）, derive（由人口和待遇信息生成名册 / derive registers）")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sw = sub.add_parser("sweep", help="逾期走访提级到乡镇、区 / escalate overdue visits to township and county")
        sw.add_argument("--as-of", help="按该日期判断逾期 / judge overdue as of YYYY-MM-DD")
        ov = sub.add_parser("overview", help="按类别和区划统计 / counts per group and division")
        ov.add_argument("--division", help="区划代码，默认全区 / division code (default: the county)")
        ov.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")
        de = sub.add_parser("derive", help="生成名册 / derive a register: elder, tekun, youfu, disabled")
        de.add_argument("group", choices=["elder", "tekun", "youfu", "disabled"])
        de.add_argument("--division", help="区划代码 / division code")

    def handle(self, *args: Any, **opts: Any) -> None:
        from minzheng.regions.models import Division

        division = None
        if opts.get("division"):
            division = Division.objects.filter(code=opts["division"]).first()
            if division is None:
                raise CommandError(f"没有区划代码 {opts['division']} / no such division")
        with acting(Actor(f"cli:{getpass.getuser()}", "operator")):
            if opts["action"] == "sweep":
                from minzheng.care.services import sweep

                counts = sweep.escalate_overdue(_day(opts.get("as_of")))
                self.stdout.write(f"关爱走访逾期提级：乡镇 {counts['township']} 件，区 {counts['county']} 件 / "
                                  f"escalated {counts['township']} to townships, {counts['county']} to the county\n")
            elif opts["action"] == "overview":
                from minzheng.care import selectors

                rows = selectors.overview_for_division(division)
                if opts["json"]:
                    self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
                    return
                self.stdout.write("\t".join(selectors.OVERVIEW_HEADERS) + "\n")
                for r in selectors.overview_rows(rows):
                    self.stdout.write("\t".join(str(x) for x in r) + "\n")
            else:
                from minzheng.care.services import registers

                try:
                    n = registers.derive(opts["group"], divisions=[division] if division else None)
                except ValidationError as exc:
                    raise CommandError("；".join(exc.messages)) from exc
                self.stdout.write(f"新建关爱档案 {n} 份 / opened {n} file(s)\n")
