"""Bridge from a case (or a live enrollment) to the rules: gathers the facts (`facts.py`), runs the rules of the
programme's family (低保, 特困, 临时救助), and returns one JSON-safe decision dict to store on the case.

The dict is the rules' Decision.as_dict() plus `covered_persons` and `steps` (each rule's own Decision), so the
case page can show every explanation, its inputs and the parameter versions it was decided under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Q

from minzheng.registry.models import HOLDING_STATUSES, Enrollment, Person, ProgrammeFamily

from . import facts, rules
from .models import Application, LinshiType


def _area(programme_code: str, household: Any) -> str:
    if programme_code == "dibao_urban":
        return "urban"
    if programme_code == "dibao_rural":
        return "rural"
    return household.hukou_type or "rural"


def held_programmes(household: Any, person: Person | None, exclude: Iterable[int] = ()) -> list[str]:
    """Programme codes already held (in 保 or under 存量核查) that a new decision must not clash with: for one
    person (特困, 单人保) their own enrollments wherever recorded plus their household's 低保; for a household
    programme the household's own."""
    qs = Enrollment.objects.filter(status__in=HOLDING_STATUSES).exclude(pk__in=list(exclude))
    if person is not None:
        qs = qs.filter(Q(person=person) | Q(household=household, person__isnull=True,
                                            programme__family=ProgrammeFamily.DIBAO))
    else:
        qs = qs.filter(household=household, person__isnull=True)
    return list(qs.values_list("programme__code", flat=True))


def _current_programmes(household: Any, person: Person | None, exclude: Enrollment | None = None) -> list[str]:
    return held_programmes(household, person, [exclude.pk] if exclude is not None else [])


def _combine(main: rules.Decision, steps: list[rules.Decision], *, covered: int, eligible: bool,
             amount: Decimal) -> dict[str, Any]:
    out = main.as_dict()
    refs: dict[str, dict[str, Any]] = {}
    for s in steps:
        for r in s.params:
            refs.setdefault(r["key"], r)
    reasons: list[str] = []
    for s in steps:
        reasons += [r for r in s.reasons if r not in reasons]
    out.update({
        "eligible": eligible, "amount": str(amount), "covered_persons": covered,
        "explanation": "；".join(s.explanation for s in steps),
        "params": rules.jsonable(list(refs.values())), "reasons": reasons,
        "steps": [s.as_dict() for s in steps],
    })
    return out


def _selfcare_items(failed: list[str]) -> dict[str, bool]:
    return {k: k not in set(failed) for k in rules.SELF_CARE_ITEMS}


def assess_dibao(household: Any, programme_code: str, *, on: dt.date, division: Any, person: Person | None = None,
                 single: bool = False, exclude: Enrollment | None = None) -> dict[str, Any]:
    params = rules.Params(on, division)
    found = facts.household_facts(household, on=on, area=_area(programme_code, household))
    if single and person is not None:
        d = rules.single_person_dibao(str(person.pk), found, params=params)
        covered = 1
    else:
        d = rules.dibao_assess(found, params=params)
        covered = int(d.details.get("covered_count") or 0)
    # 单人保 is one person's: their own programmes (特困, 孤儿 …) clash, not only the household's.
    who = person if single and person is not None else None
    conflicts = rules.programme_conflicts(programme_code, _current_programmes(household, who, exclude))
    steps = [d] + ([conflicts] if not conflicts.eligible else [])
    eligible = d.eligible and conflicts.eligible and covered > 0
    out = _combine(d, steps, covered=max(covered, 1), eligible=eligible, amount=d.amount if eligible else Decimal(0))
    if not single:
        # 低保边缘: recorded on the case with every 低保 assessment (and on the household by the refusal).
        edge = rules.dibao_edge(found, params=params)
        out["edge"] = {"band": edge.details["band"], "explanation": edge.explanation,
                       "per_capita_income": str(edge.details["per_capita_income"]),
                       "limit": str(edge.details["limit"]), "params": rules.jsonable(edge.params)}
    return out


def assess_tekun(person: Person, programme_code: str, *, on: dt.date, division: Any, selfcare_failed: list[str],
                 exclude: Enrollment | None = None, app: Application | None = None) -> dict[str, Any]:
    """特困 for one person; a case (`app`) adds what its investigation recorded: the legal supporters (or that
    there are none) and whether the applicant meets the 孤儿 criteria. Without a case (复核, 存量核查) the
    supporters are taken as assessed before."""
    params = rules.Params(on, division)
    if app is not None:
        found = facts.tekun_facts(person, on=on, params=params, supporters=facts.supporters_of(app.supporters.all()),
                                  supporters_recorded=bool(app.supporters_status),
                                  orphan_eligible=app.orphan_criteria)
    else:
        found = facts.tekun_facts(person, on=on, params=params)
    criteria = rules.tekun_criteria(found, params=params)
    tier = rules.self_care_tier(_selfcare_items(selfcare_failed), params=params)
    arrangement = "central" if programme_code == "tekun_central" else "dispersed"
    support = rules.tekun_support(tier.details["tier"], arrangement=arrangement, area=found.area, params=params)
    conflicts = rules.programme_conflicts(programme_code, _current_programmes(person.household, person, exclude))
    steps = [criteria, tier, support] + ([conflicts] if not conflicts.eligible else [])
    eligible = criteria.eligible and conflicts.eligible
    out = _combine(support, steps, covered=1, eligible=eligible, amount=support.amount if eligible else Decimal(0))
    out["tier"] = tier.details["tier"]
    return out


