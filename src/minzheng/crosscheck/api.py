"""信息核对 API: dataset kinds and loads, runs, 疑点 and their outcome (same services and scoping as the pages)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticValidationError

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import filebounds, inputs
from minzheng.core.api_errors import ErrorOut
from minzheng.core.scoping import get_visible
from minzheng.registry.masking import can_see_sensitive, mask_id

from . import schemas, services
from .models import CheckRun, Dataset, Finding

router = Router(tags=["信息核对"])


_need = need_cap


class ColumnOut(Schema):
    name: str
    label: str
    type: str
    required: bool


class KindOut(Schema):
    kind: str
    label: str
    department: str
    columns: list[ColumnOut]


class DatasetOut(Schema):
    id: int
    kind: str
    label: str
    version: int
    as_of: dt.date
    rows: int
    file_name: str
    sha256: str
    loaded_by: str


class LoadErrorOut(Schema):
    sheet: str
    row: int
    column: str
    message: str


class LoadOut(Schema):
    ok: bool
    created: bool
    message: str
    dataset: DatasetOut | None = None
    error_count: int
    errors: list[LoadErrorOut]


class RunIn(Schema):
    as_of: inputs.Day | None = None


class RunOut(Schema):
    id: int
    engine: str
    as_of: dt.date
    status: str
    progress: int
    message: str
    recipients: int
    hits: dict[str, int]
    new_findings: int
    updated_findings: int
    unchanged_findings: int
    error: str


class FindingOut(Schema):
    id: int
    rule_code: str
    rule_version: int
    severity: str
    township_code: str
    township: str
    village: str | None
    person_name: str
    id_number: str
    summary: str
    suggested_action: str
    status: str
    deadline: dt.date
    evidence: list[dict[str, Any]]
    computed: dict[str, Any]
    outcome_action: str
    outcome_note: str
    recovered_amount: Decimal | None
    decided_by: str


class OutcomeIn(Schema):
    status: str
    action: str = ""
    note: str = ""
    recovered_amount: inputs.Amount | None = None


def _dataset(d: Dataset) -> DatasetOut:
    return DatasetOut(**{k: v for k, v in services.dataset_dict(d).items() if k in DatasetOut.model_fields})


def _run(r: CheckRun) -> RunOut:
    return RunOut(id=r.pk, engine=r.engine, as_of=r.as_of, status=r.status, progress=r.progress, message=r.message,
                  recipients=r.recipients, hits=r.hits, new_findings=r.new_findings,
                  updated_findings=r.updated_findings, unchanged_findings=r.unchanged_findings, error=r.error)


def _finding(request: AuthedRequest, f: Finding) -> FindingOut:
    sensitive = can_see_sensitive(request.user)

    def mask(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if sensitive:
            return rows
        return [{k: (mask_id(v) if k == "id_number" and isinstance(v, str) else v) for k, v in r.items()}
                for r in rows]

    return FindingOut(
        id=f.pk, rule_code=f.rule_code, rule_version=f.rule_version, severity=f.severity,
        township_code=f.township.code, township=f.township.name, village=f.village.name if f.village else None,
        person_name=f.person_name, id_number=f.id_number if sensitive else mask_id(f.id_number), summary=f.summary,
        suggested_action=f.suggested_action, status=f.status, deadline=f.deadline, evidence=mask(f.evidence),
        computed=f.computed, outcome_action=f.outcome_action, outcome_note=f.outcome_note,
        recovered_amount=f.recovered_amount, decided_by=f.decided_by)


@router.get("/kinds", response=list[KindOut])
def kinds(request: AuthedRequest) -> list[KindOut]:
    _need(request, Cap.VIEW_BUSINESS)
    return [KindOut(kind=s.kind, label=s.label, department=s.department,
                    columns=[ColumnOut(name=c.name, label=c.label, type=c.type, required=c.required)
                             for c in s.columns]) for s in schemas.SCHEMAS.values()]


@router.get("/datasets", response=list[DatasetOut])
def datasets(request: AuthedRequest) -> list[DatasetOut]:
    _need(request, Cap.VIEW_DASHBOARD)
    return [_dataset(d) for d in Dataset.objects.all()[:500]]


# 422: the file's rows (LoadOut), or a malformed request (the shared ErrorOut)
@router.post("/datasets", response={201: LoadOut, 200: LoadOut, 422: LoadOut | ErrorOut})
def load(request: AuthedRequest, kind: Form[str], file: File[UploadedFile],
         as_of: Form[inputs.Day | None] = None) -> Status:
    filebounds.check_upload(file)
    suffix = Path(file.name or "upload.csv").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        res = services.load_dataset(kind=kind, path=path, actor=request.user, as_of=as_of,
                                    file_name=file.name or "")
    body = res.as_dict()
    body["dataset"] = _dataset(res.dataset) if res.dataset else None
    return Status(201 if res.created else 200 if res.ok else 422, LoadOut(**body))


@router.post("/runs", response={202: RunOut})
def start(request: AuthedRequest, body: RunIn) -> Status:
    run = services.start_run(actor=request.user, as_of=body.as_of, background=True)
    return Status(202, _run(run))


@router.get("/runs", response=list[RunOut])
def runs(request: AuthedRequest) -> list[RunOut]:
    _need(request, Cap.VIEW_DASHBOARD)
    return [_run(r) for r in CheckRun.objects.all()[:100]]


@router.get("/runs/{run_id}", response=RunOut)
def run_detail(request: AuthedRequest, run_id: inputs.RecordId) -> RunOut:
    _need(request, Cap.VIEW_DASHBOARD)
    r = CheckRun.objects.filter(pk=run_id).first()
    if r is None:
        raise Http404("核对批次不存在")
    return _run(r)


@router.get("/findings", response=list[FindingOut])
def findings(request: AuthedRequest, township: str = "", rule: str = "", status: str = "", q: str = "",
             limit: Annotated[int, inputs.limit(1000)] = 100, offset: inputs.Offset = 0) -> list[FindingOut]:
    _need(request, Cap.VIEW_BUSINESS)
    qs = services.findings_for(request.user, township=township, rule=rule, status=status, q=q)
    return [_finding(request, f) for f in qs[offset:offset + limit]]


@router.get("/findings/{finding_id}", response=FindingOut)
def finding(request: AuthedRequest, finding_id: inputs.RecordId) -> FindingOut:
    _need(request, Cap.VIEW_BUSINESS)
    f = get_visible(Finding.objects.select_related("township", "village"), request.user, pk=finding_id)
    return _finding(request, f)


@router.post("/findings/{finding_id}/outcome", response=FindingOut, openapi_extra={"requestBody": {
    "content": {"application/json": {"schema": OutcomeIn.model_json_schema()}}}})
def outcome(request: AuthedRequest, finding_id: inputs.RecordId) -> FindingOut:
    # Jurisdiction first: another township gets 404 whatever it sends, never a validation message.
    f = get_visible(Finding.objects.select_related("township", "village"), request.user, pk=finding_id)
    try:
        body = OutcomeIn.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, PydanticValidationError) as exc:
        raise ValidationError(f"请求内容无效：{exc}") from None
    f = services.record_outcome(f, actor=request.user, status=body.status, action=body.action, note=body.note,
                                recovered_amount=body.recovered_amount)
    return _finding(request, f)


@router.get("/summary")
def summary(request: AuthedRequest) -> dict[str, Any]:
    _need(request, Cap.VIEW_DASHBOARD)
    s = services.summary_for(request.user)
    return {"total": s.total, "townships": s.rows, "rules": s.rules}
