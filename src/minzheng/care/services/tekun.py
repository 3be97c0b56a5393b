"""特困 供养 arrangements on one file (社会救助暂行办法 第十九条: the person chooses 分散 or 集中):

- 分散供养: a 委托照料服务协议 names the carer (照料人), what they provide and the fee; the monthly visit checks it.
- 集中供养: admission to an institution's bed, discharge, occupancy; the care level comes from the 生活自理能力
  assessment assistance already holds (the 特困 case's six items → assistance.rules.self_care_tier).
Moving between the two closes one arrangement and opens the other on the same file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from minzheng.core import dates
from minzheng.core.scoping import require_division

from ..models import Admission, CareAgreement, CareFile, Group, Institution, InstitutionKind
from .common import event, params, require_write, who

TIER_LABELS = {"self_care": "全自理", "half": "半护理", "full": "全护理"}


def self_care_tier(file: CareFile, on: dt.date) -> str:
    """The care tier of the person's latest 特困 self-care assessment ("" when none is recorded)."""
    from minzheng.assistance import rules as arules
    from minzheng.assistance.models import Application
    from minzheng.assistance.rules import Params

    app = (Application.objects.filter(person=file.person, programme__family="tekun").order_by("-received_on", "-id")
           .values_list("selfcare_failed", flat=True).first())
    if app is None:
        return ""
    failed = set(app or [])
    decision = arules.self_care_tier({k: k not in failed for k in arules.SELF_CARE_ITEMS},
                                     params=Params(on, file.village))
    return str(decision.details["tier"])


def open_admission(file: CareFile) -> Admission | None:
    return file.admissions.filter(discharged_on__isnull=True).select_related("institution").first()


def live_agreement(file: CareFile) -> CareAgreement | None:
    return file.agreements.filter(end__isnull=True).first()


def arrangement(file: CareFile) -> str:
    return "central" if open_admission(file) is not None else "dispersed"


def needs_agreement(file: CareFile, on: dt.date) -> bool:
    """分散供养 of someone who cannot fully look after themselves needs a care agreement (国发〔2016〕14号 [M])."""
    tiers = list(params(on, file.village)("care.tekun.agreement_required_tiers"))
    return self_care_tier(file, on) in tiers


def institution_priority(file: CareFile, on: dt.date) -> bool:
    """A flag only (never forced): complete loss of self-care is placed in an institution first."""
    return self_care_tier(file, on) == str(params(on, file.village)("care.tekun.institution_priority_tier"))


def _tekun(file: CareFile) -> None:
    if file.group != Group.TEKUN:
        raise ValidationError({"file": "不是特困人员关爱档案"})
    if not file.is_open:
        raise ValidationError({"file": "该档案已结案"})


def _agreement_fields(on: dt.date, file: CareFile, carer_name: str, services: list[str], monthly_fee: Any
                      ) -> tuple[str, list[str], Decimal]:
    carer = (carer_name or "").strip()
    if not carer:
        raise ValidationError({"carer_name": "委托照料协议必须写明照料人"})
    if len(carer) > 100:
        raise ValidationError({"carer_name": "照料人不超过 100 字"})
    allowed = list(params(on, file.village)("care.tekun.services"))
    services = [s for s in (services or []) if s]
    if not services:
        raise ValidationError({"services": "请选择照料服务内容"})
    bad = [s for s in services if s not in allowed]
    if bad:
        raise ValidationError({"services": f"照料服务内容应为：{'、'.join(allowed)}"})
    try:
        fee = Decimal(str(monthly_fee if monthly_fee not in (None, "") else "0"))
    except InvalidOperation:
        raise ValidationError({"monthly_fee": "月照料费应为金额"}) from None
    if not fee.is_finite() or fee < 0 or fee > Decimal("99999"):
        raise ValidationError({"monthly_fee": "月照料费应在 0 到 99999 元之间"})
    return carer, services, fee.quantize(Decimal("0.01"))


@transaction.atomic
def sign_agreement(*, actor: Any, file: CareFile, carer_name: str, services: list[str], monthly_fee: Any = 0,
                   carer_relation: str = "", start: dt.date | None = None) -> CareAgreement:
    """签订委托照料服务协议 (分散供养). A new agreement replaces the live one from its start."""
    require_write(actor, file)
    _tekun(file)
    start = start or dates.today()
    carer, services, fee = _agreement_fields(start, file, carer_name, services, monthly_fee)
    if open_admission(file) is not None:
        raise ValidationError({"file": "该对象正在机构集中供养，离院回家时再签订照料协议"})
    old = live_agreement(file)
    if old is not None:
        old.end = start
        old.save(update_fields=["end"])
    a = CareAgreement.objects.create(file=file, carer_name=carer, carer_relation=(carer_relation or "").strip()[:32],
                                     services=services, monthly_fee=fee, start=start, signed_by=who(actor))
    event(file, "agreement", f"照料人 {carer}：{'、'.join(services)}", actor)
    return a


