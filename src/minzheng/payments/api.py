"""REST API for payrolls, funds and allowances: the same services and scoping as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Schema, Status

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import dates, filebounds, inputs
from minzheng.core.api import JobOut
from minzheng.core.scoping import get_visible, visible
from minzheng.registry.masking import shown
from minzheng.registry.models import Programme

from . import (
    allowances,
    api_fixes,  # noqa: F401  (its routes register on the same router)
    bankfiles,
    funds,
    services,
)
from .api_router import router
from .engine import parse_month
from .models import BankFileLayout, Payroll, PayrollLine

_need = need_cap


class PayrollOut(Schema):
    id: int
    programme: str
    programme_name: str
    township: str
    township_name: str
    month: str
    status: str
    line_count: int
    total: Decimal
    prepared_by: str | None
    approved_by: str | None
    kinds: dict[str, Any]
    held_count: int
    held_total: Decimal
    payable_total: Decimal
    supplement_of: int | None


def _out(p: Payroll) -> PayrollOut:
    return PayrollOut(id=p.pk, programme=p.programme.code, programme_name=p.programme.name, township=p.township.code,
                      township_name=p.township.name, month=f"{p.month:%Y-%m}", status=p.status,
                      line_count=p.line_count, total=p.total,
                      prepared_by=p.prepared_by.username if p.prepared_by else None,
                      approved_by=p.approved_by.username if p.approved_by else None,
                      kinds=p.snapshot.get("kinds", {}), held_count=p.held_count, held_total=p.held_total,
                      payable_total=p.payable_total, supplement_of=p.supplement_of_id)


class LineOut(Schema):
    id: int
    village: str
    payee_name: str
    id_number: str
    bank_account: str
    kind: str
    period_month: str
    amount: Decimal
    covered_persons: int
    status: str
    amount_version_id: int | None
    problem: str
    hold_reason: str
    enrollment_id: int


@router.get("/payrolls", response=list[PayrollOut])
def payrolls(request: AuthedRequest, month: inputs.Month = "", status: str = "") -> list[PayrollOut]:
    _need(request, Cap.VIEW_BUSINESS)
    qs = services.payrolls_for(request.user)
    if month:
        qs = qs.filter(month=parse_month(month))
    if status:
        qs = qs.filter(status=status)
    return [_out(p) for p in qs.order_by("-month", "township__code", "programme__order")[:1000]]


class GenerateIn(Schema):
    month: str
    programme: str | None = None
    township: str | None = None


# Before /payrolls/{payroll_id}: "generate" would otherwise be read as an id.
@router.post("/payrolls/generate", response={202: JobOut})
def generate(request: AuthedRequest, body: GenerateIn) -> Status:
    """Queue the month's roster generation for the worker process (a county's month is a heavy job, never run in
    the web process). Answers 202 with the job: poll `GET /api/core/tasks/{id}` until `status` is `done`; its
    `result` lists the rosters (`payrolls`), `lines`, `total` and `blocking_lines`. What would be refused (a future
    month, a township outside your jurisdiction, an unknown programme) is refused here, with nothing queued."""
    _need(request, Cap.EDIT_BUSINESS)
    from minzheng.core.worker import services as worker
    from minzheng.regions.models import Division

    errors: dict[str, list[str]] = {}
    prog = town = None
    if body.programme:
        prog = Programme.objects.filter(code=body.programme).first()
        if prog is None:
            errors["programme"] = [f"未知的救助项目：{body.programme}"]
    if body.township:
        town = Division.objects.filter(code=body.township).first()
        if town is None:
            errors["township"] = [f"未知的乡镇(街道)代码：{body.township}"]
    if errors:
        raise ValidationError(errors)
    month = parse_month(body.month)
    services.check_generate(month=month, user=request.user, township=town)
    job = worker.submit("payments.generate", user=request.user, reuse_live=True,
                        params={"month": f"{month:%Y-%m}", "programme_id": prog.pk if prog else None,
                                "township_id": town.pk if town else None},
                        title=f"生成 {month:%Y-%m} 花名册" + (f"（{town.name}）" if town else ""))
    return Status(202, worker.as_dict(job))


@router.get("/payrolls/{payroll_id}", response=PayrollOut)
def payroll(request: AuthedRequest, payroll_id: inputs.RecordId) -> PayrollOut:
    return _out(get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id))


@router.get("/payrolls/{payroll_id}/lines", response=list[LineOut])
def lines(request: AuthedRequest, payroll_id: inputs.RecordId, offset: inputs.Offset = 0,
          limit: Annotated[int, inputs.limit(5000)] = 500) -> list[LineOut]:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    qs = visible(PayrollLine, request.user).filter(payroll=p).select_related("village").order_by("id")
    u = request.user
    return [LineOut(id=x.pk, village=x.village.name, payee_name=x.payee_name, id_number=shown(u, x.id_number, "id"),
                    bank_account=shown(u, x.bank_account, "account"), kind=x.kind, period_month=f"{x.period_month:%Y-%m}",
                    amount=x.amount, covered_persons=x.covered_persons, status=x.status,
                    amount_version_id=x.amount_version_id, problem=x.problem, hold_reason=x.hold_reason,
                    enrollment_id=x.enrollment_id) for x in qs[offset:offset + limit]]


class ReasonIn(Schema):
    reason: str


@router.post("/payrolls/{payroll_id}/prepare", response=PayrollOut)
def prepare(request: AuthedRequest, payroll_id: inputs.RecordId) -> PayrollOut:
    p = get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id)
    return _out(services.prepare(payroll=p, user=request.user))


@router.post("/payrolls/{payroll_id}/approve", response=PayrollOut)
def approve(request: AuthedRequest, payroll_id: inputs.RecordId) -> PayrollOut:
    p = get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id)
    services.approve(payroll=p, user=request.user)
    return _out(services.payrolls_for(request.user).get(pk=p.pk))


def _json_body(request: AuthedRequest) -> dict[str, Any]:
    """Bodies of record-addressing routes are read after the jurisdiction check, so an outsider gets 404, not 400."""
    import json

    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


@router.post("/payrolls/{payroll_id}/send-back", response=PayrollOut,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": ReasonIn.json_schema()}}}})
def send_back(request: AuthedRequest, payroll_id: inputs.RecordId) -> PayrollOut:
    p = get_visible(services.payrolls_for(request.user), request.user, pk=payroll_id)
    reason = str(_json_body(request).get("reason") or request.POST.get("reason") or "")
    return _out(services.send_back(payroll=p, user=request.user, reason=reason))


class LayoutIn(Schema):
    layout: str = "csv_gbk"


@router.post("/payrolls/{payroll_id}/bankfile",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": LayoutIn.json_schema()}}}})
def bankfile(request: AuthedRequest, payroll_id: inputs.RecordId) -> HttpResponse:
    p = get_visible(Payroll, request.user, pk=payroll_id)
    code = str(_json_body(request).get("layout") or request.POST.get("layout") or "csv_gbk")
    layout = BankFileLayout.objects.filter(code=code).first()
    if layout is None:

        raise ValidationError({"layout": "未知银行文件格式"})
    name, data = bankfiles.export(payroll=p, user=request.user, layout=layout)
    from urllib.parse import quote

    resp = HttpResponse(data, content_type="application/octet-stream")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


class ReturnOut(Schema):
    payroll_id: int
    rows: int
    failed: int
    total: Decimal


@router.post("/payrolls/{payroll_id}/bank-return", response=ReturnOut,
             openapi_extra={"description": "multipart/form-data：file（回盘文件）、layout（文件格式代码，默认 csv_gbk）"})
def bank_return(request: AuthedRequest, payroll_id: inputs.RecordId) -> ReturnOut:

    p = get_visible(Payroll, request.user, pk=payroll_id)
    lay = BankFileLayout.objects.filter(code=request.POST.get("layout") or "csv_gbk").first()
    if lay is None:
        raise ValidationError({"layout": "未知银行文件格式"})
    file = request.FILES.get("file")
    if file is None:
        raise ValidationError({"file": "请上传回盘文件"})
    filebounds.check_upload(file)
    br = bankfiles.import_return(data=file.read(), file_name=file.name or "return", user=request.user, layout=lay,
                                 payroll=p)
    return ReturnOut(payroll_id=p.pk, rows=br.rows, failed=br.failed, total=br.total)


class LedgerOut(Schema):
    fund: str
    fund_name: str
    source: str
    township: str
    township_name: str
    budget: Decimal
    allocated: Decimal
    disbursed: Decimal
    expense: Decimal
    balance: Decimal


@router.get("/funds/ledger", response=list[LedgerOut])
def ledger(request: AuthedRequest, year: inputs.OptionalYear = None) -> list[LedgerOut]:
    _need(request, Cap.VIEW_BUSINESS)
    return [LedgerOut(fund=r.fund, fund_name=r.fund_name, source=r.source, township=r.township,
                      township_name=r.township_name, budget=r.budget, allocated=r.allocated, disbursed=r.disbursed,
                      expense=r.expense, balance=r.balance)
            for r in funds.ledger(request.user, year=year or dates.today().year)]


@router.get("/funds/alerts", response=list[dict[str, str]])
def fund_alerts(request: AuthedRequest, year: inputs.OptionalYear = None) -> list[dict[str, str]]:
    _need(request, Cap.VIEW_BUSINESS)
    return [{"level": a.level, "text": a.text, "township": a.township}
            for a in funds.alerts(request.user, year=year or dates.today().year)]


class MonthIn(Schema):
    month: str


@router.post("/allowances/refresh", response={202: JobOut})
def allowances_refresh(request: AuthedRequest, body: MonthIn) -> Status:
    """Queue the month's 津贴补贴 核定 for the worker process; answers 202 with the job (poll
    `GET /api/core/tasks/{id}`; its `result` has created/changed/ended/unchanged and the missing facts)."""
    _need(request, Cap.EDIT_BUSINESS)
    from minzheng.core.worker import services as worker

    month = parse_month(body.month)
    allowances.check_refresh(month=month, user=request.user)
    job = worker.submit("payments.allowances", user=request.user, reuse_live=True,
                        params={"month": f"{month:%Y-%m}"}, title=f"{month:%Y-%m} 津贴补贴核定")
    return Status(202, worker.as_dict(job))


@router.get("/allowances/upcoming", response=list[dict[str, Any]])
def allowances_upcoming(request: AuthedRequest, month: inputs.Month = "") -> list[dict[str, Any]]:
    _need(request, Cap.VIEW_BUSINESS)
    m = parse_month(month) if month else dates.today().replace(day=1)
    return [{"person": u.person.name, "village": u.person.household.division.name,
             "id_number": shown(request.user, u.person.id_number, "id"), "birth": str(u.birth),
             "band": u.band.label, "amount": str(u.band.amount)}
            for u in allowances.upcoming_gaoling(month=m, user=request.user)]
