"""Registry API: households and persons, scoped and masked exactly as in the UI (same selectors and services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema, Status

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs
from minzheng.core.scoping import get_visible
from minzheng.regions.models import Division

from . import idnumber, masking, selectors, services, validators
from .models import Household, Person

router = Router(tags=["家庭档案"])


_need = need_cap


class PersonOut(Schema):
    id: int
    household_id: int
    name: str
    id_number: str = Field(description="公民身份号码；无查看敏感信息权限的角色得到脱敏值")
    sex: str = Field(description="1 男 / 2 女 (GB/T 2261.1)")
    birth_date: dt.date
    relation: str = Field(description="与户主关系代码 (GB/T 4761)")
    relation_label: str
    ethnicity: str
    phone: str
    disability_category: str
    disability_grade: int | None
    is_deceased: bool
    death_date: dt.date | None
    village: str


class PersonDetailOut(PersonOut):
    education: str
    marital_status: str
    health: str
    work_capacity: str
    bank_name: str
    bank_account: str
    memberships: list[dict[str, Any]]


class HouseholdOut(Schema):
    id: int
    village_code: str
    village: str
    township: str
    hukou_type: str
    address: str
    phone: str
    head_id: int | None
    head_name: str | None


class IncomeOut(Schema):
    id: int
    category: str
    item: str
    person_id: int | None
    monthly_amount: Decimal
    period_start: dt.date
    period_end: dt.date | None


class AssetOut(Schema):
    id: int
    kind: str
    description: str
    person_id: int | None
    value: Decimal
    acquired_on: dt.date | None
    disposed_on: dt.date | None


class EnrollmentOut(Schema):
    id: int
    programme: str
    programme_name: str
    person_id: int | None
    status: str
    covered_persons: int
    monthly_amount: Decimal
    start_month: dt.date
    end_month: dt.date | None


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]
    incomes: list[IncomeOut]
    assets: list[AssetOut]
    enrollments: list[EnrollmentOut]


class Paged(Schema):
    count: int = Field(description="匹配数；超过 1000 时为 1001 且 count_capped 为 true")
    count_capped: bool = False
    page: int
    pages: int


class HouseholdPage(Paged):
    items: list[HouseholdOut]


class PersonPage(Paged):
    items: list[PersonOut]


class PersonIn(Schema):
    """Name, phone and bank account follow the ledger import's rules (registry/validators.py)."""

    name: validators.PersonName
    id_number: str = Field(description="18 位或 15 位（自动升级）；出生日期和性别由号码得出")
    ethnicity: str = ""
    phone: validators.Phone = ""
    education: str = ""
    marital_status: str = ""
    health: str = ""
    work_capacity: str = ""
    disability_category: str = ""
    disability_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    bank_name: str = ""
    bank_account: validators.BankAccount = ""


class HouseholdIn(Schema):
    village_code: str = Field(description="村(社区) 12 位统计用区划代码")
    hukou_type: str = Field(description="urban 城镇 / rural 农村")
    address: str = ""
    phone: validators.Phone = ""
    note: str = ""
    head: PersonIn


class IdCheckOut(Schema):
    input: str
    normalized: str
    valid: bool
    reason: str
    birth_date: dt.date | None
    sex: str | None
    region: str | None


def person_out(p: Person, user: Actor) -> dict[str, Any]:
    sensitive = masking.can_see_sensitive(user)
    return {
        "id": p.pk, "household_id": p.household_id, "name": p.name,
        "id_number": masking.shown(user, p.id_number, "id"), "sex": p.sex, "birth_date": p.birth_date,
        "relation": p.relation, "relation_label": p.get_relation_display(), "ethnicity": p.ethnicity,
        "phone": masking.shown(user, p.phone, "phone"),
        "disability_category": p.disability_category if sensitive else ("registered" if p.disability_category else ""),
        "disability_grade": p.disability_grade if sensitive else None,
        "is_deceased": p.is_deceased, "death_date": p.death_date, "village": p.household.division.name,
    }


def household_out(h: Household, user: Actor) -> dict[str, Any]:
    return {
        "id": h.pk, "village_code": h.division.code, "village": h.division.name,
        "township": h.division.parent.name if h.division.parent_id else "", "hukou_type": h.hukou_type,
        "address": h.address, "phone": masking.shown(user, h.phone, "phone"), "head_id": h.head_id,
        "head_name": h.head.name if h.head_id and h.head else None,
    }


def _page(qs: Any, page: int, size: int) -> tuple[Any, dict[str, Any]]:
    p = selectors.CappedPaginator(qs, size).get_page(page)
    return p, {"count": p.paginator.count, "count_capped": p.paginator.capped, "page": p.number,
               "pages": p.paginator.num_pages}


