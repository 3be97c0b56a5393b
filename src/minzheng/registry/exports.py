"""Household and person lists to xlsx, in the columns of the ledger import (registry.ledger.columns), so an exported
list can be edited and imported again. Roles without Cap.VIEW_SENSITIVE get masked ID numbers, phones and accounts
(such a file cannot be re-imported, by design). Every export is audited (record_output)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from minzheng.accounts.actor import Actor
from minzheng.audit.services import record_output
from minzheng.core.excel import workbook_bytes

from . import masking
from .ledger.columns import BY_KEY, CANONICAL_ORDER
from .models import (
    DisabilityCategory,
    DisabilityGrade,
    Education,
    Enrollment,
    EnrollmentStatus,
    Ethnicity,
    Health,
    Household,
    HukouType,
    Marital,
    Person,
    Relation,
    Sex,
    WorkCapacity,
)

# The import's canonical columns: the same order and headers on the way out.
HEADERS = [BY_KEY[k].header for k in CANONICAL_ORDER]
KEYS: tuple[str, ...] = tuple(CANONICAL_ORDER)

_LABELS: dict[str, dict[Any, str]] = {
    "hukou_type": dict(HukouType.choices), "relation": dict(Relation.choices), "sex": dict(Sex.choices),
    "ethnicity": dict(Ethnicity.choices), "education": dict(Education.choices),
    "marital_status": dict(Marital.choices), "health": dict(Health.choices),
    "work_capacity": dict(WorkCapacity.choices), "disability_category": dict(DisabilityCategory.choices),
    "disability_grade": dict(DisabilityGrade.choices),
}
CHUNK = 2000


def _label(kind: str, value: Any) -> str:
    return str(_LABELS[kind].get(value, "")) if value not in (None, "") else ""


def _household_rows(households: Iterable[Household], user: Actor) -> Iterator[list[Any]]:
    sensitive = masking.can_see_sensitive(user)
    for seq, h in enumerate(households, start=1):
        members = sorted((m for m in h.members.all() if not m.is_deceased),
                         key=lambda m: (m.pk != h.head_id, m.relation, m.birth_date))
        live = [e for e in h.enrollments.all() if e.status == EnrollmentStatus.ACTIVE]
        household_enrollment = next((e for e in live if e.person_id is None), live[0] if live else None)
        head = next((m for m in members if m.pk == h.head_id), members[0] if members else None)
        payee = household_enrollment.person if household_enrollment and household_enrollment.person_id else head
        for i, m in enumerate(members):
            first = i == 0
            e = household_enrollment if first else None
            values = {
                "seq": seq if first else "",
                "township": h.division.parent.name if first and h.division.parent_id else "",
                "village": h.division.name if first else "",
                "hukou_type": _label("hukou_type", h.hukou_type) if first else "",
                "address": h.address if first else "",
                "name": m.name,
                "id_number": m.id_number if sensitive else masking.mask_id(m.id_number),
                "relation": _label("relation", m.relation),
                "sex": _label("sex", m.sex),
                "birth_date": m.birth_date.isoformat(),
                "ethnicity": _label("ethnicity", m.ethnicity),
                "phone": m.phone if sensitive else masking.mask_phone(m.phone),
                "education": _label("education", m.education),
                "marital_status": _label("marital_status", m.marital_status),
                "health": _label("health", m.health),
                "work_capacity": _label("work_capacity", m.work_capacity),
                "disability_category": _label("disability_category", m.disability_category) if sensitive
                else ("已登记" if m.disability_category else ""),
                "disability_grade": _label("disability_grade", m.disability_grade) if sensitive else "",
                "category": e.programme.name if e else "",
                "covered": e.covered_persons if e else "",
                "amount": float(e.monthly_amount) if e else "",
                "bank_name": (payee.bank_name if payee else "") if first and e else "",
                "account": ((payee.bank_account if sensitive else masking.mask_account(payee.bank_account))
                            if payee else "") if first and e else "",
                "start_month": e.start_month.strftime("%Y-%m") if e else "",
                "note": h.note if first else "",
            }
            yield [values.get(k, "") for k in KEYS]


def _iter_households(qs: QuerySet[Household]) -> Iterator[Household]:
    """Households in chunks with their members and enrollments prefetched (bounded memory for large lists)."""
    ids = list(qs.order_by().values_list("pk", flat=True).distinct())
    ids.sort()
    for i in range(0, len(ids), CHUNK):
        chunk = (Household.objects.filter(pk__in=ids[i:i + CHUNK]).select_related("division__parent")
                 .prefetch_related("members", Prefetch("enrollments", queryset=Enrollment.objects.select_related(
                     "programme", "person").order_by("programme__order", "id")))
                 .order_by("division__code", "pk"))
        yield from chunk


def households_xlsx(qs: QuerySet[Household], *, user: Actor, what: str = "家庭台账") -> bytes:
    """The households of `qs` (already scoped by the caller), one row per living member."""
    count = qs.order_by().values("pk").distinct().count()
    data = workbook_bytes([("家庭台账", HEADERS, _household_rows(_iter_households(qs), user))])
    record_output("export", what=what, count=count,
                  division_code=user.division.code if getattr(user, "division", None) else "",
                  detail={"masked": not masking.can_see_sensitive(user)})
    return data


def persons_xlsx(qs: QuerySet[Person], *, user: Actor, what: str = "人员名单") -> bytes:
    """The persons of `qs` (scoped by the caller), each with their household's fields, in the ledger columns."""
    sensitive = masking.can_see_sensitive(user)
    count = qs.count()

    def rows() -> Iterator[list[Any]]:
        seq = 0
        for p in qs.select_related("household__division__parent").order_by("household_id", "pk") \
                .iterator(chunk_size=CHUNK):
            seq += 1
            h = p.household
            values = {
                "seq": seq, "township": h.division.parent.name if h.division.parent_id else "",
                "village": h.division.name, "hukou_type": _label("hukou_type", h.hukou_type), "address": h.address,
                "name": p.name, "id_number": p.id_number if sensitive else masking.mask_id(p.id_number),
                "relation": _label("relation", p.relation), "sex": _label("sex", p.sex),
                "birth_date": p.birth_date.isoformat(), "ethnicity": _label("ethnicity", p.ethnicity),
                "phone": p.phone if sensitive else masking.mask_phone(p.phone),
                "education": _label("education", p.education),
                "marital_status": _label("marital_status", p.marital_status),
                "health": _label("health", p.health), "work_capacity": _label("work_capacity", p.work_capacity),
                "disability_category": _label("disability_category", p.disability_category) if sensitive
                else ("已登记" if p.disability_category else ""),
                "disability_grade": _label("disability_grade", p.disability_grade) if sensitive else "",
                "bank_name": p.bank_name,
                "account": p.bank_account if sensitive else masking.mask_account(p.bank_account),
                "note": ("已故" + (f" {p.death_date:%Y-%m-%d}" if p.death_date else "")) if p.is_deceased else p.note,
            }
            yield [values.get(k, "") for k in KEYS]

    data = workbook_bytes([("人员名单", HEADERS, rows())])
    record_output("export", what=what, count=count,
                  division_code=user.division.code if getattr(user, "division", None) else "",
                  detail={"masked": not sensitive})
    return data


