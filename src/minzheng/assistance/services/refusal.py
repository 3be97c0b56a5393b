"""不予批准: the township's or the county's refusal with written reasons, and the refusal notice due within the
parameter's working days."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy

from ..models import Application, PublicityStatus, RefusalNotice, Status
from ..workflow import WorkflowError
from .publicity import take_down
from .transitions import actor_name, begin_action, record_opinion, save_case


@transaction.atomic
def township_refuse(app: Application, *, actor: Actor, reasons: str, version: int | None = None,
                    today: dt.date | None = None) -> RefusalNotice:
    """初审不同意 → 不予批准, with written reasons due within 3 working days."""
    app, before = begin_action(app, "township_refuse", actor, version)
    return _refuse(app, before, actor, reasons, today or dates.today(), "township_refuse")


@transaction.atomic
def county_refuse(app: Application, *, actor: Actor, reasons: str, version: int | None = None,
                  today: dt.date | None = None) -> RefusalNotice:
    app, before = begin_action(app, "county_refuse", actor, version)
    return _refuse(app, before, actor, reasons, today or dates.today(), "county_refuse")


def _refuse(app: Application, before: str, actor: Actor, reasons: str, today: dt.date, action: str) -> RefusalNotice:
    if not reasons.strip():
        raise WorkflowError("不予批准须写明理由")
    n = int(policy.value("workflow.wd.refusal_notice", on=today, division=app.division))
    app.status = Status.REFUSED
    app.step_due = None
    app.decided_on = today
    save_case(app)
    from .verification import close_after_case  # a 存量核查 review case refused: the imported record ends

    close_after_case(app, approved=False, today=today)
    _record_edge(app, actor, today)
    for pub in app.publicities.filter(status=PublicityStatus.ACTIVE):
        take_down(pub, actor)
    notice = RefusalNotice.objects.create(application=app, decided_on=today,
                                          due_on=dates.add_workdays(today, n), reasons=reasons.strip())
    record_opinion(app, action=action, from_status=before, actor=actor, text=f"不予批准：{reasons.strip()}")
    return notice


@transaction.atomic
def issue_refusal_notice(notice: RefusalNotice, *, actor: Actor, issued_on: dt.date | None = None) -> RefusalNotice:
    require_edit(actor, notice, Cap.EDIT_BUSINESS)
    notice.issued_on = issued_on or dates.today()
    notice.issued_by = actor_name(actor)
    notice.save()
    return notice


def _record_edge(app: Application, actor: Actor, today: dt.date) -> None:
    """A refused 低保 household the rules place in the 低保边缘 band: the result goes on the case and into the
    household register (低保边缘家庭)."""
    from minzheng.registry.models import ProgrammeFamily

    from .. import assessment
    from .supporters import record_edge

    if app.programme.family != ProgrammeFamily.DIBAO or app.single_person:
        return
    try:
        decision = assessment.assess(app, on=today)
    except (ValueError, LookupError):
        return   # the refusal stands; the register is only filled from a complete assessment
    if decision.get("edge"):
        app.decision = {**(app.decision or decision), "edge": decision["edge"]}
        app.save(update_fields=["decision", "updated_at"])
    record_edge(app, decision, actor=actor, today=today)
