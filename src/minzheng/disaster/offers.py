"""What the disaster pages offer a user (core.workflow): each rule mirrors the checks of the service it leads to,
so a button is shown only where the service would accept it."""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import workflow
from minzheng.core.scoping import in_scope, may_edit
from minzheng.regions.models import Level

from . import services, winter
from .models import (
    Distribution,
    DistributionStatus,
    Event,
    EventStatus,
    Report,
    ReportStatus,
    RoundKind,
    WinterCase,
    WinterStatus,
)


def event_offers(event: Event, actor: Actor) -> set[str]:
    """续报, 灾情稳定 and 增加受灾区划 while the event is ongoing, by an editor of the event's own division
    (services.open_update_round / mark_stable / add_areas: require_division on the event's division)."""
    if event.status != EventStatus.ONGOING or not (in_scope(actor, event.division) and
                                                   actor.has_cap(Cap.EDIT_BUSINESS)):
        return set()
    return {"update_round", "stable", "add_areas"}


def report_offers(report: Report, actor: Actor) -> set[str]:
    """Fill in and 报送 a draft or returned report of one's own jurisdiction (services.save_report /
    submit_report); 零报告 carries the last figures forward, so not on the 初报; 审核/退回 by the level above
    (services.can_approve) once it is submitted."""
    out: set[str] = set()
    if (may_edit(actor, report) and report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
            and not report.locked):
        out |= {"save", "submit"}
        if report.round.kind != RoundKind.INITIAL:
            out.add("nil")
        if report.division.level == Level.TOWNSHIP:
            out.add("villages")
    if report.status == ReportStatus.SUBMITTED and services.can_approve(actor, report):
        out |= {"approve", "return"}
    return out


def distribution_offers(dist: Distribution, actor: Actor) -> set[str]:
    """公示 on/off any time; 登记发放, 签收 and 结束发放 while the batch is open (relief.publish / add_line /
    sign_line / close_distribution)."""
    if not may_edit(actor, dist):
        return set()
    return {"publish"} | ({"add_line", "sign", "close"} if dist.status == DistributionStatus.OPEN else set())


def winter_offers(case: WinterCase, actor: Actor) -> set[str]:
    """The next step of a 冬春救助 case (winter.record_evaluation / start_notice / township_review /
    district_approve): the village and township steps by an editor, the approval by the district."""
    if case.status == WinterStatus.TOWNSHIP_OK:
        return {"district"} if may_edit(actor, case, Cap.APPROVE) and winter.is_district(actor) else set()
    if not may_edit(actor, case):
        return set()
    if case.status == WinterStatus.SURVEYED:
        return {"evaluate"}
    if case.status == WinterStatus.EVALUATED:
        return {"notice"}
    if case.status == WinterStatus.NOTICE and winter.notice_over(case):
        return {"township"}
    return set()


def register() -> None:
    workflow.register(Event, ["update_round", "stable", "add_areas"], event_offers)
    workflow.register(Report, ["save", "submit", "nil", "villages", "approve", "return"], report_offers)
    workflow.register(Distribution, ["publish", "add_line", "sign", "close"], distribution_offers)
    workflow.register(WinterCase, ["evaluate", "notice", "township", "district"], winter_offers)
