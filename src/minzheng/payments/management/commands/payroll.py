"""minzheng payroll generate|preflight|hold|hold-blocked|release|prepare|approve|send-back|supplement|bankfile|
bank-return|summary|fund-report"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.accounts.actor import Actor
from minzheng.audit.context import Actor as AuditActor
from minzheng.audit.context import acting
from minzheng.payments import bankfiles, fund_report, holds, preflight, services, supplements
from minzheng.payments.engine import parse_month
from minzheng.payments.models import BankFileLayout, Payroll, PayrollLine, PayrollStatus

from ._common import programme_coded, township_coded, user_named


def _named(user: Actor | None, step: str) -> Actor:
    """Steps that a person signs for (造册, 审批) need the account: the operator alone cannot take them."""
    if user is None:
        raise CommandError(f"{step}须以经办账号进行，请加 --as 用户名 / {step} needs --as USERNAME")
    return user


def _msg(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


class Command(BaseCommand):
    help = ("月度发放花名册 / monthly payroll: generate, preflight, hold, hold-blocked, release, prepare, approve, "
            "send-back, supplement, bankfile, bank-return, summary, fund-report")

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
        pf = sub.add_parser("preflight", help="发放前检查：不能发放的明细 / lines that cannot be paid, and why")
        scope(pf)
        pf.add_argument("--as", dest="as_user", help="以该用户身份 / act as")
        h = sub.add_parser("hold", help="挂起明细（草稿） / hold a payee's lines in a draft roster")
        h.add_argument("--payroll", type=int, required=True, help="花名册编号 / roster id")
        h.add_argument("--enrollment", type=int, nargs="+", required=True, help="享受待遇编号 / enrollment id(s)")
        h.add_argument("--reason", required=True, help="挂起原因 / reason")
        h.add_argument("--as", dest="as_user", required=True)
        hb = sub.add_parser("hold-blocked", help="挂起所有不能发放的明细 / hold every line the pre-flight found")
        scope(hb)
        hb.add_argument("--as", dest="as_user", required=True)
        rl = sub.add_parser("release", help="解除挂起 / release a held line (paid again later once fixed)")
        rl.add_argument("line", type=int, help="明细编号 / line id")
        rl.add_argument("--as", dest="as_user", required=True)
        sb = sub.add_parser("send-back", help="退回花名册（待审批或已审批未生成银行文件） / return a roster")
        sb.add_argument("--payroll", type=int, required=True)
        sb.add_argument("--reason", required=True)
        sb.add_argument("--as", dest="as_user", required=True)
        sp = sub.add_parser("supplement", help="生成补充花名册 / supplementary roster of fixed lines")
        sp.add_argument("--payroll", type=int, required=True, help="本月花名册编号 / the month's roster id")
        sp.add_argument("--as", dest="as_user", required=True)
        sp.add_argument("--json", action="store_true")
        fr = sub.add_parser("fund-report", help="资金月报（核对到分） / monthly fund report, reconciled to the fen")
        fr.add_argument("--month", required=True)
        fr.add_argument("--township", help="乡镇区划代码或名称 / township")
        fr.add_argument("--xlsx", help="写出 Excel 文件 / write xlsx to this path")
        fr.add_argument("--pdf", help="写出 PDF 文件 / write PDF to this path")
        fr.add_argument("--as", dest="as_user", help="以该用户身份 / act as")
        fr.add_argument("--json", action="store_true")

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
        self._blocking([b for rows in res.blocking.values() for b in rows], res.unrostered)

    def _blocking(self, blocked: list[preflight.Blocking], unrostered: list[preflight.Unrostered]) -> None:
        if blocked:
            self.stdout.write(f"不能发放 cannot be paid: {len(blocked)} 笔 lines（补正后重新生成，或 payroll hold-blocked）")
            for b in blocked[:200]:
                self.stdout.write(f"  #{b.payroll_id} 明细 line {b.line_id} 待遇 enrollment {b.enrollment_id} "
                                  f"{b.village} {b.payee_name} {b.amount} 元：{b.message}")
        for u in unrostered[:100]:
            self.stdout.write(f"未造册 not on roster: {u.message}")

    def do_preflight(self, user: Actor | None, o: dict[str, Any]) -> None:
        rows = list(self._scoped(o, user))
        ids = [p.pk for p in rows]
        blocked = preflight.blocking(ids)
        unrostered = preflight.unrostered(parse_month(o["month"]), rows)
        if o["json"]:
            self.stdout.write(json.dumps({"blocking_lines": len(blocked), "blocking": [b.as_dict() for b in blocked],
                                          "unrostered": [u.as_dict() for u in unrostered]}, ensure_ascii=False,
                                         indent=1))
            return
        self._blocking(blocked, unrostered)
        if not blocked and not unrostered:
            self.stdout.write("发放前检查通过 all lines can be paid")

    def do_hold(self, user: Actor | None, o: dict[str, Any]) -> None:
        actor = _named(user, "挂起")
        p = self._one(o["payroll"], user)
        n = holds.hold(payroll=p, user=actor, enrollment_ids=o["enrollment"], reason=o["reason"])
        self.stdout.write(f"已挂起 held {n} 笔 lines in #{p.pk}")

    def do_hold_blocked(self, user: Actor | None, o: dict[str, Any]) -> None:
        actor = _named(user, "挂起")
        total = 0
        for p in self._scoped(o, user).filter(status=PayrollStatus.DRAFT):
            if preflight.blocking_lines([p.pk]).exists():
                total += holds.hold_blocked(payroll=p, user=actor)
        self.stdout.write(f"已挂起 held {total} 笔 lines")

    def do_release(self, user: Actor | None, o: dict[str, Any]) -> None:
        actor = _named(user, "解除挂起")
        line = PayrollLine.objects.select_related("payroll", "enrollment__household").filter(pk=o["line"]).first()
        if line is None:
            raise CommandError(f"没有明细 no such line: {o['line']}")
        n = holds.release(line=line, user=actor)
        self.stdout.write(f"已解除挂起 released {n} 笔 lines")

    def do_send_back(self, user: Actor | None, o: dict[str, Any]) -> None:
        actor = _named(user, "退回")
        p = services.send_back(payroll=self._one(o["payroll"], user), user=actor, reason=o["reason"])
        self.stdout.write(f"已退回 returned #{p.pk} {p.title}")

    def do_supplement(self, user: Actor | None, o: dict[str, Any]) -> None:
        actor = _named(user, "生成补充花名册")
        sup = supplements.generate(payroll=self._one(o["payroll"], user), user=actor)
        blocked = preflight.blocking([sup.pk])
        if o["json"]:
            self.stdout.write(json.dumps({"payroll_id": sup.pk, "lines": sup.line_count, "total": str(sup.total),
                                          "blocking": [b.as_dict() for b in blocked]}, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"补充花名册 supplement #{sup.pk}: {sup.line_count} 笔 lines, {sup.total} 元")
        self._blocking(blocked, [])

    def do_fund_report(self, user: Actor | None, o: dict[str, Any]) -> None:
        report = fund_report.monthly(user, month=parse_month(o["month"]), township=township_coded(o.get("township")))
        code = report.scope
        for fmt, write in (("xlsx", fund_report.report_xlsx), ("pdf", fund_report.report_pdf)):
            if o.get(fmt):
                _, body = write(report, division_code="")
                Path(o[fmt]).write_bytes(body)
                self.stdout.write(f"{o[fmt]}")
        if o["json"]:
            self.stdout.write(json.dumps({"month": o["month"], "scope": code, "ok": report.ok, "sources": [
                {"source": b.source, "total": {k: str(getattr(b.total, k)) for k in (
                    "opening", "allocated", "disbursed", "refunded", "spent", "closing")}} for b in report.blocks]},
                ensure_ascii=False, indent=1))
            return
        for b in report.blocks:
            t = b.total
            self.stdout.write(f"{b.label}: 期初 {t.opening} + 下达 {t.allocated} − (发放 {t.disbursed} − 退回 "
                              f"{t.refunded}) − 支出 {t.spent} = 期末 {t.closing} {'一致' if t.ok else '不一致'}")
        self.stdout.write("核对一致 reconciled" if report.ok else "核对不一致 NOT reconciled")
        if not report.ok:
            raise CommandError("资金月报核对不一致 / the fund report does not reconcile")

    def _one(self, payroll_id: int, user: Actor | None) -> Payroll:
        qs = services.payrolls_for(user) if user else Payroll.objects.select_related("programme", "township")
        p = qs.filter(pk=payroll_id).first()
        if p is None:
            raise CommandError(f"没有花名册 no such roster (或不在辖区内): #{payroll_id}")
        return p

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
