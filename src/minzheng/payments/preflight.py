"""Pre-flight (发放前检查): the lines of a roster that cannot be paid as they stand, and why, before anyone submits.

The engine marks each line's `problem` in the INSERT that makes it (see engine.problem_sql); this module turns the
codes into sentences an officer can act on, lists them per roster (page, CLI `--json`, API), and lists the families
left off a roster because the household head who receives the money has died. A roster with a blocking line that is
not held (挂起) cannot be submitted or approved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from minzheng.registry.masking import mask_account
from minzheng.registry.models import HOLDING_STATUSES, Enrollment, EnrollmentStatus, Person

from . import accounts
from .models import Guardianship, LineKind, LineProblem, LineStatus, Payroll, PayrollLine

FIXES: dict[str, str] = {
    LineProblem.NO_ACCOUNT: "在家庭档案中补录领款人的开户银行和账号，然后重新生成；或挂起本笔，补录后解除挂起，下月补发",
    LineProblem.BAD_ACCOUNT: "核对存折或银行卡后在家庭档案中更正账号，然后重新生成；或挂起本笔",
    LineProblem.DUPLICATE_ACCOUNT: "核实账号归属，更正错误的一方后重新生成；确属代领的请登记监护人；或挂起本笔",
    LineProblem.DECEASED: "领款人已死亡：变更户主(领款人)或办理停发，本笔挂起待核实",
    LineProblem.MOVED: "领款人已迁到其他家庭：核实后变更享受待遇的家庭或领款人，本笔挂起",
    LineProblem.GUARDIAN_ACCOUNT: "在领款监护人信息中补录监护人账号，然后重新生成；或挂起本笔",
    LineProblem.AMOUNT: "核对待遇金额；不再享受的办理停发；本笔挂起",
    LineProblem.CONFLICT: "两项待遇不能同时享受：核实后终止其中一项（如特困人员的单人保），本笔挂起",
}


@dataclass(frozen=True)
class Blocking:
    """One line that cannot be paid, with the sentence that says why and what to do."""

    payroll_id: int
    line_id: int
    enrollment_id: int
    person_id: int | None
    household_id: int
    village: str
    payee_name: str
    account: str          # masked: the last four digits are what an officer compares with the passbook
    kind: str
    period: str
    amount: Decimal
    problem: str
    message: str
    fix: str

    @property
    def kind_label(self) -> str:
        return str(LineKind(self.kind).label) if self.kind in LineKind.values else self.kind

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["amount"] = str(self.amount)
        return d


def _message(line: PayrollLine, others: dict[str, list[str]], guardians: dict[int, Guardianship],
             scheme_list: list[accounts.Scheme]) -> str:
    code = line.problem
    payee = line.person
    if code == LineProblem.BAD_ACCOUNT:
        return accounts.check(line.bank_account, scheme_list).message
    if code == LineProblem.NO_ACCOUNT:
        return f"{line.payee_name} 没有银行账号"
    if code == LineProblem.DUPLICATE_ACCOUNT:
        names = "、".join(n for n in others.get(line.bank_account_index, []) if n != line.payee_name)[:60]
        return f"账号尾号 {line.bank_account[-4:]} 同时是其他家庭的 {names or '领款人'} 的领款账号"
    if code == LineProblem.DECEASED:
        when = f"（{payee.death_date:%Y-%m-%d}）" if payee is not None and payee.death_date else ""
        return f"领款人 {line.payee_name} 已死亡{when}"
    if code == LineProblem.MOVED:
        return f"领款人 {line.payee_name} 已不在享受待遇的家庭中"
    if code == LineProblem.GUARDIAN_ACCOUNT:
        g = guardians.get(line.person_id or 0)
        return f"已登记监护人 {g.guardian_name if g else ''}，但没有监护人银行账号"
    if code == LineProblem.AMOUNT:
        return f"金额为 {line.amount} 元"
    if code == LineProblem.CONFLICT:
        return _conflict_message(line)
    return str(LineProblem(code).label) if code in LineProblem.values else code


def _conflict_message(line: PayrollLine) -> str:
    from minzheng.assistance.rules.conflicts import conflict_reason

    mine = Enrollment.objects.select_related("programme").get(pk=line.enrollment_id)
    others = (Enrollment.objects.filter(person_id=line.person_id, status__in=HOLDING_STATUSES, id__lt=mine.pk)
              .select_related("programme"))
    for o in others:
        why = conflict_reason(mine.programme.code, o.programme.code)
        if why:
            return f"{line.payee_name} 已享受{o.programme.name}，不能同时享受{mine.programme.name}：{why}"
    return str(LineProblem.CONFLICT.label)


def blocking_lines(payroll_ids: list[int]) -> QuerySet[PayrollLine]:
    """Lines still to be paid (not held) that cannot be paid."""
    return PayrollLine.objects.filter(~Q(problem=""), payroll_id__in=payroll_ids, status=LineStatus.PENDING)


def blocking(payroll_ids: list[int], *, limit: int = 2000) -> list[Blocking]:
    lines = list(blocking_lines(payroll_ids).select_related("village", "person").order_by(
        "payroll_id", "village__code", "enrollment_id", "id")[:limit])
    if not lines:
        return []
    others: dict[str, list[str]] = defaultdict(list)
    # Accounts are sealed at rest: the blind index finds the other holders of the same account.
    dup = {x.bank_account_index for x in lines if x.problem == LineProblem.DUPLICATE_ACCOUNT}
    if dup:
        months = set(Payroll.objects.filter(pk__in=payroll_ids).values_list("month", flat=True))
        for acct, name in (PayrollLine.objects.filter(payroll__month__in=months, bank_account_index__in=dup)
                           .values_list("bank_account_index", "payee_name").distinct()):
            others[acct].append(name)
    guardians = {g.person_id: g for g in Guardianship.objects.filter(
        person_id__in={x.person_id for x in lines if x.problem == LineProblem.GUARDIAN_ACCOUNT})}
    scheme_list = accounts.schemes()
    return [Blocking(payroll_id=x.payroll_id, line_id=x.pk, enrollment_id=x.enrollment_id, person_id=x.person_id,
                     household_id=x.household_id, village=x.village.name, payee_name=x.payee_name,
                     account=mask_account(x.bank_account) if x.bank_account else "", kind=x.kind,
                     period=f"{x.period_month:%Y-%m}", amount=x.amount, problem=x.problem,
                     message=_message(x, others, guardians, scheme_list), fix=FIXES.get(x.problem, ""))
            for x in lines]


def counts(payroll_ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    return dict(blocking_lines(payroll_ids).values_list("payroll_id").annotate(n=Count("id")).values_list(
        "payroll_id", "n"))


@dataclass(frozen=True)
class Unrostered:
    """A family that is due this month but has no line: the household head, who receives the money, has died."""

    enrollment_id: int
    household_id: int
    programme: str
    township_id: int
    village: str
    head_name: str
    death_date: str

    @property
    def message(self) -> str:
        return (f"{self.village} {self.head_name}户 {self.programme}：户主（领款人）已死亡（{self.death_date}），"
                "本月未造册；请在家庭档案中变更户主后重新生成")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "message": self.message}


def unrostered(month: dt.date, payrolls: list[Payroll]) -> list[Unrostered]:
    """Household enrollments of the rosters' programmes and townships left off because the head died before the
    month. Driven from the (few) deceased heads, so it costs a scan of deceased persons, not of all enrollments."""
    if not payrolls:
        return []
    pairs = {(p.programme_id, p.township_id) for p in payrolls}
    dead = list(Person.objects.filter(Q(death_date__lt=month) | Q(is_deceased=True, death_date__isnull=True))
                .values_list("id", flat=True)[:100000])
    if not dead:
        return []
    qs = (Enrollment.objects.filter(household__head_id__in=dead, person__isnull=True, status=EnrollmentStatus.ACTIVE,
                                    start_month__lte=month, programme_id__in={a for a, _ in pairs})
          .exclude(end_month__lte=month)
          .select_related("programme", "household__division__parent", "household__head"))
    out = []
    for e in qs.order_by("household__division__code", "id")[:1000]:
        d = e.household.division
        town = d.parent_id if d.level != "township" else d.pk
        if (e.programme_id, town) not in pairs:
            continue
        head = e.household.head
        out.append(Unrostered(e.pk, e.household_id, e.programme.name, town or 0, d.name, head.name if head else "",
                              f"{head.death_date:%Y-%m-%d}" if head and head.death_date else ""))
    return out
