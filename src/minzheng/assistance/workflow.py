"""The case state machine: which steps a case runs through, which action is allowed when, and step deadlines.

Procedure per 《最低生活保障审核确认办法》(民发〔2021〕57号); the 2012 试行 variant adds a mandatory 民主评议.
特困 follows the same path (社会救助暂行办法 第十六条), its termination runs 初审 → 7-day 公示 → 县级确认
(第十八条). 临时救助 急难型 is the 先行救助 fast path: no investigation or 公示 before the grant (第四十八条, 民发〔2018〕23号).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from minzheng.accounts.actor import Actor, Principal
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core import workflow as offers
from minzheng.core.scoping import may_edit
from minzheng.policy import services as policy
from minzheng.registry.models import EnrollmentStatus, ProgrammeFamily

from .models import (
    Application,
    CaseKind,
    LinshiType,
    Objection,
    ObjectionStatus,
    ReviewSchedule,
    RuleSet,
    Status,
)


class WorkflowError(ValidationError):
    """An action refused because of the case's state (a clear Chinese message for the officer)."""


class ConcurrentUpdate(WorkflowError):
    """Someone else acted on the case first."""


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    sources: tuple[Status, ...]
    cap: str
    county: bool = False  # True: a county (district) step, shown in the approver's queue


ACTIONS: dict[str, Action] = {a.code: a for a in [
    Action("start_investigation", "开始入户调查", (Status.ACCEPTED,), Cap.EDIT_BUSINESS),
    Action("record_investigation", "录入入户调查", (Status.INVESTIGATING,), Cap.EDIT_BUSINESS),
    Action("complete_checks", "完成信息核对", (Status.CHECKING,), Cap.EDIT_BUSINESS),
    Action("record_review", "录入民主评议", (Status.DEMOCRATIC_REVIEW,), Cap.EDIT_BUSINESS),
    Action("township_opinion", "乡镇初审同意", (Status.TOWNSHIP_REVIEW,), Cap.EDIT_BUSINESS),
    Action("township_refuse", "乡镇初审不同意", (Status.ACCEPTED, Status.INVESTIGATING, Status.CHECKING,
                                                Status.DEMOCRATIC_REVIEW, Status.TOWNSHIP_REVIEW), Cap.EDIT_BUSINESS),
    Action("end_publicity", "公示期满报县级", (Status.PUBLICITY,), Cap.EDIT_BUSINESS),
    Action("handle_objection", "处理公示异议", (Status.PUBLICITY,), Cap.EDIT_BUSINESS),
    Action("record_spot_check", "录入县级入户核查", (Status.COUNTY_REVIEW,), Cap.APPROVE, county=True),
    Action("county_approve", "县级审核确认（批准）", (Status.COUNTY_REVIEW,), Cap.APPROVE, county=True),
    Action("county_refuse", "县级不予批准", (Status.COUNTY_REVIEW,), Cap.APPROVE, county=True),
    Action("county_return", "退回乡镇重新初审", (Status.COUNTY_REVIEW,), Cap.APPROVE, county=True),
    Action("withdraw", "申请人撤回", tuple(s for s in Status if s not in (Status.APPROVED, Status.REFUSED,
                                                                       Status.WITHDRAWN)), Cap.EDIT_BUSINESS),
]}


def is_urgent(app: Application) -> bool:
    return app.programme.family == ProgrammeFamily.LINSHI and app.linshi_type == LinshiType.URGENT


def needs_review(app: Application) -> bool:
    """民主评议 is part of the path under the 2012 rules; under 2021 only after an upheld objection."""
    if app.rule_set == RuleSet.R2012 or app.status == Status.DEMOCRATIC_REVIEW:
        return True
    return app.pk is not None and app.reviews.exists()


def path(app: Application) -> list[Status]:
    """The steps this case goes through, in order (shown as the progress bar)."""
    if app.kind == CaseKind.TERMINATION:
        return [Status.TOWNSHIP_REVIEW, Status.PUBLICITY, Status.COUNTY_REVIEW, Status.APPROVED]
    if is_urgent(app):
        return [Status.ACCEPTED, Status.TOWNSHIP_REVIEW, Status.COUNTY_REVIEW, Status.APPROVED]
    steps = [Status.ACCEPTED, Status.INVESTIGATING, Status.CHECKING]
    if needs_review(app):
        steps.append(Status.DEMOCRATIC_REVIEW)
    return [*steps, Status.TOWNSHIP_REVIEW, Status.PUBLICITY, Status.COUNTY_REVIEW, Status.APPROVED]


