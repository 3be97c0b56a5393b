"""Changing cases: typed, keyword-only actions, each atomic and audited (model signals) with an Opinion row.

Amounts come from the rules (assessment.py → the `rules` package) and the Decision, with its parameter versions, is
stored on the case, the Opinion and the Enrollment. One module per step of the procedure:

    transitions.py      locking, version check, state/jurisdiction/capability check, the Opinion row
    intake.py           受理, numbering, assigning, withdrawal
    kinship.py          近亲属备案 and flagging cases
    investigation.py    入户调查 (with the income/asset snapshot) and 信息核对
    township_review.py  民主评议, the rules' assessment, 乡镇初审意见
    publicity.py        公示: posting, taking down, the daily sweep
    objections.py       公示异议: submitting and handling
    refusal.py          不予批准 and the refusal notice
    sampling.py         县级入户核查: who is visited, the sample draw, recording the visit
    approval.py         审核确认: who confirms, county review, approval and the Enrollment, return to township
    dynamic.py          终止特困供养 (termination case) and ending the enrollment
    review.py           复核: review schedules and reviewing an enrollment (增发/减发/渐退/停发)

Callers use the package: `from minzheng.assistance import services; services.create_application(...)`.
"""

from __future__ import annotations

from .approval import confirm_level, county_approve, county_return
from .dynamic import propose_termination
from .intake import CASE_PROGRAMMES, PREFIX, assign, create_application, withdraw
from .investigation import (
    add_check_result,
    asset_snapshot,
    complete_checks,
    income_snapshot,
    record_investigation,
    start_investigation,
)
from .kinship import flag_kinship, kin_relation_labels, register_kinship
from .objections import client_hash, handle_objection, submit_objection
from .publicity import active_publicity, end_publicity, sweep
from .refusal import county_refuse, issue_refusal_notice, township_refuse
from .review import classify, ensure_schedule, review_enrollment, review_interval
from .sampling import draw, record_spot_check
from .township_review import assess, record_review, township_opinion
from .transitions import workflow_open

__all__ = [
    "CASE_PROGRAMMES",
    "PREFIX",
    "active_publicity",
    "add_check_result",
    "assess",
    "asset_snapshot",
    "assign",
    "classify",
    "client_hash",
    "complete_checks",
    "confirm_level",
    "county_approve",
    "county_refuse",
    "county_return",
    "create_application",
    "draw",
    "end_publicity",
    "ensure_schedule",
    "flag_kinship",
    "handle_objection",
    "income_snapshot",
    "issue_refusal_notice",
    "kin_relation_labels",
    "propose_termination",
    "record_investigation",
    "record_review",
    "record_spot_check",
    "register_kinship",
    "review_enrollment",
    "review_interval",
    "start_investigation",
    "submit_objection",
    "sweep",
    "township_opinion",
    "township_refuse",
    "withdraw",
    "workflow_open",
]
