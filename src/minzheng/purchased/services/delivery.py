"""Service orders and records: the township assigns a beneficiary to a contract (and a worker); the provider's
worker records each service on a phone; a one-time code read out by phone can confirm a visit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates, ratelimit
from minzheng.core.scoping import require_division, require_edit, visible
from minzheng.policy import services as policy
from minzheng.registry.models import Person

from .. import photos
from ..models import (
    CodeChannel,
    Confirmation,
    ConfirmationCode,
    Contract,
    ContractStatus,
    FlagCode,
    ProviderStaff,
    RecordFlag,
    RecordStatus,
    ServiceOrder,
    ServiceRecord,
)
from . import require_government, who


def _covers(contract: Contract, township_id: int | None) -> bool:
    return contract.areas.filter(township_id=township_id).exists()


@transaction.atomic
def assign(*, actor: Actor | None, contract: Contract, person: Person, staff: ProviderStaff | None = None,
           start: dt.date | None = None) -> ServiceOrder:
    """派单. The person comes from the registry (through the actor's jurisdiction); the contract must cover their
    township and be running; one open order per person and contract."""
    start = start or dates.today()
    village = person.household.division
    if actor is not None:
        require_division(actor, village)
    require_government(actor)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"contract": "合同已结束，不能派单"})
    if not _covers(contract, village.parent_id):
        raise ValidationError({"person": f"{person.name} 所在乡镇不在合同服务区域内"})
    if not contract.start <= start <= contract.end:
        raise ValidationError({"start": f"派单日期应在合同期 {contract.start}–{contract.end} 之内"})
    if person.is_deceased:
        raise ValidationError({"person": f"{person.name} 已死亡，不能派单"})
    if staff is not None and (staff.provider_id != contract.provider_id or not staff.active):
        raise ValidationError({"staff": "服务人员须为该合同承接主体的在岗人员"})
    if ServiceOrder.objects.filter(contract=contract, person=person, end__isnull=True).exists():
        raise ValidationError({"person": f"{person.name} 已在本合同的服务名单中"})
    return ServiceOrder.objects.create(contract=contract, person=person, village=village, staff=staff, start=start,
                                       assigned_by=who(actor))


@transaction.atomic
def reassign(*, actor: Actor | None, order: ServiceOrder, staff: ProviderStaff) -> ServiceOrder:
    if actor is not None:
        require_edit(actor, order)
    require_government(actor)
    if staff.provider_id != order.contract.provider_id or not staff.active:
        raise ValidationError({"staff": "服务人员须为该合同承接主体的在岗人员"})
    order.staff = staff
    order.save(update_fields=["staff"])
    return order


@transaction.atomic
def end_order(*, actor: Actor | None, order: ServiceOrder, on: dt.date, reason: str) -> ServiceOrder:
    """Ends the service to a person (not the person's benefit, which only the township or county decides)."""
    if actor is not None:
        require_edit(actor, order)
    require_government(actor)
    if order.end is not None:
        raise ValidationError({"end": "该派单已终止"})
    if on < order.start:
        raise ValidationError({"end": "终止日期不能早于派单日期"})
    if len((reason or "").strip()) < 2:
        raise ValidationError({"end_reason": "请填写终止原因"})
    order.end = on
    order.end_reason = reason.strip()[:100]
    order.save(update_fields=["end", "end_reason"])
    return order


def _code_hash(order: ServiceOrder, code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|purchased-code|{order.pk}|{code}".encode()).hexdigest()


def _new_code(order: ServiceOrder) -> str:
    # Unique among the order's live codes, so a code names exactly one row.
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if not ConfirmationCode.objects.filter(order=order, code_hash=_code_hash(order, code),
                                               used_at__isnull=True).exists():
            return code


def _issuable(actor: Actor | None, order: ServiceOrder) -> None:
    if actor is not None:
        require_edit(actor, order)
    require_government(actor)
    if order.end is not None or order.contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"order": "派单已终止或合同已终止，不再发放确认码"})


@transaction.atomic
def issue_code(*, actor: Actor | None, order: ServiceOrder, now: dt.datetime | None = None) -> str:
    """A six-digit code the township reads to the beneficiary or guardian by phone; only its hash is kept."""
    _issuable(actor, order)
    now = now or dates.now()
    minutes = int(policy.value("purchased.code.valid_minutes", on=dates.local_date(now)))
    code = _new_code(order)
    ConfirmationCode.objects.create(order=order, code_hash=_code_hash(order, code), issued_at=now,
                                    issued_by=who(actor), expires_at=now + dt.timedelta(minutes=minutes))
    return code


@transaction.atomic
def issue_card(*, actor: Actor | None, order: ServiceOrder, count: int | None = None,
               now: dt.datetime | None = None) -> list[str]:
    """A service card (服务卡) of one-time codes, printed by the township and handed to the beneficiary or guardian,
    who reads one out to the worker at the end of each visit (no phone, no network needed at the door). The codes
    are shown once, on the printout; only their hashes are kept. A new card voids the unused codes of the last."""
    _issuable(actor, order)
    now = now or dates.now()
    day = dates.local_date(now)
    count = count if count is not None else min(62, order.contract.visits_per_month * 3)
    if not 1 <= count <= 100:
        raise ValidationError({"count": "服务卡确认码数量应在 1–100 之间"})
    days = int(policy.value("purchased.code.card_valid_days", on=day))
    expires = min(now + dt.timedelta(days=days), dates.start_of_day(order.contract.end + dt.timedelta(days=1)))
    ConfirmationCode.objects.filter(order=order, channel=CodeChannel.CARD, used_at__isnull=True,
                                    expires_at__gt=now).update(expires_at=now)
    codes = []
    for _ in range(count):
        code = _new_code(order)
        ConfirmationCode.objects.create(order=order, code_hash=_code_hash(order, code), channel=CodeChannel.CARD,
                                        issued_at=now, issued_by=who(actor), expires_at=expires)
        codes.append(code)
    audit.record("purchased.code.card", obj=order, summary=f"发放服务卡确认码 {count} 个（派单#{order.pk}）",
                 detail={"count": count, "expires_at": expires.isoformat()})
    return codes


def _use_code(order: ServiceOrder, code: str, at: dt.datetime) -> ConfirmationCode:
    """Checks a typed code server-side: it must be one of this order's, unused and in force. Wrong guesses are
    counted per order outside the transaction (which rolls back), and stop code entry for the hour."""
    code = (code or "").strip()
    day = dates.local_date(at)
    window = ratelimit.Window(int(policy.value("purchased.code.max_attempts", on=day)), 3600)
    key = f"order-{order.pk}"
    if ratelimit.count("purchased-code", key, window) >= window.limit:
        raise ValidationError({"code": "确认码输错次数过多，请一小时后再试或改用签名确认"})
    hit = None
    if code.isdigit() and len(code) == 6:
        hit = ConfirmationCode.objects.select_for_update().filter(
            order=order, code_hash=_code_hash(order, code), used_at__isnull=True, expires_at__gte=at,
            issued_at__lte=at + dt.timedelta(hours=12)).first()
    if hit is None:
        ratelimit.hit("purchased-code", key, window)
        raise ValidationError({"code": "确认码不正确、已使用或已过期"})
    hit.used_at = dates.now()
    hit.save(update_fields=["used_at"])
    return hit


def my_staff(actor: Actor) -> ProviderStaff:
    staff = ProviderStaff.objects.filter(user=actor, active=True).select_related("provider").first()
    if staff is None or not actor.has_cap(Cap.DELIVER_SERVICES):
        raise PermissionDenied("您的账号未绑定承接主体，不能记录服务")
    return staff


@transaction.atomic
def record(*, actor: Actor | None, order: ServiceOrder, started_at: dt.datetime, ended_at: dt.datetime,
           content: str, photo: Any = None, confirmation: str = Confirmation.NONE, confirmed_by: str = "",
           code: str = "", signature: Any = None, staff: ProviderStaff | None = None,
           now: dt.datetime | None = None) -> ServiceRecord:
    """One delivered service, by the worker the order is assigned to (`actor`), or keyed in by the operator
    (`actor` None, `staff` named: paper records, the demo). Refuses rather than half-writes."""
    now = now or dates.now()
    if actor is not None:
        staff = my_staff(actor)
        # The order must be one of the worker's own, read through the central jurisdiction layer.
        if not visible(ServiceOrder, actor).filter(pk=order.pk).exists():
            raise ValidationError({"order": "该服务对象不在您的派单名单中"})
    if staff is None:
        raise ValidationError({"staff": "请指定服务人员"})
    if order.staff_id is not None and order.staff_id != staff.pk:
        raise ValidationError({"order": "该服务对象已派给其他服务人员"})
    if staff.provider_id != order.contract.provider_id:
        raise ValidationError({"staff": "服务人员不属于该合同的承接主体"})
    if ended_at <= started_at:
        raise ValidationError({"ended_at": "结束时间应晚于开始时间"})
    if ended_at - started_at > dt.timedelta(hours=12):
        raise ValidationError({"ended_at": "单次服务不超过 12 小时，请分次记录"})
    if ended_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"ended_at": "结束时间不能晚于现在"})
    day = dates.local_date(started_at)
    late = int(policy.value("purchased.record.late_days", on=day))
    if dates.local_date(now) - dates.local_date(ended_at) > dt.timedelta(days=late):
        raise ValidationError({"started_at": f"服务结束已超过 {late} 天，不能补录"})
    contract = order.contract
    if not contract.start <= day <= contract.end:
        raise ValidationError({"started_at": f"服务日期 {day} 不在合同期 {contract.start}–{contract.end} 之内"})
    if contract.status != ContractStatus.ACTIVE and (contract.ended_on is None or day > contract.ended_on):
        raise ValidationError({"started_at": f"合同已于 {contract.ended_on or '此前'} 终止，不能记录此后的服务"})
    if day < order.start or (order.end is not None and day > order.end):
        raise ValidationError({"started_at": f"服务日期 {day} 时该对象不在派单期内"})
    if len((content or "").strip()) < 2:
        raise ValidationError({"content": "请填写服务内容"})
    if ServiceRecord.objects.filter(order=order, started_at__lt=ended_at, ended_at__gt=started_at).exists():
        raise ValidationError({"started_at": "该对象在这一时段已有服务记录（重复记录）"})
    if confirmation not in Confirmation.values:
        raise ValidationError({"confirmation": "请选择确认方式"})
    used = None
    if confirmation == Confirmation.CODE:
        used = _use_code(order, code, ended_at if actor is None else now)
    if confirmation == Confirmation.SIGNATURE and not (signature or (confirmed_by or "").strip()):
        raise ValidationError({"signature": "签名确认须有签名图片或确认人姓名"})
    max_kb = int(policy.value("purchased.photo_max_kb", on=day))
    clean_photo, digest = photos.clean(photo, max_kb=max_kb) if photo else (None, "")
    clean_sig = photos.clean(signature, max_kb=max_kb, field="signature")[0] if signature else None
    try:
        with transaction.atomic():
            rec = ServiceRecord.objects.create(
                order=order, staff=staff, started_at=started_at, ended_at=ended_at, content=content.strip()[:2000],
                photo=clean_photo or "", photo_hash=digest, confirmation=confirmation,
                confirmed_by=(confirmed_by or "").strip()[:64], signature=clean_sig or "")
    except IntegrityError as exc:
        raise ValidationError({"started_at": "该对象在这一时间已有服务记录（重复记录）"}) from exc
    if used is not None:
        used.record = rec
        used.save(update_fields=["record"])
    return rec


@transaction.atomic
def settle_flag(*, actor: Actor | None, flag: RecordFlag, confirmed: bool, note: str) -> RecordFlag:
    """A township or county officer settles a flag: confirmed (the record fails) or dismissed."""
    if actor is not None:
        require_edit(actor, flag)
    require_government(actor)
    from ..models import FlagStatus

    if flag.status != FlagStatus.OPEN:
        raise ValidationError({"status": "该疑点已核实"})
    if len((note or "").strip()) < 2:
        raise ValidationError({"note": "请填写核实说明"})
    flag.status = FlagStatus.CONFIRMED if confirmed else FlagStatus.DISMISSED
    flag.note = note.strip()[:300]
    flag.settled_by = who(actor)
    flag.save(update_fields=["status", "note", "settled_by"])
    rec = flag.record
    flags = set(rec.flags.values_list("status", flat=True))
    status = (RecordStatus.FAILED if FlagStatus.CONFIRMED in flags else
              RecordStatus.FLAGGED if FlagStatus.OPEN in flags else RecordStatus.VERIFIED)
    if rec.status != status:
        rec.status = status
        rec.save(update_fields=["status"])
    return flag


EVIDENCE_FLAG = FlagCode.NO_EVIDENCE
