"""County home visits (县级入户核查): every 近亲属 and complaint case, and a reproducible random sample that keeps
each township at or above the spot-check ratio — before the decision where the county confirms, after it where
the township confirms — and recording the visit."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.policy import services as policy

from ..models import Application, Investigation, ReviewSchedule, SpotCheck, SpotCheckReason, Status
from ..workflow import WorkflowError
from .investigation import asset_snapshot, income_snapshot
from .transitions import begin_action, record_opinion, save_case


def draw(number: str) -> float:
    """The case's sampling draw in [0, 1): reproducible (seeded by the case number) but, being keyed with the
    installation's secret, not something a township can predict when it numbers a case."""
    digest = hashlib.sha256(f"spot-check:{settings.SECRET_KEY}:{number}".encode()).hexdigest()
    return int(digest[:13], 16) / float(16 ** 13)


def sample_before_decision(app: Application, today: dt.date) -> SpotCheck | None:
    """County 入户 before the decision: every 近亲属 and complaint case; where the county confirms, also a sample
    that keeps each township at or above the spot-check ratio for the year (the shortfall is always sampled).
    Where the township confirms, the random sample is drawn after the decision (sample_after_decision)."""
    existing = SpotCheck.objects.filter(application=app).first()
    if existing is not None:
        return existing
    ratio_pv = policy.resolve("workflow.spot_check_ratio", on=today, division=app.division)
    reason = None
    ref: dict[str, Any] = {"param": ratio_pv.ref(), "draw": round(draw(app.number), 6)}
    if app.kinship_flag:
        reason = SpotCheckReason.KINSHIP
    elif app.county_visit_required or app.objection_flag:
        reason = SpotCheckReason.COMPLAINT
    elif app.confirm_level != "township":
        ratio = ratio_pv.decimal
        year = Application.objects.filter(township=app.township, received_on__year=today.year).exclude(pk=app.pk)
        reached = year.filter(status__in=[Status.COUNTY_REVIEW, Status.APPROVED, Status.REFUSED]).count()
        sampled = SpotCheck.objects.filter(application__in=year, after_decision=False).count()
        shortfall = Decimal(sampled) < ratio * (reached + 1)
        if shortfall or draw(app.number) < float(ratio):
            reason = SpotCheckReason.RANDOM
            ref["shortfall"] = bool(shortfall)
    if reason is None:
        return None
    app.spot_check = True
    return SpotCheck.objects.create(application=app, reason=reason, sampled_on=today, ratio=ref)


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), dates.next_month_start(day)


def sample_after_decision(app: Application, today: dt.date) -> SpotCheck | None:
    """After a township's delegated confirmation the county visits a sample of the month's confirmed cases in
    that township: at least `workflow.spot_check_ratio` of them and at least `assistance.spot_check_min` (all when
    fewer); beyond that, the case's own draw decides. The same sequence of decisions gives the same sample."""
    if SpotCheck.objects.filter(application=app).exists():
        return None  # visited before the decision already (近亲属/complaint)
    ratio_pv = policy.resolve("workflow.spot_check_ratio", on=today, division=app.division)
    min_pv = policy.resolve("assistance.spot_check_min", on=today, division=app.division)
    first, nxt = _month_bounds(today)
    month = Application.objects.filter(township=app.township, confirm_level="township", status=Status.APPROVED,
                                       decided_on__gte=first, decided_on__lt=nxt)
    confirmed = month.count()  # includes this case, saved as approved before the draw
    sampled = SpotCheck.objects.filter(application__in=month).exclude(application=app).count()
    need = min(confirmed, max(int(min_pv.value), math.ceil(ratio_pv.decimal * confirmed)))
    value = draw(app.number)
    shortfall = sampled < need
    if not (shortfall or value < float(ratio_pv.decimal)):
        return None
    app.spot_check = True
    app.save(update_fields=["spot_check", "updated_at"])
    return SpotCheck.objects.create(
        application=app, reason=SpotCheckReason.RANDOM, sampled_on=today, after_decision=True,
        ratio={"param": ratio_pv.ref(), "min": min_pv.ref(), "draw": round(value, 6), "shortfall": shortfall,
               "period": f"{first:%Y-%m}", "confirmed": confirmed, "sampled_before": sampled})


@transaction.atomic
def record_spot_check(app: Application, *, actor: Actor, visited_on: dt.date, visitors: str, findings: str,
                      confirmed: bool, version: int | None = None, today: dt.date | None = None) -> SpotCheck:
    """The county's own home visit (近亲属/complaint/sample; before the decision, or after a township's delegated
    confirmation). It is also kept as an Investigation marked by_county, with the household's income and assets
    as the county found them, so it prints as a 县级入户核查表. A sampled case found not as declared after the
    decision is put up for an immediate 复核 (动态管理)."""
    today = today or dates.today()
    app, before = begin_action(app, "record_spot_check", actor, version)
    check = SpotCheck.objects.filter(application=app).first()
    if check is None:
        check = SpotCheck(application=app, reason=SpotCheckReason.RANDOM, sampled_on=visited_on)
        app.spot_check = True
    names = [v.strip() for v in visitors.replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
             if v.strip()]
    if len(set(names)) < 2:
        raise WorkflowError("县级入户核查须由两名以上工作人员进行，请填写入户人员（用顿号分隔）")
    if visited_on > today:
        raise WorkflowError("入户日期不能晚于今天")
    check.visited_on = visited_on
    check.visitors = "、".join(names)
    check.findings = findings.strip()
    check.confirmed = confirmed
    check.save()
    Investigation.objects.create(
        application=app, visited_on=visited_on, investigator_1=names[0], investigator_2=names[1],
        investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True, by_county=True,
        findings=(("情况属实；" if confirmed else "情况与申报不符；") + findings.strip()).strip("；"),
        income_snapshot=income_snapshot(app.household, visited_on),
        asset_snapshot=asset_snapshot(app.household, visited_on),
        recorded_by=actor if getattr(actor, "pk", None) else None)
    save_case(app)
    text = f"县级入户核查（{check.get_reason_display()}）：{'情况属实' if confirmed else '情况不符'}；{findings}"
    if check.after_decision and not confirmed and app.enrollment_id:
        sched = ReviewSchedule.objects.filter(enrollment_id=app.enrollment_id).first()
        if sched is not None and sched.next_due > today:
            sched.next_due = today
            sched.save(update_fields=["next_due"])
        text += "；已列入动态管理立即复核"
    record_opinion(app, action="record_spot_check", from_status=before, actor=actor, text=text.strip("；"))
    return check
