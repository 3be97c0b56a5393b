"""审核确认: who confirms (the county, or the township where the power is delegated or a 临时救助 is within its
limit), the county's review step, approving (the Enrollment and its amount history from the first paid month)
and returning a case to the township."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.registry.models import Enrollment, EnrollmentAmount, ProgrammeFamily

from .. import assessment, rules, workflow
from ..models import Application, CaseKind, SpotCheck, Status
from ..workflow import WorkflowError
from . import verification
from .dynamic import end_terminated_enrollment
from .review import ensure_schedule
from .sampling import sample_after_decision, sample_before_decision
from .transitions import begin_action, enter_step, record_opinion, save_case


def confirm_level(app: Application, today: dt.date) -> tuple[str, dict[str, Any]]:
    """Who gives the 审核确认 and under which parameter: a 临时救助 within the township's approval limit
    (民发〔2018〕23号, rules' `township_may_approve`), or a 低保/特困 case in a division where the power is
    delegated (`assistance.confirmation_delegated`, 民发〔2021〕57号); otherwise the county."""
    if app.programme.family == ProgrammeFamily.LINSHI:
        details = (app.decision or {}).get("details", {})
        pv = policy.resolve("linshi.township_approval_max", on=today, division=app.division)
        small = app.kind == CaseKind.NEW and bool(details.get("township_may_approve")) and \
            app.proposed_amount is not None and app.proposed_amount <= pv.decimal
        return ("township" if small else "county"), {"param": pv.ref(), "amount": str(app.proposed_amount)}
    pv = policy.resolve("assistance.confirmation_delegated", on=today, division=app.division)
    return ("township" if rules.as_bool(pv.value) else "county"), {"param": pv.ref()}


def enter_county_review(app: Application, today: dt.date) -> None:
    app.confirm_level, app.confirm_basis = confirm_level(app, today)
    enter_step(app, Status.COUNTY_REVIEW, today)
    sample_before_decision(app, today)


@transaction.atomic
def county_approve(app: Application, *, actor: Actor, text: str = "", version: int | None = None,
                   today: dt.date | None = None) -> Application:
    """县级审核确认: approved from the month after (先行救助: this month), creating the Enrollment and its amount
    history; a termination ends the enrollment from the next month."""
    today = today or dates.today()
    app, before = begin_action(app, "county_approve", actor, version)
    check = SpotCheck.objects.filter(application=app).first()
    if (check is not None or app.county_visit_required) and (check is None or not check.done):
        raise WorkflowError("本案须县级入户核查（近亲属备案、投诉举报或抽查样本），请先录入入户核查结果")
    if check is not None and check.confirmed is False:
        raise WorkflowError("县级入户核查情况与申报不符，不能批准；请退回乡镇或不予批准")
    next_month = policy.value("workflow.benefit_start_next_month", on=today, division=app.division)
    start = today.replace(day=1) if (workflow.is_urgent(app) or not next_month) else dates.next_month_start(today)
    app.status = Status.APPROVED
    app.step_due = None
    app.decided_on = today
    app.effective_month = dates.next_month_start(today) if app.kind == CaseKind.TERMINATION else start
    if app.kind == CaseKind.TERMINATION:
        end_terminated_enrollment(app, app.effective_month)
    else:
        refuse_conflicts(app)
        app.enrollment = _enroll(app, start)
        verification.close_after_case(app, approved=True, today=today)
    save_case(app)
    level = "乡镇(街道)经授权审核确认" if workflow.township_confirms(app) else "审核确认"
    record_opinion(app, action="county_approve", from_status=before, actor=actor,
                   text=text or (f"{level}：终止供养" if app.kind == CaseKind.TERMINATION else f"{level}，予以批准"),
                   decision=app.decision)
    if workflow.township_confirms(app):
        check = sample_after_decision(app, today)
        if check is not None:
            record_opinion(app, action="spot_check_drawn", from_status=app.status, actor=None,
                           text=f"抽中县级事后入户抽查（{check.ratio.get('period', '')}，"
                                + ("补足本月抽查比例" if check.ratio.get("shortfall") else "随机抽中") + "）")
    return app


def refuse_conflicts(app: Application) -> None:
    """At approval, again: the person (or household) must not hold a programme this one cannot be held with —
    something may have been granted or imported since the township's assessment."""
    if app.programme.family == ProgrammeFamily.LINSHI:
        return
    person = app.person if (app.programme.per_person or app.single_person) else None
    replaced = list(app.ledger_checks.values_list("enrollment_id", flat=True))
    held = assessment.held_programmes(app.household, person, replaced)
    found = rules.programme_conflicts(app.programme.code, held)
    if not found.eligible:
        raise WorkflowError(f"不能批准：{found.explanation}")


def _enroll(app: Application, start: dt.date) -> Enrollment:
    amount = app.proposed_amount if app.proposed_amount is not None else Decimal("0")
    refs = {"decision": app.decision.get("params", []), "rule": app.decision.get("rule", ""),
            "rule_set": app.rule_set, "application": app.number}
    is_linshi = app.programme.family == ProgrammeFamily.LINSHI
    per_person = app.programme.per_person or app.single_person
    try:
        with transaction.atomic():
            enr = Enrollment.objects.create(
                programme=app.programme, household=app.household, person=app.person if per_person else None,
                covered_persons=app.covered_persons or 1, monthly_amount=amount, start_month=start,
                # 临时救助 is one payment: it ends after the month it is paid in.
                end_month=dates.add_months(start, 1) if is_linshi else None,
                source="application", source_ref=app.number, decided_under=refs)
    except IntegrityError as exc:
        raise WorkflowError(f"该{'人员' if per_person else '家庭'}已在享受{app.programme.name}，不能重复纳入") from exc
    EnrollmentAmount.objects.create(enrollment=enr, from_month=start, monthly_amount=amount,
                                    covered_persons=enr.covered_persons, reason=f"新批准（{app.number}）",
                                    decided_under=refs)
    if not is_linshi:
        ensure_schedule(enr, rule_set=app.rule_set, on=start)
    return enr


@transaction.atomic
def county_return(app: Application, *, actor: Actor, text: str, version: int | None = None,
                  today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = begin_action(app, "county_return", actor, version)
    if not text.strip():
        raise WorkflowError("退回须写明理由")
    enter_step(app, Status.TOWNSHIP_REVIEW, today)
    save_case(app)
    record_opinion(app, action="county_return", from_status=before, actor=actor, text=f"退回乡镇：{text.strip()}")
    return app