@transaction.atomic
def create_institution(*, actor: Any, division: Any, name: str, kind: str, beds: int) -> Institution:
    if actor is not None:
        require_division(actor, division)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写机构名称"})
    if kind not in InstitutionKind.values:
        raise ValidationError({"kind": "请选择机构类型"})
    if not isinstance(beds, int) or not 1 <= beds <= 5000:
        raise ValidationError({"beds": "床位数应为 1 到 5000"})
    if Institution.objects.filter(name=name).exists():
        raise ValidationError({"name": "已有同名机构"})
    return Institution.objects.create(division=division, name=name, kind=kind, beds=beds)


def occupancy(qs: QuerySet[Institution]) -> list[dict[str, Any]]:
    rows = qs.annotate(occupied=Count("admissions", filter=Q(admissions__discharged_on__isnull=True)))
    return [{"institution": i, "occupied": i.occupied, "beds": i.beds, "free": max(0, i.beds - i.occupied),
             "rate": round(100 * i.occupied / i.beds, 1) if i.beds else 0} for i in rows]


@transaction.atomic
def admit(*, actor: Any, file: CareFile, institution: Institution, bed: str, on: dt.date | None = None) -> Admission:
    """入住 (分散 → 集中): the live care agreement ends, the bed must be free, the care level is the assessment's."""
    require_write(actor, file)
    _tekun(file)
    on = on or dates.today()
    bed = (bed or "").strip()
    if not bed or len(bed) > 16:
        raise ValidationError({"bed": "请填写床位号（不超过 16 个字符）"})
    inst = Institution.objects.select_for_update().get(pk=institution.pk)
    if open_admission(file) is not None:
        raise ValidationError({"file": "该对象已在机构集中供养"})
    taken = inst.admissions.filter(discharged_on__isnull=True)
    if taken.filter(bed=bed).exists():
        raise ValidationError({"bed": f"{inst.name} {bed} 床已有人入住"})
    if taken.count() >= inst.beds:
        raise ValidationError({"institution": f"{inst.name} 床位已满（{inst.beds} 张）"})
    a = live_agreement(file)
    if a is not None:
        a.end = on
        a.save(update_fields=["end"])
    adm = Admission.objects.create(file=file, institution=inst, bed=bed, admitted_on=on,
                                   care_tier=self_care_tier(file, on))
    event(file, "admitted", f"{inst.name} {bed} 床（{TIER_LABELS.get(adm.care_tier, '未评估')}）", actor)
    return adm


@transaction.atomic
def discharge(*, actor: Any, admission: Admission, reason: str, on: dt.date | None = None, to_home: bool = True,
              carer_name: str = "", services: list[str] | None = None, monthly_fee: Any = 0,
              carer_relation: str = "") -> Admission:
    """离院. Back home (集中 → 分散) someone who cannot fully look after themselves gets a care agreement in the same
    step: without a carer nothing is written."""
    file = admission.file
    require_write(actor, file)
    on = on or dates.today()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请写明离院原因"})
    if admission.discharged_on is not None:
        raise ValidationError({"admission": "已离院"})
    if on < admission.admitted_on:
        raise ValidationError({"on": "离院日期不能早于入住日期"})
    agreement: tuple[str, list[str], Decimal] | None = None
    if to_home and (carer_name or needs_agreement(file, on)):
        agreement = _agreement_fields(on, file, carer_name, list(services or []), monthly_fee)
    admission.discharged_on, admission.discharge_reason = on, reason[:200]
    admission.save(update_fields=["discharged_on", "discharge_reason"])
    event(file, "discharged", f"{admission.institution.name}：{reason}", actor)
    if agreement is not None:
        carer, svc, fee = agreement
        CareAgreement.objects.create(file=file, carer_name=carer, carer_relation=(carer_relation or "")[:32],
                                     services=svc, monthly_fee=fee, start=on, signed_by=who(actor))
        event(file, "agreement", f"照料人 {carer}：{'、'.join(svc)}", actor)
    return admission
