"""Jurisdiction leak test: a township's own purchased-service contract with a provider, a worker, an order for a
person in the victim's village, a record with its photo and a flag, a callback sample, a milestone, an assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.core import dates
from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    from minzheng.accounts import services as accounts
    from minzheng.accounts.roles import Role
    from minzheng.purchased.demo import credit_code, photo_bytes
    from minzheng.purchased.models import (
        Assessment,
        CallbackItem,
        CallbackSample,
        EvaluatorAssignment,
        RecordFlag,
    )
    from minzheng.purchased.services import contracts, delivery, providers

    township = village.parent
    pid = idnumber.make("350702", dt.date(1940, 2, 3), 512)
    hh = registry.create_household(actor=owner, division=village, hukou_type=HukouType.RURAL, address="购买服务路 1 号",
                                   phone="13905997777", head={"name": "卢秘照料", "id_number": pid})
    person = hh.members.get()
    p = providers.register(actor=None, division=township, name="秘密社工服务中心", credit_code=credit_code("91350702", "MA31HM5X8"),
                           kind="social_org")
    user = accounts.create_user(username="leak_provider_staff", password=None, role=Role.SOCIAL_ORG, division=township)
    staff = providers.bind_staff(actor=None, provider=p, user=user, name="钟秘护理")
    today = dates.today()
    start = dates.shift_months(dates.current_month(), -2)
    c = contracts.create(actor=None, buyer=township, provider=p, number="LEAK-001", title="特困照料", service="tekun_care",
                         procurement="inquiry", fund="work_funds", fund_source="county", budget="1000", start=start,
                         end=start + dt.timedelta(days=300), townships=[township], visits_per_month=2, min_minutes=30,
                         unit_price="10")
    m = contracts.add_milestone(actor=None, contract=c, title="一期", period_start=start,
                                period_end=dates.month_end(start), cap="500")
    o = delivery.assign(actor=None, contract=c, person=person, staff=staff, start=start)
    begin = dates.aware(dt.datetime.combine(start + dt.timedelta(days=3), dt.time(9)))
    rec = delivery.record(actor=None, order=o, staff=staff, started_at=begin, ended_at=begin + dt.timedelta(hours=1),
                          content="照料", photo=SimpleUploadedFile("p.jpg", photo_bytes(7)), confirmation="signature",
                          confirmed_by="卢秘照料", now=begin + dt.timedelta(hours=2))
    flag = RecordFlag.objects.create(record=rec, code="short", text="演示", found_on=today)
    sample = CallbackSample.objects.create(township=township, month=start, seed="x", drawn_at=dates.now(),
                                           population=1)
    item = CallbackItem.objects.create(sample=sample, order=o)
    Assessment.objects.create(contract=c, period_start=start, period_end=dates.month_end(start), indicators={},
                              score=Decimal("90"), grade="优秀", assessor="x", created_at=dates.now())
    evaluator = accounts.create_user(username="leak_evaluator", password=None, role=Role.EVALUATOR, division=township)
    EvaluatorAssignment.objects.create(contract=c, evaluator=evaluator, period_start=start,
                                       period_end=dates.month_end(start), assigned_by="x", assigned_at=dates.now())
    delivery.issue_card(actor=None, order=o, count=2)
    return Planted(
        scoped={"provider_id": p.pk, "contract_id": c.pk, "order_id": o.pk, "record_id": rec.pk, "flag_id": flag.pk,
                "sample_id": sample.pk, "milestone_id": m.pk, "callbackitem_id": item.pk,
                "providerstaff_id": staff.pk},
        secrets=["卢秘照料", pid, "13905997777", "钟秘护理"],
    )
