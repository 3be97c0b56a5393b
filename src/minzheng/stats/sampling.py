"""A flag turned into a county spot check (疑点抽查). The households to visit are drawn reproducibly (the seed is
kept); each one's approved case is put into the 审核确认 sampling as a county after-the-fact home visit
(assistance SpotCheck, `after_decision`), so the case page offers 录入县级事后入户抽查 and the visit is recorded
the way every county visit is. The outcome comes back here; outcomes of a year feed the next year's township
assessment (workforce, indicator 疑点抽查属实率)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core import dates
from minzheng.core.rates import share
from minzheng.core.scoping import require_edit
from minzheng.policy import services as policy
from minzheng.regions.models import Division

from .models import FlagKind, FlagStatus, RiskFlag, RiskSample, SampleItem, SampleOutcome


def _seed(flag: RiskFlag, day: dt.date) -> str:
    return hashlib.sha256(f"stats-sample:{settings.SECRET_KEY}:{flag.pk}:{day}".encode()).hexdigest()[:32]


def order_by_seed(seed: str, households: list[int]) -> list[int]:
    """The draw: households ordered by a hash of the seed and their id (same seed, same sample)."""
    return sorted(households, key=lambda h: hashlib.sha256(f"{seed}:{h}".encode()).hexdigest())


def _case_for(household_id: int) -> Any:
    """The household's latest approved 低保/特困 case (the one whose county check the visit is)."""
    from minzheng.assistance.models import Application, Status

    from .risk import RECIPIENT_FAMILIES

    return (Application.objects.filter(household_id=household_id, status=Status.APPROVED,
                                       programme__family__in=RECIPIENT_FAMILIES)
            .order_by("-decided_on", "-id").first())


@transaction.atomic
def draw(*, flag: RiskFlag, actor: Actor, today: dt.date | None = None) -> RiskSample:
    """Turn a flag into a spot check: sample its households and put each one's case into the county visits."""
    from minzheng.assistance.models import SpotCheck, SpotCheckReason

    require_edit(actor, flag, Cap.ORDER_SPOT_CHECKS)
    today = today or dates.today()
    flag = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if RiskSample.objects.filter(flag=flag).exists():
        raise ValidationError({"flag": "该提示已转为抽查，不能重复抽取"})
    if not flag.households:
        raise ValidationError({"flag": "该提示没有涉及的家庭，无需抽查"})
    ratio = policy.resolve("stats.sample.ratio", on=today, division=flag.division)
    least = policy.resolve("stats.sample.min", on=today, division=flag.division)
    total = len(flag.households)
    n = min(total, max(int(least.value), math.ceil(ratio.decimal * total)))
    seed = _seed(flag, today)
    chosen = order_by_seed(seed, list(flag.households))[:n]
    sample = RiskSample.objects.create(flag=flag, drawn_on=today, drawn_by=actor.username, seed=seed,
                                       ratio={"ratio": ratio.ref(), "min": least.ref(), "of": total, "n": n})
    reason = SpotCheckReason.KINSHIP if flag.kind == FlagKind.CADRE_KIN else SpotCheckReason.RANDOM
    for hid in chosen:
        app = _case_for(hid)
        if app is not None and not SpotCheck.objects.filter(application=app).exists():
            SpotCheck.objects.create(application=app, reason=reason, sampled_on=today, after_decision=True,
                                     ratio={"source": "stats.risk_flag", "flag": flag.pk, "kind": flag.kind,
                                            "seed": seed})
            app.spot_check = True
            app.save(update_fields=["spot_check", "updated_at"])
        SampleItem.objects.create(sample=sample, household_id=hid, application=app)
    flag.status = FlagStatus.SAMPLED
    flag.save(update_fields=["status"])
    record("stats.sample", obj=sample, summary=f"疑点转抽查：{flag.get_kind_display()}，{total} 户中抽取 {n} 户",
           detail={"flag": flag.pk, "seed": seed, "households": chosen})
    return sample


