"""What each printed document shows, as plain dataclasses any app can fill: 申请审批表, 入户调查表, 不予批准告知书
and the 公示 notice, plus the one list of fields a 公示 may show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# The only fields a 公示 may show (policy-rules §1.4); anything else in a row is dropped before rendering.
PUBLIC_FIELDS = ("name", "village", "covered_persons", "category", "monthly_amount", "period")


@dataclass
class MemberLine:
    name: str
    relation: str = ""
    id_number: str = ""
    age: int | str = ""
    health: str = ""  # 健康状况 / 残疾 (internal forms only, never on 公示)
    work_capacity: str = ""
    counted: bool = True  # 共同生活家庭成员
    note: str = ""


@dataclass
class IncomeLine:
    category: str
    item: str = ""
    person: str = ""
    monthly_amount: Decimal | str = ""
    counted: bool = True


@dataclass
class AssetLine:
    kind: str
    description: str = ""
    value: Decimal | str = ""


@dataclass
class OpinionLine:
    step: str  # e.g. 乡镇初审意见
    text: str = ""
    signer: str = ""
    date: dt.date | None = None


@dataclass
class ApprovalFormData:
    case_number: str
    programme: str
    township: str
    village: str
    applicant: str
    applicant_id: str = ""
    phone: str = ""
    address: str = ""
    channel: str = ""
    received_on: dt.date | None = None
    rule_set: str = ""
    reason: str = ""
    members: list[MemberLine] = field(default_factory=list)
    incomes: list[IncomeLine] = field(default_factory=list)
    assets: list[AssetLine] = field(default_factory=list)
    per_capita_income: Decimal | str = ""
    standard: Decimal | str = ""
    covered_persons: int | str = ""
    proposed_amount: Decimal | str = ""
    calculation: str = ""  # the rules' explanation
    findings: str = ""  # 入户调查 conclusion
    flags: list[str] = field(default_factory=list)  # 近亲属备案, 有异议, 抽查样本 …
    opinions: list[OpinionLine] = field(default_factory=list)  # signed boxes (乡镇初审, 县级审核确认)
    history: list[OpinionLine] = field(default_factory=list)  # every step taken (审批留痕)


@dataclass
class NeighbourLine:
    name: str
    relation: str = ""
    statement: str = ""


@dataclass
class SurveyFormData:
    case_number: str
    programme: str
    township: str
    village: str
    applicant: str
    visited_on: dt.date | None
    investigators: tuple[str, str]
    address: str = ""
    by_county: bool = False
    members: list[MemberLine] = field(default_factory=list)
    incomes: list[IncomeLine] = field(default_factory=list)
    assets: list[AssetLine] = field(default_factory=list)
    living_conditions: str = ""
    neighbours: list[NeighbourLine] = field(default_factory=list)
    findings: str = ""
    signed: tuple[bool, bool, bool] = (False, False, False)  # investigator 1, investigator 2, applicant


@dataclass
class RefusalNoticeData:
    case_number: str
    applicant: str
    programme: str
    received_on: dt.date | None
    decided_on: dt.date
    reasons: str
    issuer: str = "南平市延平区民政局"
    # 行政复议 within 60 days (行政复议法 第二十条), 行政诉讼 within 6 months (行政诉讼法 第四十六条) [M].
    review_body: str = "南平市延平区人民政府"
    review_days: int = 60
    court: str = "南平市延平区人民法院"
    litigation_months: int = 6
    contact: str = ""


@dataclass
class PublicityNoticeData:
    village: str
    township: str
    start_date: dt.date
    end_date: dt.date
    rows: list[dict[str, Any]]
    kind: str = "初审公示"
    objection_to: str = ""  # where objections go (the township office)
    issuer: str = ""
    note: str = ""


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """Only the permitted 公示 fields of a row, whatever else the caller put in it."""
    return {k: row.get(k, "") for k in PUBLIC_FIELDS}
