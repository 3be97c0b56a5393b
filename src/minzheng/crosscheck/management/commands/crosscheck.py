"""`minzheng crosscheck load|run|kinds|datasets|findings`: 信息核对 from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text}") from None


class Command(BaseCommand):
    help = "信息核对：加载部门数据、运行核对、查看疑点 / cross-checks: load department data, run, list findings"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="operator", help="操作员（记入审计）/ operator name for the audit log")
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="加载部门数据文件 / load a department dataset (CSV, XLSX, Parquet)")
        load.add_argument("kind", help="数据类型，见 `crosscheck kinds` / dataset kind")
        load.add_argument("file", help="文件路径 / file path")
        load.add_argument("--as-of", dest="as_of", help="数据截至日期 / data as of (YYYY-MM-DD, 默认今天)")
        load.add_argument("--json", action="store_true", help="输出 JSON / JSON output")
        run = sub.add_parser("run", help="运行核对 / run the checks")
        run.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                         help="核对引擎 / engine (默认 default duckdb)")
        run.add_argument("--as-of", dest="as_of", help="核对基准日 / check date (默认今天 default today)")
        run.add_argument("--json", action="store_true", help="输出 JSON / JSON output")
        kinds = sub.add_parser("kinds", help="列出可加载的数据类型和列 / list dataset kinds and columns")
        kinds.add_argument("--json", action="store_true")
        ds = sub.add_parser("datasets", help="已加载的部门数据 / loaded datasets")
        ds.add_argument("--json", action="store_true")
        fl = sub.add_parser("findings", help="疑点汇总 / findings summary")
        fl.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        with acting(Actor(f"cli:{opts['user']}", "operator")):
            getattr(self, f"do_{opts['action']}")(opts)

    def emit(self, opts: dict[str, Any], data: Any, text: str) -> None:
        if opts.get("json"):
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(text)

    def do_load(self, opts: dict[str, Any]) -> None:
        from minzheng.crosscheck import services

        as_of = _date(opts["as_of"]) if opts.get("as_of") else None
        try:
            res = services.load_dataset(kind=opts["kind"], path=opts["file"], as_of=as_of)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        except FileNotFoundError:
            raise CommandError(f"文件不存在 / file not found: {opts['file']}") from None
        lines = [res.message]
        if res.parsed is not None:
            lines += [f"  {e}" for e in res.parsed.errors]
            if res.parsed.error_count > len(res.parsed.errors):
                lines.append(f"  ……另有 {res.parsed.error_count - len(res.parsed.errors)} 处错误未列出")
            lines += [f"  提示：{n}" for n in res.parsed.notices]
        self.emit(opts, res.as_dict(), "\n".join(lines) + "\n")
        if not res.ok:
            sys.exit(1)

    def do_run(self, opts: dict[str, Any]) -> None:
        from minzheng.crosscheck import services

        as_of = _date(opts["as_of"]) if opts.get("as_of") else None
        try:
            run = services.start_run(engine_name=opts["engine"], as_of=as_of, background=False)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        data = {"run": run.pk, "engine": run.engine, "as_of": run.as_of, "status": run.status,
                "recipients": run.recipients, "seconds": run.seconds, "hits": run.hits,
                "new_findings": run.new_findings, "updated_findings": run.updated_findings,
                "unchanged_findings": run.unchanged_findings, "datasets": run.datasets}
        lines = [f"核对批次 #{run.pk}（{run.engine}，基准日 {run.as_of}）：核对对象 {run.recipients} 行，"
                 f"用时 {run.seconds or 0:.1f} 秒",
                 f"新增疑点 {run.new_findings} 条，数据变化 {run.updated_findings} 条，未变化 {run.unchanged_findings} 条"]
        from minzheng.crosscheck.rules import RULES_BY_CODE

        lines += [f"  {RULES_BY_CODE[c].name}：{n}" for c, n in run.hits.items() if n]
        self.emit(opts, data, "\n".join(lines) + "\n")

    def do_kinds(self, opts: dict[str, Any]) -> None:
        from minzheng.crosscheck import schemas

        data = [{"kind": s.kind, "label": s.label, "department": s.department, "help": s.help,
                 "columns": [{"name": c.name, "label": c.label, "type": c.type, "required": c.required,
                              "aliases": list(c.aliases)} for c in s.columns]} for s in schemas.SCHEMAS.values()]
        lines = []
        for s in schemas.SCHEMAS.values():
            cols = "，".join(f"{c.label}{'*' if c.required else ''}" for c in s.columns)
            lines.append(f"{s.kind:<18} {s.label}（{s.department}）：{cols}")
        self.emit(opts, data, "\n".join(lines) + "\n（* 为必填列）\n")

    def do_datasets(self, opts: dict[str, Any]) -> None:
        from minzheng.crosscheck import services
        from minzheng.crosscheck.models import Dataset

        data = [services.dataset_dict(d) for d in Dataset.objects.all()]
        lines = [f"{d['kind']:<18} v{d['version']:<3} 截至 {d['as_of']}  {d['rows']:>9} 行  {d['file_name']}"
                 for d in data]
        self.emit(opts, data, "\n".join(lines or ["（尚未加载部门数据）"]) + "\n")

    def do_findings(self, opts: dict[str, Any]) -> None:
        from django.db.models import Count

        from minzheng.crosscheck.models import Finding

        rows = list(Finding.objects.values("township__name", "rule_code", "status").annotate(n=Count("id"))
                    .order_by("township__name", "rule_code", "status"))
        lines = [f"{r['township__name']}  {r['rule_code']:<16} {r['status']:<10} {r['n']}" for r in rows]
        self.emit(opts, rows, "\n".join(lines or ["（没有疑点）"]) + "\n")
