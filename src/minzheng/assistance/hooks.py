"""Registrations with the shared shell: navigation, home panels, the task list and hand-over."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop

from minzheng.accounts.actor import Actor, AuthedRequest
from minzheng.accounts.roles import Cap, Role
from minzheng.core import dates, handover, home, nav, tasks
from minzheng.core.scoping import visible

from . import selectors
from .models import OPEN_STATUSES, Application, Objection, ObjectionStatus, Publicity, PublicityStatus, Status


def township_panel(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    mine = selectors.cases(user).filter(status__in=OPEN_STATUSES)
    return {
        "open": mine.count(),
        "overdue": mine.filter(Q(step_due__lt=today) | Q(overall_due__lt=today)).count(),
        "publicity": visible(Publicity, user).filter(status=PublicityStatus.ACTIVE).count(),
        "objections": visible(Objection, user).filter(status=ObjectionStatus.OPEN).count(),
        "reviews": selectors.due_reviews(user, today, within_days=0).count(),
        "confirm": mine.filter(status=Status.COUNTY_REVIEW, confirm_level="township").count(),
    }


def approver_panel(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    today = dates.today()
    q = selectors.county_queue(user)
    return {
        "queue": q.count(), "kinship": q.filter(kinship_flag=True).count(),
        "objection": q.filter(objection_flag=True).count(),
        "overdue": q.filter(status=Status.COUNTY_REVIEW).filter(Q(step_due__lt=today) | Q(overall_due__lt=today))
        .count(),
        "spot": q.filter(spot_check=True, spot_check_record__visited_on__isnull=True).count(),
    }


def _open_assigned(user: Actor) -> Any:
    return Application.objects.filter(assigned_to=user, status__in=OPEN_STATUSES)


def move(from_user: Actor, to_user: Actor) -> dict[str, int]:
    n = 0
    for app in _open_assigned(from_user):
        app.assigned_to = to_user
        app.save(update_fields=["assigned_to", "updated_at"])  # saved one by one so each move is audited
        n += 1
    return {"救助案件": n}


def count_open(user: Actor) -> dict[str, int]:
    return {"救助案件": _open_assigned(user).count()}


def check_imported(user: Actor | None, today: Any, result: Any) -> None:
    """After a ledger import: the rules recompute the imported records (存量核查) at once when the import is small;
    a large one is computed by `minzheng assistance ledger-check --compute` or the 存量核查 page, so the import
    itself stays as fast as the file can be read."""
    from django.conf import settings

    from .services import verification

    if result.stats.enrollments and result.stats.enrollments <= settings.MINZHENG_LEDGER_CHECK_INLINE_MAX:
        verification.compute(user=user, today=today)


def register_all() -> None:
    from minzheng.core import sections as record_sections
    from minzheng.registry.ledger.service import AFTER_IMPORT

    from . import sections

    if check_imported not in AFTER_IMPORT:
        AFTER_IMPORT.append(check_imported)
    record_sections.register("household", "救助申请", "assistance/sections/household_cases.html",
                             sections.household_cases, order=10)
    nav.register(gettext_noop("救助案件"), "assistance:list", Cap.VIEW_RECORDS, order=20, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("受理申请"), "assistance:new", Cap.EDIT_BUSINESS, order=21, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("县级审核确认"), "assistance:queue", Cap.APPROVE, order=22, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("公示管理"), "assistance:publicities", Cap.OFFICE_WORK, order=23, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("动态管理"), "assistance:reviews", Cap.OFFICE_WORK, order=24, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("近亲属备案"), "assistance:kinship", Cap.OFFICE_WORK, order=25, section=gettext_noop("社会救助"))
    nav.register(gettext_noop("存量核查"), "assistance:ledger_checks", Cap.PROCESS_CASES, order=26,
                 section=gettext_noop("社会救助"))
    nav.register(gettext_noop("低保边缘家庭"), "assistance:edge_register", Cap.OFFICE_WORK, order=27,
                 section=gettext_noop("社会救助"))
    home.register("社会救助 · 乡镇经办", "assistance/panel_township.html",
                  {Role.TOWNSHIP_OFFICER, Role.VILLAGE_COORDINATOR}, township_panel, order=20)
    home.register("社会救助 · 县级审核确认", "assistance/panel_approver.html",
                  {Role.DISTRICT_APPROVER, Role.DISTRICT_ADMIN, Role.BUREAU_HEAD}, approver_panel, order=20)
    tasks.register(selectors.tasks_for)
    handover.register(move, count_open)


__all__ = ["Status", "register_all"]
