"""入户调查 and 信息核对: the two-investigator home visit with its frozen income and asset snapshot, each
department's check result, and closing the checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy
from minzheng.registry.models import Household

from .. import workflow
from ..models import Application, CheckResult, Investigation, Status
from ..workflow import WorkflowError
from .transitions import begin_action, enter_step, is_case_officer, record_opinion, save_case


@transaction.atomic
def start_investigation(app: Application, *, actor: Actor, version: int | None = None,
                        today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = begin_action(app, "start_investigation", actor, version)
    enter_step(app, Status.INVESTIGATING, today)
    if app.assigned_to_id is None and is_case_officer(actor):
        app.assigned_to = actor
    save_case(app)
    record_opinion(app, action="start_investigation", from_status=before, actor=actor, text="开始家庭经济状况调查")
    return app


def income_snapshot(household: Household, on: dt.date) -> list[dict[str, Any]]:
    """The household's incomes current on the visit date, frozen on the investigation record."""
    rows = household.incomes.current_on(on).select_related("person")
    return [{"category": i.category, "category_label": i.get_category_display(), "item": i.item, "code": i.code,
             "person": i.person.name if i.person_id else "", "monthly_amount": str(i.monthly_amount),
             "source": i.source} for i in rows]


def asset_snapshot(household: Household, on: dt.date) -> list[dict[str, Any]]:
    """The property the household holds on the visit date, frozen on the investigation record."""
    rows = household.assets.held_on(on)
    return [{"kind": a.kind, "kind_label": a.get_kind_display(), "description": a.description,
             "value": str(a.value), "attributes": a.attributes} for a in rows]


@transaction.atomic
def record_investigation(app: Application, *, actor: Actor, visited_on: dt.date, investigator_1: str,
                         investigator_2: str, investigator_1_signed: bool, investigator_2_signed: bool,
                         applicant_signed: bool, neighbour_visits: list[dict[str, str]] | None = None,
                         living_conditions: str = "", findings: str = "", version: int | None = None,
                         today: dt.date | None = None) -> Investigation:
    """入户调查 by two named investigators; both and the applicant sign. Freezes the income/asset snapshot."""
    today = today or dates.today()
    app, before = begin_action(app, "record_investigation", actor, version)
    names = {n.strip() for n in (investigator_1, investigator_2) if n and n.strip()}
    need = int(policy.value("workflow.investigators_min", on=visited_on, division=app.division))
    if len(names) < need:
        raise WorkflowError(f"入户调查须由不少于{need}名不同的工作人员进行，请填写两名调查人姓名")
    if not (investigator_1_signed and investigator_2_signed):
        raise WorkflowError("两名调查人均须在入户调查表上签字")
    if not applicant_signed:
        raise WorkflowError("申请人须在入户调查表上签字确认；拒绝配合调查的视为撤回申请")
    if visited_on > today:
        raise WorkflowError("调查日期不能晚于今天")
    inv = Investigation.objects.create(
        application=app, visited_on=visited_on, investigator_1=investigator_1.strip(),
        investigator_2=investigator_2.strip(), investigator_1_signed=True, investigator_2_signed=True,
        applicant_signed=True, neighbour_visits=neighbour_visits or [], living_conditions=living_conditions,
        findings=findings, income_snapshot=income_snapshot(app.household, visited_on),
        asset_snapshot=asset_snapshot(app.household, visited_on),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    enter_step(app, workflow.next_after(app, before), today)
    save_case(app)
    record_opinion(app, action="record_investigation", from_status=before, actor=actor,
                   text=f"入户调查：{inv.investigator_1}、{inv.investigator_2}；{findings}".strip("；"))
    return inv


@transaction.atomic
def add_check_result(app: Application, *, actor: Actor | None, source: str, matched: bool, summary: str = "",
                     detail: dict[str, Any] | None = None, external_ref: str = "") -> CheckResult:
    """One department's answer (the crosscheck app calls this with actor=None when it feeds matches)."""
    if actor is not None:
        require_edit(actor, app, Cap.EDIT_BUSINESS)
    if not app.is_open:
        raise WorkflowError(f"案件 {app.number} 已办结，不能再添加核对结果")
    return CheckResult.objects.create(application=app, source=source, matched=matched, summary=summary[:200],
                                      detail=detail or {}, external_ref=external_ref)


@transaction.atomic
def complete_checks(app: Application, *, actor: Actor, text: str = "", version: int | None = None,
                    today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = begin_action(app, "complete_checks", actor, version)
    hits = app.checks.filter(matched=True).count()
    enter_step(app, workflow.next_after(app, before), today)
    save_case(app)
    record_opinion(app, action="complete_checks", from_status=before, actor=actor,
                   text=(text or "信息核对完成") + (f"（发现疑点 {hits} 项）" if hits else "（未发现疑点）"))
    return app
