"""The returns as files: xlsx in the form's layout (title, 填报单位 and period, 指标名称 | 单位 | 代码 | 本期 | 上期 |
环比, signature line) and PDF with the embedded CJK font. Both audited as outputs."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from minzheng.audit.services import record_output
from minzheng.core import dates
from minzheng.core.excel import safe_cell
from minzheng.core.pdf import Document

from .returns import Dibao, Return, wan

RETURN_HEADERS = ["指标名称", "计量单位", "代码", "本期", "上期", "环比(%)"]
DIBAO_HEADERS = ["地区", "户籍人口", "低保对象占比(%)", "低保户数", "当月低保人数", "累计低保人数", "老年人", "成年人",
                 "未成年人", "当月资金支出(万元)", "累计资金支出(万元)", "当月人均补助(元)", "累计月人均补助(元)",
                 "低保标准(元/月)"]


def _num(v: Decimal | int | None) -> Any:
    if v is None:
        return ""
    return float(v) if isinstance(v, Decimal) else v


def _status(r: Return) -> str:
    if r.final:
        return f"已关账（{dates.local(r.state.closed_at):%Y-%m-%d}，{r.state.closed_by}）" if r.state.closed_at else "已关账"
    return f"未关账：实时数据（{dates.local(r.state.computed_at):%Y-%m-%d %H:%M} 计算），不作为正式报表"


def reconciliation_text(r: Return) -> str:
    ok = "一致" if r.reconciled else f"不一致（差 {r.difference_fen / 100:.2f} 元）"
    late = f"；另计往月更正 {r.late_fen / 100:.2f} 元" if r.late_fen else ""
    return (f"核对：本月统计支出 {r.facts_fen / 100:.2f} 元，已审批花名册实发 {r.payroll_fen / 100:.2f} 元，{ok}{late}")


def return_rows(r: Return) -> list[list[Any]]:
    return [["　" * x.indent + x.name, x.unit, x.code, _num(x.value), _num(x.previous), _num(x.change)]
            for x in r.lines]


def return_xlsx(r: Return) -> tuple[str, bytes]:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("月报")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "align": "center"})
    cell = wb.add_format({"border": 1})
    num = wb.add_format({"border": 1, "num_format": "#,##0.0##"})
    ws.merge_range(0, 0, 0, 5, safe_cell(r.title), title)
    ws.write_string(1, 0, safe_cell(f"填报单位：{r.division.name}民政局" if r.division.level == "county"
                                     else f"填报单位：{r.division.name}"))
    ws.write_string(1, 3, safe_cell(f"统计月份：{r.month:%Y年%m月}"))
    ws.write_string(2, 0, safe_cell(_status(r)))
    for c, h in enumerate(RETURN_HEADERS):
        ws.write_string(3, c, h, head)
    for i, row in enumerate(return_rows(r), start=4):
        for c, v in enumerate(row):
            if isinstance(v, int | float):
                ws.write_number(i, c, v, num)
            else:
                ws.write_string(i, c, safe_cell(str(v)), cell)
    end = 4 + len(r.lines)
    ws.write_string(end + 1, 0, safe_cell(reconciliation_text(r)))
    ws.write_string(end + 2, 0, "单位负责人：            统计负责人：            填表人：            报出日期：")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 5, 14)
    ws.freeze_panes(4, 0)
    wb.close()
    record_output("export", what="stats.return", count=len(r.lines), division_code=r.division.code,
                  detail={"month": f"{r.month:%Y-%m}", "final": r.final, "format": "xlsx"})
    return f"民政事业统计月报-{r.division.name}-{r.month:%Y%m}.xlsx", buf.getvalue()


def _fmt(v: Any) -> str:
    if v == "" or v is None:
        return ""
    return f"{v:,.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def return_pdf(r: Return) -> tuple[str, bytes]:
    doc = Document(r.title, subtitle=f"{_status(r)}    金额单位：万元（人均为元）", footer_note="民政事业统计月报")
    doc.table(RETURN_HEADERS, [[row[0], row[1], row[2], _fmt(row[3]), _fmt(row[4]), _fmt(row[5])]
                               for row in return_rows(r)], [66, 16, 34, 24, 24, 18],
              align=["L", "C", "L", "R", "R", "R"], font_size=8, row_height=6)
    doc.paragraph(reconciliation_text(r), size=9)
    doc.signatures(["单位负责人", "统计负责人", "填表人"])
    record_output("print", what="stats.return", count=len(r.lines), division_code=r.division.code,
                  detail={"month": f"{r.month:%Y-%m}", "final": r.final, "format": "pdf"})
    return f"民政事业统计月报-{r.division.name}-{r.month:%Y%m}.pdf", doc.render()


def dibao_rows(t: Dibao) -> list[list[Any]]:
    out = []
    for x in [*t.rows, t.total]:
        out.append([x.division.name if x is not t.total else "合计", x.residents, _num(x.coverage), x.households,
                    x.persons, x.persons_cum, x.elderly, x.adults, x.minors, _num(wan(x.amount_fen, t.decimals)),
                    _num(wan(x.amount_cum_fen, t.decimals)), _num(x.avg), _num(x.avg_cum), x.standard])
    return out


def dibao_xlsx(t: Dibao) -> tuple[str, bytes]:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("综合统计表")
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1, "align": "center", "text_wrap": True})
    cell = wb.add_format({"border": 1})
    ws.merge_range(0, 0, 0, len(DIBAO_HEADERS) - 1, safe_cell(t.title), title)
    ws.write_string(1, 0, safe_cell(f"填报单位：{t.division.name}    统计月份：{t.month:%Y年%m月}    "
                                     + ("已关账" if t.state.closed else "未关账（实时数据）")))
    for c, h in enumerate(DIBAO_HEADERS):
        ws.write_string(2, c, h, head)
    for i, row in enumerate(dibao_rows(t), start=3):
        for c, v in enumerate(row):
            if isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(i, c, v, cell)
            else:
                ws.write_string(i, c, safe_cell(str(v)), cell)
    ws.set_column(0, 0, 16)
    ws.set_column(1, len(DIBAO_HEADERS) - 1, 11)
    ws.set_row(2, 42)
    ws.freeze_panes(3, 1)
    wb.close()
    record_output("export", what="stats.dibao_table", count=len(t.rows), division_code=t.division.code,
                  detail={"month": f"{t.month:%Y-%m}", "programme": t.programme, "format": "xlsx"})
    return f"低保对象综合统计表-{t.division.name}-{t.month:%Y%m}.xlsx", buf.getvalue()


def dibao_pdf(t: Dibao) -> tuple[str, bytes]:
    doc = Document(t.title, subtitle=("已关账" if t.state.closed else "未关账（实时数据）") + "    金额单位：万元（人均、标准为元）",
                   landscape=True)
    short = ["地区", "户籍人口", "占比%", "户数", "当月人数", "累计人数", "老年人", "成年人", "未成年人", "当月支出",
             "累计支出", "当月人均", "累计人均", "标准"]
    doc.table(short, [[_fmt(v) if not isinstance(v, str) else v for v in row] for row in dibao_rows(t)],
              [30, 19, 15, 15, 19, 19, 16, 16, 17, 20, 20, 19, 19, 33], align=["L", *["R"] * 12, "L"],
              font_size=8, row_height=6)
    doc.signatures(["单位负责人", "统计负责人", "填表人"])
    record_output("print", what="stats.dibao_table", count=len(t.rows), division_code=t.division.code,
                  detail={"month": f"{t.month:%Y-%m}", "programme": t.programme, "format": "pdf"})
    return f"低保对象综合统计表-{t.division.name}-{t.month:%Y%m}.pdf", doc.render()