def assess_linshi(app: Application, *, on: dt.date) -> dict[str, Any]:
    """急难型: 标准 × 人数 × months asked. 支出型: the self-paid expense decides the months (the expense bands),
    the family's per-capita income must be below the income limit (上年人均可支配收入, monthly), and the amount
    is capped at the expense itself."""
    params = rules.Params(on, app.division)
    found = facts.household_facts(app.household, on=on)
    members = rules.household_members(found.members, params=params)
    counted = list(members.details.get("counted", []))
    persons = len(counted) or 1
    if app.linshi_type == LinshiType.URGENT:
        d = rules.linshi_amount("emergency", persons=persons, months=int(app.months or 1), params=params)
        return _combine(d, [members, d], covered=persons, eligible=d.eligible, amount=d.amount)
    if app.expense_amount is None or app.expense_amount <= 0:
        raise ValueError("支出型临时救助须填写家庭自付支出金额")
    income = rules.per_capita_income(found.incomes, member_keys=counted, params=params)
    band = rules.linshi_months_for_expense(app.expense_amount, params=params)
    limit = params.get("linshi.income_limit").decimal
    d = rules.linshi_amount("expenditure", persons=persons, months=int(band.details["months"]), params=params,
                            per_capita_income=income.amount, income_limit=limit, expense=app.expense_amount)
    eligible = d.eligible and band.eligible
    return _combine(d, [members, income, band, d], covered=persons, eligible=eligible,
                    amount=d.amount if eligible else Decimal(0))


def assess(app: Application, *, on: dt.date) -> dict[str, Any]:
    code, family = app.programme.code, app.programme.family
    # A 存量核查 review case re-decides an imported record: that record is what it replaces, not a clash.
    replaced = app.ledger_checks.first() if app.pk else None
    exclude = replaced.enrollment if replaced is not None else None
    if family == ProgrammeFamily.DIBAO:
        return assess_dibao(app.household, code, on=on, division=app.division, person=app.person,
                            single=app.single_person, exclude=exclude)
    if family == ProgrammeFamily.TEKUN:
        person = app.person or app.applicant
        return assess_tekun(person, code, on=on, division=app.division, selfcare_failed=list(app.selfcare_failed),
                            exclude=exclude, app=app)
    if family == ProgrammeFamily.LINSHI:
        return assess_linshi(app, on=on)
    raise ValueError(f"{app.programme.name} 不在本流程内")


def assess_enrollment(enrollment: Enrollment, *, on: dt.date) -> dict[str, Any]:
    """Re-run the rules for a live enrollment (复核, 情况变化), ignoring the enrollment itself as a conflict."""
    code, family = enrollment.programme.code, enrollment.programme.family
    division = enrollment.household.division
    if family == ProgrammeFamily.DIBAO:
        single = enrollment.person_id is not None
        return assess_dibao(enrollment.household, code, on=on, division=division, person=enrollment.person,
                            single=single, exclude=enrollment)
    if family == ProgrammeFamily.TEKUN:
        person = enrollment.person or enrollment.household.head
        if person is None:
            raise ValueError(f"{enrollment} 没有供养对象或户主，无法复核")
        last = enrollment.applications.order_by("-id").first()
        failed = list(last.selfcare_failed) if last else []
        return assess_tekun(person, code, on=on, division=division, selfcare_failed=failed, exclude=enrollment)
    raise ValueError(f"{enrollment.programme.name} 不做定期复核")


def review_outcome(enrollment: Enrollment, assessment: dict[str, Any], *, on: dt.date, income_rise_from_work: bool,
                   taper_months_used: int) -> dict[str, Any]:
    """rules.review_outcome on a stored assessment dict (low保 增发/减发/渐退/停发)."""
    params = rules.Params(on, enrollment.household.division)
    d = rules.Decision(assessment.get("rule", ""), str(assessment.get("version", "")),
                       bool(assessment.get("eligible")), Decimal(str(assessment.get("amount", "0"))),
                       str(assessment.get("explanation", "")), params=list(assessment.get("params", [])),
                       reasons=list(assessment.get("reasons", [])))
    out = rules.review_outcome(enrollment.monthly_amount, d, income_rise_from_work=income_rise_from_work,
                               taper_months_used=taper_months_used, params=params)
    return out.as_dict()
