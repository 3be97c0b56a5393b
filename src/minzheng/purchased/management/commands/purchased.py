"""`minzheng purchased checks|callbacks|milestones` — the batch parts of purchased-service supervision."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


def _month(raw: str | None) -> dt.date:
    from minzheng.core import dates

    if not raw:
        return dates.shift_months(dates.current_month(), -1)
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError as exc:
        raise CommandError("月份格式应为 YYYY-MM / month must be YYYY-MM") from exc


class Command(BaseCommand):
    help = ("政府购买服务批处理 / purchased services: checks（服务记录自动核查）, callbacks（回访抽样）, "
            "milestones（结算节点核实金额测算）")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("checks", help="核查某月服务记录（照片重复、同时两地、单日过多、死亡/迁出后服务、时长不足、缺凭证）")
        c.add_argument("--month", help="YYYY-MM（默认上月 / default last month）")
        cb = sub.add_parser("callbacks", help="为每个有服务记录的乡镇随机抽取回访对象 / draw callback samples")
        cb.add_argument("--month", help="YYYY-MM（默认上月 / default last month）")
        cb.add_argument("--township", help="乡镇区划代码（默认全部 / default every township with records）")
        m = sub.add_parser("milestones", help="测算结算期已结束的节点的核实应付金额（只读，审批在页面或 API）")
        m.add_argument("--as-of", help="YYYY-MM-DD（默认今天 / default today）")

    def handle(self, *args: Any, **opts: Any) -> None:
        with acting(Actor(f"cli:{getpass.getuser()}", "operator")):
            getattr(self, f"_{opts['action']}")(opts)

    def _checks(self, opts: dict[str, Any]) -> None:
        from minzheng.purchased.services import checks

        r = checks.run(month=_month(opts.get("month")))
        self.stdout.write(f"{r.month:%Y-%m}：核查 {r.records} 条记录，新发现疑点 {r.total_new} 个，核实有效 {r.verified} 条\n")
        for code, n in sorted(r.new_flags.items()):
            self.stdout.write(f"  {code}: {n}\n")

    def _callbacks(self, opts: dict[str, Any]) -> None:
        from minzheng.purchased.models import CallbackSample, ServiceOrder
        from minzheng.purchased.services import callbacks
        from minzheng.regions.models import Division, Level

        month = _month(opts.get("month"))
        if opts.get("township"):
            towns = list(Division.objects.filter(code=opts["township"], level=Level.TOWNSHIP))
            if not towns:
                raise CommandError(f"没有乡镇(街道)区划代码 {opts['township']}")
        else:
            towns = list(Division.objects.filter(
                pk__in=ServiceOrder.objects.values("village__parent")).order_by("code"))
        for town in towns:
            if CallbackSample.objects.filter(township=town, month=month).exists():
                self.stdout.write(f"{town.name}：{month:%Y-%m} 已抽样，跳过\n")
                continue
            try:
                s = callbacks.draw(actor=None, township=town, month=month)
            except ValidationError as exc:
                self.stdout.write(f"{town.name}：{'；'.join(exc.messages)}\n")
            else:
                self.stdout.write(f"{town.name}：{s.population} 人中抽取 {s.items.count()} 人（种子 {s.seed}）\n")

    def _milestones(self, opts: dict[str, Any]) -> None:
        from minzheng.core import dates
        from minzheng.purchased.services import payments

        try:
            as_of = dt.date.fromisoformat(opts["as_of"]) if opts.get("as_of") else dates.today()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
        rows = payments.compute_due(as_of=as_of)
        for m, f in rows:
            self.stdout.write(f"{m.contract.number} {m.title}：核实服务 {f['units']} 次，不合格 {f['failed']} 条，"
                              f"未核实 {f['unverified']} 条，核实应付 {f['amount']} 元（上限 {m.cap} 元）\n")
        self.stdout.write(f"共 {len(rows)} 个待结算节点 / {len(rows)} milestone(s) due\n")
