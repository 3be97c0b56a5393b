"""乡镇初审: 民主评议 (quorum and "more than half" are parameters), the rules' assessment of the case, and the
township's opinion, which puts the case up for 公示 (先行救助 goes straight to the county)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.policy import services as policy

from .. import assessment, workflow
from ..models import Application, CaseKind, DemocraticReview, Status
from ..workflow import WorkflowError
from .approval import enter_county_review
from .publicity import post_publicity
from .transitions import begin_action, enter_step, record_opinion, save_case


@transaction.atomic
def record_review(app: Application, *, actor: Actor, held_on: dt.date, attendees: list[str], panel_size: int,
                  votes_for: int, votes_against: int, votes_abstain: int, record: str = "", all_signed: bool,
                  place: str = "", version: int | None = None, today: dt.date | None = None) -> DemocraticReview:
    """民主评议: quorum and "more than half" are parameters; everyone present signs the record."""
    today = today or dates.today()
    app, before = begin_action(app, "record_review", actor, version)
    present = len([a for a in attendees if a.strip()])
    if panel_size < 1 or present > panel_size:
        raise WorkflowError("参加人数不能超过评议小组人数")
    if votes_for + votes_against + votes_abstain > present:
        raise WorkflowError("票数合计不能超过到会人数")
    if not all_signed:
        raise WorkflowError("评议记录须由参加人员全体签字")
    on = held_on
    quorum = policy.decimal("workflow.democratic_review.quorum", on=on, division=app.division)
    pass_ratio = policy.decimal("workflow.democratic_review.pass_ratio", on=on, division=app.division)
    min_people = int(policy.value("workflow.democratic_review.min_people", on=on, division=app.division))
    quorum_met = Decimal(present) >= quorum * panel_size and present >= min_people
    passed = quorum_met and Decimal(votes_for) > pass_ratio * present
    review = DemocraticReview.objects.create(
        application=app, held_on=held_on, place=place, attendees=[a.strip() for a in attendees if a.strip()],
        panel_size=panel_size, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain,
        quorum_met=quorum_met, passed=passed, record=record, all_signed=True)
    enter_step(app, Status.TOWNSHIP_REVIEW, today)
    save_case(app)
    outcome = "通过" if passed else ("未达到法定到会人数" if not quorum_met else "未获过半数同意")
    record_opinion(app, action="record_review", from_status=before, actor=actor,
                   text=f"民主评议{outcome}：到会{present}/{panel_size}人，同意{votes_for}、反对{votes_against}、"
                        f"弃权{votes_abstain}")
    return review


def assess(app: Application, *, on: dt.date | None = None) -> dict[str, Any]:
    """The rules' Decision for this case today (eligibility, amount, explanation, inputs, parameter refs)."""
    try:
        return assessment.assess(app, on=on or dates.today())
    except (ValueError, LookupError) as exc:  # bad survey data or a missing parameter: say so, do not crash
        raise WorkflowError(f"规则测算失败：{exc}") from exc


@transaction.atomic
def township_opinion(app: Application, *, actor: Actor, text: str = "", version: int | None = None,
                     today: dt.date | None = None) -> Application:
    """乡镇初审同意: the rules must find the case eligible; the amount proposed is the rules' amount. Then the
    7-day 公示 goes up in the village (先行救助 cases go straight to the county)."""
    today = today or dates.today()
    app, before = begin_action(app, "township_opinion", actor, version)
    if app.kind == CaseKind.NEW:
        last = app.reviews.order_by("-held_on", "-id").first()
        if workflow.needs_review(app) and last is not None and not last.passed:
            raise WorkflowError("民主评议未通过，不能提出同意意见；请提出不同意意见（不予批准）")
        decision = assess(app, on=today)
        if not decision.get("eligible"):
            raise WorkflowError("按规则测算不符合条件，不能提出同意意见：" + str(decision.get("explanation", "")))
        app.decision = decision
        app.proposed_amount = Decimal(str(decision.get("amount", "0")))
        app.covered_persons = int(decision.get("covered_persons") or 1)
    else:
        decision = app.decision
    if workflow.is_urgent(app):
        enter_county_review(app, today)
    else:
        post_publicity(app, today)
    save_case(app)
    record_opinion(app, action="township_opinion", from_status=before, actor=actor,
                   text=text or "经调查核实，初审同意", decision=decision)
    return app
