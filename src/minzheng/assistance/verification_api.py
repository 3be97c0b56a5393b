"""API of 存量核查 (/api/assistance/ledger-checks): the same service and scoping as the page."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema

from minzheng.accounts.actor import AuthedRequest
from minzheng.accounts.decorators import need_cap
from minzheng.accounts.roles import Cap
from minzheng.core import inputs
from minzheng.core.scoping import get_visible

from .models import CheckStatus, LedgerCheck
from .services import verification


def _out(c: LedgerCheck) -> dict[str, Any]:
    return {"id": c.pk, "enrollment_id": c.enrollment_id, "programme": c.enrollment.programme.code,
            "household_id": c.enrollment.household_id, "source_ref": c.source_ref,
            "imported_amount": str(c.imported_amount), "imported_covered": c.imported_covered,
            "engine_eligible": c.engine_eligible, "engine_amount": str(c.engine_amount),
            "engine_covered": c.engine_covered, "outcome": c.outcome, "flags": c.flags,
            "explanation": c.explanation, "status": c.status, "reason": c.reason,
            "application_id": c.application_id}


class DecideIn(Schema):
    action: Literal["keep", "correct", "review"]
    reason: str = ""


def register(router: Any, body: Any, doc: Any) -> None:
    """Mount the operations on the assistance router (api.py passes its body parser and schema helper)."""

    @router.get("/ledger-checks")
    def ledger_checks(request: AuthedRequest, status: str = "pending") -> dict[str, Any]:
        need_cap(request, Cap.VIEW_BUSINESS)
        wanted = status if status in CheckStatus.values else None
        rows = verification.checks(request.user, status=wanted)[:1000]
        return {"summary": verification.summary(request.user), "checks": [_out(c) for c in rows]}

    @router.post("/ledger-checks/confirm")
    def ledger_confirm(request: AuthedRequest) -> dict[str, Any]:
        need_cap(request, Cap.PROCESS_CASES)
        return {"confirmed": verification.confirm_matches(user=request.user)}

    @router.post("/ledger-checks/{ledger_check_id}/decide", openapi_extra=doc(DecideIn))
    def ledger_decide(request: AuthedRequest, ledger_check_id: inputs.RecordId) -> dict[str, Any]:
        need_cap(request, Cap.PROCESS_CASES)
        check = get_visible(LedgerCheck, request.user, pk=ledger_check_id)
        got = body(request, DecideIn)
        return _out(verification.decide(check, user=request.user, action=got.action, reason=got.reason))
