"""一卡通 bank disbursement files and the bank's return file (回盘).

A file holds one transfer per enrollment: the net of its lines in the roster (a month's payment plus arrears minus a
recovery). A net of zero or less is not sent to the bank: it is listed for recovery (追回清单) instead. The header
carries a batch number naming the roster plus the count and total, so a return file can be matched to its roster and
checked before anything changes. Layouts (columns, separator, GBK/UTF-8, fixed width, header/trailer) are data.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record, record_output
from minzheng.core import dates
from minzheng.core.excel import safe_cell
from minzheng.core.scoping import get_visible, require_edit

from . import accounts
from .models import (
    HELD_STATUSES,
    BankFileLayout,
    BankReturn,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)

FIELDS: dict[str, str] = {
    "seq": "序号", "payee_name": "户名", "id_number": "身份证号", "bank_name": "开户行", "bank_account": "账号",
    "amount": "金额", "programme": "项目", "village": "村(社区)", "period": "发放月份", "remark": "摘要",
}
RETURN_FIELDS = {"result": "处理结果", "message": "失败原因"}
OK_WORDS = {"成功", "success", "ok", "0", "00", "0000", "s"}

DEFAULT_LAYOUTS: list[dict[str, Any]] = [
    {"code": "csv_gbk", "name": "通用 CSV（GBK）", "file_format": "csv", "separator": ",", "encoding": "GBK",
     "header": True, "trailer": False, "column_titles": True, "extension": "csv",
     "columns": [{"field": f} for f in ("seq", "payee_name", "id_number", "bank_account", "amount", "remark")]},
    {"code": "csv_utf8", "name": "通用 CSV（UTF-8）", "file_format": "csv", "separator": ",", "encoding": "UTF-8",
     "header": True, "trailer": False, "column_titles": True, "extension": "csv",
     "columns": [{"field": f} for f in ("seq", "payee_name", "id_number", "bank_account", "amount", "remark")]},
    {"code": "txt_fixed", "name": "定长 TXT（GBK，首尾汇总行）", "file_format": "fixed", "separator": "",
     "encoding": "GBK", "header": True, "trailer": True, "column_titles": False, "extension": "txt",
     "columns": [{"field": "seq", "width": 6}, {"field": "bank_account", "width": 24},
                 {"field": "payee_name", "width": 20}, {"field": "id_number", "width": 18},
                 {"field": "amount", "width": 14}, {"field": "remark", "width": 30}]},
]


def seed_layouts() -> int:
    made = 0
    for spec in DEFAULT_LAYOUTS:
        _, created = BankFileLayout.objects.get_or_create(code=spec["code"], defaults=spec)
        made += created
    return made


@dataclass
class Transfer:
    seq: int
    enrollment_id: int
    payee_name: str
    id_number: str
    bank_name: str
    bank_account: str
    amount: Decimal
    village: str
    line_ids: list[int] = field(default_factory=list)


def batch_no(p: Payroll) -> str:
    return f"MZ{p.pk:08d}-{p.month:%Y%m}"


def transfers(p: Payroll) -> tuple[list[Transfer], list[Transfer]]:
    """(bank transfers with a positive net, recoveries with a net ≤ 0) of a roster, in roster order. Held lines are
    not sent."""
    groups: dict[int, Transfer] = {}
    for line in p.lines.exclude(status__in=HELD_STATUSES).select_related("village").order_by(
            "village__code", "enrollment_id", "id"):
        t = groups.get(line.enrollment_id)
        if t is None:
            t = groups[line.enrollment_id] = Transfer(0, line.enrollment_id, line.payee_name, line.id_number,
                                                      line.bank_name, line.bank_account, Decimal("0"),
                                                      line.village.name)
        # The latest line carries the current bank details (a reissue is made with corrected ones).
        t.payee_name, t.bank_name, t.bank_account = line.payee_name, line.bank_name, line.bank_account
        t.amount += line.amount
        t.line_ids.append(line.pk)
    pay = [t for t in groups.values() if t.amount > 0]
    owe = [t for t in groups.values() if t.amount <= 0]
    for i, t in enumerate(pay, 1):
        t.seq = i
    return pay, owe


def _value(t: Transfer, f: str, p: Payroll) -> str:
    return {"seq": str(t.seq), "payee_name": t.payee_name, "id_number": t.id_number, "bank_name": t.bank_name,
            "bank_account": t.bank_account, "amount": f"{t.amount:.2f}", "programme": p.programme.name,
            "village": t.village, "period": f"{p.month:%Y%m}",
            "remark": f"{p.programme.name}{p.month:%Y年%m月}"}.get(f, "")


def _fixed(text: str, width: int, encoding: str, right: bool) -> str:
    """Pad to `width` bytes in the file's encoding (a Chinese character is 2 bytes in GBK, 3 in UTF-8)."""
    out = ""
    for ch in text:
        if len((out + ch).encode(encoding)) > width:
            break
        out += ch
    pad = " " * (width - len(out.encode(encoding)))
    return pad + out if right else out + pad


