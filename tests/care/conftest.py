"""Care-file fixtures: a family in 中山社区 with a child and an elder, their files, and the children's roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType, Relation

_seq = {"n": 100}
_CHARS = "甲乙丙丁戊己庚辛壬癸"


def cname(prefix: str, n: int) -> str:
    """A name without digits (the registry refuses those): 老人 + 117 → 老人乙乙庚."""
    return prefix + "".join(_CHARS[int(d)] for d in str(n))


@pytest.fixture
def family(meishan_officer: Any, zhongshan: Any) -> Callable[..., Any]:
    """A household in `village` (default 中山社区) whose head was born on `head_born`; extra members by birth date."""

    def make(village: Any = None, head_born: dt.date = dt.date(1940, 3, 1), kids: tuple[dt.date, ...] = (),
             hukou: str = HukouType.RURAL, actor: Any = None) -> Any:
        _seq["n"] = 10 + (_seq["n"] + 7) % 970
        hh = registry.create_household(
            actor=actor or meishan_officer, division=village or zhongshan, hukou_type=hukou, address="关爱路",
            head={"name": cname("老人", _seq["n"]), "id_number": idnumber.make("350702", head_born, _seq["n"])})
        for i, born in enumerate(kids):
            registry.add_person(actor=actor or meishan_officer, household=hh, name=cname("孩子", _seq["n"] * 10 + i),
                                id_number=idnumber.make("350702", born, _seq["n"] + i + 1),
                                relation=Relation.GRANDCHILD)
        return hh

    return make


@pytest.fixture
def director(make_user: Callable[..., Any], zhongshan: Any) -> Any:
    return make_user(Role.CHILD_DIRECTOR, zhongshan, username="ertong_t")


@pytest.fixture
def supervisor(make_user: Callable[..., Any], meishan: Any) -> Any:
    return make_user(Role.CHILD_SUPERVISOR, meishan, username="dudao_t")


CHILD_ANSWERS = {"seen_child": True, "guardian_present": True, "schooling": "正常就学", "living": "良好",
                 "safety_risk": False}
ELDER_ANSWERS = {"seen_person": True, "health": "一般", "living": True, "carer_duty": "履行"}
