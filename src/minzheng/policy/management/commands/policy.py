from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting


class Command(BaseCommand):
    help = ("政策参数批量调整 / policy batch changes: raise preview|prepare|approve|cancel|list = 提标：测算、制单、"
            "审核执行、撤销、列表 / a standard raise: preview, prepare, approve (another user), cancel, list")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["raise"], help="raise")
        parser.add_argument("action", choices=["preview", "prepare", "approve", "cancel", "list"])
        parser.add_argument("id", nargs="?", type=int, help="提标编号（approve/cancel）/ raise id")
        parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                            help="调整的参数，可重复 / a parameter and its new value (repeatable)")
        parser.add_argument("--from", dest="effective_from", help="生效日期 YYYY-MM-01 / effective date")
        parser.add_argument("--source", default="", help="依据文件 / source document")
        parser.add_argument("--title", default="")
        parser.add_argument("--as", dest="as_user", help="以该账号办理（制单与审核须为不同账号）/ act as this account")
        parser.add_argument("--json", action="store_true", help="输出 JSON / JSON output")

    def handle(self, *args: Any, **o: Any) -> None:
        from minzheng.payments.management.commands._common import user_named
        from minzheng.policy import raises
        from minzheng.policy.models import Raise

        user = user_named(o["as_user"])
        with acting(Actor(f"cli:{o['as_user'] or 'operator'}", "operator")):
            try:
                if o["action"] == "list":
                    for r in Raise.objects.all():
                        self.stdout.write(f"{r.pk}\t{r.get_status_display()}\t{r.effective_from}\t{r.title}\t"
                                          f"{r.preview.get('households', 0)} 户\t月增 {r.preview.get('change', '0')} 元")
                    return
                if o["action"] in ("approve", "cancel"):
                    if not o["id"]:
                        raise CommandError("请给出提标编号 / give the raise id")
                    r = Raise.objects.filter(pk=o["id"]).first()
                    if r is None:
                        raise CommandError(f"没有第 {o['id']} 号提标 / no such raise")
                    r = raises.approve(r, actor=user) if o["action"] == "approve" else raises.cancel(r, actor=user)
                    self._show(r.result or r.preview, o["json"], f"第 {r.pk} 号提标{r.get_status_display()}")
                    return
                changes = [self._pair(s) for s in o["set"]]
                day = self._day(o["effective_from"])
                if o["action"] == "preview":
                    cleaned = raises._clean(changes)
                    raises._check(cleaned, day)
                    self._show(raises.preview(cleaned, day).summary, o["json"], "测算（未保存）")
                    return
                r = raises.prepare(actor=user, changes=changes, effective_from=day, source_document=o["source"],
                                   title=o["title"])
                self._show(r.preview, o["json"], f"已制单：第 {r.pk} 号提标，待另一名区级人员审核")
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc

    @staticmethod
    def _pair(text: str) -> dict[str, str]:
        key, sep, value = text.partition("=")
        if not sep:
            raise CommandError(f"--set 应写成 参数=值：{text} / use KEY=VALUE")
        return {"key": key.strip(), "value": value.strip()}

    @staticmethod
    def _day(text: str | None) -> dt.date:
        try:
            return dt.date.fromisoformat(text or "")
        except ValueError as exc:
            raise CommandError("--from 应为日期 YYYY-MM-01 / effective date required") from exc

    def _show(self, summary: dict[str, Any], as_json: bool, head: str) -> None:
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
            return
        self.stdout.write(head)
        for t in summary.get("by_township", []):
            self.stdout.write(f"  {t['township']}\t{t['households']} 户\t{t['persons']} 人\t{t['before']} → "
                              f"{t['after']} 元/月")
        self.stdout.write(f"合计：{summary.get('households', 0)} 户，{summary.get('persons', 0)} 人，每月 "
                          f"{summary.get('before', '0')} → {summary.get('after', '0')} 元（{summary.get('change', '0')}）")
