"""Changing cases: typed, keyword-only actions, each atomic and audited (model signals) with an Opinion row.

Every transition locks the case row (select_for_update; SQLite transactions are IMMEDIATE) and checks the
optimistic `version` the actor saw, so two people acting on the same case at once cannot both succeed: the second
gets a ConcurrentUpdate with a Chinese message. Amounts come from the rules (assessment.py → rules.py) and the
Decision, with its parameter versions, is stored on the case, the Opinion and the Enrollment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.policy import services as policy
from minzheng.regions.selectors import township_of
from minzheng.registry.models import (
    Enrollment,
    EnrollmentAmount,
    EnrollmentStatus,
    Household,
    Person,
    Programme,
)

from . import assessment, rules, workflow
from .models import (
    Adjustment,
    AdjustmentKind,
    Application,
    CaseKind,
    Channel,
    CheckResult,
    DemocraticReview,
    HouseholdClass,
    Investigation,
    KinshipMatch,
    KinshipRegistration,
    LinshiType,
    Objection,
    ObjectionStatus,
    Opinion,
    Publicity,
    PublicityKind,
    PublicityStatus,
    RefusalNotice,
    ReviewSchedule,
    RuleSet,
    SpotCheck,
    SpotCheckReason,
    Status,
)
from .workflow import ConcurrentUpdate, WorkflowError

PREFIX = {"dibao_urban": "DBC", "dibao_rural": "DBN", "tekun_dispersed": "TKF", "tekun_central": "TKJ",
          "linshi": "LS"}
CASE_PROGRAMMES = tuple(PREFIX)
# A part-time village coordinator files cases and helps with the home visit; the township decides.
COORDINATOR_ACTIONS = frozenset({"start_investigation", "record_investigation", "withdraw"})




def _actor_name(actor: Any) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "full_name", "") or getattr(actor, "username", "")


def _opinion(app: Application, *, action: str, from_status: str, actor: Any, text: str = "",
             decision: dict[str, Any] | None = None) -> Opinion:
    return Opinion.objects.create(application=app, action=action, from_status=from_status, to_status=app.status,
                                  actor=actor if getattr(actor, "pk", None) else None, actor_name=_actor_name(actor),
                                  text=text, decision=decision or {})


def _locked(app: Application, expected_version: int | None) -> Application:
    """The case row, locked for this transaction, if nobody changed it since the actor loaded it."""
    fresh = Application.objects.select_for_update().select_related("programme", "division", "township").get(
        pk=app.pk)
    expected = app.version if expected_version is None else int(expected_version)
    if fresh.version != expected:
        raise ConcurrentUpdate(f"案件 {fresh.number} 已被他人处理（当前状态：{fresh.get_status_display()}），"
                               "请刷新页面后重试")
    return fresh


def _enter(app: Application, status: Status, today: dt.date) -> None:
    app.status = status
    app.step_due = workflow.step_deadline(app, status, today)


def _save(app: Application) -> None:
    app.version += 1
    app.save()


def _act(app: Application, code: str, actor: Any, expected_version: int | None) -> tuple[Application, str]:
    """Lock, check the version, the state, the jurisdiction and the capability of one action."""
    fresh = _locked(app, expected_version)
    action = workflow.check_action(fresh, code)
    if actor is not None:
        require_edit(actor, fresh, action.cap)
        if getattr(actor, "role", "") == "village_coordinator" and code not in COORDINATOR_ACTIONS:
            raise PermissionDenied("村(居)协管员可以受理、主动发现和协助入户调查；初审、公示和审核由乡镇(街道)经办人员办理")
    return fresh, fresh.status


# --- intake -----------------------------------------------------------------------------------------------


@transaction.atomic
def create_application(*, actor: Any, programme_code: str, household: Household, applicant: Person,
                       person: Person | None = None, channel: str = Channel.SELF, entrusted_to: str = "",
                       rule_set: str | None = None, linshi_type: str = "", reason: str = "",
                       declared_kinship: str = "", received_on: dt.date | None = None, single_person: bool = False,
                       expense_amount: Decimal | None = None, months: int | None = None,
                       selfcare_failed: Iterable[str] = ()) -> Application:
    """受理: a written application (本人/委托) or a 主动发现 by a coordinator, filed in the household's village."""
    require_division(actor, household.division, Cap.EDIT_BUSINESS)
    received_on = received_on or dates.today()
    if programme_code not in CASE_PROGRAMMES:
        raise ValidationError({"programme": "该项目不通过本流程办理"})
    programme = Programme.objects.get(code=programme_code)
    if applicant.household_id != household.pk:
        raise ValidationError({"applicant": "申请人不是该家庭成员"})
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": "救助对象不是该家庭成员"})
    if programme_code.startswith("tekun") and person is None:
        person = applicant
    if single_person and person is None:
        raise ValidationError({"person": "单人保须指定保障对象"})
    if channel == Channel.ENTRUSTED and not entrusted_to.strip():
        raise ValidationError({"entrusted_to": "委托申请须填写受委托人"})
    if programme_code == "linshi":
        if linshi_type not in LinshiType.values:
            raise ValidationError({"linshi_type": "请选择临时救助类型（急难型/支出型）"})
    else:
        linshi_type = ""
    open_same = Application.objects.filter(household=household, programme=programme, status__in=workflow_open())
    if person is not None:
        open_same = open_same.filter(person=person)
    if open_same.exists():
        raise ValidationError({"household": f"该家庭已有在办的{programme.name}申请：{open_same.first().number}"})
    if rule_set is None:
        rule_set = str(policy.value("dibao.rule_version", on=received_on, division=household.division))
    if rule_set not in RuleSet.values:
        rule_set = RuleSet.R2012 if rule_set < "2021" else RuleSet.R2021
    village = household.division
    township = township_of(village) or village
    app = Application(
        programme=programme, household=household, applicant=applicant, person=person, division=village,
        township=township, channel=channel, entrusted_to=entrusted_to.strip(), rule_set=rule_set,
        linshi_type=linshi_type, reason=reason, declared_kinship=declared_kinship.strip(),
        received_on=received_on, single_person=single_person, expense_amount=expense_amount, months=months,
        selfcare_failed=list(selfcare_failed), created_by=actor if getattr(actor, "pk", None) else None,
        assigned_to=actor if getattr(actor, "role", "") == "township_officer" else None,
    )
    app.step_due = workflow.step_deadline(app, Status.ACCEPTED, received_on)
    app.overall_due = workflow.overall_deadline(app)
    app.save()
    app.number = f"{PREFIX[programme_code]}{received_on:%Y}{app.pk:06d}"
    app.save(update_fields=["number"])
    label = Channel(channel).label
    _opinion(app, action="accept", from_status="", actor=actor,
             text=f"{label}受理" + (f"（受委托人：{app.entrusted_to}）" if app.entrusted_to else ""))
    flag_kinship(app)
    return app


