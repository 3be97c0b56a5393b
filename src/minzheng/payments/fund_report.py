"""Monthly fund report (资金月报) per funding source: for each fund, the balance brought forward, what was allocated,
paid out (less what the bank returned) and spent in the month, and the balance — which must reconcile to the fen:

    opening + allocated − (disbursed − refunded) − spent = closing

The closing balance is summed separately in SQL over every entry up to the month, so a kind of entry counted in
the wrong column shows as a difference; and each approved roster's booking is checked against the roster itself
(its total less held lines). Exported as xlsx and as a PDF with the embedded CJK font; both audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce

from minzheng.audit.services import record_output
from minzheng.core.excel import workbook_bytes
from minzheng.core.pdf import Document
from minzheng.core.scoping import visible
from minzheng.regions.models import Division

from . import funds
from .models import FundEntry, FundEntryKind, FundSource, Payroll, PayrollStatus

CENT = Decimal("0.01")
BOOKED = (PayrollStatus.APPROVED, PayrollStatus.EXPORTED, PayrollStatus.PAID)


def _dec(v: Any) -> Decimal:
    return Decimal(str(v or 0)).quantize(CENT)   # SQLite sums decimals as floats


@dataclass
class Line:
    fund: str
    fund_name: str
    opening: Decimal = Decimal("0")
    allocated: Decimal = Decimal("0")
    disbursed: Decimal = Decimal("0")
    refunded: Decimal = Decimal("0")
    spent: Decimal = Decimal("0")
    closing: Decimal = Decimal("0")     # summed independently

    @property
    def computed(self) -> Decimal:
        return self.opening + self.allocated - (self.disbursed - self.refunded) - self.spent

    @property
    def difference(self) -> Decimal:
        return self.closing - self.computed

    @property
    def ok(self) -> bool:
        return self.difference == 0

    def add(self, other: Line) -> None:
        for f in ("opening", "allocated", "disbursed", "refunded", "spent", "closing"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


@dataclass
class SourceBlock:
    source: str
    label: str
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Line:
        t = Line("", "合计")
        for x in self.lines:
            t.add(x)
        return t


@dataclass(frozen=True)
class RosterCheck:
    payroll: Payroll
    payable: Decimal
    booked: Decimal

    @property
    def difference(self) -> Decimal:
        return self.booked - self.payable

    @property
    def ok(self) -> bool:
        return self.difference == 0


@dataclass
class FundReport:
    month: dt.date
    scope: str
    blocks: list[SourceBlock]
    rosters: list[RosterCheck]

    @property
    def ok(self) -> bool:
        return all(x.ok for b in self.blocks for x in b.lines) and all(r.ok for r in self.rosters)

    @property
    def total(self) -> Line:
        t = Line("", "总计")
        for b in self.blocks:
            t.add(b.total)
        return t


def _signed() -> Case:
    return Case(When(kind=FundEntryKind.ALLOCATION, then=F("amount")),
                When(kind=FundEntryKind.DISBURSEMENT, then=-F("amount")),
                When(kind=FundEntryKind.REFUND, then=F("amount")),
                When(kind=FundEntryKind.EXPENSE, then=-F("amount")),
                default=Value(Decimal("0")), output_field=DecimalField(max_digits=16, decimal_places=2))


def monthly(user: Any, *, month: dt.date, township: Division | None = None) -> FundReport:
    """The report for `month` (the year's entries up to it) over the user's area (everything for the command-line
    operator, user None), or one township."""
    def scoped(model: Any) -> Any:
        return model.objects.all() if user is None else visible(model, user)

    entries = scoped(FundEntry).filter(month__year=month.year, month__lte=month)
    if township is not None:
        entries = entries.filter(township=township)
    names = funds.fund_names()
    lines: dict[tuple[str, str], Line] = {}

    def line(source: str, fund: str) -> Line:
        return lines.setdefault((source, fund), Line(fund, names.get(fund, fund)))

    column = {FundEntryKind.ALLOCATION: "allocated", FundEntryKind.DISBURSEMENT: "disbursed",
              FundEntryKind.REFUND: "refunded", FundEntryKind.EXPENSE: "spent"}
    for r in entries.filter(month__lt=month).values("source", "fund").annotate(t=Coalesce(Sum(_signed()), Decimal(0))):
        line(r["source"], r["fund"]).opening = _dec(r["t"])
    for r in entries.filter(month=month).values("source", "fund", "kind").annotate(t=Sum("amount")):
        if r["kind"] in column:
            x = line(r["source"], r["fund"])
            setattr(x, column[r["kind"]], _dec(r["t"]))
    for r in entries.values("source", "fund").annotate(t=Coalesce(Sum(_signed()), Decimal(0))):
        line(r["source"], r["fund"]).closing = _dec(r["t"])
    blocks = []
    for source, label in FundSource.choices:
        mine = sorted((x for (s, _), x in lines.items() if s == source), key=lambda x: x.fund)
        if mine:
            blocks.append(SourceBlock(source, str(label), mine))
    rosters = scoped(Payroll).filter(month=month, status__in=BOOKED).select_related("programme", "township")
    if township is not None:
        rosters = rosters.filter(township=township)
    booked = dict(FundEntry.objects.filter(payroll__in=rosters, kind=FundEntryKind.DISBURSEMENT)
                  .values("payroll_id").annotate(t=Sum("amount")).values_list("payroll_id", "t"))
    checks = [RosterCheck(p, p.payable_total, _dec(booked.get(p.pk))) for p in
              rosters.order_by("township__code", "programme__order", "id")]
    scope = township.name if township else (user.division.name if user is not None and user.division else "全区")
    return FundReport(month, scope, blocks, checks)


HEADERS = ["资金来源", "资金项目", "期初结余", "本月下达", "本月发放", "银行退回", "本月支出", "期末结余", "核对"]


def _rows(report: FundReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for b in report.blocks:
        for x in [*b.lines, b.total]:
            rows.append([b.label, x.fund_name, x.opening, x.allocated, x.disbursed, x.refunded, x.spent, x.closing,
                         "一致" if x.ok else f"差 {x.difference}"])
    t = report.total
    rows.append(["总计", "", t.opening, t.allocated, t.disbursed, t.refunded, t.spent, t.closing,
                 "一致" if t.ok else f"差 {t.difference}"])
    return rows


def _roster_rows(report: FundReport) -> list[list[Any]]:
    return [[r.payroll.title, r.payable, r.booked, "一致" if r.ok else f"差 {r.difference}"] for r in report.rosters]


def _title(report: FundReport) -> str:
    return f"{report.scope} {report.month:%Y年%m月} 资金月报"


def report_xlsx(report: FundReport, *, division_code: str = "") -> tuple[str, bytes]:
    money = [[*r[:2], *(float(v) for v in r[2:8]), r[8]] for r in _rows(report)]
    rosters = [[r[0], float(r[1]), float(r[2]), r[3]] for r in _roster_rows(report)]
    body = workbook_bytes([("资金月报", HEADERS, money),
                           ("花名册核对", ["花名册", "应发(扣除挂起)", "已记发放支出", "核对"], rosters)],
                          title=_title(report) + ("（已核对一致）" if report.ok else "（核对不一致）"))
    record_output("export", what="payments.fund_report", count=len(money), division_code=division_code,
                  detail={"month": f"{report.month:%Y-%m}", "format": "xlsx", "ok": report.ok})
    return f"资金月报-{report.scope}-{report.month:%Y%m}.xlsx", body


def report_pdf(report: FundReport, *, division_code: str = "") -> tuple[str, bytes]:
    doc = Document(_title(report), subtitle="期初结余 + 本月下达 − (本月发放 − 银行退回) − 本月支出 = 期末结余（精确到分）",
                   landscape=True, footer_note="核对一致" if report.ok else "核对不一致")
    doc.table(HEADERS, [[*r[:2], *(f"{v:.2f}" for v in r[2:8]), r[8]] for r in _rows(report)],
              [22, 48, 30, 28, 28, 24, 28, 30, 24], align=["L", "L", "R", "R", "R", "R", "R", "R", "C"])
    if report.rosters:
        doc.paragraph("花名册记账核对（已审批花名册：合计金额扣除挂起 = 发放支出记账）", size=11)
        doc.table(["花名册", "应发(扣除挂起)", "已记发放支出", "核对"],
                  [[r[0], f"{r[1]:.2f}", f"{r[2]:.2f}", r[3]] for r in _roster_rows(report)], [120, 50, 50, 40],
                  align=["L", "R", "R", "C"])
    doc.paragraph("结论：" + ("各项资金收支与结余核对一致。" if report.ok else "存在不一致，请核查标注“差”的项目。"))
    doc.signatures(["制表人", "审核人", "负责人"])
    record_output("print", what="payments.fund_report", count=len(report.blocks), division_code=division_code,
                  detail={"month": f"{report.month:%Y-%m}", "format": "pdf", "ok": report.ok})
    return f"资金月报-{report.scope}-{report.month:%Y%m}.pdf", doc.render()
