"""存量核查: imported ledgers are existing records to verify, not decisions.

A ledger import writes its enrollments as VERIFYING (not paid). Here the rules recompute each one from the imported
facts (`compute`), the township confirms the ones that match in bulk (`confirm_matches`) and decides each difference
(`decide`: keep with a reason, correct to the rules' amount, or open a review case), and the district may carry the
unverified ones over for a named number of months (`carry_over`, bounded by `ledger.carry_over_max_months`).
Every write is audited (row signals, and one summary entry per bulk step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit, visible
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Enrollment, EnrollmentAmount, EnrollmentStatus, ProgrammeFamily

from .. import assessment, rules
from ..models import Application, CarryOver, Channel, CheckOutcome, CheckStatus, LedgerCheck

DECISIONS = {"keep": "保持原金额", "correct": "按规则更正", "review": "转复核案件"}


@dataclass
class ComputeResult:
    checked: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    flagged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "outcomes": self.outcomes, "flagged": self.flagged}


def pending_enrollments(user: Actor | None) -> QuerySet[Enrollment]:
    """Imported enrollments still waiting for the rules (VERIFYING without a check), in the user's jurisdiction."""
    qs = Enrollment.objects.filter(status=EnrollmentStatus.VERIFYING, ledger_check__isnull=True)
    return visible(qs, user) if user is not None else qs


def compute(*, user: Actor | None = None, today: dt.date | None = None, limit: int | None = None) -> ComputeResult:
    """Recompute every imported enrollment not yet checked: the rules' eligibility and amount from the imported
    facts, compared with the ledger's amount. Idempotent (a checked enrollment is not checked again)."""
    if user is not None and not user.has_cap(Cap.EDIT_BUSINESS):
        raise PermissionDenied("您的角色没有存量核查权限")
    today = today or dates.today()
    out = ComputeResult()
    qs = pending_enrollments(user).select_related("programme", "household__division", "household__head",
                                                  "person__payment_facts").order_by("id")
    rows = list(qs[:limit] if limit else qs)
    made: list[LedgerCheck] = []
    live = _live_codes(rows)
    with policy.memoized():  # the same standards for every row
        for enr in rows:
            made.append(_check(enr, today, live))
    with transaction.atomic():
        LedgerCheck.objects.bulk_create(made, batch_size=500)
    for c in made:
        out.outcomes[c.outcome] = out.outcomes.get(c.outcome, 0) + 1
        out.flagged += bool(c.flags)
    out.checked = len(made)
    if made:
        record("assistance.ledger_check.compute", summary=f"存量核查规则核算 {len(made)} 项：" + "，".join(
            f"{CheckOutcome(k).label} {v} 项" for k, v in sorted(out.outcomes.items())), detail=out.as_dict(),
            division_code=getattr(getattr(user, "division", None), "code", "") or "")
    return out


@dataclass
class _Live:
    """The programmes already in force for the imported rows' persons and households (the allowance rules'
    exclusions), read once for the whole batch."""

    persons: dict[int, set[str]] = field(default_factory=dict)
    households: dict[int, set[str]] = field(default_factory=dict)


def _live_codes(rows: list[Enrollment]) -> _Live:
    out = _Live()
    persons = {e.person_id for e in rows if e.person_id is not None}
    households = {e.person.household_id for e in rows if e.person is not None}
    if not persons:
        return out
    active = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE)
    for pid, code in active.filter(person_id__in=persons).values_list("person_id", "programme__code"):
        out.persons.setdefault(pid, set()).add(code)
    for hid, code in active.filter(household_id__in=households).values_list("household_id", "programme__code"):
        out.households.setdefault(hid, set()).add(code)
    return out


