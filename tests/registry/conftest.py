from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.registry import idnumber, services
from minzheng.registry.models import HukouType


def make_id(region: str = "350702", birth: dt.date = dt.date(1960, 5, 1), seq: int = 11) -> str:
    return idnumber.make(region, birth, seq)


@pytest.fixture
def family(meishan_officer: Any, zhongshan: Any) -> Any:
    """陈志富 (head, 1950) with his wife 林秀英 and son 陈浩宇, in 中山社区 (梅山街道)."""
    hh = services.create_household(
        actor=meishan_officer, division=zhongshan, hukou_type=HukouType.URBAN, address="中山路 12 号",
        phone="0599-8812345", on=dt.date(2000, 1, 1),
        head={"name": "陈志富", "id_number": make_id(birth=dt.date(1950, 3, 15), seq=13), "phone": "13905991234",
              "bank_name": "中国农业银行", "bank_account": "6228480099998888"})
    services.add_person(actor=meishan_officer, household=hh, name="林秀英",
                        id_number=make_id(birth=dt.date(1952, 7, 1), seq=24), relation="10",
                        joined_on=dt.date(2000, 1, 1))
    services.add_person(actor=meishan_officer, household=hh, name="陈浩宇",
                        id_number=make_id(birth=dt.date(1980, 1, 2), seq=35), relation="20", phone="13800001111",
                        joined_on=dt.date(2000, 1, 1))
    hh.refresh_from_db()
    return hh