def render(p: Payroll, layout: BankFileLayout) -> tuple[bytes, list[Transfer]]:
    pay, _ = transfers(p)
    scheme_list = accounts.schemes(p.month)
    bad = [(t, accounts.check(t.bank_account, scheme_list)) for t in pay]
    bad = [(t, c) for t, c in bad if not c.ok]
    if bad:
        names = "；".join(f"{t.payee_name}：{c.message}" for t, c in bad[:5])
        raise ValidationError(f"{len(bad)} 笔账号不能发放（{names}{'…' if len(bad) > 5 else ''}）。"
                              "请在档案中补正后在本页“同步档案账户”，或由审批人退回花名册后挂起这些明细")
    total = sum((t.amount for t in pay), Decimal("0"))
    cols = layout.columns
    lines: list[str] = []
    summary = [batch_no(p), str(len(pay)), f"{total:.2f}"]
    if layout.file_format == "fixed":
        if layout.header:
            lines.append("H" + _fixed(summary[0], 20, layout.encoding, False) + _fixed(summary[1], 10, layout.encoding, True)
                         + _fixed(summary[2], 16, layout.encoding, True))
        for t in pay:
            lines.append("D" + "".join(_fixed(_value(t, c["field"], p), int(c.get("width", 20)), layout.encoding,
                                              c["field"] in ("amount", "seq")) for c in cols))
        if layout.trailer:
            lines.append("T" + _fixed(summary[1], 10, layout.encoding, True) + _fixed(summary[2], 16, layout.encoding, True))
        text = "\r\n".join(lines) + "\r\n"
    else:
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=layout.separator or ",", lineterminator="\r\n")
        if layout.header:
            w.writerow(["批次号", summary[0], "总笔数", summary[1], "总金额", summary[2]])
        if layout.column_titles:
            w.writerow([c.get("title") or FIELDS.get(c["field"], c["field"]) for c in cols])
        for t in pay:
            w.writerow([safe_cell(_value(t, c["field"], p)) for c in cols])
        if layout.trailer:
            w.writerow(["合计", summary[1], summary[2]])
        text = buf.getvalue()
    return text.encode(layout.encoding), pay


def export(*, payroll: Payroll, user: Actor | None, layout: BankFileLayout) -> tuple[str, bytes]:
    """The bank file of an approved roster (status → exported). Audited as an export. The roster is read afresh
    under a row lock, so a roster returned (退回) a moment ago is never written to a file."""
    if user is not None:
        require_edit(user, payroll, Cap.EXPORT)
    with transaction.atomic():
        p = Payroll.objects.select_for_update().select_related("programme", "township").get(pk=payroll.pk)
        if p.status not in (PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID):
            raise ValidationError("花名册审批后才能生成银行文件")
        data, pay = render(p, layout)
        if p.status == PayrollStatus.APPROVED:
            Payroll.objects.filter(pk=p.pk).update(status=PayrollStatus.EXPORTED)
            p.status = PayrollStatus.EXPORTED
        record_output("export", what="payments.bankfile", count=len(pay), division_code=p.township.code,
                      detail={"payroll": p.pk, "layout": layout.code, "batch": batch_no(p),
                              "total": str(sum((t.amount for t in pay), Decimal(0)))})
    payroll.status = p.status
    name = f"{batch_no(p)}-{p.township.name}-{p.programme.name}.{layout.extension}"
    return name, data


# --- Return file (回盘) -----------------------------------------------------------------------------------------


@dataclass
class ReturnRow:
    account: str
    name: str
    amount: Decimal
    ok: bool
    message: str


