"""Writes to the household registry: typed, keyword-only, atomic. Views, the API and the CLI all call these.

Model signals audit every create/update (with before/after); each function checks jurisdiction first through
core.scoping, so a township officer can only touch households in their own township.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates, income_codes
from minzheng.core.scoping import require_division, require_edit
from minzheng.regions.models import Division, Level

from . import idnumber, validators
from .models import (
    Asset,
    AssetKind,
    DisabilityCategory,
    DisabilityGrade,
    Education,
    Enrollment,
    EnrollmentStatus,
    Ethnicity,
    Health,
    Household,
    HukouType,
    Income,
    IncomeCategory,
    Marital,
    Membership,
    Person,
    Relation,
    WorkCapacity,
)

# Person fields an officer edits directly; ID number, birth date and sex go through the ID check.
PERSON_FIELDS = ("name", "ethnicity", "education", "marital_status", "health", "work_capacity",
                 "disability_category", "disability_grade", "disability_cert_no", "phone", "bank_name",
                 "bank_account", "note")
HOUSEHOLD_FIELDS = ("hukou_type", "address", "hukou_address", "phone", "note")
_CHOICES: dict[str, Any] = {
    "ethnicity": Ethnicity, "education": Education, "marital_status": Marital, "health": Health,
    "work_capacity": WorkCapacity, "disability_category": DisabilityCategory, "relation": Relation,
    "hukou_type": HukouType,
}


_IMPORT_RULES = {"name": validators.person_name, "phone": validators.phone, "bank_account": validators.bank_account}


def _today() -> dt.date:
    return dates.today()


def checked_id(raw: Any, *, field: str = "id_number") -> idnumber.IdCheck:
    """The ID check result, or a ValidationError on `field` with the Chinese reason."""
    r = idnumber.check(raw)
    if not r.valid:
        raise ValidationError({field: r.reason})
    return r


def _clean_text(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _validate_person_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the editable person fields; errors are per field, in Chinese."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in PERSON_FIELDS:
            raise TypeError(f"unknown person field {key}")
        if key == "disability_grade":
            if value in (None, ""):
                out[key] = None
                continue
            try:
                grade = int(value)
            except (TypeError, ValueError):
                errors[key] = "残疾等级应为一级至四级"
                continue
            if grade not in DisabilityGrade.values:
                errors[key] = "残疾等级应为一级至四级"
            out[key] = grade
            continue
        text = _clean_text(value)
        if key in _CHOICES and text and text not in _CHOICES[key].values:
            errors[key] = f"“{text}”不是有效的选项"
        # Name, phone and account follow the ledger import's rules exactly (registry/validators.py).
        checker = _IMPORT_RULES.get(key)
        if checker is not None:
            try:
                text = checker(text, field=None)
            except ValidationError as exc:
                errors[key] = exc.messages[0]
        out[key] = text
    if errors:
        raise ValidationError(errors)
    return out


def _check_disability(p: Person) -> None:
    if bool(p.disability_category) != bool(p.disability_grade):
        raise ValidationError({"disability_grade": "残疾类别和残疾等级须同时填写（以残疾证为准）"})


def _id_taken(number: str, *, excluding: int | None = None) -> bool:
    qs = Person.objects.filter(id_number=number)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return qs.exists()


# ---- households --------------------------------------------------------------------------------------------


@transaction.atomic
def create_household(*, actor: Actor, division: Division, hukou_type: str, head: dict[str, Any],
                     address: str = "", hukou_address: str = "", phone: str = "", note: str = "",
                     source: str = "manual", on: dt.date | None = None) -> Household:
    """A new household in a village (村/社区) with its head; other members are added with add_person."""
    require_division(actor, division, Cap.EDIT_BUSINESS)
    if division.level != Level.VILLAGE:
        raise ValidationError({"division": "家庭须登记在村(社区)一级"})
    if hukou_type not in HukouType.values:
        raise ValidationError({"hukou_type": "请选择户籍性质（城镇/农村）"})
    phone = validators.phone(phone)
    hh = Household.objects.create(division=division, hukou_type=hukou_type, address=_clean_text(address),
                                  hukou_address=_clean_text(hukou_address), phone=phone,
                                  note=note or "", source=source)
    add_person(actor=actor, household=hh, relation=Relation.HEAD, joined_on=on, reason="建档", **head)
    hh.refresh_from_db()
    return hh


@transaction.atomic
def update_household(*, actor: Actor, household: Household, **changes: Any) -> Household:
    require_edit(actor, household)
    for key, value in changes.items():
        if key not in HOUSEHOLD_FIELDS:
            raise TypeError(f"unknown household field {key}")
        if key == "hukou_type" and value not in HukouType.values:
            raise ValidationError({"hukou_type": "请选择户籍性质（城镇/农村）"})
        if key == "phone":
            value = validators.phone(value)
        setattr(household, key, value if key == "note" else _clean_text(value))
    household.save()
    return household


def _current_membership(person: Person) -> Membership | None:
    return person.memberships.filter(household_id=person.household_id, end_date__isnull=True) \
        .order_by("-start_date", "-id").first()


def _restart_membership(person: Person, *, relation: str, on: dt.date, reason: str) -> None:
    """Close the open membership row and open a new one, so the relation history is kept."""
    cur = _current_membership(person)
    if cur is not None:
        if cur.start_date >= on:
            cur.relation, cur.reason = relation, cur.reason or reason
            cur.save(update_fields=["relation", "reason"])
            return
        cur.end_date = on
        cur.save(update_fields=["end_date"])
    Membership.objects.create(person=person, household_id=person.household_id, relation=relation, start_date=on,
                              reason=reason)


@transaction.atomic
def set_head(*, actor: Actor, household: Household, person: Person, former_head_relation: str = Relation.OTHER,
             on: dt.date | None = None) -> Household:
    """Make a living current member the head; the former head stays a member with `former_head_relation`."""
    require_edit(actor, household)
    on = on or _today()
    if person.household_id != household.pk:
        raise ValidationError({"person": "户主须是本户现有成员"})
    if person.is_deceased:
        raise ValidationError({"person": "已故人员不能作为户主"})
    if former_head_relation not in Relation.values or former_head_relation == Relation.HEAD:
        raise ValidationError({"former_head_relation": "请为原户主选择与新户主的关系"})
    old = household.head
    if old is not None and old.pk != person.pk and old.household_id == household.pk:
        old.relation = former_head_relation
        old.save(update_fields=["relation", "updated_at"])
        if not old.is_deceased:
            _restart_membership(old, relation=former_head_relation, on=on, reason="变更户主")
    if person.relation != Relation.HEAD:
        person.relation = Relation.HEAD
        person.save(update_fields=["relation", "updated_at"])
        _restart_membership(person, relation=Relation.HEAD, on=on, reason="变更户主")
    household.head = person
    household.save(update_fields=["head", "updated_at"])
    return household


# ---- persons -----------------------------------------------------------------------------------------------


@transaction.atomic
def add_person(*, actor: Actor, household: Household, name: str, id_number: str, relation: str,
               joined_on: dt.date | None = None, reason: str = "新增成员", **fields: Any) -> Person:
    """A new member. The ID is checked and normalised; birth date and sex come from it, never from a form."""
    require_edit(actor, household)
    if relation not in Relation.values:
        raise ValidationError({"relation": "请选择与户主关系"})
    data = _validate_person_fields({"name": name, **fields})
    chk = checked_id(id_number)
    if _id_taken(chk.normalized):
        raise ValidationError({"id_number": "该身份证号已在系统中登记，请查询后将其迁入本户，不要重复建档"})
    if relation == Relation.HEAD and household.head_id and household.head and household.head.is_deceased is False:
        raise ValidationError({"relation": "本户已有户主，请先变更户主"})
    p = Person(household=household, id_number=chk.normalized, birth_date=chk.birth_date, sex=chk.sex_code,
               relation=relation, id_number_old=_old_15(id_number, chk), **data)
    _check_disability(p)
    p.save()
    Membership.objects.create(person=p, household=household, relation=relation, start_date=joined_on or _today(),
                              reason=reason)
    if relation == Relation.HEAD:
        household.head = p
        household.save(update_fields=["head", "updated_at"])
    return p


def _old_15(raw: Any, chk: idnumber.IdCheck) -> str:
    n = idnumber.normalize(raw)
    return n if len(n) == 15 and chk.notice else ""


@transaction.atomic
def update_person(*, actor: Actor, person: Person, id_number: str | None = None, relation: str | None = None,
                  **fields: Any) -> Person:
    """Edit a person. A changed ID number is re-checked and birth date and sex follow it."""
    require_edit(actor, person)
    data = _validate_person_fields(fields)
    for key, value in data.items():
        setattr(person, key, value)
    if id_number is not None:
        chk = checked_id(id_number)
        if chk.normalized != person.id_number:
            if _id_taken(chk.normalized, excluding=person.pk):
                raise ValidationError({"id_number": "该身份证号已在系统中登记给另一人"})
            person.id_number, person.birth_date, person.sex = chk.normalized, chk.birth_date, chk.sex_code
            if old := _old_15(id_number, chk):
                person.id_number_old = old
    if relation is not None and relation != person.relation:
        if relation not in Relation.values:
            raise ValidationError({"relation": "请选择与户主关系"})
        if relation == Relation.HEAD or person.relation == Relation.HEAD:
            raise ValidationError({"relation": "变更户主请使用“设为户主”"})
        person.relation = relation
        _restart_membership(person, relation=relation, on=_today(), reason="关系变更")
    _check_disability(person)
    person.save()
    return person


@transaction.atomic
def move_member(*, actor: Actor, person: Person, to_household: Household, relation: str,
                on: dt.date | None = None, reason: str = "") -> Person:
    """Move a member to another household (分户、婚嫁、投靠 …). The old membership is closed, a new one opened, and
    the person's own (per-person) live enrollments follow them; household enrollments stay with the household."""
    require_edit(actor, person)
    require_edit(actor, to_household)
    on = on or _today()
    old_household = person.household
    if to_household.pk == old_household.pk:
        raise ValidationError({"to_household": "目标家庭与当前家庭相同"})
    if person.is_deceased:
        raise ValidationError({"person": "已故人员不能迁移"})
    if relation not in Relation.values:
        raise ValidationError({"relation": "请选择在新家庭中与户主的关系"})
    if relation == Relation.HEAD and to_household.head_id and to_household.head \
            and not to_household.head.is_deceased:
        raise ValidationError({"relation": "目标家庭已有户主"})
    others = old_household.members.filter(is_deceased=False).exclude(pk=person.pk)
    if old_household.head_id == person.pk and others.exists():
        raise ValidationError({"person": "此人是原家庭户主，请先为原家庭指定新户主再迁出"})
    cur = _current_membership(person)
    if cur is not None:
        if on < cur.start_date:
            raise ValidationError({"on": f"迁移日期不能早于加入原家庭的日期 {cur.start_date:%Y-%m-%d}"})
        cur.end_date = on
        cur.reason = cur.reason or reason
        cur.save(update_fields=["end_date", "reason"])
    if old_household.head_id == person.pk:
        old_household.head = None
        old_household.save(update_fields=["head", "updated_at"])
    person.household = to_household
    person.relation = relation
    person.save(update_fields=["household", "relation", "updated_at"])
    Membership.objects.create(person=person, household=to_household, relation=relation, start_date=on,
                              reason=reason or "迁入")
    for e in Enrollment.objects.filter(person=person, status=EnrollmentStatus.ACTIVE).exclude(household=to_household):
        e.household = to_household
        e.save(update_fields=["household", "updated_at"])
    if relation == Relation.HEAD:
        to_household.head = person
        to_household.save(update_fields=["head", "updated_at"])
    return person


