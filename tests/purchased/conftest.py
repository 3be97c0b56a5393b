from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.accounts.roles import Role
from minzheng.core import dates
from minzheng.purchased.demo import credit_code, photo_bytes
from minzheng.purchased.services import contracts, delivery, providers
from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType

NOW = "2025-06-20T10:00:00+08:00"


def photo(seed: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", photo_bytes(seed), content_type="image/jpeg")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dates.aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class World:
    contract: Any
    provider: Any
    other_provider: Any
    worker: Any          # ProviderStaff of provider, assigned to `order`
    worker_user: Any
    idle_user: Any       # another worker of the same provider, no orders
    rival_user: Any      # a worker of the other provider
    order: Any
    order2: Any          # same worker, another person
    person: Any
    person2: Any
    unassigned: Any      # a person in the same village with no order
    milestone: Any


@pytest.fixture
def frozen_now() -> Any:
    with dates.frozen(NOW):
        yield


def _person(owner: Any, village: Any, name: str, seq: int) -> Any:
    hh = registry.create_household(actor=owner, division=village, hukou_type=HukouType.RURAL, address="测试路",
                                   head={"name": name, "id_number": idnumber.make("350702", dt.date(1940, 1, 1), seq)})
    return hh.members.get()


@pytest.fixture
def world(frozen_now: Any, county: Any, meishan: Any, zhongshan: Any, meishan_officer: Any, make_user: Any) -> World:
    p = providers.register(actor=None, division=county, name="康乐中心", credit_code=credit_code("52350702", "MJ0K12345"),
                           kind="social_org")
    q = providers.register(actor=None, division=county, name="惠民公司", credit_code=credit_code("91350702", "MA31HM5X7"),
                           kind="enterprise")
    wu = make_user(Role.SOCIAL_ORG, county, username="worker_a")
    iu = make_user(Role.SOCIAL_ORG, county, username="worker_idle")
    ru = make_user(Role.SOCIAL_ORG, county, username="worker_rival")
    w = providers.bind_staff(actor=None, provider=p, user=wu, name="护理员甲")
    providers.bind_staff(actor=None, provider=p, user=iu, name="护理员乙")
    providers.bind_staff(actor=None, provider=q, user=ru, name="护理员丙")
    c = contracts.create(actor=None, buyer=county, provider=p, number="T-001", title="特困照料", service="tekun_care",
                         procurement="public_tender", fund="work_funds", fund_source="county", budget="10000",
                         start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), townships=[meishan],
                         visits_per_month=2, min_minutes=45, unit_price="50", deduction_per_failed="20")
    m = contracts.add_milestone(actor=None, contract=c, title="一季度", period_start=dt.date(2025, 4, 1),
                                period_end=dt.date(2025, 5, 31), cap="2500")
    a = _person(meishan_officer, zhongshan, "甲老人", 11)
    b = _person(meishan_officer, zhongshan, "乙老人", 13)
    u = _person(meishan_officer, zhongshan, "丙老人", 15)
    o1 = delivery.assign(actor=meishan_officer, contract=c, person=a, staff=w, start=dt.date(2025, 4, 1))
    o2 = delivery.assign(actor=meishan_officer, contract=c, person=b, staff=w, start=dt.date(2025, 4, 1))
    return World(c, p, q, w, wu, iu, ru, o1, o2, a, b, u, m)
