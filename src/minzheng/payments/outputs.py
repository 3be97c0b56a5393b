"""Printed and exported rosters: xlsx for the office, a PDF with a signature column for the village, and per-township
summaries. Every one is audited (record_output). ID numbers on paper are masked: a roster is signed in a village
office where neighbours see it; bank accounts show only their last four digits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from minzheng.accounts.actor import Actor
from minzheng.audit.services import record_output
from minzheng.core.excel import workbook_bytes
from minzheng.core.pdf import Document
from minzheng.registry.masking import mask_id, shown

from .models import HELD_STATUSES, LineKind, Payroll

HEADERS = ["序号", "村(社区)", "领款人", "身份证号", "账号", "保障人数", "类型", "所属月份", "金额(元)"]


def _rows(p: Payroll, user: Actor, *, masked: bool) -> list[list[Any]]:
    kinds = dict(LineKind.choices)
    out: list[list[Any]] = []
    for i, line in enumerate(p.lines.select_related("village").order_by("village__code", "enrollment_id", "id"), 1):
        idn = mask_id(line.id_number) if masked else shown(user, line.id_number, "id")
        # On paper only the last four digits, which is what a recipient checks against their card.
        acct = (f"尾号{line.bank_account[-4:]}" if line.bank_account else "") if masked else shown(
            user, line.bank_account, "account")
        kind = str(kinds[line.kind]) + ("（挂起）" if line.status in HELD_STATUSES else "")
        out.append([i, line.village.name, line.payee_name, idn, acct, line.covered_persons, kind,
                    f"{line.period_month:%Y-%m}", line.amount])
    return out


def roster_xlsx(p: Payroll, user: Actor) -> tuple[str, bytes]:
    rows = _rows(p, user, masked=False)
    data = [[*r[:-1], float(r[-1])] for r in rows]
    summary = [[k, v["count"], float(Decimal(v["total"]))] for k, v in p.snapshot.get("kinds", {}).items()]
    body = workbook_bytes([("花名册", HEADERS, data), ("汇总", ["类型", "笔数", "金额(元)"], summary)],
                          title=f"{p.township.name}{p.programme.name}{p.month:%Y年%m月}发放花名册")
    record_output("export", what="payments.roster", count=len(rows), division_code=p.township.code,
                  detail={"payroll": p.pk, "format": "xlsx"})
    return f"花名册-{p.township.name}-{p.programme.name}-{p.month:%Y%m}.xlsx", body


def roster_pdf(p: Payroll, user: Actor) -> tuple[str, bytes]:
    rows = _rows(p, user, masked=True)
    doc = Document(f"{p.programme.name}发放花名册",
                   subtitle=f"{p.township.name}  {p.month:%Y年%m月}  共 {p.line_count} 笔  合计 {p.total} 元",
                   landscape=True, footer_note=f"批次 {p.pk}  状态：{p.get_status_display()}")
    headers = [*HEADERS, "领款人签名(手印)"]
    widths = [12, 38, 24, 42, 28, 16, 18, 20, 24, 55]
    doc.table(headers, [[*r[:-1], f"{r[-1]:.2f}", ""] for r in rows], widths,
              align=["C", "L", "L", "L", "L", "C", "C", "C", "R", "L"], row_height=9)
    held = f"其中挂起 {p.held_count} 笔 {p.held_total} 元暂不发放，实发 {p.payable_total} 元。" if p.held_count else ""
    doc.paragraph(f"合计：{p.line_count} 笔，{p.total} 元。{held}")
    doc.signatures(["造册人", "乡镇审核", "区民政局审批"])
    record_output("print", what="payments.roster", count=len(rows), division_code=p.township.code,
                  detail={"payroll": p.pk, "format": "pdf"})
    return f"花名册-{p.township.name}-{p.programme.name}-{p.month:%Y%m}.pdf", doc.render()


def township_summary(qs: Any) -> list[dict[str, Any]]:
    """Per township and programme: rosters, lines and totals (乡镇汇总表)."""
    return list(qs.values("township__code", "township__name", "programme__name", "status").annotate(
        n=Count("id"), lines=Sum("line_count"), total=Sum("total")).order_by("township__code", "programme__name"))


def summary_xlsx(qs: Any, month_label: str) -> tuple[str, bytes]:
    rows = township_summary(qs)
    data = [[r["township__code"], r["township__name"], r["programme__name"], r["lines"] or 0,
             float(r["total"] or 0)] for r in rows]
    body = workbook_bytes([("乡镇汇总", ["区划代码", "乡镇(街道)", "项目", "笔数", "金额(元)"], data)],
                          title=f"{month_label} 资金发放乡镇汇总")
    record_output("export", what="payments.summary", count=len(rows), detail={"month": month_label})
    return f"资金发放汇总-{month_label}.xlsx", body
