"""Township and village reports (灾情报告): drafts, 报送 against the rules, and approval by the level above."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minzheng.accounts.actor import Principal
from minzheng.accounts.roles import Cap
from minzheng.core.scoping import in_scope, require_division, require_edit
from minzheng.regions.models import Division, Level

from .. import indicators, rules
from ..models import Event, EventStatus, Report, ReportStatus, Round, RoundKind
from .events import _now, _reporting_divisions, affected_townships
from .registers import register_counts
from .validation_rules import active_rules, rules_version


@transaction.atomic
def open_report(*, actor: Principal, round: Round, division: Division) -> Report:
    """The division's report for this round (created as a draft the first time)."""
    require_division(actor, division)
    if division.pk not in _reporting_divisions(round.event):
        raise ValidationError("该区划不在本次灾害的受灾范围内")
    if division.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError("灾情报告由乡镇(街道)或村(社区)填报，区级数据由汇总生成")
    report, created = Report.objects.get_or_create(round=round, division=division,
                                                   defaults={"event": round.event})
    if created and round.kind != RoundKind.INITIAL:
        prev = previous_report(report)
        if prev is not None:  # figures are cumulative: start from the last report
            report.values = dict(prev.values)
            report.save(update_fields=["values"])
    return report


def previous_report(report: Report) -> Report | None:
    return (Report.objects.filter(event=report.event, division=report.division,
                                  status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
                                  round__as_of__lt=report.round.as_of)
            .exclude(pk=report.pk).order_by("-round__as_of").first())


def village_total(report: Report) -> tuple[dict[str, str], int]:
    """Sum of the approved village reports under a township report, and how many there are."""
    rows = list(Report.objects.filter(round=report.round, division__parent=report.division,
                                      division__level=Level.VILLAGE, status=ReportStatus.APPROVED)
                .values_list("values", flat=True))
    return indicators.total(rows), len(rows)


def validate(report: Report, values: dict[str, str] | None = None, explanation: str | None = None) -> rules.Outcome:
    """Run every active rule on these figures (the form's on-change check, submission and the API alike)."""
    values = report.values if values is None else values
    explanation = report.explanation if explanation is None else explanation
    prev = previous_report(report)
    extra: dict[str, Any] = {}
    if report.division.level == Level.TOWNSHIP:
        tot, n = village_total(report)
        if n:
            extra = {f"villages.{c}": v for c, v in tot.items()}
    env = rules.build_env(values, prev=prev.values if prev else None,
                          register=register_counts(report.event, report.division),
                          explained=bool((explanation or "").strip()), extra=extra)
    return rules.check(active_rules(), env, kind=report.round.kind)


def _lock(report: Report) -> None:
    """Lock the row and reload the caller's instance, so it sees (and keeps) the committed state."""
    Report.objects.select_for_update().filter(pk=report.pk).exists()
    report.refresh_from_db()


def _editable(report: Report) -> None:
    if report.locked:
        raise ValidationError("核报已审核锁定，数字不能再修改")
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError("报告已报送，如需修改请由上级退回")


@transaction.atomic
def save_report(*, actor: Principal, report: Report, values: Mapping[str, object], explanation: str = "",
                nil: bool = False, from_villages: bool = False) -> rules.Outcome:
    """Save a draft (drafts may still fail rules; submission may not). Returns the rule outcome."""
    require_edit(actor, report)
    _lock(report)
    _editable(report)
    cleaned, errors = indicators.clean_values(values)
    if errors:
        raise ValidationError(errors)
    if nil:
        prev = previous_report(report)
        cleaned = dict(prev.values) if prev else {}
    if from_villages:
        if report.division.level != Level.TOWNSHIP:
            raise ValidationError("只有乡镇(街道)报告可以由村级汇总")
        cleaned, _n = village_total(report)
    report.values, report.explanation, report.nil, report.from_villages = cleaned, explanation, nil, from_villages
    report.save()
    return validate(report)


@transaction.atomic
def submit_report(*, actor: Principal, report: Report, now: dt.datetime | None = None) -> rules.Outcome:
    """报送: refused with the rules' Chinese messages while any error remains; warnings travel with it."""
    now = _now(now)
    require_edit(actor, report)
    _lock(report)
    _editable(report)
    if report.from_villages:
        report.values, _n = village_total(report)
    outcome = validate(report)
    if outcome.errors:
        raise ValidationError(_error_dict(outcome))
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, now, actor.username
    report.warnings = [f.as_dict() for f in outcome.warnings]
    report.return_reason = ""
    report.decided_under = {"rules": rules_version(), "on_time": report.on_time,
                            "due_at": report.round.due_at.isoformat()}
    report.save()
    return outcome


def _error_dict(outcome: rules.Outcome) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in outcome.errors:
        key = f.fields[0] if f.fields else "__all__"
        out.setdefault(key, []).append(f.message)
    return out


def approver_cap(division: Division) -> str:
    """Approval by the next level (DHIS2 approval levels): the township checks its villages (any editor there),
    the district approves townships (审批权限)."""
    return Cap.EDIT_BUSINESS if division.level == Level.VILLAGE else Cap.APPROVE


def can_approve(user: Principal, report: Report) -> bool:
    home = user.division
    if home is None or not in_scope(user, report.division) or home.pk == report.division_id:
        return False
    if home.depth >= report.division.depth:
        return False
    return user.has_cap(approver_cap(report.division))


@transaction.atomic
def approve_report(*, actor: Principal, report: Report, now: dt.datetime | None = None) -> Report:
    now = _now(now)
    require_edit(actor, report, Cap.VIEW_BUSINESS)
    _lock(report)
    if not can_approve(actor, report):
        raise PermissionDenied("灾情报告由上一级审核：村级报告由乡镇审核，乡镇报告由区审批")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("只有已报送的报告可以审核")
    if report.division.level == Level.TOWNSHIP and report.from_villages:
        tot, _n = village_total(report)
        if tot != indicators.total([report.values]):
            raise ValidationError("村级报告在乡镇汇总后有变动，请退回乡镇重新汇总")
    outcome = validate(report)
    if outcome.errors:
        raise ValidationError(_error_dict(outcome))
    report.status, report.approved_at, report.approved_by = ReportStatus.APPROVED, now, actor.username
    report.locked = report.round.kind == RoundKind.FINAL
    report.save()
    _close_if_final_complete(report.event)
    return report


def _close_if_final_complete(event: Event) -> None:
    final = event.rounds.filter(kind=RoundKind.FINAL).first()
    if final is None:
        return
    towns = {d.pk for d in affected_townships(event)}
    done = set(Report.objects.filter(round=final, status=ReportStatus.APPROVED, division__level=Level.TOWNSHIP)
               .values_list("division_id", flat=True))
    if towns and towns <= done and event.status != EventStatus.CLOSED:
        event.status = EventStatus.CLOSED
        event.save(update_fields=["status"])


@transaction.atomic
def return_report(*, actor: Principal, report: Report, reason: str) -> Report:
    require_edit(actor, report, Cap.VIEW_BUSINESS)
    _lock(report)
    if not can_approve(actor, report):
        raise PermissionDenied("只有上一级可以退回灾情报告")
    if report.locked:
        raise ValidationError("核报已锁定，不能退回")
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError("该报告未报送")
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因"})
    report.status, report.return_reason = ReportStatus.RETURNED, reason.strip()
    report.save()
    return report


def pending_approvals(user: Principal) -> list[Report]:
    from minzheng.core.scoping import visible

    qs = visible(Report, user).filter(status=ReportStatus.SUBMITTED).select_related("division", "round", "event")
    return [r for r in qs if can_approve(user, r)]
