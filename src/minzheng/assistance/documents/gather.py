"""Reading an assistance case into the documents' data (reads only): members, the incomes current and the assets
held on the date, the rules' calculation and which income items it left out, the opinions and the process
history. ID numbers and phones are masked unless `sensitive` (registry.masking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from minzheng.core import dates
from minzheng.registry.masking import mask_id, mask_phone

from .data import (
    ApprovalFormData,
    AssetLine,
    IncomeLine,
    MemberLine,
    NeighbourLine,
    OpinionLine,
    PublicityNoticeData,
    RefusalNoticeData,
    SurveyFormData,
    public_row,
)


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


_ACTION = {"accept": "受理", "start_investigation": "启动调查", "record_investigation": "入户调查",
           "complete_checks": "信息核对", "record_review": "民主评议", "township_opinion": "乡镇(街道)初审",
           "end_publicity": "公示期满", "objection": "公示异议", "handle_objection": "异议处理",
           "kinship_flag": "近亲属备案", "record_spot_check": "县级抽查", "county_approve": "县级审核确认",
           "county_refuse": "不予确认", "county_return": "退回乡镇", "propose_termination": "拟终止供养",
           "withdraw": "撤回申请"}


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