@router.get("/households", response=HouseholdPage, summary="家庭列表与查询",
            description="q 按成员姓名、拼音首字母、身份证号（全部或部分）、电话查询；village 为村(社区)区划代码；programme 为在保项目代码。")
def households(request: AuthedRequest, q: str = "", village: str = "", programme: str = "", page: inputs.Page = 1,
               size: Annotated[int, inputs.limit(200)] = 20) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    division_id = Division.objects.filter(code=village).values_list("pk", flat=True).first() if village else None
    if village and division_id is None:
        return {"count": 0, "count_capped": False, "page": 1, "pages": 1, "items": []}
    qs = selectors.households(request.user, q=q, division_id=division_id, programme=programme or None)
    p, meta = _page(qs.select_related("division__parent", "head"), page, size)
    return {**meta, "items": [household_out(h, request.user) for h in p.object_list]}


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="家庭详情",
            description="成员、五类收入、财产和享受待遇（含历史）。")
def household_detail(request: AuthedRequest, household_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    v = selectors.household_view(request.user, household_id)
    h = v.household
    return {
        **household_out(h, request.user),
        "members": [person_out(m, request.user) for m in v.members],
        "incomes": [{"id": i.pk, "category": i.category, "item": i.item, "person_id": i.person_id,
                     "monthly_amount": i.monthly_amount, "period_start": i.period_start, "period_end": i.period_end}
                    for c in v.incomes_by_category for i in c["rows"]],
        "assets": [{"id": a.pk, "kind": a.kind, "description": a.description, "person_id": a.person_id,
                    "value": a.value, "acquired_on": a.acquired_on, "disposed_on": a.disposed_on} for a in v.assets],
        "enrollments": [{"id": e.pk, "programme": e.programme.code, "programme_name": e.programme.name,
                         "person_id": e.person_id, "status": e.status, "covered_persons": e.covered_persons,
                         "monthly_amount": e.monthly_amount, "start_month": e.start_month, "end_month": e.end_month}
                        for e in v.current_enrollments + v.past_enrollments],
    }


@router.post("/households", response={201: HouseholdDetailOut}, summary="新建家庭（含户主）",
             description="身份证号经校验并规范化，出生日期和性别由号码得出；错误返回 422 和中文说明。")
def household_create(request: AuthedRequest, payload: HouseholdIn) -> Any:
    _need(request, Cap.EDIT_BUSINESS)
    division = Division.objects.filter(code=payload.village_code).first()
    if division is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"village_code": "区划代码不存在"})
    head = payload.head.dict()
    hh = services.create_household(actor=request.user, division=division, hukou_type=payload.hukou_type,
                                   address=payload.address, phone=payload.phone, note=payload.note,
                                   head={"id_number": head.pop("id_number"), **head}, source="api")
    return Status(201, household_detail(request, hh.pk))


@router.get("/persons", response=PersonPage, summary="人员查询",
            description="q：姓名（前缀或名字部分）、拼音首字母（czf）、身份证号（全部、前几位或后几位）、电话（全部、前几位或后四位）、"
                        "出生日期（19500315）；多个词用空格分开，需同时满足。")
def persons(request: AuthedRequest, q: str = "", page: inputs.Page = 1, size: Annotated[int, inputs.limit(200)] = 20,
            living: bool = False) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    p = selectors.search_page(request.user, q, page=page, per_page=size, include_deceased=not living)
    return {"count": p.paginator.count, "count_capped": p.paginator.capped, "page": p.number,
            "pages": p.paginator.num_pages, "items": [person_out(x, request.user) for x in p.object_list]}


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="人员详情")
def person_detail(request: AuthedRequest, person_id: inputs.RecordId) -> dict[str, Any]:
    _need(request, Cap.VIEW_BUSINESS)
    p = get_visible(Person.objects.select_related("household__division"), request.user, pk=person_id)
    return {
        **person_out(p, request.user), "education": p.education, "marital_status": p.marital_status,
        "health": p.health, "work_capacity": p.work_capacity, "bank_name": p.bank_name,
        "bank_account": masking.shown(request.user, p.bank_account, "account"),
        "memberships": [{"household_id": m.household_id, "relation": m.relation, "start_date": m.start_date,
                         "end_date": m.end_date, "reason": m.reason} for m in p.memberships.order_by("start_date")],
    }


@router.get("/idcheck", response=list[IdCheckOut], summary="公民身份号码校验",
            description="n 可重复；与命令 `minzheng idcheck` 相同的规则。号码不保存。")
def idcheck(request: AuthedRequest, n: list[str] = Query([])) -> list[dict[str, Any]]:  # noqa: B008
    _need(request, Cap.VIEW_BUSINESS)
    return [idnumber.check(x).as_dict() for x in n[:100]]
