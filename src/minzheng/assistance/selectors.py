"""Reads: case lists and queues (always through core.scoping), the task list, and the public 公示 lists.

Public pages have no user, so they select by village explicitly — by design, and only the frozen permitted
fields of each 公示 (Publicity.entry) or masked standing-list rows ever leave this module for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.rates import share
from minzheng.core.scoping import visible
from minzheng.core.tasks import TaskItem
from minzheng.policy import services as policy
from minzheng.regions.models import Division
from minzheng.registry.masking import mask_name
from minzheng.registry.models import Enrollment, EnrollmentStatus, ProgrammeFamily

from . import workflow
from .models import (
    OPEN_STATUSES,
    Application,
    EdgeRecord,
    KinshipMatch,
    KinshipRegistration,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
    RefusalNotice,
    ReviewSchedule,
    Status,
)

CASE_PROGRAMMES = ("dibao_urban", "dibao_rural", "tekun_dispersed", "tekun_central", "linshi")
TOWNSHIP_STEPS = [Status.ACCEPTED, Status.INVESTIGATING, Status.CHECKING, Status.DEMOCRATIC_REVIEW,
                  Status.TOWNSHIP_REVIEW, Status.PUBLICITY]


def cases(user: Actor) -> QuerySet[Application]:
    return visible(Application, user).select_related("programme", "division", "township", "applicant",
                                                     "assigned_to")


def filtered(user: Actor, *, status: str = "", programme: str = "", flag: str = "", q: str = "",
             township: str = "") -> QuerySet[Application]:
    qs = cases(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if programme:
        qs = qs.filter(programme__code=programme)
    if township:
        qs = qs.filter(township__code=township)
    today = dates.today()
    if flag == "kinship":
        qs = qs.filter(kinship_flag=True)
    elif flag == "objection":
        qs = qs.filter(objection_flag=True)
    elif flag == "spot_check":
        qs = qs.filter(spot_check=True)
    elif flag == "township_confirm":
        qs = qs.filter(status=Status.COUNTY_REVIEW, confirm_level="township")
    elif flag == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES).filter(Q(step_due__lt=today) | Q(overall_due__lt=today))
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(applicant__name__contains=q) | Q(applicant__id_number=q))
    return qs


def county_queue(user: Actor) -> QuerySet[Application]:
    """The approver's queue, flagged ones first, then oldest deadline: cases at 县级审核确认; township-confirmed
    cases waiting for the county's home visit before the decision (近亲属/complaint); approved township-confirmed
    cases drawn for the after-the-fact spot check and not yet visited."""
    pending_visit = Q(spot_check_record__isnull=False, spot_check_record__visited_on__isnull=True)
    return cases(user).filter(
        Q(status=Status.COUNTY_REVIEW, confirm_level="county")
        | (Q(status=Status.COUNTY_REVIEW, confirm_level="township") & pending_visit)
        | (Q(status=Status.APPROVED, spot_check_record__after_decision=True) & pending_visit)
    ).order_by("-kinship_flag", "-objection_flag", "status", "step_due", "id")


def township_open(user: Actor) -> QuerySet[Application]:
    """The township's own steps, including the 审核确认 it gives itself where delegated."""
    return cases(user).filter(Q(status__in=TOWNSHIP_STEPS) | Q(status=Status.COUNTY_REVIEW, confirm_level="township")
                              ).order_by("step_due", "id")