def next_after(app: Application, status: Status | str) -> Status:
    steps = path(app)
    return steps[steps.index(Status(status)) + 1]


# Where the township confirms (delegated 审核确认, or a small 临时救助), the same actions run at township level.
TOWNSHIP_CONFIRM = {
    "county_approve": Action("county_approve", "乡镇审核确认（批准）", (Status.COUNTY_REVIEW,), Cap.EDIT_BUSINESS),
    "county_refuse": Action("county_refuse", "乡镇审核确认：不予批准", (Status.COUNTY_REVIEW,), Cap.EDIT_BUSINESS),
}
AFTER_CHECK = Action("record_spot_check", "录入县级事后入户抽查", (Status.APPROVED,), Cap.APPROVE, county=True)


def township_confirms(app: Application) -> bool:
    return app.confirm_level == "township"


def pending_after_check(app: Application) -> bool:
    """An approved, township-confirmed case drawn for the county's after-the-fact home visit, not yet visited."""
    if app.status != Status.APPROVED or not app.spot_check or app.pk is None:
        return False
    check = getattr(app, "spot_check_record", None) if hasattr(app, "spot_check_record") else None
    return check is not None and check.after_decision and not check.done


def step_label(app: Application, status: Status | str) -> str:
    status = Status(status)
    if status == Status.COUNTY_REVIEW and township_confirms(app):
        return "乡镇审核确认（授权）"
    return str(status.label)


def allowed(app: Application) -> list[Action]:
    """Actions possible in the case's current state (the buttons on the case page)."""
    out = []
    if pending_after_check(app):
        return [AFTER_CHECK]
    for a in ACTIONS.values():
        if app.status not in a.sources:
            continue
        if a.code == "start_investigation" and is_urgent(app):
            continue
        if app.status == Status.COUNTY_REVIEW and township_confirms(app):
            if a.code == "county_return":
                continue  # the township decides itself; nothing to return to
            a = TOWNSHIP_CONFIRM.get(a.code, a)
        out.append(a)
    if is_urgent(app) and app.status == Status.ACCEPTED:
        # 先行救助: the township proposes the grant straight away.
        out.insert(0, Action("township_opinion", "先行救助：乡镇初审同意", (Status.ACCEPTED,), Cap.EDIT_BUSINESS))
    return out


# The 村(居)协管员's part of a case: intake, the home visit, a withdrawal. 初审, 公示 and the rest are the
# officer's (Cap.PROCESS_CASES). The services' begin_action enforces the same split through `step_is_theirs`.
COORDINATOR_STEPS = frozenset({"start_investigation", "record_investigation", "withdraw"})


def step_is_theirs(actor: Principal, code: str) -> bool:
    """A coordinator's step, or the actor processes cases (the officer's steps)."""
    return code in COORDINATOR_STEPS or actor.has_cap(Cap.PROCESS_CASES)


def may_take(actor: Principal, app: Application, action: Action) -> bool:
    """The actor holds the step's capability in the case's jurisdiction, and the step is theirs to take."""
    return may_edit(actor, app, action.cap) and step_is_theirs(actor, action.code)


def allowed_actions(app: Application, actor: Principal) -> list[Action]:
    """The steps `actor` may take on the case now, in order (the case page's forms): the state allows them and
    `may_take` holds, as the services' begin_action requires."""
    if not (app.is_open or pending_after_check(app)):
        return []
    out = [a for a in allowed(app) if may_take(actor, app, a)]
    if township_confirms(app) and actor.has_cap(Cap.APPROVE):
        # the county supervises a delegated case (home visits); the township gives the confirmation itself
        out = [a for a in out if a.code not in ("county_approve", "county_refuse")]
    return out


