"""The demo's 存量 cases: every 低保 and 特困 recipient the registry demo made gets the decision behind it.

For each such enrollment without a case, the rules decide (the same set-based recompute `verify amounts` runs):
eligible ones get an approved case (案件) holding the decision, the amount from their first month under the
parameters then in force, and a second amount from the latest parameter change when that moved it (提标); the
households the rules refuse are not enrolled at all. Written set-based, one audit entry for the batch.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.db import router
from django.db.models.deletion import Collector

from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.registry.models import Enrollment, EnrollmentAmount, EnrollmentStatus, Person, ProgrammeFamily

from . import amounts
from .models import Application, Opinion, RuleSet, Status
from .services.intake import PREFIX

MARK = "【存量】"
RULES_2021 = dt.date(2021, 7, 1)
TEKUN = ProgrammeFamily.TEKUN


def _selfcare(person: dict[str, Any], today: dt.date) -> list[str]:
    """The self-care items a demo 特困 person cannot do: severe disability or great age need care."""
    grade = person["disability_grade"]
    if grade == 1:
        return ["bathe", "walk", "toilet", "dress"]
    if grade == 2 or dates.age_on(person["birth_date"], today) >= 85:
        return ["bathe", "walk"]
    return []


def _changed_from(decision: dict[str, Any], start: dt.date) -> dt.date:
    """The first month of the latest parameter version the decision used, if after `start`."""
    latest = max((dt.date.fromisoformat(r["effective_from"]) for r in decision.get("params", [])
                  if r.get("effective_from")), default=start)
    month = dates.month_start(latest)
    return month if month > start else start


@audit.batched()  # one transaction; the entries of the amounts it replaces are chained at its end
def backfill(out: TextIO) -> int:
    today = dates.today()
    qs = (Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, programme__code__in=list(PREFIX),
                                    applications__isnull=True).exclude(programme__code="linshi"))
    rows = {e["id"]: e for e in qs.values("id", "start_month", "household_id", "person_id", "programme__code",
                                          "programme__family",
                                          "household__head_id", "household__division_id")}
    if not rows:
        return 0
    tekun_people = {e["person_id"] or e["household__head_id"] for e in rows.values()
                    if e["programme__family"] == TEKUN}
    people = {p["id"]: p for p in Person.objects.filter(pk__in=tekun_people).values("id", "disability_grade",
                                                                                   "birth_date")}
    selfcare = {eid: _selfcare(people[e["person_id"] or e["household__head_id"]], today) for eid, e in rows.items()
                if e["programme__family"] == TEKUN and (e["person_id"] or e["household__head_id"]) in people}
    table = amounts.ParamTable.load()
    divisions = amounts.all_divisions()
    now = amounts.by_id(amounts.expected(qs, on=today, table=table, divisions=divisions, selfcare=selfcare))
    then = amounts.by_id(amounts.expected(qs, on=today, table=table, divisions=divisions, selfcare=selfcare,
                                          params_on={eid: e["start_month"] for eid, e in rows.items()}))
    refused = [eid for eid, x in now.items() if not x.eligible]
    Enrollment.objects.filter(pk__in=refused).delete()
    keep = [eid for eid in rows if eid not in set(refused)]
    # Deleted as the queryset would, from rows read with what each audit entry names (the enrollment's household
    # and division): otherwise every entry fetched them one query at a time.
    replaced = Collector(using=router.db_for_write(EnrollmentAmount))
    replaced.collect(list(EnrollmentAmount.objects.filter(enrollment_id__in=keep)
                          .select_related("enrollment__household__division")))
    replaced.delete()
    apps, versions, updates = [], [], []
    for eid in keep:
        e, x = rows[eid], now[eid]
        start = e["start_month"]
        decided = (start - dt.timedelta(days=12))
        town = divisions[e["household__division_id"]].parent_id or e["household__division_id"]
        code = e["programme__code"]
        person = e["person_id"] or (e["household__head_id"] if e["programme__family"] == TEKUN else None)
        apps.append(Application(
            programme_id=_programme_id(code), household_id=e["household_id"],
            applicant_id=person or e["household__head_id"], person_id=person, division_id=e["household__division_id"],
            township_id=town, rule_set=RuleSet.R2021 if start >= RULES_2021 else RuleSet.R2012,
            single_person=e["programme__family"] == ProgrammeFamily.DIBAO and e["person_id"] is not None,
            reason=f"{MARK}演示数据：在保对象的审批决定", selfcare_failed=selfcare.get(eid, []),
            status=Status.APPROVED, received_on=decided - dt.timedelta(days=30), decided_on=decided,
            effective_month=start, decision=x.decision, proposed_amount=x.amount, covered_persons=x.covered,
            enrollment_id=eid, number=f"TMP{eid}"))
        first = then[eid] if then[eid].eligible else x
        basis = {"rule": first.decision.get("rule", ""), "explanation": first.decision.get("explanation", ""),
                 "params": first.decision.get("params", []), "application": ""}
        versions.append(EnrollmentAmount(enrollment_id=eid, from_month=start, monthly_amount=first.amount,
                                         covered_persons=first.covered, reason="新批准（存量案件）", decided_under=basis))
        if first.amount != x.amount or first.covered != x.covered:
            versions.append(EnrollmentAmount(
                enrollment_id=eid, from_month=_changed_from(x.decision, start), monthly_amount=x.amount,
                covered_persons=x.covered, reason="调整标准后重新核定",
                decided_under={"rule": x.decision.get("rule", ""), "explanation": x.decision.get("explanation", ""),
                               "params": x.decision.get("params", [])}))
        updates.append((eid, x))
    Application.objects.bulk_create(apps, batch_size=1000)
    made = list(Application.objects.filter(number__startswith="TMP", reason__startswith=MARK))
    for a in made:
        a.number = f"{PREFIX[_programme_code(a.programme_id)]}{a.received_on:%Y}{a.pk:06d}"
    Application.objects.bulk_update(made, ["number"], batch_size=1000)
    numbers = {a.enrollment_id: a.number for a in made}
    Opinion.objects.bulk_create([Opinion(application=a, action="county_approve", from_status=Status.COUNTY_REVIEW,
                                         to_status=Status.APPROVED, actor_name="存量数据补录",
                                         text="存量案件：按规则核定，予以确认", decision=a.decision) for a in made],
                                batch_size=1000)
    for v in versions:
        if v.reason.startswith("新批准"):
            v.reason = f"新批准（{numbers.get(v.enrollment_id, '')}）"
            v.decided_under["application"] = numbers.get(v.enrollment_id, "")
    EnrollmentAmount.objects.bulk_create(versions, batch_size=1000)
    changed = Enrollment.objects.in_bulk(keep)
    for eid, x in updates:
        enr = changed[eid]
        enr.monthly_amount, enr.covered_persons = x.amount, x.covered
        enr.source_ref = numbers.get(eid, "")
        enr.decided_under = {"decision": x.decision.get("params", []), "rule": x.decision.get("rule", ""),
                             "application": numbers.get(eid, "")}
    Enrollment.objects.bulk_update(list(changed.values()), ["monthly_amount", "covered_persons", "source_ref",
                                                            "decided_under"], batch_size=1000)
    audit.record("assistance.demo_backfill", summary=f"演示：在保对象补录存量案件 {len(made)} 件，规则不予认定的 "
                 f"{len(refused)} 户未纳入", detail={"cases": len(made), "refused": len(refused)})
    out.write(f"存量案件：{len(made)} 项在保待遇按规则核定并补录审批决定，{len(refused)} 户经规则测算不符合条件未纳入\n")
    return len(made)


_codes: dict[str, int] = {}


def _programme_id(code: str) -> int:
    from minzheng.registry.models import Programme

    if code not in _codes:
        _codes[code] = Programme.objects.get(code=code).pk
    return _codes[code]


def _programme_code(pk: int) -> str:
    return next(c for c, i in _codes.items() if i == pk)