def workflow_open() -> list[str]:
    from .models import OPEN_STATUSES

    return [s.value for s in OPEN_STATUSES]


def _household_ids(app: Application) -> set[str]:
    ids = set(Person.objects.filter(household=app.household, is_deceased=False).values_list("id_number", flat=True))
    ids.add(app.applicant.id_number)
    if app.person_id:
        ids.add(app.person.id_number)
    return {i for i in ids if i}


def flag_kinship(app: Application) -> list[KinshipMatch]:
    """近亲属备案: flag the case when a member's ID number is in the register (as relative or as staff), or when the
    applicant declared a relation naming a registered staff member. Flagged cases get a 100% county home visit."""
    ids = _household_ids(app)
    regs = KinshipRegistration.objects.filter(active=True)
    found: list[KinshipMatch] = []
    known = set(app.kinship_matches.values_list("registration_id", "matched_by"))
    by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
    for reg in regs.filter(relative_id_number__in=ids) | regs.filter(staff_id_number__in=ids):
        if (reg.pk, "id_number") in known:
            continue
        who = by_id.get(reg.relative_id_number) or by_id.get(reg.staff_id_number)
        role = reg.get_staff_role_display()
        note = (f"{who.name if who else ''} 为{role}{reg.staff_name}的{reg.relation}" if who and
                who.id_number == reg.relative_id_number else f"家庭成员本人为{role}")
        found.append(KinshipMatch.objects.create(application=app, registration=reg, person=who,
                                                 matched_by="id_number", note=note[:200]))
    if app.declared_kinship and ("", "declared") not in {(str(r or ""), m) for r, m in known}:
        named = [r for r in regs if r.staff_name and r.staff_name in app.declared_kinship]
        reg = named[0] if named else None
        if not app.kinship_matches.filter(matched_by="declared").exists():
            found.append(KinshipMatch.objects.create(application=app, registration=reg, matched_by="declared",
                                                     note=f"申请人申报：{app.declared_kinship}"[:200]))
    if found and not app.kinship_flag:
        app.kinship_flag = True
        app.county_visit_required = True
        app.save(update_fields=["kinship_flag", "county_visit_required", "updated_at"])
        _opinion(app, action="kinship_flag", from_status=app.status, actor=None,
                 text="近亲属备案：" + "；".join(m.note for m in found))
    return found


# --- township steps ----------------------------------------------------------------------------------------