def _case_offers(app: Application, actor: Actor) -> set[str]:
    codes = {a.code for a in allowed_actions(app, actor)}
    notice = getattr(app, "refusal", None) if hasattr(app, "refusal") else None
    if notice is not None and not notice.issued_on and may_edit(actor, notice):
        codes.add("issue_notice")  # 登记告知书送达 (services.issue_refusal_notice)
    return codes


def _objection_offers(objection: Objection, actor: Actor) -> set[str]:
    """核实处理 while the objection is open and the case is in 公示 (services.handle_objection)."""
    if objection.status != ObjectionStatus.OPEN:
        return set()
    return {"handle"} if any(a.code == "handle_objection" for a in allowed_actions(objection.application, actor)) \
        else set()


def _review_offers(sched: ReviewSchedule, actor: Actor) -> set[str]:
    """复核 an active enrolment; 特困 ends only through a termination case (services.review_enrollment,
    services.propose_termination), other programmes stop directly."""
    enr = sched.enrollment
    if enr.status != EnrollmentStatus.ACTIVE or not may_edit(actor, enr):
        return set()
    return {"review", "terminate" if enr.programme.family == ProgrammeFamily.TEKUN else "stop"}


def register_offers() -> None:
    """Tell core.workflow what each assistance page may offer (called from the app's ready())."""
    offers.register(Application, [*ACTIONS, "issue_notice"], _case_offers)
    offers.register(Objection, ["handle"], _objection_offers)
    offers.register(ReviewSchedule, ["review", "stop", "terminate"], _review_offers)


def check_action(app: Application, code: str) -> Action:
    """The action if allowed now, else a WorkflowError naming the current state."""
    for a in allowed(app):
        if a.code == code:
            return a
    label = ACTIONS[code].label if code in ACTIONS else code
    raise WorkflowError(f"案件 {app.number} 当前状态为“{app.get_status_display()}”，不能执行“{label}”")


def is_tekun(app: Application) -> bool:
    return app.programme.family == ProgrammeFamily.TEKUN


def _limit_key(app: Application, status: Status) -> str:
    """Parameter holding the working-day limit of a step (params.py keys; wfparams.py for the two it lacks)."""
    if status == Status.INVESTIGATING and is_tekun(app):
        return "tekun.wd.township_investigation"
    if status == Status.COUNTY_REVIEW and is_tekun(app):
        return "tekun.wd.county_decision"
    return {
        Status.ACCEPTED: "workflow.wd.survey_start",
        Status.INVESTIGATING: "assistance.workdays.investigating",
        Status.CHECKING: "assistance.workdays.checking",
        Status.DEMOCRATIC_REVIEW: "workflow.wd.democratic_review",
        Status.TOWNSHIP_REVIEW: "workflow.wd.township_opinion",
        Status.COUNTY_REVIEW: "workflow.wd.county_decision",
    }[status]


def step_deadline(app: Application, status: Status | str, start: dt.date) -> dt.date | None:
    """Deadline of `status` entered on `start`, in working days on the Chinese calendar (调休 included)."""
    status = Status(status)
    if status in (Status.APPROVED, Status.REFUSED, Status.WITHDRAWN, Status.PUBLICITY):
        return None
    n = int(policy.value(_limit_key(app, status), on=start, division=app.division))
    return dates.add_workdays(start, n)


def publicity_days_key(app: Application) -> str:
    if app.kind == CaseKind.TERMINATION:
        return "tekun.termination.publicity_days"
    return "tekun.days.publicity" if is_tekun(app) else "workflow.days.publicity"


def objection_limit_key(app: Application) -> str:
    return "tekun.termination.objection_wd" if app.kind == CaseKind.TERMINATION else "workflow.wd.objection_recheck"


def overall_deadline(app: Application) -> dt.date:
    n = int(policy.value("workflow.wd.total", on=app.received_on, division=app.division))
    return dates.add_workdays(app.received_on, n)


def is_overdue(app: Application, today: dt.date | None = None) -> bool:
    today = today or dates.today()
    if not app.is_open:
        return False
    return bool((app.step_due and app.step_due < today) or (app.overall_due and app.overall_due < today))


def is_county_step(status: str) -> bool:
    return status == Status.COUNTY_REVIEW
