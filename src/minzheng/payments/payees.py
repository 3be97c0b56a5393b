"""Who is paid for an enrollment today, into which account, and whether that can be paid.

The same rules as the engine's SQL (engine.problem_sql), for one payee at a time: releasing a held line and updating
the lines of open rosters after a correction both ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from minzheng.registry.models import Enrollment, Person

from . import accounts
from .models import Guardianship, LineProblem


@dataclass(frozen=True)
class Payee:
    person: Person
    name: str
    id_number: str
    bank_name: str
    bank_account: str
    guardian: Guardianship | None = None

    @property
    def fields(self) -> dict[str, str]:
        return {"payee_name": self.name, "id_number": self.id_number, "bank_name": self.bank_name,
                "bank_account": self.bank_account}


def payee_person(enrollment: Enrollment) -> Person | None:
    return enrollment.person if enrollment.person_id else enrollment.household.head


def current(person: Person) -> Payee:
    g = Guardianship.objects.filter(person=person).first()
    if g is not None:
        return Payee(person, g.guardian_name, g.guardian_id_number, g.bank_name, g.bank_account, g)
    return Payee(person, person.name, person.id_number, person.bank_name, person.bank_account)


@dataclass(frozen=True)
class Check:
    problem: str
    message: str

    @property
    def ok(self) -> bool:
        return not self.problem


def check(enrollment: Enrollment, amount: Decimal | None, scheme_list: list[accounts.Scheme] | None = None) -> Check:
    """Can `amount` for `enrollment` be paid to today's payee (None: whatever the amount)? Duplicate accounts are
    checked per month, in SQL."""
    person = payee_person(enrollment)
    if person is None:
        return Check(LineProblem.DECEASED, "家庭没有户主(领款人)")
    if amount is not None and amount <= 0:
        return Check(LineProblem.AMOUNT, f"金额为 {amount} 元")
    if person.is_deceased or person.death_date is not None:
        return Check(LineProblem.DECEASED, f"领款人 {person.name} 已死亡")
    if person.household_id != enrollment.household_id:
        return Check(LineProblem.MOVED, f"领款人 {person.name} 已不在享受待遇的家庭中")
    payee = current(person)
    if payee.guardian is not None and not payee.bank_account:
        return Check(LineProblem.GUARDIAN_ACCOUNT, f"监护人 {payee.name} 没有银行账号")
    if not payee.bank_account:
        return Check(LineProblem.NO_ACCOUNT, f"{payee.name} 没有银行账号")
    result = accounts.check(payee.bank_account, scheme_list)
    if not result.ok:
        return Check(LineProblem.BAD_ACCOUNT, result.message)
    return Check("", "")
