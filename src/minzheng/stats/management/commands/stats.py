"""`minzheng stats close|return|flags` — month close, the monthly return (text, xlsx, PDF) and risk screening."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


def _month(raw: str | None) -> Any:
    from minzheng.core import dates
    from minzheng.stats.closing import parse_month

    if not raw:
        return dates.add_months(dates.current_month(), -1)
    try:
        return parse_month(raw)
    except ValidationError as exc:
        raise CommandError(exc.messages[0]) from None


class Command(BaseCommand):
    help = "统计分析 / statistics: close（月度关账）, return（统计月报）, flags（疑点筛查）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("close", help="关账：计算并冻结某月统计数据（须与已审批花名册一致） / close a month")
        c.add_argument("--month", required=True, help="YYYY-MM")
        c.add_argument("--months", type=int, default=1, help="连同之前的月份共关账 N 个月（从最早的开始）")
        r = sub.add_parser("return", help="统计月报 / the monthly return")
        r.add_argument("--month", help="YYYY-MM（默认上月 / default last month）")
        r.add_argument("--township", help="乡镇区划代码（默认全区 / default the county）")
        r.add_argument("--final", action="store_true", help="只出具已关账月份的正式报表 / refuse a month not closed")
        r.add_argument("--xlsx", help="写出 Excel 文件 / write xlsx")
        r.add_argument("--pdf", help="写出 PDF 文件 / write PDF")
        f = sub.add_parser("flags", help="疑点筛查（人情保风险提示） / risk screening")
        f.add_argument("--month", help="YYYY-MM（默认上月 / default last month）")

    def handle(self, *args: Any, **opts: Any) -> None:
        with acting(Actor(f"cli:{getpass.getuser()}", "operator")):
            try:
                getattr(self, f"_{opts['action']}")(opts)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None

    def _close(self, opts: dict[str, Any]) -> None:
        from minzheng.core import dates
        from minzheng.stats import closing
        from minzheng.stats.models import StatMonth

        last = _month(opts["month"])
        n = max(1, min(int(opts["months"]), 120))
        for i in range(n - 1, -1, -1):
            month = dates.add_months(last, -i)
            if StatMonth.objects.filter(month=month, closed_at__isnull=False).exists():
                self.stdout.write(f"{month:%Y-%m} 已关账，跳过\n")
                continue
            s = closing.close_month(month=month)
            self.stdout.write(f"{month:%Y-%m} 已关账：{s.rows} 行，支出 {s.facts_fen / 100:.2f} 元 = 已审批花名册 "
                              f"{s.payroll_fen / 100:.2f} 元，往月更正 {s.late_fen / 100:.2f} 元\n")

    def _return(self, opts: dict[str, Any]) -> None:
        from minzheng.regions.models import Division, Level
        from minzheng.stats import exports, returns

        month = _month(opts.get("month"))
        if opts.get("township"):
            division = Division.objects.filter(code=opts["township"], level=Level.TOWNSHIP).first()
            if division is None:
                raise CommandError(f"没有区划代码为 {opts['township']} 的乡镇(街道)")
        else:
            division = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
            if division is None:
                raise CommandError("没有区(县)区划，请先运行 minzheng init")
        r = returns.compute(division, month, final=bool(opts.get("final")))
        self.stdout.write(f"{r.title}（{'已关账' if r.final else '未关账，实时数据'}）\n")
        for row in exports.return_rows(r):
            name, unit, code, value, prev, change = row
            self.stdout.write(f"{code:<14}{name:<28}{unit:<4}{value!s:>14}{prev!s:>14}{change!s:>10}\n")
        self.stdout.write(exports.reconciliation_text(r) + "\n")
        if opts.get("xlsx"):
            _, body = exports.return_xlsx(r)
            Path(opts["xlsx"]).write_bytes(body)
            self.stdout.write(f"已写出 {opts['xlsx']}\n")
        if opts.get("pdf"):
            _, body = exports.return_pdf(r)
            Path(opts["pdf"]).write_bytes(body)
            self.stdout.write(f"已写出 {opts['pdf']}\n")
        if not r.reconciled:
            raise CommandError("统计支出与已审批花名册不一致")

    def _flags(self, opts: dict[str, Any]) -> None:
        from minzheng.stats import risk

        month = _month(opts.get("month"))
        found = risk.detect(month)
        self.stdout.write(f"{month:%Y-%m} 疑点筛查：{len(found)} 条提示（供核实，不作定性）\n")
        for f in found:
            self.stdout.write(f"  [{f.get_kind_display()}] {f.explanation[:120]}\n")