def template_xlsx() -> bytes:
    """A blank import template: the canonical headers and one worked example row in a second sheet."""
    example = {
        "seq": 1, "township": "梅山街道", "village": "中山社区居委会", "hukou_type": "城镇", "address": "中山路 1 号",
        "name": "陈志富", "id_number": "350702199001011230", "relation": "户主", "sex": "男", "birth_date": "1990-01-01",
        "ethnicity": "汉族", "phone": "13800000000", "category": "城市低保", "covered": 1, "amount": 450,
        "bank_name": "中国农业银行", "account": "6228480000000000000", "start_month": "2024-01",
    }
    notes = [
        ["每户第一行填写户信息（序号、乡镇、村(社区)、户籍性质、地址、保障类别、人数、金额、银行、账号）；同户其他成员在下面各占一行，户信息可留空。"],
        ["身份证号、银行账号、电话列已设为文本格式，请勿改为数字（Excel 会丢失后几位）。"],
        ["乡镇和村(社区)可填全称或简称；出生日期和性别可不填（以身份证号为准）。"],
    ]
    return workbook_bytes([
        ("家庭台账", HEADERS, []),
        ("填写示例", HEADERS, [[example.get(k, "") for k in KEYS]]),
        ("填写说明", ["说明"], notes),
    ])
