"""Ending support (动态管理): a 特困 termination case, posted for 公示 like an approval, and ending the enrollment
once the termination is confirmed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy
from minzheng.regions.selectors import township_of
from minzheng.registry.models import Enrollment, EnrollmentStatus, ProgrammeFamily

from .. import workflow
from ..models import Application, CaseKind, Channel, RuleSet, Status
from ..workflow import WorkflowError
from .transitions import is_case_officer, record_opinion, workflow_open


@transaction.atomic
def propose_termination(enrollment: Enrollment, *, actor: Actor, reason: str,
                        today: dt.date | None = None) -> Application:
    """终止特困供养: the 乡镇 reviews a report (death, regained capacity …) and posts the termination for 7 days."""
    today = today or dates.today()
    require_edit(actor, enrollment, Cap.EDIT_BUSINESS)
    if enrollment.programme.family != ProgrammeFamily.TEKUN or enrollment.status != EnrollmentStatus.ACTIVE:
        raise WorkflowError("只有在保的特困供养人员可以办理终止")
    if not reason.strip():
        raise WorkflowError("请写明终止理由")
    person = enrollment.person or enrollment.household.head
    if Application.objects.filter(enrollment=enrollment, kind=CaseKind.TERMINATION,
                                  status__in=workflow_open()).exists():
        raise WorkflowError("该人员已有在办的终止案件")
    village = enrollment.household.division
    app = Application(programme=enrollment.programme, kind=CaseKind.TERMINATION, household=enrollment.household,
                      applicant=person, person=enrollment.person, division=village,
                      township=township_of(village) or village, channel=Channel.DISCOVERED,
                      rule_set=str(policy.value("dibao.rule_version", on=today, division=village)),
                      reason=reason.strip(), received_on=today, status=Status.TOWNSHIP_REVIEW,
                      enrollment=enrollment, proposed_amount=enrollment.monthly_amount,
                      covered_persons=enrollment.covered_persons,
                      created_by=actor if getattr(actor, "pk", None) else None,
                      assigned_to=actor if is_case_officer(actor) else None)
    if app.rule_set not in RuleSet.values:
        app.rule_set = RuleSet.R2021
    app.step_due = workflow.step_deadline(app, Status.TOWNSHIP_REVIEW, today)
    app.overall_due = workflow.overall_deadline(app)
    app.save()
    app.number = f"ZZ{today:%Y}{app.pk:06d}"
    app.save(update_fields=["number"])
    record_opinion(app, action="propose_termination", from_status="", actor=actor, text=f"拟终止供养：{reason.strip()}")
    return app


def end_terminated_enrollment(app: Application, end_month: dt.date) -> None:
    enr = app.enrollment
    if enr is None or enr.status != EnrollmentStatus.ACTIVE:
        raise WorkflowError("没有可终止的在保记录")
    enr.end_month = end_month
    enr.end_reason = f"终止供养（{app.number}）：{app.reason}"[:200]
    enr.status = EnrollmentStatus.ENDED
    enr.save()
