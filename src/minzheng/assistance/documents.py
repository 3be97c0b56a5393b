"""A4 PDF documents of social assistance, CJK font embedded (minzheng.core.pdf.Document):

- 申请审批表 (application and approval form): household members, income, assets, the rules' calculation, survey
  findings, the township / county opinions with signature boxes;
- 入户调查表 (home-visit survey form): two named investigators and the applicant sign;
- 不予批准告知书 (refusal notice): written reasons and the applicant's rights of 行政复议 / 行政诉讼;
- 公示 notice for the village board: the permitted fields only (policy-rules.md §1.4, §10.3).

Renderers take plain dataclasses (`ApprovalFormData`, `SurveyFormData`, `RefusalNoticeData`,
`PublicityNoticeData`) and return PDF bytes, so any app can call them. `approval_form(obj)`, `survey_form(obj)`,
`refusal_notice(obj)` and `publicity_notice(obj)` also accept the assistance models (Application, Investigation,
RefusalNotice, Publicity) and only read them. `record_print(...)` audits a print (audit.services.record_output).

Public API (stable):

    render_approval_form(data: ApprovalFormData) -> bytes
    render_survey_form(data: SurveyFormData) -> bytes
    render_refusal_notice(data: RefusalNoticeData) -> bytes
    render_publicity_notice(data: PublicityNoticeData) -> bytes
    approval_form(obj: Application | ApprovalFormData, *, sensitive: bool = False) -> bytes
    survey_form(obj: Investigation | Application | SurveyFormData, *, sensitive: bool = False) -> bytes
    refusal_notice(obj: RefusalNotice | Application | RefusalNoticeData) -> bytes
    publicity_notice(obj: Publicity | PublicityNoticeData | Sequence[Publicity]) -> bytes
    approval_form_data(app, *, sensitive=False) -> ApprovalFormData       (model → plain data; reads only)
    survey_form_data(obj, *, sensitive=False) -> SurveyFormData
    refusal_notice_data(obj) -> RefusalNoticeData
    publicity_notice_data(obj) -> PublicityNoticeData
    public_row(row: dict) -> dict                                         (only the permitted 公示 fields)
    record_print(what: str, *, count: int = 1, division_code: str = "", detail: Any = None) -> None
    printed(render: Callable[[T], bytes], data: T, *, what: str, count: int = 1, division_code: str = "") -> bytes

`sensitive=False` masks ID numbers and phones (registry.masking); pass `can_see_sensitive(user)` for staff who may
see them in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from fpdf.enums import XPos, YPos

from minzheng.core import dates
from minzheng.core.pdf import FONT, Document
from minzheng.registry.masking import mask_id, mask_phone

T = TypeVar("T")

# The only fields a 公示 may show (policy-rules §1.4); anything else in a row is dropped before rendering.
PUBLIC_FIELDS = ("name", "village", "covered_persons", "category", "monthly_amount", "period")
# Signature boxes every 申请审批表 has, filled from opinions whose step carries the same label.
STANDARD_BOXES = ("乡镇(街道)初审意见", "县级民政部门审核确认意见")
PUBLIC_HEADERS = {"name": "姓名", "village": "村(社区)", "covered_persons": "保障人数", "category": "救助类别",
                  "monthly_amount": "月金额(元)", "period": "期间"}


# ------------------------------------------------------------------------------------------------ data


@dataclass
class MemberLine:
    name: str
    relation: str = ""
    id_number: str = ""
    age: int | str = ""
    health: str = ""  # 健康状况 / 残疾 (internal forms only, never on 公示)
    work_capacity: str = ""
    counted: bool = True  # 共同生活家庭成员
    note: str = ""


@dataclass
class IncomeLine:
    category: str
    item: str = ""
    person: str = ""
    monthly_amount: Decimal | str = ""
    counted: bool = True


@dataclass
class AssetLine:
    kind: str
    description: str = ""
    value: Decimal | str = ""


@dataclass
class OpinionLine:
    step: str  # e.g. 乡镇初审意见
    text: str = ""
    signer: str = ""
    date: dt.date | None = None


@dataclass
class ApprovalFormData:
    case_number: str
    programme: str
    township: str
    village: str
    applicant: str
    applicant_id: str = ""
    phone: str = ""
    address: str = ""
    channel: str = ""
    received_on: dt.date | None = None
    rule_set: str = ""
    reason: str = ""
    members: list[MemberLine] = field(default_factory=list)
    incomes: list[IncomeLine] = field(default_factory=list)
    assets: list[AssetLine] = field(default_factory=list)
    per_capita_income: Decimal | str = ""
    standard: Decimal | str = ""
    covered_persons: int | str = ""
    proposed_amount: Decimal | str = ""
    calculation: str = ""  # the rules' explanation
    findings: str = ""  # 入户调查 conclusion
    flags: list[str] = field(default_factory=list)  # 近亲属备案, 有异议, 抽查样本 …
    opinions: list[OpinionLine] = field(default_factory=list)  # signed boxes (乡镇初审, 县级审核确认)
    history: list[OpinionLine] = field(default_factory=list)  # every step taken (审批留痕)


@dataclass
class NeighbourLine:
    name: str
    relation: str = ""
    statement: str = ""


@dataclass
class SurveyFormData:
    case_number: str
    programme: str
    township: str
    village: str
    applicant: str
    visited_on: dt.date | None
    investigators: tuple[str, str]
    address: str = ""
    by_county: bool = False
    members: list[MemberLine] = field(default_factory=list)
    incomes: list[IncomeLine] = field(default_factory=list)
    assets: list[AssetLine] = field(default_factory=list)
    living_conditions: str = ""
    neighbours: list[NeighbourLine] = field(default_factory=list)
    findings: str = ""
    signed: tuple[bool, bool, bool] = (False, False, False)  # investigator 1, investigator 2, applicant


@dataclass
class RefusalNoticeData:
    case_number: str
    applicant: str
    programme: str
    received_on: dt.date | None
    decided_on: dt.date
    reasons: str
    issuer: str = "南平市延平区民政局"
    # 行政复议 within 60 days (行政复议法 第二十条), 行政诉讼 within 6 months (行政诉讼法 第四十六条) [M].
    review_body: str = "南平市延平区人民政府"
    review_days: int = 60
    court: str = "南平市延平区人民法院"
    litigation_months: int = 6
    contact: str = ""


@dataclass
class PublicityNoticeData:
    village: str
    township: str
    start_date: dt.date
    end_date: dt.date
    rows: list[dict[str, Any]]
    kind: str = "初审公示"
    objection_to: str = ""  # where objections go (the township office)
    issuer: str = ""
    note: str = ""


# ------------------------------------------------------------------------------------------------ helpers


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
        lines = doc.multi_cell(width, line, text, dry_run=True, output="LINES", padding=(1, 1)) or [""]
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


# ------------------------------------------------------------------------------------------------ renderers


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


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """Only the permitted 公示 fields of a row, whatever else the caller put in it."""
    return {k: row.get(k, "") for k in PUBLIC_FIELDS}


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


# ------------------------------------------------------------------------------------------------ from models



def _members(household: Any, on: dt.date, *, sensitive: bool, covered: Sequence[str] = ()) -> list[MemberLine]:
    out = []
    for p in household.members.filter(is_deceased=False).order_by("id"):
        health = p.get_health_display() if p.health else ""
        if p.disability_grade:
            health = f"{p.get_disability_category_display() or '残疾'}{p.disability_grade}级"
        out.append(MemberLine(
            name=p.name, relation=p.get_relation_display(), id_number=p.id_number if sensitive else mask_id(p.id_number),
            age="" if p.birth_date is None else dates.age_on(p.birth_date, on), health=health,
            work_capacity=p.get_work_capacity_display() if p.work_capacity else "",
            counted=(str(p.pk) in covered) if covered else True))
    return out


def _incomes(household: Any, on: dt.date, excluded_items: Sequence[str] = ()) -> list[IncomeLine]:
    out = []
    for i in household.incomes.current_on(on).select_related("person").order_by("id"):
        out.append(IncomeLine(i.get_category_display(), i.item, i.person.name if i.person else "家庭",
                              i.monthly_amount, counted=i.item not in excluded_items))
    return out


def _assets(household: Any, on: dt.date) -> list[AssetLine]:
    return [AssetLine(a.get_kind_display(), a.description, a.value)
            for a in household.assets.held_on(on).order_by("id")]


def _excluded_items(decision: dict[str, Any]) -> list[str]:
    items: list[str] = []
    for step in decision.get("steps", []) or []:
        for e in (step.get("details") or {}).get("excluded", []) if isinstance(step.get("details"), dict) else []:
            if isinstance(e, dict) and e.get("item"):
                items.append(str(e["item"]))
    return items


def _find_step(decision: dict[str, Any], rule: str) -> dict[str, Any]:
    for step in decision.get("steps", []) or []:
        if step.get("rule") == rule:
            return step
    return {}


def approval_form_data(app: Any, *, sensitive: bool = False) -> ApprovalFormData:
    """Read an assistance Application into ApprovalFormData (no writes)."""
    on = app.received_on or dates.today()
    decision = app.decision or {}
    details = decision.get("details") or {}
    covered = [str(k) for k in details.get("covered", [])]
    if not covered:
        covered = [str(k) for k in (_find_step(decision, "dibao.household_members").get("details") or {}).get(
            "counted", [])]
    inc = _find_step(decision, "dibao.per_capita_income")
    per_capita = details.get("per_capita_income", inc.get("amount", ""))
    standard = details.get("standard", "")
    household = app.household
    applicant = app.applicant
    flags = [label for flag, label in [("kinship_flag", "近亲属备案"), ("objection_flag", "公示有异议"),
                                        ("spot_check", "县级抽查样本"), ("county_visit_required", "须县级入户")]
             if getattr(app, flag, False)]
    if getattr(app, "single_person", False):
        flags.append("单人保")
    ops = list(app.opinions.all())
    history = [OpinionLine(_ACTION.get(o.action, o.action), o.text, o.actor_name, dates.local_date(o.at) if o.at else None)
               for o in ops]

    def latest(label: str, actions: tuple[str, ...]) -> OpinionLine:
        for o in reversed(ops):
            if o.action in actions:
                return OpinionLine(label, o.text, o.actor_name, dates.local_date(o.at) if o.at else None)
        return OpinionLine(label)

    boxes = [latest("乡镇(街道)初审意见", ("township_opinion",)),
             latest("县级民政部门审核确认意见", ("county_approve", "county_refuse"))]
    findings = "；".join(i.findings for i in app.investigations.all() if i.findings)
    return ApprovalFormData(
        case_number=app.number, programme=app.programme.name, township=app.township.name, village=app.division.name,
        applicant=applicant.name, applicant_id=applicant.id_number if sensitive else mask_id(applicant.id_number),
        phone=(household.phone if sensitive else mask_phone(household.phone)), address=household.address,
        channel=app.get_channel_display() + (f"（受委托人：{app.entrusted_to}）" if app.entrusted_to else ""),
        received_on=app.received_on, rule_set=app.get_rule_set_display(), reason=app.reason,
        members=_members(household, on, sensitive=sensitive, covered=covered),
        incomes=_incomes(household, on, _excluded_items(decision)), assets=_assets(household, on),
        per_capita_income=per_capita, standard=standard,
        covered_persons=app.covered_persons or decision.get("covered_persons", ""),
        proposed_amount=app.proposed_amount if app.proposed_amount is not None else decision.get("amount", ""),
        calculation=decision.get("explanation", ""), findings=findings, flags=flags, opinions=boxes,
        history=history)


_ACTION = {"accept": "受理", "start_investigation": "启动调查", "record_investigation": "入户调查",
           "complete_checks": "信息核对", "record_review": "民主评议", "township_opinion": "乡镇(街道)初审",
           "end_publicity": "公示期满", "objection": "公示异议", "handle_objection": "异议处理",
           "kinship_flag": "近亲属备案", "record_spot_check": "县级抽查", "county_approve": "县级审核确认",
           "county_refuse": "不予确认", "county_return": "退回乡镇", "propose_termination": "拟终止供养",
           "withdraw": "撤回申请"}


def survey_form_data(obj: Any, *, sensitive: bool = False) -> SurveyFormData:
    """Read an Investigation (or an Application: its latest survey, or a blank form) into SurveyFormData."""
    inv = obj
    app = getattr(obj, "application", None)
    if app is None:  # an Application
        app = obj
        inv = app.investigations.order_by("-visited_on", "-id").first()
    household = app.household
    on = inv.visited_on if inv is not None else dates.today()
    base = dict(case_number=app.number, programme=app.programme.name, township=app.township.name,
                village=app.division.name, applicant=app.applicant.name, address=household.address,
                members=_members(household, on, sensitive=sensitive), incomes=_incomes(household, on),
                assets=_assets(household, on))
    if inv is None:
        return SurveyFormData(visited_on=None, investigators=("", ""), **base)
    neighbours = [NeighbourLine(str(n.get("name", "")), str(n.get("relation", "")), str(n.get("statement", "")))
                  for n in (inv.neighbour_visits or []) if isinstance(n, dict)]
    return SurveyFormData(visited_on=inv.visited_on, investigators=(inv.investigator_1, inv.investigator_2),
                          by_county=inv.by_county, living_conditions=inv.living_conditions, neighbours=neighbours,
                          findings=inv.findings,
                          signed=(inv.investigator_1_signed, inv.investigator_2_signed, inv.applicant_signed), **base)


def refusal_notice_data(obj: Any) -> RefusalNoticeData:
    """Read a RefusalNotice (or an Application with one) into RefusalNoticeData."""
    notice = obj if hasattr(obj, "reasons") else getattr(obj, "refusal", None)
    if notice is None:
        raise ValueError("本案没有不予批准告知书")
    app = notice.application
    return RefusalNoticeData(case_number=app.number, applicant=app.applicant.name, programme=app.programme.name,
                             received_on=app.received_on, decided_on=notice.decided_on, reasons=notice.reasons)


def publicity_notice_data(obj: Any) -> PublicityNoticeData:
    """Read one Publicity, or several of one village, into PublicityNoticeData. Unlisted entries (minors in 特困)
    are left out; only the frozen permitted fields of `entry` are used."""
    pubs = [obj] if hasattr(obj, "entry") else list(obj)
    if not pubs:
        raise ValueError("没有公示记录")
    first = pubs[0]
    rows = [public_row(p.entry or {}) for p in pubs if p.listed]
    hidden = sum(1 for p in pubs if not p.listed)
    return PublicityNoticeData(
        village=first.division.name, township=first.township.name, start_date=min(p.start_date for p in pubs),
        end_date=max(p.end_date for p in pubs), rows=rows, kind=first.get_kind_display(),
        objection_to=f"{first.township.name}社会事务办", issuer=first.township.name,
        note=f"另有 {hidden} 名未成年人依规定不予公示。" if hidden else "")


def approval_form(obj: Any, *, sensitive: bool = False) -> bytes:
    data = obj if isinstance(obj, ApprovalFormData) else approval_form_data(obj, sensitive=sensitive)
    return render_approval_form(data)


def survey_form(obj: Any, *, sensitive: bool = False) -> bytes:
    data = obj if isinstance(obj, SurveyFormData) else survey_form_data(obj, sensitive=sensitive)
    return render_survey_form(data)


def refusal_notice(obj: Any) -> bytes:
    data = obj if isinstance(obj, RefusalNoticeData) else refusal_notice_data(obj)
    return render_refusal_notice(data)


def publicity_notice(obj: Any) -> bytes:
    data = obj if isinstance(obj, PublicityNoticeData) else publicity_notice_data(obj)
    return render_publicity_notice(data)


# ------------------------------------------------------------------------------------------------ audit


def record_print(what: str, *, count: int = 1, division_code: str = "", detail: Any = None) -> None:
    """Every print is audited (audit.services.record_output("print", ...))."""
    from minzheng.audit.services import record_output

    record_output("print", what=what, count=count, division_code=division_code, detail=detail)


def printed(render: Callable[[T], bytes], data: T, *, what: str, count: int = 1, division_code: str = "") -> bytes:
    """Render and audit in one call: `printed(refusal_notice, notice, what="不予批准告知书 …")`."""
    pdf = render(data)
    record_print(what, count=count, division_code=division_code)
    return pdf
