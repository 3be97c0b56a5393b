"""公示异议: anyone may object to an active 公示 without logging in; the township investigates within the
parameter's working days. Upheld: the notice comes down and the case is re-investigated or goes to 民主评议.
Not upheld: the case stays, and the county must visit the home."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy

from .. import workflow
from ..models import Application, Objection, ObjectionStatus, Publicity, PublicityStatus, Status
from ..workflow import WorkflowError
from .publicity import take_down
from .transitions import begin_action, enter_step, record_opinion, save_case


def client_hash(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()


@transaction.atomic
def submit_objection(publicity: Publicity, *, content: str, reporter_name: str = "", reporter_contact: str = "",
                     ip: str = "", today: dt.date | None = None) -> Objection:
    """A public objection (anyone, no login) to an active 公示, routed to the township with a deadline."""
    today = today or dates.today()
    if publicity.status != PublicityStatus.ACTIVE or not (publicity.start_date <= today <= publicity.end_date):
        raise ValidationError({"content": "该公示已结束，不能再提出异议"})
    content = content.strip()
    if len(content) < 5:
        raise ValidationError({"content": "请具体说明异议内容（至少5个字）"})
    app = publicity.application
    n = int(policy.value(workflow.objection_limit_key(app), on=today, division=app.division))
    obj = Objection.objects.create(publicity=publicity, application=app, content=content[:2000],
                                   reporter_name=reporter_name.strip()[:64],
                                   reporter_contact=reporter_contact.strip()[:64], source_hash=client_hash(ip),
                                   due_date=dates.add_workdays(today, n))
    app = Application.objects.select_for_update().get(pk=app.pk)
    app.objection_flag = True
    app.county_visit_required = True  # a complaint during review: the county visits the home itself
    app.save(update_fields=["objection_flag", "county_visit_required", "updated_at"])
    record_opinion(app, action="objection", from_status=app.status, actor=None, text="收到公示异议，已转乡镇处理")
    return obj


@transaction.atomic
def handle_objection(objection: Objection, *, actor: Actor, upheld: bool, outcome: str, redo: str = "investigate",
                     version: int | None = None, today: dt.date | None = None) -> Objection:
    """Investigate an objection. Upheld: the 公示 comes down and the case is re-investigated or goes to 民主评议,
    then a fresh 初审意见 and 公示. Not upheld: the case stays; the county must visit the home (complaint case)."""
    today = today or dates.today()
    if objection.status != ObjectionStatus.OPEN:
        raise WorkflowError("该异议已处理")
    if not outcome.strip():
        raise WorkflowError("请填写核实情况和处理结果")
    app = objection.application
    require_edit(actor, objection, Cap.EDIT_BUSINESS)
    if upheld:
        app, before = begin_action(app, "handle_objection", actor, version)
        pub = objection.publicity
        if pub.status == PublicityStatus.ACTIVE:
            take_down(pub, actor)
        target = Status.DEMOCRATIC_REVIEW if redo == "review" else Status.INVESTIGATING
        enter_step(app, target, today)
        app.county_visit_required = True
        save_case(app)
        record_opinion(app, action="handle_objection", from_status=before, actor=actor,
                       text=f"异议成立：{outcome.strip()}；撤下公示，" + ("组织民主评议" if redo == "review" else "重新调查"))
    else:
        record_opinion(app, action="handle_objection", from_status=app.status, actor=actor,
                       text=f"异议不成立：{outcome.strip()}；县级须入户核查")
    objection.status = ObjectionStatus.HANDLED
    objection.upheld = upheld
    objection.outcome = outcome.strip()
    objection.handled_by = actor if getattr(actor, "pk", None) else None
    objection.handled_at = dates.now()
    objection.save()
    return objection