@dataclass
class ParsedReturn:
    batch: str
    count: int
    total: Decimal
    rows: list[ReturnRow]


def _dec(text: str, what: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError) as exc:
        raise ValidationError(f"回盘文件中的{what}“{text}”不是数字") from exc


def _decode(data: bytes, layout: BankFileLayout) -> str:
    for enc in (layout.encoding, "utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("回盘文件无法识别编码（应为 GBK 或 UTF-8）")


def parse_return(data: bytes, layout: BankFileLayout) -> ParsedReturn:
    """Return file = the sent layout plus two columns (处理结果, 失败原因), with the same header (and trailer).
    A file that cannot be read is refused with a message, never half-read."""
    if not data.strip():
        raise ValidationError("回盘文件是空的")
    try:
        return _parse_return(data, layout)
    except (ValueError, IndexError) as exc:
        raise ValidationError(f"回盘文件格式不对，无法读取（{layout.name}）：{exc}") from exc


def _parse_return(data: bytes, layout: BankFileLayout) -> ParsedReturn:
    text = _decode(data, layout)
    fields = [c["field"] for c in layout.columns] + ["result", "message"]
    rows: list[ReturnRow] = []
    batch, count, total = "", -1, Decimal(-1)
    if layout.file_format == "fixed":
        widths = [int(c.get("width", 20)) for c in layout.columns] + [4, 60]
        for raw in text.splitlines():
            if not raw.strip():
                continue
            b = raw.encode(layout.encoding)
            if raw[0] == "H":
                batch, count, total = b[1:21].decode(layout.encoding).strip(), int(b[21:31]), _dec(
                    b[31:47].decode(layout.encoding), "总金额")
                continue
            if raw[0] == "T":
                continue
            pos, vals = 1, {}
            for f, w in zip(fields, widths, strict=True):
                vals[f] = b[pos:pos + w].decode(layout.encoding, "replace").strip()
                pos += w
            rows.append(_row(vals))
    else:
        reader = csv.reader(io.StringIO(text), delimiter=layout.separator or ",")
        for rec in reader:
            if not rec or not any(x.strip() for x in rec):
                continue
            if rec[0].strip() == "批次号":
                if len(rec) < 6:
                    raise ValidationError("回盘文件首行应为：批次号,…,总笔数,…,总金额,…")
                batch, count, total = rec[1].strip(), int(_dec(rec[3], "总笔数")), _dec(rec[5], "总金额")
                continue
            if rec[0].strip() in ("合计",) or rec[0].strip() == (layout.columns[0].get("title")
                                                                  or FIELDS.get(layout.columns[0]["field"])):
                continue
            rec = [*rec, "", ""][:len(fields)]
            rows.append(_row(dict(zip(fields, rec, strict=True))))
    if not batch:
        raise ValidationError("回盘文件缺少首行批次号（批次号,总笔数,总金额），无法确定对应的花名册")
    return ParsedReturn(batch, count, total, rows)


def _row(vals: dict[str, str]) -> ReturnRow:
    result = vals.get("result", "").strip()
    return ReturnRow(account=vals.get("bank_account", "").strip(), name=vals.get("payee_name", "").strip(),
                     amount=_dec(vals.get("amount", ""), "金额"), ok=result.lower() in OK_WORDS,
                     message=vals.get("message", "").strip() or ("" if result.lower() in OK_WORDS else result))


def import_return(*, data: bytes, file_name: str, user: Actor | None, layout: BankFileLayout,
                  payroll: Payroll | None = None) -> BankReturn:
    """Check the whole file first — batch, count, total, every account and amount — and change nothing unless all
    agree; then mark each transfer paid or failed. Failed payments are reissued in the next month's roster."""
    parsed = parse_return(data, layout)
    m = re.fullmatch(r"MZ(\d{8})-(\d{6})", parsed.batch)
    if m is None:
        raise ValidationError(f"批次号“{parsed.batch}”不是本系统生成的")
    if payroll is None:
        payroll = get_visible(Payroll, user, pk=int(m.group(1))) if user is not None else Payroll.objects.get(
            pk=int(m.group(1)))
    elif batch_no(payroll) != parsed.batch:
        raise ValidationError(f"回盘批次号 {parsed.batch} 与花名册 {batch_no(payroll)} 不符")
    if user is not None:
        require_edit(user, payroll, Cap.IMPORT)
    if payroll.status not in (PayrollStatus.EXPORTED, PayrollStatus.PAID):
        raise ValidationError("该花名册尚未生成银行文件，不能导入回盘")
    sha = hashlib.sha256(data).hexdigest()
    if BankReturn.objects.filter(payroll=payroll, sha256=sha).exists():
        raise ValidationError("这个回盘文件已经导入过")
    earlier = BankReturn.objects.filter(payroll=payroll).first()
    if earlier is not None:
        raise ValidationError(f"该花名册已于 {earlier.imported_at:%Y-%m-%d %H:%M} 导入回盘 {earlier.file_name}，"
                              "一本花名册只导入一次回盘")
    pay, _ = transfers(payroll)
    sent_total = sum((t.amount for t in pay), Decimal("0"))
    rows_total = sum((r.amount for r in parsed.rows), Decimal("0"))
    errors = []
    if parsed.count != len(parsed.rows):
        errors.append(f"首行总笔数 {parsed.count} 与明细 {len(parsed.rows)} 笔不符")
    if parsed.total != rows_total:
        errors.append(f"首行总金额 {parsed.total} 与明细合计 {rows_total} 不符")
    if len(parsed.rows) != len(pay) or rows_total != sent_total:
        errors.append(f"回盘 {len(parsed.rows)} 笔 {rows_total} 元，与发出的 {len(pay)} 笔 {sent_total} 元不符")
    by_account: dict[str, list[Transfer]] = {}
    for t in pay:
        by_account.setdefault(t.bank_account, []).append(t)
    matched: list[tuple[Transfer, ReturnRow]] = []
    unknown = []
    for r in parsed.rows:
        cands = [t for t in by_account.get(r.account, []) if t.amount == r.amount]
        if not cands:
            unknown.append(f"{r.account}（{r.name} {r.amount}）")
            continue
        t = cands[0]
        by_account[r.account].remove(t)
        matched.append((t, r))
    if unknown:
        errors.append(f"{len(unknown)} 个账号/金额不在发出的文件中：{'、'.join(unknown[:5])}")
    if errors:
        raise ValidationError(["回盘文件未导入，数据未作任何改动：", *errors])
    failed = [(t, r) for t, r in matched if not r.ok]
    with transaction.atomic():
        ok_ids = [i for t, r in matched if r.ok for i in t.line_ids]
        PayrollLine.objects.filter(pk__in=ok_ids).update(status=LineStatus.PAID, bank_message="")
        held = 0
        for t, r in failed:
            lines = PayrollLine.objects.filter(pk__in=t.line_ids)
            message = (r.message or "银行退回")[:200]
            if lines.filter(kind=LineKind.REISSUE).exists():
                # The second failure of the same money: no third automatic try; the township checks the account.
                first = (PayrollLine.objects.filter(reissues__in=lines.filter(kind=LineKind.REISSUE))
                         .exclude(bank_message="").values_list("bank_message", flat=True).first() or "银行退回")
                lines.update(status=LineStatus.HELD, bank_message=message, held_at=dates.now(),
                             hold_reason=f"两次银行发放失败（第一次：{first}；第二次：{message}），"
                                         "请核实账户后解除挂起"[:200])
                held += 1
            else:
                lines.update(status=LineStatus.FAILED, bank_message=message)
        Payroll.objects.filter(pk=payroll.pk).update(status=PayrollStatus.PAID)
        br = BankReturn.objects.create(payroll=payroll, file_name=file_name[:200], sha256=sha, rows=len(matched),
                                       failed=len(failed), total=rows_total,
                                       imported_by=getattr(user, "username", "") or "")
        from . import funds

        refunded = sum((t.amount for t, _ in failed), Decimal("0"))
        funds.record_refund(payroll, refunded, br.pk)
        record("payments.bank_return", obj=payroll,
               summary=f"导入回盘 {file_name}：{len(matched)} 笔，失败 {len(failed)} 笔 {refunded} 元"
                       + (f"（其中 {held} 笔第二次失败，已挂起待核实）" if held else "（将在下月重发）"),
               detail={"batch": parsed.batch, "failed": [t.enrollment_id for t, _ in failed], "held": held})
    return br


def failed_total(payroll: Payroll) -> Decimal:
    return payroll.lines.filter(status=LineStatus.FAILED).aggregate(t=Sum("amount"))["t"] or Decimal("0")
