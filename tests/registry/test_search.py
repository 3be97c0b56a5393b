"""Search: what an officer types finds the right people, and only inside their jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.registry import selectors, services
from minzheng.registry.models import HukouType

from .conftest import make_id

pytestmark = pytest.mark.django_db


def names(user: Any, q: str) -> list[str]:
    return [p.name for p in selectors.search_persons(user, q)]


@pytest.fixture
def xiadao_family(xiadao_officer: Any, xiadao_village: Any) -> Any:
    return services.create_household(actor=xiadao_officer, division=xiadao_village, hukou_type=HukouType.RURAL,
                                     head={"name": "陈志福", "id_number": make_id(birth=dt.date(1950, 3, 15), seq=57),
                                           "phone": "13905991299"})


@pytest.mark.parametrize(("q", "expected"), [
    ("陈志富", ["陈志富"]),
    ("陈", ["陈志富", "陈浩宇"]),
    ("czf", ["陈志富"]),
    ("CZF", ["陈志富"]),
    ("志富", ["陈志富"]),           # given name only
    ("秀", ["林秀英"]),             # start of the given name
    ("秀英", ["林秀英"]),
    ("宇", []),                     # one character is never searched anywhere in the name
    ("19500315", ["陈志富"]),       # birth date
    ("{head4}", ["陈志富"]),        # last four of the ID
    ("{head6}", ["陈志富"]),        # last six
    ("3507021952", ["林秀英"]),     # first digits
    ("13905991234", ["陈志富"]),    # phone
    ("1111", ["陈浩宇"]),           # last four of the phone
    ("0599-88", []),
    ("陈 {son4}", ["陈浩宇"]),      # two words: both must hold
    ("林 {son4}", []),
])
def test_what_officers_type(family: Any, meishan_officer: Any, q: str, expected: list[str]) -> None:
    from minzheng.registry.models import Person

    son = Person.objects.get(name="陈浩宇").id_number
    q = q.format(head4=family.head.id_number[-4:], head6=family.head.id_number[-6:], son4=son[-4:])
    assert sorted(names(meishan_officer, q)) == sorted(expected)


def test_full_id_in_any_width_or_case_and_the_old_15_digits(family: Any, meishan_officer: Any) -> None:
    n = family.head.id_number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in n)
    assert names(meishan_officer, full_width) == ["陈志富"]
    assert names(meishan_officer, f" {n[:6]} {n[6:]} ".replace(" ", "")) == ["陈志富"]
    old15 = n[:6] + n[8:17]
    assert names(meishan_officer, old15) == ["陈志富"]


def test_household_phone_finds_its_members(family: Any, meishan_officer: Any) -> None:
    # the household's landline is not a person's phone: all members are found through it
    services.update_household(actor=meishan_officer, household=family, phone="13600001234")
    assert sorted(names(meishan_officer, "13600001234")) == ["林秀英", "陈志富", "陈浩宇"]


def test_search_is_scoped_to_the_jurisdiction(family: Any, xiadao_family: Any, meishan_officer: Any,
                                              xiadao_officer: Any, district_admin: Any, coordinator: Any,
                                              auditor: Any) -> None:
    assert names(meishan_officer, "czf") == ["陈志富"]
    assert names(xiadao_officer, "czf") == ["陈志福"]
    assert sorted(names(district_admin, "czf")) == ["陈志富", "陈志福"]
    assert names(coordinator, "czf") == ["陈志富"]          # 中山社区 is where the family lives
    assert names(xiadao_officer, family.head.id_number) == []
    assert names(xiadao_officer, "13905991234") == []
    assert sorted(names(auditor, "19500315")) == ["陈志富", "陈志福"]


def test_households_search_and_page(family: Any, xiadao_family: Any, meishan_officer: Any) -> None:
    hh = list(selectors.households(meishan_officer, q="浩宇"))
    assert [h.pk for h in hh] == [family.pk]
    page = selectors.search_page(meishan_officer, "陈", per_page=1)
    assert page.paginator.count == 2 and page.paginator.num_pages == 2 and not page.paginator.capped


def test_deceased_can_be_left_out(family: Any, meishan_officer: Any) -> None:
    from minzheng.registry.models import Person

    services.record_death(actor=meishan_officer, person=Person.objects.get(name="林秀英"), death_date=dt.date(2025, 1, 1))
    assert names(meishan_officer, "林") == ["林秀英"]
    assert list(selectors.search_persons(meishan_officer, "林", include_deceased=False)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=st.sampled_from(list("陈林xX0123456789 czf%_'\\\"１２ｘ")), max_size=20))
def test_any_query_is_safe_and_stays_in_scope(family: Any, xiadao_family: Any, xiadao_officer: Any,
                                              q: str) -> None:
    found = list(selectors.search_persons(xiadao_officer, q))
    assert all(p.household.division.parent.name == "夏道镇" for p in found)


def test_counts_stop_at_the_cap_and_a_short_first_page_needs_no_count(family: Any, meishan_officer: Any,
                                                                       django_assert_num_queries: Any) -> None:
    from minzheng.registry.selectors import CappedPaginator

    qs = selectors.search_persons(meishan_officer, "")
    p = CappedPaginator(qs, 1)
    p.cap = 2
    page = p.get_page(1)
    assert len(page.object_list) == 1 and p.count == 3 and p.capped
    short = CappedPaginator(selectors.search_persons(meishan_officer, ""), 20)
    with django_assert_num_queries(1):
        page = short.get_page(1)
        assert short.count == 3 and not short.capped and len(page.object_list) == 3
