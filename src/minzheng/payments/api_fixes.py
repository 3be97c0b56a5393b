"""REST API for what the pre-flight check finds and how it is fixed: blocking lines, allowed actions, holds and
releases, the 补充花名册, payee details, work-fund spending and the monthly fund report. Same services and scoping
as the pages; on the payments router."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import File, Form, Schema
from ninja.files import UploadedFile

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, filebounds, inputs, workflow
from minzheng.core.scoping import get_visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry.models import Person

from . import facts, fund_report, holds, payee_sync, preflight, services, spending, supplements
from .api_router import router
from .engine import parse_month
from .models import Payroll, PayrollLine


class PreflightOut(Schema):
    payroll_id: int
    status: str
    blocking_count: int
    held_count: int
    held_total: Decimal
    payable_total: Decimal
    blocking: list[dict[str, Any]]
    unrostered: list[dict[str, Any]]
    # What the user may do with the roster now (core.workflow: the same offers as the page).
    actions: list[str]


def _actions(p: Payroll, user: Any) -> list[str]:
    return sorted(workflow.allowed_actions(p, user))


def _preflight(p: Payroll, user: Any) -> PreflightOut:
    blocked = preflight.blocking([p.pk])
    return PreflightOut(payroll_id=p.pk, status=p.status, blocking_count=len(blocked), held_count=p.held_count,
                        held_total=p.held_total, payable_total=p.payable_total,
                        blocking=[b.as_dict() for b in blocked],
                        unrostered=[u.as_dict() for u in preflight.unrostered(p.month, [p])],
                        actions=_actions(p, user))


def _roster(request: AuthedRequest, payroll_id: int) -> Payroll:
    return get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id)


@router.get("/payrolls/{payroll_id}/preflight", response=PreflightOut)
def payroll_preflight(request: AuthedRequest, payroll_id: inputs.RecordId) -> PreflightOut:
    """发放前检查：不能发放的明细（原因和处理办法）、因户主死亡未造册的家庭、当前可做的操作。"""
    return _preflight(_roster(request, payroll_id), request.user)


class HoldIn(Schema):
    enrollment_ids: list[inputs.Ref]
    reason: str


def _body(request: AuthedRequest, schema: type[Schema]) -> Any:
    """Bodies of record-addressing routes are read after the jurisdiction check, so an outsider gets 404, not 400."""
    import json

    from pydantic import ValidationError as BadBody

    try:
        return schema.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, BadBody) as exc:
        raise ValidationError(f"请求内容无效：{exc}") from None


def _doc(schema: type[Schema]) -> dict[str, Any]:
    return {"requestBody": {"content": {"application/json": {"schema": schema.json_schema()}}}}


@router.post("/payrolls/{payroll_id}/hold", response=PreflightOut, openapi_extra=_doc(HoldIn))
def hold(request: AuthedRequest, payroll_id: inputs.RecordId) -> PreflightOut:
    p = _roster(request, payroll_id)
    body = _body(request, HoldIn)
    holds.hold(payroll=p, user=request.user, enrollment_ids=body.enrollment_ids, reason=body.reason)
    return _preflight(_roster(request, payroll_id), request.user)


@router.post("/payrolls/{payroll_id}/hold-blocked", response=PreflightOut)
def hold_blocked(request: AuthedRequest, payroll_id: inputs.RecordId) -> PreflightOut:
    """把发放前检查未通过的明细全部挂起（原因自动填写），其余照常发放。"""
    p = _roster(request, payroll_id)
    holds.hold_blocked(payroll=p, user=request.user)
    return _preflight(_roster(request, payroll_id), request.user)


class ReleaseOut(Schema):
    line_id: int
    released: int
    status: str


@router.post("/lines/{payline_id}/release", response=ReleaseOut)
def release(request: AuthedRequest, payline_id: inputs.RecordId) -> ReleaseOut:
    """解除挂起：草稿中恢复发放；已审批的花名册中须领款信息已补正，在下月或补充花名册中补发。"""
    line = get_visible(PayrollLine.objects.select_related("payroll", "enrollment__household"), request.user,
                       pk=payline_id)
    n = holds.release(line=line, user=request.user)
    line.refresh_from_db()
    return ReleaseOut(line_id=line.pk, released=n, status=line.status)


@router.post("/payrolls/{payroll_id}/supplement", response=PreflightOut)
def supplement(request: AuthedRequest, payroll_id: inputs.RecordId) -> PreflightOut:
    """生成（或重建）本月补充花名册：已解除挂起和发放失败的款项按当前领款信息补发。"""
    sup = supplements.generate(payroll=_roster(request, payroll_id), user=request.user)
    return _preflight(_roster(request, sup.pk), request.user)


class DiffOut(Schema):
    line_id: int
    payroll_id: int
    payroll: str
    status: str
    changes: list[list[str]]


def _person(request: AuthedRequest, person_id: int) -> Person:
    need_cap(request, Cap.VIEW_BUSINESS)
    return get_visible(Person, request.user, pk=person_id)


@router.get("/payees/{person_id}/sync", response=list[DiffOut])
def payee_pending(request: AuthedRequest, person_id: inputs.RecordId) -> list[DiffOut]:
    """未发放花名册中仍是旧领款信息的明细及差异（账号、身份证号已脱敏）。"""
    return [DiffOut(line_id=d.line.pk, payroll_id=d.line.payroll_id, payroll=d.line.payroll.title,
                    status=d.line.payroll.status, changes=[list(c) for c in d.shown()])
            for d in payee_sync.pending(_person(request, person_id))]


class SyncIn(Schema):
    line_ids: list[inputs.Ref] | None = None


@router.post("/payees/{person_id}/sync", response=dict[str, int], openapi_extra=_doc(SyncIn))
def payee_apply(request: AuthedRequest, person_id: inputs.RecordId) -> dict[str, int]:
    person = _person(request, person_id)
    body = _body(request, SyncIn)
    return {"updated": payee_sync.apply(person=person, user=request.user, line_ids=body.line_ids)}


class SpendingOut(Schema):
    id: int
    township: str
    township_name: str
    category: str
    amount: Decimal
    spent_date: dt.date | None
    voucher_no: str
    note: str
    has_attachment: bool


@router.get("/funds/spending", response=list[SpendingOut])
def spending_list(request: AuthedRequest, year: inputs.OptionalYear = None) -> list[SpendingOut]:
    need_cap(request, Cap.VIEW_BUSINESS)
    return [SpendingOut(id=e.pk, township=e.township.code, township_name=e.township.name, category=e.category,
                        amount=e.amount, spent_date=e.spent_date, voucher_no=e.voucher_no, note=e.note,
                        has_attachment=bool(e.attachment))
            for e in spending.entries(request.user, year=year or dates.today().year)[:2000]]


@router.post("/funds/spending", response=SpendingOut,
             openapi_extra={"description": "multipart/form-data：township（乡镇区划代码）、category、amount、spent_date、"
                                           "voucher_no、note、attachment（凭证附件，可选）"})
def spending_add(request: AuthedRequest, township: Form[str], category: Form[str], amount: Form[str],
                 spent_date: Form[dt.date], voucher_no: Form[str], note: Form[str] = "",
                 attachment: File[UploadedFile] | None = None) -> SpendingOut:
    need_cap(request, Cap.EDIT_BUSINESS)
    town = visible_divisions(request.user).filter(level=Level.TOWNSHIP, code=township).first()
    if town is None:
        raise ValidationError({"township": "乡镇(街道)不在您的辖区内"})
    if attachment is not None:
        filebounds.check_upload(attachment, "attachment")
    e = spending.record_spending(user=request.user, township=town, category=category, amount=amount,
                                 spent_date=spent_date, voucher_no=voucher_no, note=note, attachment=attachment)
    return SpendingOut(id=e.pk, township=town.code, township_name=town.name, category=e.category, amount=e.amount,
                       spent_date=e.spent_date, voucher_no=e.voucher_no, note=e.note, has_attachment=bool(e.attachment))


@router.get("/funds/report", response=dict[str, Any])
def report(request: AuthedRequest, month: inputs.Month, township: str = "") -> dict[str, Any]:
    """资金月报：按资金来源，期初结余 + 下达 − (发放 − 银行退回) − 支出 = 期末结余，精确到分；花名册记账核对。"""
    need_cap(request, Cap.VIEW_BUSINESS)
    town = None
    if township:
        town = visible_divisions(request.user).filter(level=Level.TOWNSHIP, code=township).first()
        if town is None:
            raise ValidationError({"township": "乡镇(街道)不在您的辖区内"})
    if not month:
        raise ValidationError({"month": "请填写月份 YYYY-MM"})
    r = fund_report.monthly(request.user, month=parse_month(month), township=town)

    def line(x: fund_report.Line) -> dict[str, Any]:
        return {"fund": x.fund, "fund_name": x.fund_name, **{k: str(getattr(x, k)) for k in (
            "opening", "allocated", "disbursed", "refunded", "spent", "closing", "difference")}, "ok": x.ok}

    return {"month": f"{r.month:%Y-%m}", "scope": r.scope, "ok": r.ok,
            "sources": [{"source": b.source, "label": b.label, "lines": [line(x) for x in b.lines],
                         "total": line(b.total)} for b in r.blocks],
            "rosters": [{"payroll_id": c.payroll.pk, "payroll": c.payroll.title, "payable": str(c.payable),
                         "booked": str(c.booked), "ok": c.ok} for c in r.rosters]}



@router.get("/allowances/facts-missing", response=list[dict[str, Any]])
def facts_missing(request: AuthedRequest) -> list[dict[str, Any]]:
    """津贴补贴缺认定信息：在保但决定待遇的认定信息（残疾等级、长期照护、优抚类别…）尚未登记的对象，按乡镇。"""
    need_cap(request, Cap.VIEW_BUSINESS)
    return [{"township": m.township, "village": m.village, "person_id": m.person.pk, "name": m.person.name,
             "programme": m.programme, "missing": m.what} for m in facts.missing(request.user)]
