"""What the allowance rules (高龄, 残疾人两项补贴, 优抚) say live allowance enrollments should be paid in a month, for
many at once: the same decision `allowances.refresh` makes, read-only, for verify amounts and 提标.

An enrollment whose deciding fact is not recorded (残联/退役军人事务 data) is reported as `missing_facts`, as the
refresh keeps it: unknown is not "no".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from minzheng.core import dates
from minzheng.registry.models import Enrollment, Person

from . import allowances, rules

FAMILIES = ("allowance", "veterans")


def expected(enrollments: QuerySet[Enrollment], *, month: dt.date,
             standards: Callable[[dt.date], rules.Standards] = allowances.standards) -> list[dict[str, Any]]:
    """One dict per allowance enrollment: id, programme, household, person, division, amount, status, decision.
    `standards` gives the parameters of a month (a 提标 preview passes its proposed versions)."""
    month = dates.month_start(month)
    qs = enrollments.filter(programme__code__in=rules.ALLOWANCES, person__isnull=False)
    rows = list(qs.order_by("id").values("id", "programme__code", "household_id", "person_id",
                                         "household__division_id"))
    if not rows:
        return []
    s = standards(month)
    person_ids = {r["person_id"] for r in rows}
    people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids).select_related("payment_facts")}
    hh_ids = {p.household_id for p in people.values()}
    enrolled: dict[int, set[str]] = {}
    household_enrolled: dict[int, set[str]] = {}
    active = Enrollment.objects.filter(allowances._active_in(month))
    for pid, code in active.filter(person_id__in=person_ids).values_list("person_id", "programme__code"):
        enrolled.setdefault(pid, set()).add(code)
    for hid, code in active.filter(household_id__in=hh_ids).values_list("household_id", "programme__code"):
        household_enrolled.setdefault(hid, set()).add(code)
    out = []
    decided: dict[int, tuple[dict[str, rules.Decision], list[str], rules.PersonFacts]] = {}
    for r in rows:
        pid = r["person_id"]
        if pid not in decided:
            f = allowances.person_facts(people[pid], month, enrolled, household_enrolled)
            got, notes = rules.decide(f, month, s)
            decided[pid] = ({d.programme: d for d in got}, notes, f)
        wanted, notes, f = decided[pid]
        d = wanted.get(r["programme__code"])
        status = "ok"
        if d is not None:
            amount, text, refs = d.amount, d.reason, d.refs
        else:
            amount, text, refs = Decimal(0), "；".join(notes) or "不再符合条件", []
            lacking = allowances.rules.missing_fact(r["programme__code"], f) if f.alive else ""
            if lacking:
                status, text = "missing_facts", f"缺认定信息：{lacking}"
        out.append({"id": r["id"], "programme": r["programme__code"], "household_id": r["household_id"],
                    "person_id": pid, "division_id": r["household__division_id"], "amount": amount,
                    "eligible": d is not None, "status": status,
                    "decision": {"rule": f"payments.rules.decide/{r['programme__code']}", "explanation": text,
                                 "params": refs, "amount": str(amount)}})
    return out