def refresh(sample: RiskSample) -> RiskSample:
    """Take outcomes recorded on the cases (录入县级事后入户抽查) into the sample; close it when all are known."""
    from minzheng.assistance.models import SpotCheck

    pending = list(sample.items.filter(outcome=SampleOutcome.PENDING, application__isnull=False))
    checks = {c.application_id: c for c in SpotCheck.objects.filter(application_id__in=[i.application_id
                                                                                          for i in pending])}
    for item in pending:
        c = checks.get(item.application_id)
        if c is not None and c.done and c.confirmed is not None:
            item.outcome = SampleOutcome.AS_DECLARED if c.confirmed else SampleOutcome.NOT_AS_DECLARED
            item.visited_on, item.findings = c.visited_on, (c.findings or "")[:200]
            item.save(update_fields=["outcome", "visited_on", "findings"])
    _maybe_close(sample)
    return sample


def _maybe_close(sample: RiskSample) -> None:
    if sample.closed_on is None and not sample.items.filter(outcome=SampleOutcome.PENDING).exists():
        counts = dict(sample.items.values("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
        sample.closed_on = dates.today()
        sample.outcome_note = (f"入户 {sum(counts.values())} 户：情况属实 {counts.get(SampleOutcome.AS_DECLARED, 0)} 户，"
                               f"情况不符 {counts.get(SampleOutcome.NOT_AS_DECLARED, 0)} 户")
        sample.save(update_fields=["closed_on", "outcome_note"])
        RiskFlag.objects.filter(pk=sample.flag_id).update(status=FlagStatus.CLOSED)


@transaction.atomic
def record_visit(*, item: SampleItem, actor: Actor, visited_on: dt.date, visitors: str, findings: str,
                 confirmed: bool) -> SampleItem:
    """The county's visit to one sampled household. With a case, it is recorded on the case (the 审核确认
    sampling's own 县级事后入户抽查, which also puts a household found not as declared up for 复核)."""
    from minzheng.assistance import services as assistance

    require_edit(actor, item, Cap.APPROVE)
    item = (SampleItem.objects.select_for_update(of=("self",)).select_related("sample", "application")
            .get(pk=item.pk))
    if item.outcome != SampleOutcome.PENDING:
        raise ValidationError({"outcome": "该户已录入核查结果"})
    if visited_on > dates.today():
        raise ValidationError({"visited_on": "入户日期不能晚于今天"})
    if item.application is not None and item.application.status == "approved":
        check = getattr(item.application, "spot_check_record", None)
        if check is None or not check.done:
            assistance.record_spot_check(item.application, actor=actor, visited_on=visited_on, visitors=visitors,
                                         findings=findings, confirmed=confirmed)
    elif len({v for v in visitors.replace("，", "、").replace(",", "、").split("、") if v.strip()}) < 2:
        raise ValidationError({"visitors": "县级入户核查须由两名以上工作人员进行，请填写入户人员（用顿号分隔）"})
    item.outcome = SampleOutcome.AS_DECLARED if confirmed else SampleOutcome.NOT_AS_DECLARED
    item.visited_on, item.findings = visited_on, findings.strip()[:200]
    item.save(update_fields=["outcome", "visited_on", "findings"])
    record("stats.sample_visit", obj=item, summary=f"疑点抽查入户：{'情况属实' if confirmed else '情况不符'}",
           detail={"sample": item.sample_id, "household": item.household_id})
    _maybe_close(item.sample)
    return item


def check_rate(township: Division, year: int) -> Decimal | None:
    """疑点抽查属实率 for a township's assessment of `year`: households visited in the year before (outcomes feed
    the next year's assessment) found as declared, of those visited; None (无数据) when none were visited."""
    items = SampleItem.objects.filter(household__division__parent=township, visited_on__year=year - 1).exclude(
        outcome=SampleOutcome.PENDING)
    counts = items.aggregate(ok=Count("id", filter=Q(outcome=SampleOutcome.AS_DECLARED)), n=Count("id"))
    return share(counts["ok"] or 0, counts["n"] or 0)


def village_results(division: Division, year: int) -> list[dict[str, Any]]:
    """Per village: sampled households visited in `year` and how many were as declared."""
    rows = (SampleItem.objects.filter(household__division__path__startswith=division.path, visited_on__year=year)
            .exclude(outcome=SampleOutcome.PENDING).values("household__division__name", "household__division__code")
            .annotate(n=Count("id"), ok=Count("id", filter=Q(outcome=SampleOutcome.AS_DECLARED)))
            .order_by("household__division__code"))
    return [{"village": r["household__division__name"], "visited": r["n"], "as_declared": r["ok"],
             "rate": share(r["ok"], r["n"])} for r in rows]
