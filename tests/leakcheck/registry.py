"""Jurisdiction leak test: a household with members, an income and an asset in the victim's village."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.registry import idnumber, services
from minzheng.registry.models import HukouType, Relation

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    head_id = idnumber.make("350702", dt.date(1951, 3, 15), 317)
    member_id = idnumber.make("352101", dt.date(1983, 9, 2), 428)
    hh = services.create_household(actor=owner, division=village, hukou_type=HukouType.URBAN, address="中山路 9 号",
                                   phone="13905990001", head={"name": "苏泳霖", "id_number": head_id,
                                                              "phone": "13905990001", "bank_account": "6228480012345678"})
    member = services.add_person(actor=owner, household=hh, name="苏婉蓉", id_number=member_id,
                                 relation=Relation.DAUGHTER, phone="13905990002")
    income = services.add_income(actor=owner, household=hh, category="wage", monthly_amount="1800",
                                 period_start=dt.date(2024, 1, 1), person=member, item="务工收入")
    asset = services.add_asset(actor=owner, household=hh, kind="deposit", value="3000", description="存款")
    return Planted(
        scoped={"household_id": hh.pk, "person_id": member.pk, "income_id": income.pk, "asset_id": asset.pk},
        secrets=["苏泳霖", "苏婉蓉", head_id, member_id, "13905990001", "6228480012345678"],
    )
