"""Automatic checks on service records (a batch job: `minzheng purchased checks`, the API, the supervision page).

Each finding is a RecordFlag (once per record and problem, so running twice finds nothing new): a photo reused
(perceptual hash within the parameter's distance of another record's), one worker in two places at once, more visits
in a day than a worker can make, a service after the person died or left the village, a visit shorter than the
contract's standard, evidence the contract requires missing. Records without an open or confirmed flag are verified.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.registry import selectors as registry

from .. import photos
from ..models import Confirmation, FlagCode, FlagStatus, RecordFlag, RecordStatus, ServiceRecord


@dataclass
class CheckResult:
    month: dt.date
    records: int = 0
    new_flags: dict[str, int] = field(default_factory=dict)
    verified: int = 0

    @property
    def total_new(self) -> int:
        return sum(self.new_flags.values())


def _local(when: dt.datetime) -> str:
    return f"{dates.local(when):%m-%d %H:%M}"


def find(records: list[ServiceRecord], history: list[ServiceRecord], on: dt.date) -> list[tuple[ServiceRecord, str, str]]:
    """The problems in `records` (pure: no writes). `history` are earlier records with photos to compare against."""
    out: list[tuple[ServiceRecord, str, str]] = []
    distance = int(policy.value("purchased.checks.photo_distance", on=on))
    most = int(policy.value("purchased.checks.max_visits_per_day", on=on))
    # Photo reused: compare with every other record's photo, older first, so the later use is the one flagged.
    pool = sorted({r.pk: r for r in [*history, *records] if r.photo_hash}.values(), key=lambda r: (r.started_at, r.pk))
    for rec in records:
        if not rec.photo_hash:
            continue
        for other in pool:
            if other.pk == rec.pk or (other.started_at, other.pk) > (rec.started_at, rec.pk):
                continue
            if photos.distance(rec.photo_hash, other.photo_hash) <= distance:
                out.append((rec, FlagCode.REUSED_PHOTO, f"照片与记录#{other.pk}（{_local(other.started_at)}，"
                                                        f"{other.order.person.name}）的照片相同"))
                break
    by_staff: dict[int, list[ServiceRecord]] = defaultdict(list)
    for rec in records:
        by_staff[rec.staff_id].append(rec)
    for items in by_staff.values():
        items.sort(key=lambda r: r.started_at)
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if b.started_at >= a.ended_at:
                    break
                if b.order_id != a.order_id:
                    for x, y in ((a, b), (b, a)):
                        out.append((x, FlagCode.OVERLAP, f"同一服务人员同时段在记录#{y.pk}（{y.order.person.name}，"
                                                          f"{_local(y.started_at)}）服务"))
        per_day: dict[dt.date, list[ServiceRecord]] = defaultdict(list)
        for rec in items:
            per_day[dates.local_date(rec.started_at)].append(rec)
        for day, same in per_day.items():
            if len(same) > most:
                out += [(r, FlagCode.TOO_MANY, f"{day:%m月%d日}该人员记录 {len(same)} 次上门，超过 {most} 次")
                        for r in same]
    gone = registry.departures(sorted({r.order.person_id for r in records}))
    for rec in records:
        day = dates.local_date(rec.started_at)
        dep = gone.get(rec.order.person_id)
        if dep is not None and dep.died_on is not None and day > dep.died_on:
            out.append((rec, FlagCode.AFTER_DEATH, f"服务对象已于 {dep.died_on} 死亡"))
        left = dep.left.get(rec.order.village_id) if dep is not None else None
        if left is not None and day > left and not (dep is not None and dep.died_on is not None and left >= dep.died_on):
            out.append((rec, FlagCode.AFTER_LEAVING, f"服务对象已于 {left} 迁出"))
        c = rec.order.contract
        if rec.minutes < c.min_minutes:
            out.append((rec, FlagCode.SHORT, f"服务 {rec.minutes} 分钟，标准不少于 {c.min_minutes} 分钟"))
        missing = [label for need, have, label in (
            (c.require_photo, bool(rec.photo), "现场照片"),
            (c.require_confirmation, rec.confirmation != Confirmation.NONE, "对象确认")) if need and not have]
        if missing:
            out.append((rec, FlagCode.NO_EVIDENCE, f"缺少{'、'.join(missing)}"))
    return out


@transaction.atomic
def run(*, month: dt.date, contract_ids: list[int] | None = None, on: dt.date | None = None) -> CheckResult:
    """Check every record started in `month` (optionally of some contracts); idempotent."""
    on = on or dates.today()
    month = dates.month_start(month)
    start, end = dates.start_of_day(month), dates.start_of_day(dates.next_month_start(month))
    qs = ServiceRecord.objects.filter(started_at__gte=start, started_at__lt=end).select_related(
        "order__person", "order__contract")
    if contract_ids is not None:
        qs = qs.filter(order__contract_id__in=contract_ids)
    records = list(qs)
    history = list(ServiceRecord.objects.filter(started_at__lt=start, started_at__gte=start - dt.timedelta(days=366))
                   .exclude(photo_hash="").select_related("order__person"))
    result = CheckResult(month=month, records=len(records))
    for rec, code, text in find(records, history, on):
        _, created = RecordFlag.objects.get_or_create(record=rec, code=code,
                                                      defaults={"text": text[:300], "found_on": on})
        if created:
            result.new_flags[code] = result.new_flags.get(code, 0) + 1
    open_or_failed: dict[int, set[str]] = defaultdict(set)
    for rid, status in RecordFlag.objects.filter(record__in=records).values_list("record_id", "status"):
        open_or_failed[rid].add(status)
    for rec in records:
        flags = open_or_failed.get(rec.pk, set())
        status = (RecordStatus.FAILED if FlagStatus.CONFIRMED in flags else
                  RecordStatus.FLAGGED if FlagStatus.OPEN in flags else RecordStatus.VERIFIED)
        if status == RecordStatus.VERIFIED:
            result.verified += 1
        if rec.status != status:
            ServiceRecord.objects.filter(pk=rec.pk).update(status=status)
    labels = dict(FlagCode.choices)
    audit.record("purchased.checks.run", summary=f"购买服务记录自动核查 {month:%Y-%m}：{result.records} 条，"
                                                  f"新发现疑点 {result.total_new} 个",
                 detail={"month": str(month), "contracts": contract_ids, "records": result.records,
                         "new": {str(labels[k]): n for k, n in result.new_flags.items()}, "verified": result.verified})
    return result
