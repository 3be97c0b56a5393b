"""Jurisdiction leak test: a risk flag in the victim's village naming one of its households, turned into a spot
check with that household as its sample item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.core import dates
from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.stats.models import FlagKind, RiskFlag, RiskSample, SampleItem

    pid = idnumber.make("350702", dt.date(1950, 5, 6), 611)
    hh = registry.create_household(actor=owner, division=village, hukou_type=HukouType.URBAN, address="统计路 3 号",
                                   phone="13905998888", head={"name": "秦秘疑点", "id_number": pid})
    month = dates.add_months(dates.current_month(), -1)
    flag = RiskFlag.objects.create(kind=FlagKind.SHARED, division=village, month=month, key="leak",
                                   explanation="3 户低保对象的联系电话相同（尾号 8888）", households=[hh.pk])
    sample = RiskSample.objects.create(flag=flag, drawn_on=dates.today(), drawn_by="qu_admin", seed="leak")
    item = SampleItem.objects.create(sample=sample, household=hh)
    return Planted(scoped={"risk_flag_id": flag.pk, "risk_sample_id": sample.pk, "sample_item_id": item.pk},
                   secrets=["秦秘疑点", pid, "13905998888", "统计路 3 号"])