def _check(enr: Enrollment, today: dt.date, live: _Live) -> LedgerCheck:
    family = enr.programme.family
    imported = enr.monthly_amount
    base = {"enrollment": enr, "source_ref": enr.source_ref, "imported_amount": imported,
            "imported_covered": enr.covered_persons, "computed_on": today}
    if family in (ProgrammeFamily.ALLOWANCE, ProgrammeFamily.VETERANS) and enr.person_id is not None:
        return _check_allowance(enr, today, base, live)
    if family not in (ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN):
        return LedgerCheck(**base, outcome=CheckOutcome.NO_RULE, engine_amount=imported,
                           engine_covered=enr.covered_persons,
                           explanation=f"{enr.programme.name}没有可自动核算的救助规则，请逐户核实台账金额后确认")
    try:
        decision = assessment.assess_enrollment(enr, on=today)
    except (ValueError, LookupError) as exc:
        return LedgerCheck(**base, outcome=CheckOutcome.NOT_ELIGIBLE, explanation=f"规则无法核算：{exc}",
                           flags=[f"规则无法核算：{exc}"])
    amount = Decimal(str(decision.get("amount", "0")))
    covered = int(decision.get("covered_persons") or 1)
    eligible = bool(decision.get("eligible"))
    flags = _over_standard(enr, today)
    if family == ProgrammeFamily.TEKUN:
        # 特困 hinges on the legal supporters (法定义务人) and their capacity, which a ledger does not carry: a
        # matching amount still needs the township to check them, one by one, before it is paid.
        flags.append("台账未载明法定赡养、抚养、扶养义务人及其赡养能力，请入户核实后确认或转入复核")
    if not eligible:
        outcome = CheckOutcome.NOT_ELIGIBLE
    elif amount == imported and covered == enr.covered_persons and not flags:
        outcome = CheckOutcome.MATCH
    else:
        outcome = CheckOutcome.DIFFERS
    text = str(decision.get("explanation", ""))
    if family == ProgrammeFamily.TEKUN:
        text += "（台账未载明生活自理能力评估，按全自理测算）"
    return LedgerCheck(**base, outcome=outcome, engine_eligible=eligible, engine_amount=amount,
                       engine_covered=covered, explanation=text, flags=flags, decision=decision)


def _check_allowance(enr: Enrollment, today: dt.date, base: dict[str, Any], live: _Live) -> LedgerCheck:
    """高龄津贴, 残疾人两项补贴 and 优抚: the allowance rules decide the person from the registry's facts (age from
    the ID number, 残联 grade, 优抚 category), as the monthly refresh does."""
    from minzheng.payments import allowances
    from minzheng.payments import rules as allowance_rules

    month = dates.month_start(today)
    person = enr.person
    assert person is not None
    # the imported enrollment itself is VERIFYING, never ACTIVE, so it is not among the live programmes
    enrolled = {person.pk: live.persons.get(person.pk, set())}
    in_household = {person.household_id: live.households.get(person.household_id, set())}
    facts = allowances.person_facts(person, month, enrolled, in_household)
    code = enr.programme.code
    lacking = allowance_rules.missing_fact(code, facts) if facts.alive else ""
    if lacking:
        return LedgerCheck(**base, outcome=CheckOutcome.NO_RULE, engine_amount=enr.monthly_amount,
                           engine_covered=1, explanation=f"缺少{lacking}，规则无法核算；请补录后重新核算，或逐户核实后确认",
                           flags=[f"缺少{lacking}"])
    decisions, notes = allowance_rules.decide(facts, month, allowances.standards(month))
    wanted = next((d for d in decisions if d.programme == code), None)
    if wanted is None:
        why = "；".join(notes) or f"按规则不符合{enr.programme.name}条件"
        return LedgerCheck(**base, outcome=CheckOutcome.NOT_ELIGIBLE, engine_eligible=False,
                           engine_amount=Decimal("0"), engine_covered=1, explanation=why)
    outcome = CheckOutcome.MATCH if wanted.amount == enr.monthly_amount else CheckOutcome.DIFFERS
    return LedgerCheck(**base, outcome=outcome, engine_eligible=True, engine_amount=wanted.amount, engine_covered=1,
                       explanation=wanted.reason,
                       decision={"eligible": True, "amount": str(wanted.amount), "covered_persons": 1,
                                 "explanation": wanted.reason, "params": wanted.refs,
                                 "rule": f"payments.rules.decide/{code}"})


def _over_standard(enr: Enrollment, today: dt.date) -> list[str]:
    """An imported 低保 amount above 低保标准 × 保障人数 cannot come from the 补差 rule (分类施保 aside): say so."""
    if enr.programme.family != ProgrammeFamily.DIBAO:
        return []
    area = assessment._area(enr.programme.code, enr.household)
    params = rules.Params(today, enr.household.division)
    std = rules.dibao_standard(area, params=params)
    cap = (std * enr.covered_persons).quantize(Decimal("0.01"))
    if enr.monthly_amount > cap:
        return [f"台账金额 {enr.monthly_amount} 元 超过{rules.AREA_LABEL[area]}低保标准 {std} 元 × 保障人数 "
                f"{enr.covered_persons} 人 = {cap} 元"]
    return []


def checks(user: Actor, *, status: str | None = None, outcome: str | None = None) -> QuerySet[LedgerCheck]:
    qs = visible(LedgerCheck, user).select_related("enrollment__programme", "enrollment__household__head",
                                                  "enrollment__household__division", "enrollment__person",
                                                  "application")
    if status:
        qs = qs.filter(status=status)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("id")