@transaction.atomic
def start_investigation(app: Application, *, actor: Any, version: int | None = None,
                        today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = _act(app, "start_investigation", actor, version)
    _enter(app, Status.INVESTIGATING, today)
    if app.assigned_to_id is None and getattr(actor, "role", "") == "township_officer":
        app.assigned_to = actor
    _save(app)
    _opinion(app, action="start_investigation", from_status=before, actor=actor, text="开始家庭经济状况调查")
    return app


def income_snapshot(household: Household, on: dt.date) -> list[dict[str, Any]]:
    rows = household.incomes.filter(period_start__lte=on).exclude(period_end__lt=on).select_related("person")
    return [{"category": i.category, "category_label": i.get_category_display(), "item": i.item,
             "person": i.person.name if i.person_id else "", "monthly_amount": str(i.monthly_amount),
             "source": i.source} for i in rows]


def asset_snapshot(household: Household, on: dt.date) -> list[dict[str, Any]]:
    rows = household.assets.exclude(disposed_on__lte=on)
    return [{"kind": a.kind, "kind_label": a.get_kind_display(), "description": a.description,
             "value": str(a.value), "attributes": a.attributes} for a in rows]


@transaction.atomic
def record_investigation(app: Application, *, actor: Any, visited_on: dt.date, investigator_1: str,
                         investigator_2: str, investigator_1_signed: bool, investigator_2_signed: bool,
                         applicant_signed: bool, neighbour_visits: list[dict[str, str]] | None = None,
                         living_conditions: str = "", findings: str = "", version: int | None = None,
                         today: dt.date | None = None) -> Investigation:
    """入户调查 by two named investigators; both and the applicant sign. Freezes the income/asset snapshot."""
    today = today or dates.today()
    app, before = _act(app, "record_investigation", actor, version)
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
    _enter(app, workflow.next_after(app, before), today)
    _save(app)
    _opinion(app, action="record_investigation", from_status=before, actor=actor,
             text=f"入户调查：{inv.investigator_1}、{inv.investigator_2}；{findings}".strip("；"))
    return inv


@transaction.atomic
def add_check_result(app: Application, *, actor: Any, source: str, matched: bool, summary: str = "",
                     detail: dict[str, Any] | None = None, external_ref: str = "") -> CheckResult:
    """One department's answer (the crosscheck app calls this with actor=None when it feeds matches)."""
    if actor is not None:
        require_edit(actor, app, Cap.EDIT_BUSINESS)
    if not app.is_open:
        raise WorkflowError(f"案件 {app.number} 已办结，不能再添加核对结果")
    return CheckResult.objects.create(application=app, source=source, matched=matched, summary=summary[:200],
                                      detail=detail or {}, external_ref=external_ref)


@transaction.atomic
def complete_checks(app: Application, *, actor: Any, text: str = "", version: int | None = None,
                    today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = _act(app, "complete_checks", actor, version)
    hits = app.checks.filter(matched=True).count()
    _enter(app, workflow.next_after(app, before), today)
    _save(app)
    _opinion(app, action="complete_checks", from_status=before, actor=actor,
             text=(text or "信息核对完成") + (f"（发现疑点 {hits} 项）" if hits else "（未发现疑点）"))
    return app


@transaction.atomic
def record_review(app: Application, *, actor: Any, held_on: dt.date, attendees: list[str], panel_size: int,
                  votes_for: int, votes_against: int, votes_abstain: int, record: str = "", all_signed: bool,
                  place: str = "", version: int | None = None, today: dt.date | None = None) -> DemocraticReview:
    """民主评议: quorum and "more than half" are parameters; everyone present signs the record."""
    today = today or dates.today()
    app, before = _act(app, "record_review", actor, version)
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
    _enter(app, Status.TOWNSHIP_REVIEW, today)
    _save(app)
    outcome = "通过" if passed else ("未达到法定到会人数" if not quorum_met else "未获过半数同意")
    _opinion(app, action="record_review", from_status=before, actor=actor,
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
def township_opinion(app: Application, *, actor: Any, text: str = "", version: int | None = None,
                     today: dt.date | None = None) -> Application:
    """乡镇初审同意: the rules must find the case eligible; the amount proposed is the rules' amount. Then the
    7-day 公示 goes up in the village (先行救助 cases go straight to the county)."""
    today = today or dates.today()
    app, before = _act(app, "township_opinion", actor, version)
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
        _enter_county_review(app, today)
    else:
        _post_publicity(app, today)
    _save(app)
    _opinion(app, action="township_opinion", from_status=before, actor=actor,
             text=text or "经调查核实，初审同意", decision=decision)
    return app


def _publicity_entry(app: Application, on: dt.date, start_month: dt.date) -> tuple[dict[str, Any], bool]:
    """Only the permitted fields (policy-rules §1.4, §10.3): never ID, phone, account, address or diagnosis."""
    mask = bool(policy.value("publicity.mask_name", on=on, division=app.division))
    from minzheng.registry.masking import mask_name

    who = app.person if app.person_id else (app.household.head or app.applicant)
    name = mask_name(who.name) if mask else who.name
    listed = True
    if workflow.is_tekun(app) and app.person_id:
        hide_under = int(policy.value("tekun.publicity.hide_under_age", on=on, division=app.division))
        if dates.age_on(app.person.birth_date, on) < hide_under:
            listed = False  # no 公示 for minors in 特困
    if app.kind == CaseKind.TERMINATION:
        period = f"拟自{start_month:%Y年%m月}起终止"
    else:
        period = f"拟自{start_month:%Y年%m月}起"
    entry = {
        "name": name, "village": app.division.name, "covered_persons": app.covered_persons or 1,
        "category": app.programme.name + (f"（{app.get_linshi_type_display()}）" if app.linshi_type else ""),
        "monthly_amount": str(app.proposed_amount if app.proposed_amount is not None else ""),
        "period": period,
    }
    allowed = policy.value("publicity.fields", on=on, division=app.division)
    return {k: v for k, v in entry.items() if k in allowed}, listed



def _post_publicity(app: Application, today: dt.date) -> Publicity:
    days = int(policy.value(workflow.publicity_days_key(app), on=today, division=app.division))
    start_month = dates.next_month_start(today)
    entry, listed = _publicity_entry(app, today, start_month)
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


@transaction.atomic
def township_refuse(app: Application, *, actor: Any, reasons: str, version: int | None = None,
                    today: dt.date | None = None) -> RefusalNotice:
    """初审不同意 → 不予批准, with written reasons due within 3 working days."""
    app, before = _act(app, "township_refuse", actor, version)
    return _refuse(app, before, actor, reasons, today or dates.today(), "township_refuse")


def _refuse(app: Application, before: str, actor: Any, reasons: str, today: dt.date, action: str) -> RefusalNotice:
    if not reasons.strip():
        raise WorkflowError("不予批准须写明理由")
    n = int(policy.value("workflow.wd.refusal_notice", on=today, division=app.division))
    app.status = Status.REFUSED
    app.step_due = None
    app.decided_on = today
    _save(app)
    for pub in app.publicities.filter(status=PublicityStatus.ACTIVE):
        _take_down(pub, actor)
    notice = RefusalNotice.objects.create(application=app, decided_on=today,
                                          due_on=dates.add_workdays(today, n), reasons=reasons.strip())
    _opinion(app, action=action, from_status=before, actor=actor, text=f"不予批准：{reasons.strip()}")
    return notice


@transaction.atomic
def issue_refusal_notice(notice: RefusalNotice, *, actor: Any, issued_on: dt.date | None = None) -> RefusalNotice:
    require_edit(actor, notice, Cap.EDIT_BUSINESS)
    notice.issued_on = issued_on or dates.today()
    notice.issued_by = _actor_name(actor)
    notice.save()
    return notice


def _take_down(pub: Publicity, actor: Any, status: str = PublicityStatus.TAKEN_DOWN) -> None:
    pub.status = status
    pub.taken_down_at = dates.now()
    pub.taken_down_by = _actor_name(actor)
    pub.save()


# --- 公示 and objections -------------------------------------------------------------------------------------


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
    _opinion(app, action="objection", from_status=app.status, actor=None, text="收到公示异议，已转乡镇处理")
    return obj


@transaction.atomic
def handle_objection(objection: Objection, *, actor: Any, upheld: bool, outcome: str, redo: str = "investigate",
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
        app, before = _act(app, "handle_objection", actor, version)
        pub = objection.publicity
        if pub.status == PublicityStatus.ACTIVE:
            _take_down(pub, actor)
        target = Status.DEMOCRATIC_REVIEW if redo == "review" else Status.INVESTIGATING
        _enter(app, target, today)
        app.county_visit_required = True
        _save(app)
        _opinion(app, action="handle_objection", from_status=before, actor=actor,
                 text=f"异议成立：{outcome.strip()}；撤下公示，" + ("组织民主评议" if redo == "review" else "重新调查"))
    else:
        _opinion(app, action="handle_objection", from_status=app.status, actor=actor,
                 text=f"异议不成立：{outcome.strip()}；县级须入户核查")
    objection.status = ObjectionStatus.HANDLED
    objection.upheld = upheld
    objection.outcome = outcome.strip()
    objection.handled_by = actor if getattr(actor, "pk", None) else None
    objection.handled_at = dates.now()
    objection.save()
    return objection


@transaction.atomic
def end_publicity(app: Application, *, actor: Any, version: int | None = None,
                  today: dt.date | None = None) -> Application:
    """公示期满且异议已处理 → 报县级审核确认."""
    today = today or dates.today()
    app, before = _act(app, "end_publicity", actor, version)
    pub = active_publicity(app)
    if pub is not None and today <= pub.end_date:
        raise WorkflowError(f"公示期至 {pub.end_date:%Y-%m-%d} 止，期满后方可报县级审核确认")
    if app.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise WorkflowError("尚有未处理的公示异议，请先调查核实并处理")
    if pub is not None:
        _take_down(pub, actor, PublicityStatus.ENDED)
    _enter_county_review(app, today)
    _save(app)
    _opinion(app, action="end_publicity", from_status=before, actor=actor, text="公示期满，报县级审核确认")
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
                _take_down(pub, None, PublicityStatus.ENDED)
            ended += 1
    return {"moved": moved, "ended": ended}


def confirm_level(app: Application, today: dt.date) -> tuple[str, dict[str, Any]]:
    """Who gives the 审核确认 and under which parameter: a 临时救助 within the township's approval limit
    (民发〔2018〕23号, rules' `township_may_approve`), or a 低保/特困 case in a division where the power is
    delegated (`assistance.confirmation_delegated`, 民发〔2021〕57号); otherwise the county."""
    if app.programme.code == "linshi":
        details = (app.decision or {}).get("details", {})
        pv = policy.resolve("linshi.township_approval_max", on=today, division=app.division)
        small = app.kind == CaseKind.NEW and bool(details.get("township_may_approve")) and \
            app.proposed_amount is not None and app.proposed_amount <= pv.decimal
        return ("township" if small else "county"), {"param": pv.ref(), "amount": str(app.proposed_amount)}
    pv = policy.resolve("assistance.confirmation_delegated", on=today, division=app.division)
    return ("township" if rules.as_bool(pv.value) else "county"), {"param": pv.ref()}


def _enter_county_review(app: Application, today: dt.date) -> None:
    app.confirm_level, app.confirm_basis = confirm_level(app, today)
    _enter(app, Status.COUNTY_REVIEW, today)
    _sample(app, today)


def draw(number: str) -> float:
    """The case's sampling draw in [0, 1): reproducible (seeded by the case number) but, being keyed with the
    installation's secret, not something a township can predict when it numbers a case."""
    digest = hashlib.sha256(f"spot-check:{settings.SECRET_KEY}:{number}".encode()).hexdigest()
    return int(digest[:13], 16) / float(16 ** 13)


def _sample(app: Application, today: dt.date) -> SpotCheck | None:
    """County 入户 before the decision: every 近亲属 and complaint case; where the county confirms, also a sample
    that keeps each township at or above the spot-check ratio for the year (the shortfall is always sampled).
    Where the township confirms, the random sample is drawn after the decision (_sample_after)."""
    existing = SpotCheck.objects.filter(application=app).first()
    if existing is not None:
        return existing
    ratio_pv = policy.resolve("workflow.spot_check_ratio", on=today, division=app.division)
    reason = None
    ref: dict[str, Any] = {"param": ratio_pv.ref(), "draw": round(draw(app.number), 6)}
    if app.kinship_flag:
        reason = SpotCheckReason.KINSHIP
    elif app.county_visit_required or app.objection_flag:
        reason = SpotCheckReason.COMPLAINT
    elif app.confirm_level != "township":
        ratio = ratio_pv.decimal
        year = Application.objects.filter(township=app.township, received_on__year=today.year).exclude(pk=app.pk)
        reached = year.filter(status__in=[Status.COUNTY_REVIEW, Status.APPROVED, Status.REFUSED]).count()
        sampled = SpotCheck.objects.filter(application__in=year, after_decision=False).count()
        shortfall = Decimal(sampled) < ratio * (reached + 1)
        if shortfall or draw(app.number) < float(ratio):
            reason = SpotCheckReason.RANDOM
            ref["shortfall"] = bool(shortfall)
    if reason is None:
        return None
    app.spot_check = True
    return SpotCheck.objects.create(application=app, reason=reason, sampled_on=today, ratio=ref)


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), dates.next_month_start(day)


def _sample_after(app: Application, today: dt.date) -> SpotCheck | None:
    """After a township's delegated confirmation the county visits a sample of the month's confirmed cases in
    that township: at least `workflow.spot_check_ratio` of them and at least `assistance.spot_check_min` (all when
    fewer); beyond that, the case's own draw decides. The same sequence of decisions gives the same sample."""
    if SpotCheck.objects.filter(application=app).exists():
        return None  # visited before the decision already (近亲属/complaint)
    ratio_pv = policy.resolve("workflow.spot_check_ratio", on=today, division=app.division)
    min_pv = policy.resolve("assistance.spot_check_min", on=today, division=app.division)
    first, nxt = _month_bounds(today)
    month = Application.objects.filter(township=app.township, confirm_level="township", status=Status.APPROVED,
                                       decided_on__gte=first, decided_on__lt=nxt)
    confirmed = month.count()  # includes this case, saved as approved before the draw
    sampled = SpotCheck.objects.filter(application__in=month).exclude(application=app).count()
    need = min(confirmed, max(int(min_pv.value), math.ceil(ratio_pv.decimal * confirmed)))
    value = draw(app.number)
    shortfall = sampled < need
    if not (shortfall or value < float(ratio_pv.decimal)):
        return None
    app.spot_check = True
    app.save(update_fields=["spot_check", "updated_at"])
    return SpotCheck.objects.create(
        application=app, reason=SpotCheckReason.RANDOM, sampled_on=today, after_decision=True,
        ratio={"param": ratio_pv.ref(), "min": min_pv.ref(), "draw": round(value, 6), "shortfall": shortfall,
               "period": f"{first:%Y-%m}", "confirmed": confirmed, "sampled_before": sampled})


# --- county steps -------------------------------------------------------------------------------------------


@transaction.atomic
def record_spot_check(app: Application, *, actor: Any, visited_on: dt.date, visitors: str, findings: str,
                      confirmed: bool, version: int | None = None, today: dt.date | None = None) -> SpotCheck:
    """The county's own home visit (近亲属/complaint/sample; before the decision, or after a township's delegated
    confirmation). It is also kept as an Investigation marked by_county, with the household's income and assets
    as the county found them, so it prints as a 县级入户核查表. A sampled case found not as declared after the
    decision is put up for an immediate 复核 (动态管理)."""
    today = today or dates.today()
    app, before = _act(app, "record_spot_check", actor, version)
    check = SpotCheck.objects.filter(application=app).first()
    if check is None:
        check = SpotCheck(application=app, reason=SpotCheckReason.RANDOM, sampled_on=visited_on)
        app.spot_check = True
    names = [v.strip() for v in visitors.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
             if v.strip()]
    if len(set(names)) < 2:
        raise WorkflowError("县级入户核查须由两名以上工作人员进行，请填写入户人员（用顿号分隔）")
    if visited_on > today:
        raise WorkflowError("入户日期不能晚于今天")
    check.visited_on = visited_on
    check.visitors = "、".join(names)
    check.findings = findings.strip()
    check.confirmed = confirmed
    check.save()
    Investigation.objects.create(
        application=app, visited_on=visited_on, investigator_1=names[0], investigator_2=names[1],
        investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True, by_county=True,
        findings=(("情况属实；" if confirmed else "情况与申报不符；") + findings.strip()).strip("；"),
        income_snapshot=income_snapshot(app.household, visited_on),
        asset_snapshot=asset_snapshot(app.household, visited_on),
        recorded_by=actor if getattr(actor, "pk", None) else None)
    _save(app)
    text = f"县级入户核查（{check.get_reason_display()}）：{'情况属实' if confirmed else '情况不符'}；{findings}"
    if check.after_decision and not confirmed and app.enrollment_id:
        sched = ReviewSchedule.objects.filter(enrollment_id=app.enrollment_id).first()
        if sched is not None and sched.next_due > today:
            sched.next_due = today
            sched.save(update_fields=["next_due"])
        text += "；已列入动态管理立即复核"
    _opinion(app, action="record_spot_check", from_status=before, actor=actor, text=text.strip("；"))
    return check


@transaction.atomic
def county_approve(app: Application, *, actor: Any, text: str = "", version: int | None = None,
                   today: dt.date | None = None) -> Application:
    """县级审核确认: approved from the month after (先行救助: this month), creating the Enrollment and its amount
    history; a termination ends the enrollment from the next month."""
    today = today or dates.today()
    app, before = _act(app, "county_approve", actor, version)
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
        _terminate(app, app.effective_month)
    else:
        app.enrollment = _enroll(app, start)
    _save(app)
    level = "乡镇(街道)经授权审核确认" if workflow.township_confirms(app) else "审核确认"
    _opinion(app, action="county_approve", from_status=before, actor=actor,
             text=text or (f"{level}：终止供养" if app.kind == CaseKind.TERMINATION else f"{level}，予以批准"),
             decision=app.decision)
    if workflow.township_confirms(app):
        check = _sample_after(app, today)
        if check is not None:
            _opinion(app, action="spot_check_drawn", from_status=app.status, actor=None,
                     text=f"抽中县级事后入户抽查（{check.ratio.get('period', '')}，"
                          + ("补足本月抽查比例" if check.ratio.get("shortfall") else "随机抽中") + "）")
    return app


def _enroll(app: Application, start: dt.date) -> Enrollment:
    amount = app.proposed_amount if app.proposed_amount is not None else Decimal("0")
    refs = {"decision": app.decision.get("params", []), "rule": app.decision.get("rule", ""),
            "rule_set": app.rule_set, "application": app.number}
    is_linshi = app.programme.code == "linshi"
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


def _terminate(app: Application, end_month: dt.date) -> None:
    enr = app.enrollment
    if enr is None or enr.status != EnrollmentStatus.ACTIVE:
        raise WorkflowError("没有可终止的在保记录")
    enr.end_month = end_month
    enr.end_reason = f"终止供养（{app.number}）：{app.reason}"[:200]
    enr.status = EnrollmentStatus.ENDED
    enr.save()


@transaction.atomic
def county_refuse(app: Application, *, actor: Any, reasons: str, version: int | None = None,
                  today: dt.date | None = None) -> RefusalNotice:
    app, before = _act(app, "county_refuse", actor, version)
    return _refuse(app, before, actor, reasons, today or dates.today(), "county_refuse")


@transaction.atomic
def county_return(app: Application, *, actor: Any, text: str, version: int | None = None,
                  today: dt.date | None = None) -> Application:
    today = today or dates.today()
    app, before = _act(app, "county_return", actor, version)
    if not text.strip():
        raise WorkflowError("退回须写明理由")
    _enter(app, Status.TOWNSHIP_REVIEW, today)
    _save(app)
    _opinion(app, action="county_return", from_status=before, actor=actor, text=f"退回乡镇：{text.strip()}")
    return app


@transaction.atomic
def withdraw(app: Application, *, actor: Any, text: str = "", version: int | None = None) -> Application:
    app, before = _act(app, "withdraw", actor, version)
    app.status = Status.WITHDRAWN
    app.step_due = None
    for pub in app.publicities.filter(status=PublicityStatus.ACTIVE):
        _take_down(pub, actor)
    _save(app)
    _opinion(app, action="withdraw", from_status=before, actor=actor, text=text or "申请人撤回申请")
    return app


@transaction.atomic
def assign(app: Application, *, actor: Any, to_user: Any) -> Application:
    require_edit(actor, app, Cap.EDIT_BUSINESS)
    if to_user is not None and not to_user.has_cap(Cap.EDIT_BUSINESS):
        raise PermissionDenied("该用户不能经办案件")
    app.assigned_to = to_user
    app.save(update_fields=["assigned_to", "updated_at"])
    return app


# --- 特困 termination ----------------------------------------------------------------------------------------


@transaction.atomic
def propose_termination(enrollment: Enrollment, *, actor: Any, reason: str,
                        today: dt.date | None = None) -> Application:
    """终止特困供养: the 乡镇 reviews a report (death, regained capacity …) and posts the termination for 7 days."""
    today = today or dates.today()
    require_edit(actor, enrollment, Cap.EDIT_BUSINESS)
    if not enrollment.programme.code.startswith("tekun") or enrollment.status != EnrollmentStatus.ACTIVE:
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
                      assigned_to=actor if getattr(actor, "role", "") == "township_officer" else None)
    if app.rule_set not in RuleSet.values:
        app.rule_set = RuleSet.R2021
    app.step_due = workflow.step_deadline(app, Status.TOWNSHIP_REVIEW, today)
    app.overall_due = workflow.overall_deadline(app)
    app.save()
    app.number = f"ZZ{today:%Y}{app.pk:06d}"
    app.save(update_fields=["number"])
    _opinion(app, action="propose_termination", from_status="", actor=actor, text=f"拟终止供养：{reason.strip()}")
    return app


# --- 近亲属备案 register ----------------------------------------------------------------------------------------


def kin_relation_labels(on: dt.date | None = None) -> list[str]:
    rel = policy.value("kin.relations", on=on or dates.today())
    return [r["label"] if isinstance(r, dict) else str(r) for r in rel]


@transaction.atomic
def register_kinship(*, actor: Any, division: Any, staff_name: str, staff_id_number: str, staff_role: str,
                     post: str = "", relative_name: str = "", relative_id_number: str = "", relation: str = "",
                     registered_on: dt.date | None = None) -> KinshipRegistration:
    """Register a staff member's close relative; open cases whose household holds the relative are flagged now."""
    from minzheng.registry.idnumber import normalize

    require_division(actor, division, Cap.EDIT_BUSINESS)
    registered_on = registered_on or dates.today()
    if relation and relation not in kin_relation_labels(registered_on):
        raise ValidationError({"relation": f"“{relation}”不在近亲属关系范围内（参数 kin.relations）"})
    staff_id = normalize(staff_id_number) if staff_id_number else ""
    rel_id = normalize(relative_id_number) if relative_id_number else ""
    if not staff_name.strip() or not staff_id:
        raise ValidationError({"staff_id_number": "请填写工作人员姓名和有效的身份证号"})
    reg = KinshipRegistration.objects.create(
        division=division, staff_name=staff_name.strip(), staff_id_number=staff_id, staff_role=staff_role,
        post=post.strip(), relative_name=relative_name.strip(), relative_id_number=rel_id, relation=relation,
        registered_on=registered_on)
    ids = [i for i in (staff_id, rel_id) if i]
    hh = Person.objects.filter(id_number__in=ids).values_list("household_id", flat=True)
    for app in Application.objects.filter(household_id__in=list(hh), status__in=workflow_open()):
        flag_kinship(app)
    return reg


# --- dynamic management (动态管理) ------------------------------------------------------------------------------


def classify(enrollment: Enrollment) -> str:
    """Household class for the review cycle: 三无/重病重残 stable; members able to work → irregular."""
    members = list(Person.objects.filter(household=enrollment.household, is_deceased=False))
    if any(m.work_capacity == "full" for m in members):
        return HouseholdClass.IRREGULAR
    return HouseholdClass.STABLE


def review_interval(enrollment: Enrollment, household_class: str, on: dt.date) -> tuple[int, dict[str, Any]]:
    key = household_class
    if household_class == HouseholdClass.IRREGULAR:
        key = "irregular_urban" if enrollment.programme.code == "dibao_urban" else "irregular_rural"
    pv = policy.resolve(f"dibao.review.months.{key}", on=on, division=enrollment.household.division)
    return int(pv.value), pv.ref()


def ensure_schedule(enrollment: Enrollment, *, rule_set: str | None = None, household_class: str | None = None,
                    on: dt.date | None = None) -> ReviewSchedule:
    on = on or dates.today()
    household_class = household_class or classify(enrollment)
    months, ref = review_interval(enrollment, household_class, on)
    sched, _ = ReviewSchedule.objects.update_or_create(
        enrollment=enrollment,
        defaults={"household_class": household_class, "rule_set": rule_set or RuleSet.R2021,
                  "interval_months": months, "next_due": dates.add_months(on.replace(day=1), months), "params": ref})
    return sched


@transaction.atomic
def review_enrollment(enrollment: Enrollment, *, actor: Any, reasons: str, work_income_rise: bool = False,
                      stop: bool = False, today: dt.date | None = None) -> Adjustment:
    """复核 or 情况变化 (社会救助暂行办法 第十三条): recompute with the rules and decide in writing — 增发, 减发, 维持,
    渐退 (income up through work: the amount continues for the 渐退期, then stops) or 停发. From the next month.
    特困 support is ended only through a termination case with its 公示 (propose_termination)."""
    today = today or dates.today()
    require_edit(actor, enrollment, Cap.EDIT_BUSINESS)
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise WorkflowError("该待遇已停止，不能复核")
    if not reasons.strip():
        raise WorkflowError("请写明复核情况")
    code = enrollment.programme.code
    effective = dates.next_month_start(today)
    old = enrollment.monthly_amount
    sched = ReviewSchedule.objects.filter(enrollment=enrollment).first()
    if stop and code.startswith("tekun"):
        raise WorkflowError("终止特困供养须办理终止公示，请使用“拟终止供养”")
    if sched is not None and sched.phase_out_until:
        raise WorkflowError(f"该户处于渐退期（至 {sched.phase_out_until:%Y年%m月} 停发），无需再次复核")
    decision: dict[str, Any] = {}
    if stop:
        kind, new = AdjustmentKind.STOP, Decimal("0")
    else:
        assessed = assessment.assess_enrollment(enrollment, on=today)
        if code.startswith("dibao"):
            decision = assessment.review_outcome(enrollment, assessed, on=today,
                                                 income_rise_from_work=work_income_rise, taper_months_used=0)
            decision["assessment"] = assessed
            action = decision.get("details", {}).get("action", "stop")
        else:
            decision = assessed
            if not assessed.get("eligible"):
                raise WorkflowError("复核后不再符合特困条件：" + str(assessed.get("explanation", "")) +
                                    "。请办理终止供养（须公示）")
            new_amt = Decimal(str(assessed.get("amount", old)))
            action = "increase" if new_amt > old else "decrease" if new_amt < old else "unchanged"
        kind = {"increase": AdjustmentKind.INCREASE, "decrease": AdjustmentKind.DECREASE,
                "unchanged": AdjustmentKind.UNCHANGED, "taper": AdjustmentKind.PHASE_OUT,
                "stop": AdjustmentKind.STOP}[action]
        new = Decimal(str(decision.get("amount", "0"))) if kind != AdjustmentKind.STOP else Decimal("0")
    adj = Adjustment.objects.create(enrollment=enrollment, kind=kind, reviewed_on=today, old_amount=old,
                                    new_amount=new, effective_month=effective, reasons=reasons.strip(),
                                    decision=decision, decided_by=actor if getattr(actor, "pk", None) else None)
    refs = {"decision": decision.get("params", []), "adjustment": adj.pk, "rule": decision.get("rule", "")}
    division = enrollment.household.division
    if kind in (AdjustmentKind.INCREASE, AdjustmentKind.DECREASE):
        covered = decision.get("assessment", decision).get("covered_persons") or enrollment.covered_persons
        enrollment.monthly_amount = new
        enrollment.covered_persons = int(covered)
        enrollment.decided_under = refs
        enrollment.save()
        EnrollmentAmount.objects.create(enrollment=enrollment, from_month=effective, monthly_amount=new,
                                        covered_persons=enrollment.covered_persons,
                                        reason=f"复核{adj.get_kind_display()}", decided_under=refs)
    elif kind == AdjustmentKind.PHASE_OUT:
        months = int(policy.value("dibao.taper.months", on=today, division=division))
        # One amount per 渐退 month, each computed by the rules (kept, or tapering to zero per dibao.taper.keep_amount).
        for used in range(months):
            month = dates.add_months(effective, used)
            step = assessment.review_outcome(enrollment, decision["assessment"], on=today,
                                             income_rise_from_work=True, taper_months_used=used)
            amount = Decimal(str(step.get("amount", "0")))
            if used == 0 and amount == old:
                continue
            EnrollmentAmount.objects.create(enrollment=enrollment, from_month=month, monthly_amount=amount,
                                            covered_persons=enrollment.covered_persons,
                                            reason=f"渐退第{used + 1}个月", decided_under=refs)
        enrollment.end_month = dates.add_months(effective, months)
        enrollment.end_reason = f"渐退期满停发（{adj.reviewed_on:%Y-%m-%d} 复核）"
        enrollment.save()
    elif kind == AdjustmentKind.STOP:
        enrollment.end_month = effective
        enrollment.end_reason = f"复核停发：{reasons.strip()}"[:200]
        enrollment.status = EnrollmentStatus.ENDED
        enrollment.save()
    if kind != AdjustmentKind.STOP:
        sched = sched or ensure_schedule(enrollment, on=today)
        sched.last_review_on = today
        if kind == AdjustmentKind.PHASE_OUT:
            sched.phase_out_until = enrollment.end_month
            sched.next_due = enrollment.end_month
        else:
            sched.next_due = dates.add_months(today.replace(day=1), sched.interval_months)
        sched.save()
    return adj
