"""复核 (动态管理): each enrollment's review schedule by household class and rule set, and a review that re-runs
the rules and decides in writing — 增发, 减发, 维持, 渐退 or 停发 — from the next month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy
from minzheng.registry.models import Enrollment, EnrollmentAmount, EnrollmentStatus, Person, ProgrammeFamily

from .. import assessment
from ..models import Adjustment, AdjustmentKind, HouseholdClass, ReviewSchedule, RuleSet
from ..workflow import WorkflowError


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
def review_enrollment(enrollment: Enrollment, *, actor: Actor, reasons: str, work_income_rise: bool = False,
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
    family = enrollment.programme.family
    effective = dates.next_month_start(today)
    old = enrollment.monthly_amount
    sched = ReviewSchedule.objects.filter(enrollment=enrollment).first()
    if stop and family == ProgrammeFamily.TEKUN:
        raise WorkflowError("终止特困供养须办理终止公示，请使用“拟终止供养”")
    if sched is not None and sched.phase_out_until:
        raise WorkflowError(f"该户处于渐退期（至 {sched.phase_out_until:%Y年%m月} 停发），无需再次复核")
    decision: dict[str, Any] = {}
    if stop:
        kind, new = AdjustmentKind.STOP, Decimal("0")
    else:
        assessed = assessment.assess_enrollment(enrollment, on=today)
        if family == ProgrammeFamily.DIBAO:
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