def summary(user: Actor) -> dict[str, int]:
    qs = visible(LedgerCheck, user)
    return {
        "uncomputed": pending_enrollments(user).count(),
        "matches": qs.filter(status=CheckStatus.PENDING, outcome=CheckOutcome.MATCH).count(),
        "differences": qs.filter(status=CheckStatus.PENDING).exclude(outcome=CheckOutcome.MATCH).count(),
        "decided": qs.exclude(status=CheckStatus.PENDING).count(),
        "carried": visible(Enrollment.objects.filter(status=EnrollmentStatus.VERIFYING,
                                                     carry_until__isnull=False), user).count(),
    }


def _activate(enr: Enrollment, *, note: dict[str, Any]) -> None:
    enr.status = EnrollmentStatus.ACTIVE
    enr.carry_until = None
    enr.decided_under = {**(enr.decided_under or {}), "存量核查": note}
    try:
        with transaction.atomic():
            enr.save(update_fields=["status", "carry_until", "decided_under", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(f"{enr.household}已有在保的{enr.programme.name}，不能再确认这条导入记录；"
                              "请转复核案件处理") from exc


def _may_decide(user: Actor, check: LedgerCheck) -> None:
    require_edit(user, check, Cap.PROCESS_CASES)
    if check.status != CheckStatus.PENDING:
        raise ValidationError(f"该记录已处理（{check.get_status_display()}），不能重复处理")
    if check.enrollment.status != EnrollmentStatus.VERIFYING:
        raise ValidationError("该享受待遇已不在存量核查中")


@transaction.atomic
def confirm_matches(*, user: Actor, ids: list[int] | None = None, today: dt.date | None = None) -> int:
    """乡镇 bulk confirmation of the records the rules agree with (all of them in scope, or the given ids)."""
    today = today or dates.today()
    if not user.has_cap(Cap.PROCESS_CASES):
        raise PermissionDenied("您的角色没有确认存量核查的权限")
    qs = checks(user, status=CheckStatus.PENDING, outcome=CheckOutcome.MATCH).select_for_update(of=("self",))
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    n = 0
    for check in qs:
        _may_decide(user, check)
        _activate(check.enrollment, note={"结果": "与规则测算一致，乡镇批量确认", "日期": today.isoformat(),
                                          "规则": check.decision.get("params", [])})
        check.status, check.decided_by, check.decided_on = CheckStatus.CONFIRMED, user, today
        check.reason = "与规则测算一致"
        check.save(update_fields=["status", "decided_by", "decided_on", "reason"])
        n += 1
    if n:
        record("assistance.ledger_check.confirm", summary=f"存量核查：批量确认与规则一致的记录 {n} 项",
               division_code=getattr(user.division, "code", "") if getattr(user, "division", None) else "",
               detail={"count": n})
    return n


@transaction.atomic
def decide(check: LedgerCheck, *, user: Actor, action: str, reason: str = "",
           today: dt.date | None = None) -> LedgerCheck:
    """One difference, decided: "keep" (the ledger's amount, with a reason), "correct" (the rules' amount and
    persons from this month) or "review" (a 复核 case; the record stays unpaid until the case is decided)."""
    today = today or dates.today()
    check = LedgerCheck.objects.select_for_update(of=("self",)).select_related(
        "enrollment__programme", "enrollment__household__division", "enrollment__household__head",
        "enrollment__person").get(pk=check.pk)
    _may_decide(user, check)
    reason = (reason or "").strip()
    enr = check.enrollment
    if action not in DECISIONS:
        raise ValidationError({"action": "处理方式应为：保持原金额、按规则更正或转复核案件"})
    if action == "keep":
        if not reason:
            raise ValidationError({"reason": "保持原金额须写明理由"})
        if check.outcome == CheckOutcome.NOT_ELIGIBLE:
            raise ValidationError({"action": "按规则不符合条件的记录不能直接保持，请转复核案件"})
        _activate(enr, note={"结果": "保持台账金额", "理由": reason, "日期": today.isoformat()})
        check.status = CheckStatus.KEPT
    elif action == "correct":
        if not check.engine_eligible:
            raise ValidationError({"action": "按规则不符合条件，不能按规则更正；请转复核案件"})
        month = dates.month_start(today)
        refs = {"decision": check.decision.get("params", []), "rule": check.decision.get("rule", ""),
                "ledger_check": check.pk}
        enr.monthly_amount, enr.covered_persons = check.engine_amount, check.engine_covered
        enr.save(update_fields=["monthly_amount", "covered_persons", "updated_at"])
        EnrollmentAmount.objects.create(enrollment=enr, from_month=max(month, enr.start_month),
                                        monthly_amount=check.engine_amount, covered_persons=check.engine_covered,
                                        reason="存量核查按规则更正", decided_under=refs)
        _activate(enr, note={"结果": "按规则更正", "原金额": str(check.imported_amount),
                             "新金额": str(check.engine_amount), "理由": reason, "日期": today.isoformat()})
        check.status = CheckStatus.CORRECTED
    else:
        check.application = _open_review_case(check, user=user, today=today, reason=reason)
        check.status = CheckStatus.REVIEW
    check.reason = reason or DECISIONS[action]
    check.decided_by, check.decided_on = user, today
    check.save(update_fields=["status", "reason", "decided_by", "decided_on", "application"])
    return check


def _open_review_case(check: LedgerCheck, *, user: Actor, today: dt.date, reason: str) -> Application:
    from .intake import CASE_PROGRAMMES, create_application  # intake → publicity → approval → here

    enr = check.enrollment
    code = enr.programme.code
    if code not in CASE_PROGRAMMES:
        raise ValidationError({"action": f"{enr.programme.name}不通过救助案件办理，请核实后保持或更正"})
    hh = enr.household
    applicant = enr.person or hh.head
    if applicant is None:
        raise ValidationError({"action": "该家庭没有户主，不能立案复核"})
    return create_application(
        actor=user, programme_code=code, household=hh, applicant=applicant, person=enr.person,
        channel=Channel.DISCOVERED, received_on=today, single_person=enr.person_id is not None
        and enr.programme.family == ProgrammeFamily.DIBAO,
        reason=f"存量核查差异复核（台账 {check.source_ref}）：台账金额 {check.imported_amount} 元，规则测算 "
               f"{check.engine_amount} 元。{reason}".strip())


def close_after_case(app: Application, *, approved: bool, today: dt.date) -> None:
    """A review case opened from 存量核查 is decided: the imported record it replaces ends (approval creates the
    new enrollment; a refusal leaves nothing to pay)."""
    for check in LedgerCheck.objects.filter(application=app, status=CheckStatus.REVIEW).select_related("enrollment"):
        enr = check.enrollment
        if enr.status == EnrollmentStatus.VERIFYING:
            enr.status = EnrollmentStatus.ENDED
            enr.end_month = enr.carry_until if enr.carry_until else enr.start_month
            enr.end_reason = f"存量核查复核案件 {app.number} {'批准，以新认定为准' if approved else '不予批准'}"
            enr.save(update_fields=["status", "end_month", "end_reason", "updated_at"])
        check.status = CheckStatus.ENDED
        check.save(update_fields=["status"])


@transaction.atomic
def carry_over(*, user: Actor, division: Division, months: int, reason: str,
               today: dt.date | None = None) -> CarryOver:
    """区级 decision: the unverified imported records in `division` are paid for `months` months from this month
    (at most `ledger.carry_over_max_months`), then stop again until verified."""
    today = today or dates.today()
    require_division(user, division, Cap.APPROVE)
    if user.division is None or user.division.level != Level.COUNTY:
        raise PermissionDenied("过渡期发放须由区(县)民政部门决定")
    if not reason.strip():
        raise ValidationError({"reason": "须写明过渡期发放的理由和依据"})
    pv = policy.resolve("ledger.carry_over_max_months", on=today, division=division)
    most = int(pv.value)
    if months < 1 or months > most:
        raise ValidationError({"months": f"过渡月数应在 1–{most} 个月之间（政策参数“存量核查过渡期最长月数”）"})
    until = dates.add_months(dates.month_start(today), months)
    qs = Enrollment.objects.filter(status=EnrollmentStatus.VERIFYING,
                                   household__division__path__startswith=division.path)
    n = qs.update(carry_until=until, updated_at=dates.now())
    decision = CarryOver.objects.create(division=division, months=months, until=until, reason=reason.strip(),
                                        enrollments=n, params={"max_months": pv.ref()}, decided_by=user,
                                        decided_on=today)
    record("assistance.ledger_check.carry_over", obj=decision, division_code=division.code,
           summary=f"{division.name} 存量核查过渡期发放：未核查的 {n} 项享受待遇发放 {months} 个月"
                   f"（至 {dates.add_months(until, -1):%Y-%m}），理由：{reason.strip()}",
           detail={"months": months, "until": until.isoformat(), "enrollments": n})
    return decision
