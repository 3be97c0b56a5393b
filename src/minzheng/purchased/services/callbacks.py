"""回访: a random sample of each township's served beneficiaries per month, drawn from a recorded seed (so anyone can
redraw the same sample), and the outcome of each call."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from ..models import (
    CallbackItem,
    CallbackOutcome,
    CallbackSample,
    FlagCode,
    FlagStatus,
    RecordFlag,
    RecordStatus,
    ServiceOrder,
    ServiceRecord,
)
from ..selectors import month_bounds
from . import require_government, who


def population(township: Division, month: dt.date) -> list[int]:
    """Orders in the township with at least one record in the month, in a fixed order."""
    start, end = month_bounds(month)
    return sorted(set(ServiceOrder.objects.filter(village__parent=township, records__started_at__gte=start,
                                                  records__started_at__lt=end).values_list("pk", flat=True)))


def sample_size(n: int, on: dt.date) -> int:
    pct = int(policy.value("purchased.callback.sample_percent", on=on))
    least = int(policy.value("purchased.callback.sample_min", on=on))
    return min(n, max(least, math.ceil(n * pct / 100)))


def redraw(ids: list[int], size: int, seed: str) -> list[int]:
    return sorted(random.Random(seed).sample(ids, size))


@transaction.atomic
def draw(*, actor: Actor | None, township: Division, month: dt.date, seed: str | None = None) -> CallbackSample:
    if actor is not None:
        require_division(actor, township)
    require_government(actor)
    if township.level != Level.TOWNSHIP:
        raise ValidationError({"township": "回访按乡镇(街道)抽样"})
    month = dates.month_start(month)
    if month > dates.current_month():
        raise ValidationError({"month": "不能为将来的月份抽样"})
    if CallbackSample.objects.filter(township=township, month=month).exists():
        raise ValidationError({"month": f"{township.name} {month:%Y年%m月} 已抽样"})
    ids = population(township, month)
    if not ids:
        raise ValidationError({"month": f"{township.name} {month:%Y年%m月} 没有服务记录，无需回访"})
    seed = seed or secrets.token_hex(8)
    sample = CallbackSample.objects.create(township=township, month=month, seed=seed, drawn_at=dates.now(),
                                           drawn_by=who(actor), population=len(ids))
    for pk in redraw(ids, sample_size(len(ids), month), seed):
        CallbackItem.objects.create(sample=sample, order_id=pk)
    return sample


@transaction.atomic
def record_outcome(*, actor: Actor | None, item: CallbackItem, outcome: str, note: str = "") -> CallbackItem:
    if actor is not None:
        require_edit(actor, item)
    require_government(actor)
    if outcome not in CallbackOutcome.values or outcome == CallbackOutcome.PENDING:
        raise ValidationError({"outcome": "请选择回访结果"})
    if outcome in (CallbackOutcome.DISSATISFIED, CallbackOutcome.NOT_DELIVERED) and len((note or "").strip()) < 2:
        raise ValidationError({"note": "不满意或未接受服务时请写明情况"})
    if item.outcome != CallbackOutcome.PENDING:
        raise ValidationError({"outcome": "该对象的回访结果已记录"})
    item.outcome = outcome
    item.note = (note or "").strip()[:300]
    item.called_at = dates.now()
    item.called_by = who(actor)
    item.save(update_fields=["outcome", "note", "called_at", "called_by"])
    if outcome == CallbackOutcome.NOT_DELIVERED:
        fail_month(item)
    return item


def fail_month(item: CallbackItem) -> int:
    """The beneficiary says they were not served: every record of theirs that month fails (a confirmed flag with the
    callback's note as the reason), so the milestone payment deducts them like any failed record."""
    start, end = month_bounds(item.sample.month)
    today = dates.today()
    reason = f"{item.sample.month:%Y年%m月}回访：{item.note}"[:300]
    failed = 0
    for rec in ServiceRecord.objects.select_for_update().filter(order=item.order, started_at__gte=start,
                                                                started_at__lt=end):
        flag, made = RecordFlag.objects.get_or_create(
            record=rec, code=FlagCode.NOT_DELIVERED,
            defaults={"text": "回访中服务对象反映未接受服务", "found_on": today, "status": FlagStatus.CONFIRMED,
                      "settled_by": item.called_by, "note": reason})
        if not made and flag.status != FlagStatus.CONFIRMED:
            flag.status, flag.settled_by, flag.note = FlagStatus.CONFIRMED, item.called_by, reason
            flag.save(update_fields=["status", "settled_by", "note"])
        if rec.status != RecordStatus.FAILED:
            rec.status = RecordStatus.FAILED
            rec.save(update_fields=["status"])
        failed += 1
    return failed
