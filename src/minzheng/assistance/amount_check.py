"""Every live enrollment against its rules: 低保 and 特困 (`amounts`), 高龄, 残疾人两项补贴 and 优抚
(`payments.allowance_check`), compared with the amount in force (the EnrollmentAmount the payroll pays).

`verify` is `minzheng verify amounts`; `expected_all` is also what a 提标 runs, with its proposed versions in the
parameter table. Programmes without an amount rule (孤儿保障, 临时救助 one-off payments) are counted, not judged.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.core import dates
from minzheng.policy.table import ParamTable
from minzheng.registry.models import Enrollment, EnrollmentAmount, EnrollmentStatus, ProgrammeFamily

from . import amounts
from .amounts import Expected

RULED = (ProgrammeFamily.DIBAO, ProgrammeFamily.TEKUN, ProgrammeFamily.ALLOWANCE, ProgrammeFamily.VETERANS)
TOLERANCE = Decimal("0.005")


def live(on: dt.date) -> QuerySet[Enrollment]:
    """Enrollments paid in the month of `on`: active, started by then (or starting next), not ended."""
    month = dates.month_start(on)
    return Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).filter(
        Q(end_month__isnull=True) | Q(end_month__gt=month))


def expected_all(enrollments: QuerySet[Enrollment], *, on: dt.date, table: ParamTable | None = None,
                 params_on: dt.date | None = None) -> list[Expected]:
    """The rules' amount for each enrollment: facts as on `on`, parameters in force on `params_on` (default `on`)."""
    from minzheng.payments import allowance_check, allowances

    table = table or ParamTable.load()
    day = params_on or on
    out = amounts.expected(enrollments, on=on, table=table, params_on=day)

    def resolver(key: str, *, on: dt.date) -> Any:
        return table.resolve(key, on=on, codes=frozenset())

    for r in allowance_check.expected(
            enrollments.filter(programme__family__in=allowance_check.FAMILIES), month=day,
            standards=lambda m: allowances.standards(m, resolver=resolver)):
        out.append(Expected(r["id"], r["programme"], r["household_id"], r["person_id"], r["division_id"], 1,
                            r["amount"], r["eligible"], r["decision"], status=r["status"]))
    for e in enrollments.exclude(programme__family__in=RULED).values(
            "id", "programme__code", "household_id", "person_id", "household__division_id", "covered_persons"):
        out.append(Expected(e["id"], e["programme__code"], e["household_id"], e["person_id"],
                            e["household__division_id"], e["covered_persons"], Decimal(0), True,
                            {"explanation": "该项目没有金额规则（按决定书发放）"}, status="no_rule"))
    return out


@dataclass(frozen=True)
class InForce:
    amount: Decimal
    covered: int
    version_id: int | None
    from_month: dt.date | None


def in_force(enrollments: QuerySet[Enrollment], month: dt.date) -> dict[int, InForce]:
    """The amount each enrollment is paid in `month` (the payroll engine's lookup: the latest version from on or
    before the month, else the enrollment's own amount; nothing once the payee has died); for one starting later,
    its first version."""
    out: dict[int, InForce] = {}
    for eid, amount, covered, start in enrollments.values_list("id", "monthly_amount", "covered_persons",
                                                               "start_month"):
        out[eid] = InForce(amount, covered, None, start)
    starts = {eid: v.from_month for eid, v in out.items()}
    for eid, vid, frm, amount, covered in (EnrollmentAmount.objects.filter(enrollment__in=enrollments)
                                           .order_by("enrollment_id", "from_month", "id")
                                           .values_list("enrollment_id", "id", "from_month", "monthly_amount",
                                                        "covered_persons")):
        if frm <= max(month, starts[eid] or month):
            out[eid] = InForce(amount, covered, vid, frm)
    # The engine pays nothing for a payee who died before the month (the enrollment may not be ended yet).
    for eid in enrollments.filter(Q(person__isnull=False, person__death_date__lt=month)
                                  | Q(person__isnull=False, person__is_deceased=True, person__death_date__isnull=True)
                                  | Q(person__isnull=True, household__head__death_date__lt=month)
                                  | Q(person__isnull=True, household__head__is_deceased=True,
                                      household__head__death_date__isnull=True)).values_list("id", flat=True):
        out[eid] = InForce(Decimal(0), out[eid].covered, None, out[eid].from_month)
    return out


@dataclass
class Disagreement:
    enrollment_id: int
    programme: str
    household_id: int
    person_id: int | None
    division_id: int
    paid: Decimal
    expected: Decimal
    paid_explanation: str
    expected_explanation: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"enrollment_id": self.enrollment_id, "programme": self.programme, "household_id": self.household_id,
                "person_id": self.person_id, "division_id": self.division_id, "paid": str(self.paid),
                "expected": str(self.expected), "paid_explanation": self.paid_explanation,
                "expected_explanation": self.expected_explanation, "status": self.status}


@dataclass
class Report:
    on: dt.date
    checked: dict[str, int] = field(default_factory=dict)
    not_ruled: dict[str, int] = field(default_factory=dict)
    missing_facts: dict[str, int] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def enrollments(self) -> int:
        return sum(self.checked.values()) + sum(self.not_ruled.values()) + sum(self.missing_facts.values())

    def as_dict(self) -> dict[str, Any]:
        return {"on": self.on.isoformat(), "enrollments": self.enrollments, "checked": self.checked,
                "not_ruled": self.not_ruled, "missing_facts": self.missing_facts,
                "disagreement_count": len(self.disagreements), "seconds": round(self.seconds, 2),
                "disagreements": [d.as_dict() for d in self.disagreements]}


def _paid_explanation(version_ids: Iterable[int]) -> dict[int, str]:
    out = {}
    for vid, reason, basis in EnrollmentAmount.objects.filter(pk__in=list(version_ids)).values_list(
            "id", "reason", "decided_under"):
        text = (basis or {}).get("explanation", "") if isinstance(basis, dict) else ""
        out[vid] = "；".join(x for x in (reason, text) if x) or "（金额记录未写明依据）"
    return out


def verify(*, on: dt.date | None = None, programme: str = "") -> Report:
    """Recompute every live enrollment (optionally of one programme code or family) and list disagreements."""
    t0 = time.perf_counter()
    on = on or dates.today()
    qs = live(on)
    if programme:
        qs = qs.filter(Q(programme__code=programme) | Q(programme__family=programme))
    report = Report(on)
    paid = in_force(qs, dates.month_start(on))
    found: list[tuple[Expected, InForce]] = []
    for x in expected_all(qs, on=on):
        bucket = {"no_rule": report.not_ruled, "missing_facts": report.missing_facts}.get(x.status, report.checked)
        bucket[x.programme] = bucket.get(x.programme, 0) + 1
        if x.status in ("no_rule", "missing_facts"):
            continue
        now = paid[x.enrollment_id]
        if x.status == "error" and now.amount == 0:
            continue  # nothing is paid (e.g. the payee died): nothing for the rules to disagree with
        if x.status == "error" or abs(now.amount - x.amount) >= TOLERANCE:
            found.append((x, now))
    texts = _paid_explanation(p.version_id for _, p in found if p.version_id)
    for x, now in found:
        report.disagreements.append(Disagreement(
            x.enrollment_id, x.programme, x.household_id, x.person_id, x.division_id, now.amount, x.amount,
            texts.get(now.version_id or 0, "（无金额记录，按待遇登记金额）"), str(x.decision.get("explanation", "")),
            x.status))
    report.seconds = time.perf_counter() - t0
    return report
