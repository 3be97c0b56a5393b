"""Complaints about a provider from beneficiaries: routed as a 民情 item (workforce.needs: the township's queue, its
deadline and escalation), and counted against the provider in its assessment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.core import dates
from minzheng.regions.models import Division, Level
from minzheng.workforce import needs
from minzheng.workforce.models import NeedCategory, NeedSource

from ..models import Complaint, ContractArea, ContractStatus, Provider


def providers_serving(village: Division) -> list[Provider]:
    return list(Provider.objects.filter(contracts__areas__township=village.parent_id,
                                        contracts__status=ContractStatus.ACTIVE).distinct())


@transaction.atomic
def submit(*, provider: Provider, village: Division, description: str, reporter_name: str = "",
           reporter_phone: str = "", ip: str = "") -> Complaint:
    if village is None or village.level != Level.VILLAGE:
        raise ValidationError({"village": "请选择村(社区)"})
    if not ContractArea.objects.filter(contract__provider=provider, township=village.parent_id).exists():
        raise ValidationError({"provider": f"{provider.name} 未在该村所属乡镇承接服务"})
    text = (description or "").strip()
    if len(text) < 5:
        raise ValidationError({"description": "请写清楚投诉的情况（至少 5 个字）"})
    report = needs.submit(village=village, category=NeedCategory.COMPLAINT, source=NeedSource.PUBLIC, ip=ip,
                          description=f"【购买服务投诉】承接主体：{provider.name}\n{text}"[:2000],
                          reporter_name=reporter_name, reporter_phone=reporter_phone)
    return Complaint.objects.create(provider=provider, village=village, need=report, created_at=dates.now())