def flags(app: Application, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(label, badge colour) for the queue."""
    out = []
    if app.kinship_flag:
        out.append(("近亲属", "red"))
    if app.objection_flag:
        out.append(("有异议", "orange"))
    if workflow.is_overdue(app, today):
        out.append(("逾期", "red"))
    if app.spot_check:
        after = app.status == Status.APPROVED
        out.append(("事后抽查" if after else "抽查", "blue"))
    if app.confirm_level == "township" and app.status in (Status.COUNTY_REVIEW, Status.APPROVED):
        out.append(("乡镇确认", "green"))
    return out


def _url(name: str, **kw: Any) -> str:
    return reverse(f"assistance:{name}", kwargs=kw)


def tasks_for(user: Actor) -> list[TaskItem]:
    """Township staff: their township's steps, objections and notices; approvers: the county queue."""
    if not user.has_cap(Cap.EDIT_BUSINESS):
        return []
    today = dates.today()
    items: list[TaskItem] = []
    if user.has_cap(Cap.APPROVE):
        for app in county_queue(user)[:100]:
            kind = ("低保审核确认" if app.programme.family == ProgrammeFamily.DIBAO else "救助审核确认")
            if app.confirm_level == "township":
                kind = "县级事后入户抽查" if app.status == Status.APPROVED else "县级入户（乡镇确认前）"
            items.append(TaskItem(kind,
                                  f"{app.number} {app.applicant.name}（{app.township.name}）",
                                  _url("detail", application_id=app.pk), app.step_due,
                                  workflow.is_overdue(app, today), app.township.name))
    level = getattr(getattr(user, "division", None), "level", "")
    if level in ("township", "village") or not user.has_cap(Cap.APPROVE):
        for app in township_open(user)[:100]:
            items.append(TaskItem(workflow.step_label(app, app.status), f"{app.number} {app.applicant.name}",
                                  _url("detail", application_id=app.pk), app.step_due,
                                  workflow.is_overdue(app, today), app.division.name))
        for obj in visible(Objection, user).filter(status=ObjectionStatus.OPEN).select_related(
                "application", "application__division")[:50]:
            items.append(TaskItem("公示异议", f"{obj.application.number} 异议待核实",
                                  _url("objection", objection_id=obj.pk), obj.due_date, obj.due_date < today,
                                  obj.application.division.name))
        for notice in visible(RefusalNotice, user).filter(issued_on__isnull=True).select_related("application")[:50]:
            items.append(TaskItem("送达告知书", f"{notice.application.number} 不予批准告知书",
                                  _url("detail", application_id=notice.application_id), notice.due_on,
                                  notice.due_on < today))
        for sched in due_reviews(user, today)[:50]:
            items.append(TaskItem("动态管理复核", f"{sched.enrollment.programme.name} {sched.enrollment.household}",
                                  _url("review", review_schedule_id=sched.pk), sched.next_due,
                                  sched.next_due < today))
    return items


def due_reviews(user: Actor, today: dt.date | None = None, within_days: int = 30) -> QuerySet[ReviewSchedule]:
    today = today or dates.today()
    return visible(ReviewSchedule, user).filter(
        enrollment__status=EnrollmentStatus.ACTIVE, next_due__lte=today + dt.timedelta(days=within_days)
    ).select_related("enrollment", "enrollment__programme", "enrollment__household",
                     "enrollment__household__head").order_by("next_due")


def kinship_report(user: Actor) -> list[dict[str, Any]]:
    """近亲属备案 cases by township: total, open, approved, county visit done."""
    qs = cases(user).filter(kinship_flag=True)
    rows = qs.values("township__code", "township__name").annotate(
        total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        approved=Count("id", filter=Q(status=Status.APPROVED)),
        visited=Count("id", filter=Q(spot_check_record__visited_on__isnull=False)),
    ).order_by("township__code")
    return list(rows)


def kinship_cases(user: Actor) -> QuerySet[Application]:
    return cases(user).filter(kinship_flag=True).prefetch_related("kinship_matches").order_by("township__code",
                                                                                                  "-received_on")


def matches_for(app: Application) -> QuerySet[KinshipMatch]:
    return app.kinship_matches.select_related("registration", "person")


def filed_relative_id_numbers() -> list[str]:
    """ID numbers of the relatives on the active 近亲属备案 register, district-wide and sorted: the cross-check
    (信息核对) runs for the whole district and flags recipients who are such relatives."""
    qs = KinshipRegistration.objects.filter(active=True).exclude(relative_id_number="")
    return sorted(set(qs.values_list("relative_id_number", flat=True)))


# --- public 公示 -------------------------------------------------------------------------------------------


def live_publicities(division: Division, today: dt.date | None = None) -> QuerySet[Publicity]:
    """Listed 公示 in the window today, in `division` (a village or a township). Expired ones vanish by date even
    before the daily sweep marks them taken down."""
    today = today or dates.today()
    field = "division" if division.level == "village" else "township"
    return Publicity.objects.filter(**{field: division}, status=PublicityStatus.ACTIVE, listed=True,
                                    start_date__lte=today, end_date__gte=today).order_by("division__code",
                                                                                         "start_date", "id")


@dataclass(frozen=True)
class PublicRow:
    name: str
    village: str
    covered_persons: int
    category: str
    monthly_amount: str
    period: str


def public_rows(pubs: QuerySet[Publicity]) -> list[dict[str, Any]]:
    """Exactly the frozen permitted fields, plus the window and the id used by the objection form."""
    out = []
    for p in pubs:
        e = p.entry
        out.append({"id": p.pk, "kind": p.get_kind_display(), "start": p.start_date, "end": p.end_date,
                    "name": e.get("name", ""), "village": e.get("village", ""),
                    "covered_persons": e.get("covered_persons", ""), "category": e.get("category", ""),
                    "monthly_amount": e.get("monthly_amount", ""), "period": e.get("period", "")})
    return out


def standing_list(village: Division, today: dt.date | None = None) -> list[PublicRow]:
    """长期公示: current recipients of 低保/特困 in the village, permitted fields only; minors in 特困 omitted."""
    today = today or dates.today()
    mask = bool(policy.value("publicity.mask_name", on=today, division=village))
    hide_under = int(policy.value("tekun.publicity.hide_under_age", on=today, division=village))
    rows = []
    qs = Enrollment.objects.filter(household__division=village, status=EnrollmentStatus.ACTIVE,
                                   programme__code__in=CASE_PROGRAMMES[:4], start_month__lte=today).filter(
        Q(end_month__isnull=True) | Q(end_month__gt=today)).select_related("programme", "person",
                                                                            "household__head").order_by("programme",
                                                                                                        "id")
    for e in qs:
        who = e.person or e.household.head
        if who is None:
            continue
        if e.programme.family == ProgrammeFamily.TEKUN and dates.age_on(who.birth_date, today) < hide_under:
            continue
        rows.append(PublicRow(mask_name(who.name) if mask else who.name, village.name, e.covered_persons,
                              e.programme.name, f"{Decimal(e.monthly_amount):.2f}", f"{e.start_month:%Y年%m月}起"))
    return rows


def public_villages(township: Division, today: dt.date | None = None) -> list[dict[str, Any]]:
    today = today or dates.today()
    counts = dict(Publicity.objects.filter(township=township, status=PublicityStatus.ACTIVE, listed=True,
                                           start_date__lte=today, end_date__gte=today)
                  .values_list("division_id").annotate(n=Count("id")))
    return [{"division": v, "live": counts.get(v.pk, 0)}
            for v in Division.objects.filter(parent=township).order_by("code")]


# --- Township figures for the district's annual assessment (workforce.assessment) ------------------------------
# The district scores every township, so these count a whole township without a user; the scores they produce
# are read back through core.scoping.


def review_on_time_rate(township: Division, year: int) -> Decimal | None:
    """低保/特困按期复核: the share of the township's scheduled 复核 not past due at the end of `year` (or today,
    if earlier). A snapshot: a schedule keeps only its next due date, so a past year is judged by today's state."""
    cutoff = min(dates.today(), dt.date(year, 12, 31))
    schedules = ReviewSchedule.objects.filter(enrollment__household__division__parent=township)
    return share(schedules.filter(next_due__gte=cutoff).count(), schedules.count())


def publicity_on_time_rate(township: Division, year: int) -> Decimal | None:
    """公示按时发布: the share of the 公示 the township started in `year` that went up by the case's 办结期限."""
    started = Publicity.objects.filter(township=township, start_date__year=year)
    on_time = started.filter(Q(application__overall_due__isnull=True)
                             | Q(start_date__lte=F("application__overall_due")))
    return share(on_time.count(), started.count())


def deadline_warnings(app: Application) -> list[str]:
    """A deadline counted in working days for a year whose State Council holiday schedule is not entered is only
    a weekend-based estimate: the case page says so."""
    years = sorted({d.year for d in (app.received_on, app.step_due, app.overall_due) if d is not None})
    missing = [y for y in years if not dates.has_holiday_data(y)]
    if not missing:
        return []
    return [f"注意：{'、'.join(str(y) for y in missing)} 年的法定节假日安排尚未录入，本案期限按周末推算，可能不准确；"
            "请区管理员在“节假日”中补录后再核对期限"]


def edge_register(user: Actor) -> QuerySet[EdgeRecord]:
    """The 低保边缘家庭 register in the user's jurisdiction: the current entry of each household."""
    return (visible(EdgeRecord, user).filter(active=True)
            .select_related("household__division__parent", "household__head", "application")
            .order_by("household__division__code", "-found_on", "-id"))
