"""Laying out the documents on A4 with the embedded CJK font (minzheng.core.pdf.Document): plain data in, PDF bytes
out. The 申请审批表 and 入户调查表 carry signature boxes, the 不予批准告知书 the applicant's rights of 行政复议 /
行政诉讼, the 公示 notice only the permitted fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from fpdf.enums import XPos, YPos

from minzheng.core.pdf import FONT, Document

from .data import (
    PUBLIC_FIELDS,
    ApprovalFormData,
    AssetLine,
    IncomeLine,
    MemberLine,
    OpinionLine,
    PublicityNoticeData,
    RefusalNoticeData,
    SurveyFormData,
    public_row,
)

# Signature boxes every 申请审批表 has, filled from opinions whose step carries the same label.
STANDARD_BOXES = ("乡镇(街道)初审意见", "县级民政部门审核确认意见")


PUBLIC_HEADERS = {"name": "姓名", "village": "村(社区)", "covered_persons": "保障人数", "category": "救助类别",
                  "monthly_amount": "月金额(元)", "period": "期间"}


def _d(day: dt.date | None) -> str:
    return f"{day:%Y年%m月%d日}" if day else "____年__月__日"


def _money(v: Decimal | str | None) -> str:
    if v is None or v == "":
        return ""
    try:
        return f"{Decimal(str(v)):.2f}"
    except Exception:
        return str(v)


def _rows(doc: Document, rows: Sequence[tuple[str, Any]], *, label_width: float = 30, line: float = 6) -> None:
    """Label/value rows whose boxes grow with the value (left-aligned, so Chinese text is not stretched)."""
    width = doc.epw - label_width
    doc.set_font(FONT, size=10)
    for label, value in rows:
        text = "" if value is None else str(value)
        # with output="LINES" fpdf2 returns the wrapped lines (its signature types every output mode)
        lines = cast(list[str], doc.multi_cell(width, line, text, dry_run=True, output="LINES", padding=(1, 1))) or [""]
        height = max(8.0, len(lines) * line + 2)
        if doc.get_y() + height > doc.h - doc.b_margin:
            doc.add_page()
        x, y = doc.get_x(), doc.get_y()
        doc.multi_cell(label_width, height, str(label), border=1, new_x=XPos.RIGHT, new_y=YPos.TOP)
        doc.rect(x + label_width, y, width, height)
        doc.set_xy(x + label_width, y + max(0.0, (height - len(lines) * line) / 2))
        doc.multi_cell(width, line, text, align="L", padding=(0, 1), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_xy(x, y + height)


def _heading(doc: Document, text: str) -> None:
    doc.ln(2)
    doc.set_font(FONT, size=11)
    doc.set_fill_color(235, 235, 235)
    doc.cell(0, 7, text, border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(FONT, size=10)


def _box(doc: Document, title: str, text: str, *, signer: str = "", date: dt.date | None = None,
         seal: bool = False, min_height: float = 22) -> None:
    """An opinion box: title, text, then 签字 / 日期 (and 盖章) at the bottom right, kept on one page."""
    need = min_height + 8
    if doc.get_y() + need > doc.h - doc.b_margin:
        doc.add_page()
    top = doc.get_y()
    doc.set_font(FONT, size=10)
    doc.multi_cell(0, 6, f"{title}：{text}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    body_end = doc.get_y()
    doc.set_y(max(body_end, top + min_height - 8))
    sign = f"签字：{signer or '______________'}    日期：{_d(date)}" + ("    （盖章）" if seal else "")
    doc.cell(0, 8, sign, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = doc.get_y()
    doc.rect(doc.l_margin, top, doc.epw, bottom - top)


def _members_table(doc: Document, members: Sequence[MemberLine]) -> None:
    doc.table(["姓名", "与户主关系", "公民身份号码", "年龄", "健康/残疾", "劳动能力", "计入", "备注"],
              [[m.name, m.relation, m.id_number, m.age, m.health, m.work_capacity, "是" if m.counted else "否",
                m.note] for m in members] or [["（无）", "", "", "", "", "", "", ""]],
              [18, 18, 38, 10, 28, 32, 10, 36], align=["L", "L", "L", "C", "L", "L", "C", "L"])


def _incomes_table(doc: Document, incomes: Sequence[IncomeLine]) -> None:
    rows = [[i.category, i.item, i.person, _money(i.monthly_amount), "计入" if i.counted else "不计入"]
            for i in incomes]
    total = sum((Decimal(str(i.monthly_amount)) for i in incomes if i.counted and i.monthly_amount != ""),
                Decimal("0"))
    rows.append(["合计（计入部分）", "", "", _money(total), ""])
    doc.table(["收入类别", "收入项目", "收入人", "月均金额(元)", "是否计入"], rows, [36, 50, 30, 34, 32],
              align=["L", "L", "L", "R", "C"])


def _assets_table(doc: Document, assets: Sequence[AssetLine]) -> None:
    doc.table(["财产类型", "说明", "价值(元)"],
              [[a.kind, a.description, _money(a.value)] for a in assets] or [["（无申报财产）", "", ""]],
              [36, 110, 36], align=["L", "L", "R"])


def render_approval_form(data: ApprovalFormData) -> bytes:
    """申请审批表 (社会救助暂行办法 第十一条: application, investigation, 初审, 审核确认, each signed)."""
    doc = Document(f"{data.programme}申请审批表", subtitle=f"案件编号 {data.case_number}",
                   footer_note=f"{data.township} {data.village}")
    _rows(doc, [
        ("申请人", f"{data.applicant}    公民身份号码：{data.applicant_id}"),
        ("乡镇(街道)", f"{data.township}    村(社区)：{data.village}"),
        ("居住地址", data.address), ("联系电话", data.phone),
        ("申请方式", f"{data.channel}    受理日期：{_d(data.received_on)}    适用办法：{data.rule_set}"),
        ("申请理由", data.reason),
    ])
    if data.flags:
        _rows(doc, [("特别标注", "、".join(data.flags))])
    _heading(doc, "一、家庭成员情况")
    _members_table(doc, data.members)
    _heading(doc, "二、家庭收入情况（月均）")
    _incomes_table(doc, data.incomes)
    _heading(doc, "三、家庭财产情况")
    _assets_table(doc, data.assets)
    _heading(doc, "四、核算结果")
    _rows(doc, [
        ("月人均收入", f"{_money(data.per_capita_income)} 元    保障标准：{_money(data.standard)} 元"),
        ("拟保障", f"{data.covered_persons} 人    月保障金额：{_money(data.proposed_amount)} 元"),
        ("核算说明", data.calculation),
        ("调查结论", data.findings),
    ])
    _heading(doc, "五、审核审批意见")
    given = {op.step: op for op in data.opinions}
    steps = [given.pop(label, OpinionLine(label)) for label in STANDARD_BOXES] + list(given.values())
    for op in steps:
        _box(doc, op.step, op.text, signer=op.signer, date=op.date, seal=True)
    if data.history:
        _heading(doc, "六、办理过程")
        for h in data.history:  # paragraphs, not a table: opinions are free text and must not be cut off
            when = f"{h.date:%Y-%m-%d}" if h.date else ""
            doc.paragraph(f"{when}  {h.step}  {h.signer}：{h.text}", size=9, height=5)
    doc.paragraph("申请人声明：以上所填家庭成员、收入和财产情况真实完整，同意民政部门依法核对家庭经济状况。", size=9)
    doc.signatures(["申请人签字", "日期"])
    return doc.render()


def render_survey_form(data: SurveyFormData) -> bytes:
    """入户调查表: ≥ 2 investigators, both and the applicant sign (policy-rules §1.3 [V-sec])."""
    title = "县级入户核查表" if data.by_county else "家庭经济状况入户调查表"
    doc = Document(title, subtitle=f"{data.programme}  案件编号 {data.case_number}",
                   footer_note=f"{data.township} {data.village}")
    _rows(doc, [
        ("申请人", data.applicant), ("所在村(社区)", f"{data.township} {data.village}"),
        ("居住地址", data.address), ("调查日期", _d(data.visited_on)),
        ("调查人", f"{data.investigators[0]}、{data.investigators[1]}"),
    ])
    _heading(doc, "一、家庭成员")
    _members_table(doc, data.members)
    _heading(doc, "二、收入情况（月均）")
    _incomes_table(doc, data.incomes)
    _heading(doc, "三、财产情况")
    _assets_table(doc, data.assets)
    _heading(doc, "四、居住和生活状况")
    doc.paragraph(data.living_conditions or "（未填写）")
    _heading(doc, "五、邻里访问")
    for n in data.neighbours:  # free text: paragraphs so nothing is cut off
        doc.paragraph(f"{n.name}（{n.relation}）：{n.statement}")
    if not data.neighbours:
        doc.paragraph("（无）")
    _heading(doc, "六、调查结论")
    doc.paragraph(data.findings or "（未填写）")
    doc.ln(4)
    marks = ["（已签）" if s else "" for s in data.signed]
    doc.signatures([f"调查人一 {data.investigators[0]}{marks[0]}", f"调查人二 {data.investigators[1]}{marks[1]}"])
    doc.signatures([f"被调查人(申请人) {data.applicant}{marks[2]}", "日期"])
    return doc.render()


def render_refusal_notice(data: RefusalNoticeData) -> bytes:
    """不予批准告知书: written with reasons within 3 working days (社会救助暂行办法 第十一条第三项; 2021 办法)."""
    doc = Document(f"{data.programme}不予批准告知书", subtitle=f"编号 {data.case_number}")
    doc.paragraph(f"{data.applicant}：", size=11)
    doc.paragraph(f"    你（你家）于{_d(data.received_on)}提出的{data.programme}申请，经调查核实和审核，"
                  f"本机关于{_d(data.decided_on)}决定不予批准。理由如下：", size=11, height=7)
    doc.paragraph(data.reasons, size=11, height=7)
    doc.paragraph(f"    如对本决定不服，可以自收到本告知书之日起{data.review_days}日内向{data.review_body}申请行政复议，"
                  f"或者自收到本告知书之日起{data.litigation_months}个月内向{data.court}提起行政诉讼。"
                  "家庭情况发生变化的，可以重新提出申请。", size=11, height=7)
    if data.contact:
        doc.paragraph(f"    联系方式：{data.contact}", size=11, height=7)
    doc.ln(10)
    doc.cell(0, 8, f"{data.issuer}（盖章）", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.cell(0, 8, _d(data.decided_on), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(12)
    doc.paragraph("送达回证", size=11)
    doc.signatures(["受送达人签收", "送达人", "送达日期"])
    return doc.render()


def render_publicity_notice(data: PublicityNoticeData) -> bytes:
    """公示 for the village notice board: name (possibly masked), village, covered persons, category, monthly amount,
    period only — never ID number, phone, bank account, address or diagnosis (社会救助暂行办法 第六十一条; PIPL)."""
    days = (data.end_date - data.start_date).days + 1
    doc = Document(f"{data.village}社会救助{data.kind}", subtitle=f"{data.township}")
    doc.paragraph(f"    根据《社会救助暂行办法》和最低生活保障、特困人员救助供养有关规定，经入户调查、信息核对和乡镇（街道）"
                  f"审核，现将以下对象予以公示。公示期 {days} 天：自{_d(data.start_date)}至{_d(data.end_date)}。",
                  size=11, height=7)
    rows = [public_row(r) for r in data.rows]
    doc.table([PUBLIC_HEADERS[k] for k in PUBLIC_FIELDS],
              [[r["name"], r["village"], r["covered_persons"], r["category"], _money(r["monthly_amount"]),
                r["period"]] for r in rows] or [["（本期无公开列示对象）", "", "", "", "", ""]],
              [26, 40, 18, 38, 24, 36], align=["L", "L", "C", "L", "R", "L"], font_size=10, row_height=8)
    doc.ln(4)
    text = "    公示期间，如对上述对象有异议，可以实名或匿名向乡镇（街道）反映"
    text += f"（{data.objection_to}）" if data.objection_to else ""
    text += "，也可通过公示页面在线提出。我们将依法调查核实并对反映人信息保密。"
    doc.paragraph(text, size=11, height=7)
    if data.note:
        doc.paragraph(f"    {data.note}", size=10)
    doc.ln(8)
    doc.cell(0, 8, f"{data.issuer or data.township}（盖章）", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.cell(0, 8, _d(data.start_date), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return doc.render()
