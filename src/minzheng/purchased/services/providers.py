"""承接主体: register a provider (统一社会信用代码 checked), its qualifications, credit notes and staff accounts."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as NumberInvalid

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Role
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit
from minzheng.regions.models import Division

from ..models import (
    CreditKind,
    CreditNote,
    Provider,
    ProviderKind,
    ProviderStaff,
    Qualification,
    ServiceOrder,
)
from . import require_government, who


def clean_credit_code(raw: str) -> str:
    """The 18-character 统一社会信用代码 (GB 32100-2015), check character verified; a clear error otherwise."""
    text = (raw or "").strip().upper()
    if not text:
        raise ValidationError({"credit_code": "请填写统一社会信用代码"})
    try:
        return str(uscc.validate(text))
    except NumberInvalid as exc:
        reason = {"InvalidLength": "应为 18 位", "InvalidFormat": "含有不允许的字符（不用 I、O、Z、S、V）",
                  "InvalidChecksum": "校验位不正确", "InvalidComponent": "登记管理部门或机构类别代码不正确"}
        raise ValidationError({"credit_code": f"统一社会信用代码“{text[:20]}”无效："
                                              f"{reason.get(type(exc).__name__, '格式不正确')}"}) from exc


@transaction.atomic
def register(*, actor: Actor | None, division: Division, name: str, credit_code: str, kind: str,
             registered_with: str = "", registered_on: dt.date | None = None, legal_rep: str = "",
             phone: str = "", address: str = "") -> Provider:
    if actor is not None:
        require_division(actor, division)
    require_government(actor)
    name = (name or "").strip()
    if len(name) < 2:
        raise ValidationError({"name": "请填写承接主体名称"})
    if kind not in ProviderKind.values:
        raise ValidationError({"kind": "请选择承接主体类型"})
    code = clean_credit_code(credit_code)
    if Provider.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": f"统一社会信用代码 {code} 已登记"})
    if Provider.objects.filter(name=name).exists():
        raise ValidationError({"name": f"“{name}”已登记"})
    return Provider.objects.create(division=division, name=name[:100], credit_code=code, kind=kind,
                                   registered_with=registered_with[:100], registered_on=registered_on,
                                   legal_rep=legal_rep[:64], phone=phone[:32], address=address[:200])


@transaction.atomic
def add_qualification(*, actor: Actor | None, provider: Provider, name: str, number: str = "",
                      valid_until: dt.date | None = None) -> Qualification:
    if actor is not None:
        require_edit(actor, provider)
    require_government(actor)
    if len((name or "").strip()) < 2:
        raise ValidationError({"name": "请填写资质名称"})
    return Qualification.objects.create(provider=provider, name=name.strip()[:100], number=number[:64],
                                        valid_until=valid_until)


@transaction.atomic
def add_credit_note(*, actor: Actor | None, provider: Provider, kind: str, start: dt.date, text: str,
                    until: dt.date | None = None) -> CreditNote:
    if actor is not None:
        require_edit(actor, provider)
    require_government(actor)
    if kind not in CreditKind.values:
        raise ValidationError({"kind": "请选择信用记录类别"})
    if until is not None and until < start:
        raise ValidationError({"until": "截止日期不能早于起始日期"})
    if len((text or "").strip()) < 2:
        raise ValidationError({"text": "请填写事由"})
    return CreditNote.objects.create(provider=provider, kind=kind, start=start, until=until, text=text.strip()[:300],
                                     recorded_by=who(actor))


def blacklisted_on(provider: Provider, day: dt.date) -> CreditNote | None:
    return (provider.credit_notes.filter(kind=CreditKind.BLACKLIST, start__lte=day)
            .exclude(until__lt=day).first())


def expired_qualifications(provider: Provider, day: dt.date | None = None) -> list[Qualification]:
    day = day or dates.today()
    return list(provider.qualifications.filter(valid_until__lt=day))


@transaction.atomic
def bind_staff(*, actor: Actor | None, provider: Provider, user: Actor, name: str = "") -> ProviderStaff:
    """An account of role 社会组织 becomes one of the provider's delivering staff (one provider at a time). Each
    binding is its own row, so unbinding and binding again leave the history: who, when, by whom."""
    if actor is not None:
        require_edit(actor, provider)
    require_government(actor)
    if getattr(user, "role", "") != Role.SOCIAL_ORG:
        raise ValidationError({"user": "只有“社会组织”角色的账号可以绑定为服务人员"})
    if not getattr(user, "is_active", True):
        raise ValidationError({"user": f"账号 {user.username} 已停用"})
    current = ProviderStaff.objects.filter(user=user, active=True).select_related("provider").first()
    if current is not None:
        raise ValidationError({"user": f"账号 {user.username} 已绑定 {current.provider.name}，请先解绑"})
    if user.division is None or (not provider.division.path.startswith(user.division.path) and
                                 not user.division.path.startswith(provider.division.path)):
        raise ValidationError({"user": "该账号的所属区划与承接主体不一致"})
    label = (name or "").strip() or getattr(user, "full_name", "") or user.username
    return ProviderStaff.objects.create(provider=provider, user=user, name=label[:64], bound_at=dates.now(),
                                        bound_by=who(actor))


@transaction.atomic
def unbind_staff(*, actor: Actor | None, staff: ProviderStaff, reason: str) -> ProviderStaff:
    """The account stops being the provider's staff at once: core.scoping reads only active bindings, so the next
    request (page, API token) sees none of the beneficiaries. Open orders assigned to them wait for reassignment."""
    if actor is not None:
        require_edit(actor, staff)
    require_government(actor)
    staff = ProviderStaff.objects.select_for_update().get(pk=staff.pk)
    if not staff.active:
        raise ValidationError({"staff": f"{staff.name} 已解绑"})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "请填写解绑原因"})
    staff.active = False
    staff.unbound_at = dates.now()
    staff.unbound_by = who(actor)
    staff.unbind_reason = reason[:200]
    staff.save(update_fields=["active", "unbound_at", "unbound_by", "unbind_reason"])
    for order in ServiceOrder.objects.filter(staff=staff, end__isnull=True):
        order.staff = None
        order.save(update_fields=["staff"])
    return staff


def staff_of(user: Actor) -> ProviderStaff | None:
    return ProviderStaff.objects.filter(user=user, active=True).select_related("provider").first()
