"""公示: what a case's notice on the village board shows (the permitted fields only, minors in 特困 not listed),
posting it for the parameter's days, taking it down, and the daily sweep that ends expired notices and sends
cases without open objections on to the county."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.registry.masking import mask_name

from .. import workflow
from ..models import Application, CaseKind, ObjectionStatus, Publicity, PublicityKind, PublicityStatus, Status
from ..workflow import WorkflowError
from .approval import enter_county_review
from .transitions import actor_name, begin_action, record_opinion, save_case


def _publicity_entry(app: Application, on: dt.date) -> tuple[dict[str, Any], bool]:
    """Only the permitted fields (policy-rules §1.4, §10.3): never ID, phone, account, address or diagnosis."""
    mask = bool(policy.value("publicity.mask_name", on=on, division=app.division))
    who = app.person or app.household.head or app.applicant
    name = mask_name(who.name) if mask else who.name
    listed = True
    if workflow.is_tekun(app) and app.person is not None:
        hide_under = int(policy.value("tekun.publicity.hide_under_age", on=on, division=app.division))
        if dates.age_on(app.person.birth_date, on) < hide_under:
            listed = False  # no 公示 for minors in 特困
    # The approval comes after the 公示 and the county's review, so the month is not known yet: name the rule the
    # decision will follow, never a month the decision may contradict.
    next_month = bool(policy.value("workflow.benefit_start_next_month", on=on, division=app.division))
    when = "批准次月" if next_month else "批准当月"
    if app.kind == CaseKind.TERMINATION:
        period = f"拟自{when}起终止"
    else:
        period = f"拟自{when}起"
    entry = {
        "name": name, "village": app.division.name, "covered_persons": app.covered_persons or 1,
        "category": app.programme.name + (f"（{app.get_linshi_type_display()}）" if app.linshi_type else ""),
        "monthly_amount": str(app.proposed_amount if app.proposed_amount is not None else ""),
        "period": period,
    }
    allowed = policy.value("publicity.fields", on=on, division=app.division)
    return {k: v for k, v in entry.items() if k in allowed}, listed


def post_publicity(app: Application, today: dt.date) -> Publicity:
    days = int(policy.value(workflow.publicity_days_key(app), on=today, division=app.division))
    entry, listed = _publicity_entry(app, today)
    pub = Publicity.objects.create(
        application=app, division=app.division, township=app.township,
        kind=PublicityKind.TERMINATION if app.kind == CaseKind.TERMINATION else PublicityKind.PRELIMINARY,
        start_date=today, end_date=today + dt.timedelta(days=days - 1), listed=listed, entry=entry,
        params={"days": policy.resolve(workflow.publicity_days_key(app), on=today, division=app.division).ref()})
    app.status = Status.PUBLICITY
    app.step_due = pub.end_date
    return pub


def active_publicity(app: Application) -> Publicity | None:
    return app.publicities.filter(status=PublicityStatus.ACTIVE).order_by("-start_date", "-id").first()


def take_down(pub: Publicity, actor: Actor | None, status: str = PublicityStatus.TAKEN_DOWN) -> None:
    pub.status = status
    pub.taken_down_at = dates.now()
    pub.taken_down_by = actor_name(actor)
    pub.save()


@transaction.atomic
def end_publicity(app: Application, *, actor: Actor | None, version: int | None = None,
                  today: dt.date | None = None) -> Application:
    """公示期满且异议已处理 → 报县级审核确认."""
    today = today or dates.today()
    app, before = begin_action(app, "end_publicity", actor, version)
    pub = active_publicity(app)
    if pub is not None and today <= pub.end_date:
        raise WorkflowError(f"公示期至 {pub.end_date:%Y-%m-%d} 止，期满后方可报县级审核确认")
    if app.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise WorkflowError("尚有未处理的公示异议，请先调查核实并处理")
    if pub is not None:
        take_down(pub, actor, PublicityStatus.ENDED)
    enter_county_review(app, today)
    save_case(app)
    record_opinion(app, action="end_publicity", from_status=before, actor=actor, text="公示期满，报县级审核确认")
    return app


def sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: take down expired 公示 (the public page already hides them by date) and send cases without open
    objections on to the county."""
    today = today or dates.today()
    moved = ended = 0
    for pub in Publicity.objects.filter(status=PublicityStatus.ACTIVE, end_date__lt=today).select_related(
            "application"):
        app = pub.application
        if app.status == Status.PUBLICITY and not app.objections.filter(status=ObjectionStatus.OPEN).exists():
            end_publicity(app, actor=None, today=today)
            moved += 1
        else:
            with transaction.atomic():
                take_down(pub, None, PublicityStatus.ENDED)
            ended += 1
    return {"moved": moved, "ended": ended}