@transaction.atomic
def record_death(*, actor: Actor, person: Person, death_date: dt.date, note: str = "") -> Person:
    """Mark a person deceased. Membership ends on the death date; enrollments are stopped by their own procedure
    (停保), and until then the to-do list flags them."""
    require_edit(actor, person)
    if person.is_deceased:
        raise ValidationError({"death_date": "此人已登记死亡"})
    if death_date > _today():
        raise ValidationError({"death_date": "死亡日期不能晚于今天"})
    if death_date < person.birth_date:
        raise ValidationError({"death_date": "死亡日期不能早于出生日期"})
    person.is_deceased = True
    person.death_date = death_date
    if note:
        person.note = (person.note + "；" if person.note else "") + note[:100]
    person.save(update_fields=["is_deceased", "death_date", "note", "updated_at"])
    cur = _current_membership(person)
    if cur is not None:
        cur.end_date = max(death_date, cur.start_date)
        cur.reason = "死亡"
        cur.save(update_fields=["end_date", "reason"])
    return person


# ---- incomes and assets ------------------------------------------------------------------------------------


def _amount(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").replace("元", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: "金额须为数字"}) from exc
    if d < 0:
        raise ValidationError({field: "金额不能为负数"})
    return d.quantize(Decimal("0.01"))


def _member_of(household: Household, person: Person | None) -> None:
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": "所选人员不是本户成员"})


@transaction.atomic
def add_income(*, actor: Actor, household: Household, category: str, monthly_amount: Any, period_start: dt.date,
               period_end: dt.date | None = None, person: Person | None = None, item: str = "",
               source: str = "", code: str = "") -> Income:
    """An income chosen from the coded list (`code`); the category follows the code when not given. A bare free
    -text item is still accepted (legacy entry) and is mapped or flagged by the rules."""
    require_edit(actor, household)
    code = (code or "").strip()
    if code:
        try:
            income_codes.check_code(code)
        except ValueError as exc:
            raise ValidationError({"code": str(exc)}) from exc
        category = category or income_codes.INCOME_ITEMS[code][1]
        item = item or income_codes.label(code)
    if category not in IncomeCategory.values:
        raise ValidationError({"category": "请选择收入类别（工资性、经营净、财产净、转移净、其他）"})
    _member_of(household, person)
    if period_end is not None and period_end < period_start:
        raise ValidationError({"period_end": "截止日期不能早于起始日期"})
    return Income.objects.create(household=household, person=person, category=category, item=_clean_text(item), code=code,
                                 monthly_amount=_amount(monthly_amount, "monthly_amount"),
                                 period_start=period_start, period_end=period_end, source=_clean_text(source))


@transaction.atomic
def end_income(*, actor: Actor, income: Income, period_end: dt.date) -> Income:
    require_edit(actor, income)
    if period_end < income.period_start:
        raise ValidationError({"period_end": "截止日期不能早于起始日期"})
    income.period_end = period_end
    income.save(update_fields=["period_end"])
    return income


@transaction.atomic
def add_asset(*, actor: Actor, household: Household, kind: str, value: Any = 0, description: str = "",
              acquired_on: dt.date | None = None, disposed_on: dt.date | None = None, person: Person | None = None,
              attributes: dict[str, Any] | None = None) -> Asset:
    require_edit(actor, household)
    if kind not in AssetKind.values:
        raise ValidationError({"kind": "请选择财产类型"})
    _member_of(household, person)
    if acquired_on and disposed_on and disposed_on < acquired_on:
        raise ValidationError({"disposed_on": "处置日期不能早于取得日期"})
    return Asset.objects.create(household=household, person=person, kind=kind, value=_amount(value, "value"),
                                description=_clean_text(description), acquired_on=acquired_on,
                                disposed_on=disposed_on, attributes=attributes or {})


@transaction.atomic
def dispose_asset(*, actor: Actor, asset: Asset, disposed_on: dt.date) -> Asset:
    require_edit(actor, asset)
    if asset.acquired_on and disposed_on < asset.acquired_on:
        raise ValidationError({"disposed_on": "处置日期不能早于取得日期"})
    asset.disposed_on = disposed_on
    asset.save(update_fields=["disposed_on"])
    return asset

