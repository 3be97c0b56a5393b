"""minzheng payroll generate|prepare|approve|bankfile|bank-return|summary"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts.actor import Actor
from minzheng.audit.context import Actor as AuditActor
from minzheng.audit.context import acting
from minzheng.payments import bankfiles, services
from minzheng.payments.engine import parse_month
from minzheng.payments.models import BankFileLayout, Payroll, PayrollStatus

from ._common import programme_coded, township_coded, user_named


def _named(user: Actor | None, step: str) -> Actor:
    """Steps that a person signs for (造册, 审批) need the account: the operator alone cannot take them."""
    if user is None:
        raise CommandError(f"{step}须以经办账号进行，请加 --as 用户名 / {step} needs --as USERNAME")
    return user


def _msg(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


class Command(BaseCommand):
    help = "月度发放花名册 / monthly payroll: generate, prepare, approve, bankfile, bank-return, summary"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def scope(p: CommandParser, *, month: bool = True) -> None:
            if month:
                p.add_argument("--month", required=True, help="月份 YYYY-MM / month")
            p.add_argument("--programme", help="项目代码，如 dibao_urban / programme code")
            p.add_argument("--township", help="乡镇区划代码或名称 / township code or name")
            p.add_argument("--json", action="store_true", help="JSON 输出 / JSON output")

        g = sub.add_parser("generate", help="生成（重建）草稿花名册，可重复执行 / generate draft rosters (idempotent)")
        scope(g)
        g.add_argument("--as", dest="as_user", help="以该用户身份生成 / act as this user")
        p = sub.add_parser("prepare", help="乡镇提交花名册 / township submits drafts")
        scope(p)
        p.add_argument("--as", dest="as_user", required=True, help="造册人用户名 / preparer")
        a = sub.add_parser("approve", help="区审批（不能审批自己提交的） / district approval (not your own)")
        scope(a)
        a.add_argument("--as", dest="as_user", required=True, help="审批人用户名 / approver")
        b = sub.add_parser("bankfile", help="生成银行一卡通文件 / write bank disbursement files")
        scope(b)
        b.add_argument("--layout", default="csv_gbk", help="文件格式代码 / layout code (csv_gbk, csv_utf8, txt_fixed)")
        b.add_argument("--out", default=".", help="输出目录 / output directory")
        b.add_argument("--as", dest="as_user", help="导出人 / exporting user")
        r = sub.add_parser("bank-return", help="导入银行回盘文件 / import a bank return file")
        r.add_argument("file")
        r.add_argument("--layout", default="csv_gbk", help="文件格式代码 / layout code")
        r.add_argument("--as", dest="as_user", help="导入人 / importing user")
        r.add_argument("--json", action="store_true")
        s = sub.add_parser("summary", help="乡镇汇总 / per-township summary")
        scope(s)

    def handle(self, *args: Any, **o: Any) -> None:
        user = user_named(o.get("as_user"))
        actor = AuditActor(f"cli:{user.username if user else 'operator'}", user.role if user else "operator")
        with acting(actor):
            try:
                getattr(self, "do_" + o["action"].replace("-", "_"))(user, o)
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError(_msg(exc)) from exc

    def _scoped(self, o: dict[str, Any], user: Actor | None) -> Any:
        qs = services.payrolls_for(user) if user else Payroll.objects.select_related("programme", "township")
        qs = qs.filter(month=parse_month(o["month"]))
        if (prog := programme_coded(o.get("programme"))) is not None:
            qs = qs.filter(programme=prog)
        if (town := township_coded(o.get("township"))) is not None:
            qs = qs.filter(township=town)
        return qs.order_by("township__code", "programme__order")

    def _table(self, rows: list[Payroll], o: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        if o.get("json"):
            data = {"payrolls": [{"payroll_id": p.pk, "programme": p.programme.code, "township": p.township.code,
                                  "township_name": p.township.name, "status": p.status, "lines": p.line_count,
                                  "total": str(p.total)} for p in rows], **(extra or {})}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for p in rows:
            self.stdout.write(f"{p.township.code} {p.township.name:<8} {p.programme.name:<12} "
                              f"{p.get_status_display():<8} {p.line_count:>7} 笔 {p.total:>14} 元  #{p.pk}")
        total = sum((p.total for p in rows), 0)
        self.stdout.write(f"合计 total: {len(rows)} 本 rosters, {sum(p.line_count for p in rows)} 笔 lines, {total} 元")

    def do_generate(self, user: Actor | None, o: dict[str, Any]) -> None:
        res = services.generate(month=parse_month(o["month"]), user=user, programme=programme_coded(o.get("programme")),
                                township=township_coded(o.get("township")))
        if o["json"]:
            self.stdout.write(json.dumps(res.as_dict(), ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{res.month:%Y-%m} 草稿花名册 draft rosters:")
        self._table(res.payrolls, o)
        for p, why in res.skipped:
            self.stdout.write(f"跳过 skipped: {p.township.name} {p.programme.name} — {why}")

    def do_prepare(self, user: Actor | None, o: dict[str, Any]) -> None:
        done = []
        for p in self._scoped(o, user).filter(status=PayrollStatus.DRAFT):
            done.append(services.prepare(payroll=p, user=_named(user, "提交花名册")))
        self._table(done, o)

    def do_approve(self, user: Actor | None, o: dict[str, Any]) -> None:
        done, refused = services.approve_many(month=parse_month(o["month"]), user=_named(user, "审批"),
                                              programme=programme_coded(o.get("programme")),
                                              township=township_coded(o.get("township")))
        self._table(done, o, {"refused": [{"payroll_id": p.pk, "reason": why} for p, why in refused]})
        for p, why in refused:
            self.stderr.write(f"未审批 refused: {p} — {why}")
        if refused and not done:
            raise CommandError("没有花名册被审批 / nothing approved")

    def do_bankfile(self, user: Actor | None, o: dict[str, Any]) -> None:
        layout = BankFileLayout.objects.filter(code=o["layout"]).first()
        if layout is None:
            raise CommandError(f"未知文件格式 {o['layout']} / unknown layout")
        out = Path(o["out"])
        out.mkdir(parents=True, exist_ok=True)
        rows = [p for p in self._scoped(o, user) if p.status != PayrollStatus.DRAFT and p.status != "prepared"]
        if not rows:
            raise CommandError("没有已审批的花名册 / no approved rosters in scope")
        for p in rows:
            name, data = bankfiles.export(payroll=p, user=user, layout=layout)
            (out / name).write_bytes(data)
            self.stdout.write(f"{out / name}")
        self._table(rows, o)

    def do_bank_return(self, user: Actor | None, o: dict[str, Any]) -> None:
        layout = BankFileLayout.objects.filter(code=o["layout"]).first()
        if layout is None:
            raise CommandError(f"未知文件格式 {o['layout']} / unknown layout")
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {path}")
        br = bankfiles.import_return(data=path.read_bytes(), file_name=path.name, user=user, layout=layout)
        msg = {"payroll_id": br.payroll_id, "rows": br.rows, "failed": br.failed, "total": str(br.total)}
        self.stdout.write(json.dumps(msg, ensure_ascii=False) if o["json"] else
                          f"已导入 imported: {br.rows} 笔，失败 failed {br.failed} 笔（下月重发 reissued next month）")

    def do_summary(self, user: Actor | None, o: dict[str, Any]) -> None:
        self._table(list(self._scoped(o, user)), o)
