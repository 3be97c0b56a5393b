"""A4 PDF documents of social assistance, CJK font embedded (minzheng.core.pdf.Document):

- 申请审批表 (application and approval form): household members, income, assets, the rules' calculation, survey
  findings, the township / county opinions with signature boxes;
- 入户调查表 (home-visit survey form): two named investigators and the applicant sign;
- 不予批准告知书 (refusal notice): written reasons and the applicant's rights of 行政复议 / 行政诉讼;
- 公示 notice for the village board: the permitted fields only (policy-rules.md §1.4, §10.3).

Renderers take plain dataclasses (`ApprovalFormData`, `SurveyFormData`, `RefusalNoticeData`,
`PublicityNoticeData`) and return PDF bytes, so any app can call them. `approval_form(obj)`, `survey_form(obj)`,
`refusal_notice(obj)` and `publicity_notice(obj)` also accept the assistance models (Application, Investigation,
RefusalNotice, Publicity) and only read them. `record_print(...)` audits a print (audit.services.record_output).

Public API (stable):

    render_approval_form(data: ApprovalFormData) -> bytes
    render_survey_form(data: SurveyFormData) -> bytes
    render_refusal_notice(data: RefusalNoticeData) -> bytes
    render_publicity_notice(data: PublicityNoticeData) -> bytes
    approval_form(obj: Application | ApprovalFormData, *, sensitive: bool = False) -> bytes
    survey_form(obj: Investigation | Application | SurveyFormData, *, sensitive: bool = False) -> bytes
    refusal_notice(obj: RefusalNotice | Application | RefusalNoticeData) -> bytes
    publicity_notice(obj: Publicity | PublicityNoticeData | Sequence[Publicity]) -> bytes
    approval_form_data(app, *, sensitive=False) -> ApprovalFormData       (model → plain data; reads only)
    survey_form_data(obj, *, sensitive=False) -> SurveyFormData
    refusal_notice_data(obj) -> RefusalNoticeData
    publicity_notice_data(obj) -> PublicityNoticeData
    public_row(row: dict) -> dict                                         (only the permitted 公示 fields)
    record_print(what: str, *, count: int = 1, division_code: str = "", detail: Any = None) -> None
    printed(render: Callable[[T], bytes], data: T, *, what: str, count: int = 1, division_code: str = "") -> bytes

`data.py` holds the dataclasses, `render.py` the layouts, `gather.py` reads the models; this module joins them and
audits prints. `sensitive=False` masks ID numbers and phones (registry.masking); pass `can_see_sensitive(user)` for
staff who may see them in full.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .data import (
    PUBLIC_FIELDS,
    ApprovalFormData,
    AssetLine,
    IncomeLine,
    MemberLine,
    NeighbourLine,
    OpinionLine,
    PublicityNoticeData,
    RefusalNoticeData,
    SurveyFormData,
    public_row,
)
from .gather import approval_form_data, publicity_notice_data, refusal_notice_data, survey_form_data
from .render import render_approval_form, render_publicity_notice, render_refusal_notice, render_survey_form

__all__ = [
    "PUBLIC_FIELDS",
    "ApprovalFormData",
    "AssetLine",
    "IncomeLine",
    "MemberLine",
    "NeighbourLine",
    "OpinionLine",
    "PublicityNoticeData",
    "RefusalNoticeData",
    "SurveyFormData",
    "approval_form",
    "approval_form_data",
    "printed",
    "public_row",
    "publicity_notice",
    "publicity_notice_data",
    "record_print",
    "refusal_notice",
    "refusal_notice_data",
    "render_approval_form",
    "render_publicity_notice",
    "render_refusal_notice",
    "render_survey_form",
    "survey_form",
    "survey_form_data",
]


T = TypeVar("T")


def approval_form(obj: Any, *, sensitive: bool = False) -> bytes:
    """申请审批表 of an Application (or of ready data)."""
    data = obj if isinstance(obj, ApprovalFormData) else approval_form_data(obj, sensitive=sensitive)
    return render_approval_form(data)


def survey_form(obj: Any, *, sensitive: bool = False) -> bytes:
    """入户调查表 of an Investigation, an Application's latest survey (or a blank form), or ready data."""
    data = obj if isinstance(obj, SurveyFormData) else survey_form_data(obj, sensitive=sensitive)
    return render_survey_form(data)


def refusal_notice(obj: Any) -> bytes:
    """不予批准告知书 of a RefusalNotice or an Application with one (or of ready data)."""
    data = obj if isinstance(obj, RefusalNoticeData) else refusal_notice_data(obj)
    return render_refusal_notice(data)


def publicity_notice(obj: Any) -> bytes:
    """公示 notice of one Publicity, several of one village, or ready data."""
    data = obj if isinstance(obj, PublicityNoticeData) else publicity_notice_data(obj)
    return render_publicity_notice(data)


def record_print(what: str, *, count: int = 1, division_code: str = "", detail: Any = None) -> None:
    """Every print is audited (audit.services.record_output("print", ...))."""
    from minzheng.audit.services import record_output

    record_output("print", what=what, count=count, division_code=division_code, detail=detail)


def printed(render: Callable[[T], bytes], data: T, *, what: str, count: int = 1, division_code: str = "") -> bytes:
    """Render and audit in one call: `printed(refusal_notice, notice, what="不予批准告知书 …")`."""
    pdf = render(data)
    record_print(what, count=count, division_code=division_code)
    return pdf
