"""Policy is data: dated, regional, sourced versions; and the Chinese working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.core import dates
from minzheng.policy import services
from minzheng.policy.catalog import ParamSpec, catalog
from minzheng.policy.models import Holiday

pytestmark = pytest.mark.django_db

KEY = "test.standard"


@pytest.fixture(autouse=True)
def _spec() -> None:
    catalog.declare(ParamSpec(KEY, "测试标准", unit="元/人/月"))


def _add(value: str, day: dt.date, division: Any = None) -> Any:
    return services.add_version(key=KEY, value=value, effective_from=day, source_document="测试", division=division)


def test_latest_version_in_force_on_a_date_wins() -> None:
    _add("600", dt.date(2020, 1, 1))
    _add("650", dt.date(2021, 7, 1))
    assert services.value(KEY, on=dt.date(2021, 6, 30)) == "600"
    assert services.value(KEY, on=dt.date(2021, 7, 1)) == "650"
    with pytest.raises(services.MissingParameter, match="测试标准"):
        services.resolve(KEY, on=dt.date(2019, 12, 31))


def test_most_specific_division_wins(county: Any, meishan: Any, zhongshan: Any, xiadao: Any) -> None:
    _add("600", dt.date(2020, 1, 1))
    _add("700", dt.date(2019, 1, 1), division=meishan)
    assert services.value(KEY, on=dt.date(2022, 1, 1), division=zhongshan) == "700"
    assert services.value(KEY, on=dt.date(2022, 1, 1), division=xiadao) == "600"


def test_resolved_value_names_its_version() -> None:
    p = _add("600", dt.date(2020, 1, 1))
    ref = services.resolve(KEY, on=dt.date(2020, 5, 1)).ref()
    assert ref["version_id"] == p.pk and ref["source"] == "测试" and ref["value"] == "600"


def test_bad_versions_are_refused(meishan_officer: Any) -> None:
    with pytest.raises(ValidationError, match="不是数字"):
        _add("六百", dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="负数"):
        _add("-1", dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="依据文件"):
        services.add_version(key=KEY, value="1", effective_from=dt.date(2020, 1, 1), source_document=" ")
    with pytest.raises(PermissionDenied):
        services.add_version(key=KEY, value="1", effective_from=dt.date(2020, 1, 1), source_document="x",
                             actor=meishan_officer)
    _add("600", dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="已有该参数的版本"):
        _add("610", dt.date(2020, 1, 1))


def test_national_day_2024_and_its_make_up_days() -> None:
    # 国务院办公厅 2024 安排: 10月1日至7日放假调休, 9月29日(周日)、10月12日(周六)上班.
    assert dates.add_workdays(dt.date(2024, 9, 27), 1) == dt.date(2024, 9, 29)
    assert dates.add_workdays(dt.date(2024, 9, 30), 1) == dt.date(2024, 10, 8)
    assert dates.is_workday(dt.date(2024, 10, 12))
    assert not dates.is_workday(dt.date(2024, 10, 7))


def test_spring_festival_2024_three_working_days() -> None:
    # 2月10日至17日放假, 2月4日(周日)、2月18日(周日)上班: 3 working days after Fri 9 Feb end Tue 20 Feb.
    assert dates.add_workdays(dt.date(2024, 2, 9), 3) == dt.date(2024, 2, 20)


def test_a_later_year_entered_by_staff_is_honoured() -> None:
    Holiday.objects.create(date=dt.date(2031, 1, 1), is_workday=False, name="元旦")
    dates.clear_calendar_cache()
    assert dates.add_workdays(dt.date(2030, 12, 31), 1) == dt.date(2031, 1, 2)


@settings(max_examples=50, deadline=None)
@given(start=st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 12, 1)), n=st.integers(0, 40))
def test_workday_arithmetic_round_trips(start: dt.date, n: int) -> None:
    end = dates.add_workdays(start, n)
    assert dates.workdays_between(start, end) == n
    assert n == 0 or dates.is_workday(end)


def test_text_input_gets_the_declared_kind() -> None:
    catalog.declare(ParamSpec("test.flag", "测试开关", kind="bool"))
    catalog.declare(ParamSpec("test.list", "测试列表", kind="json"))
    services.add_version(key="test.flag", value="否", effective_from=dt.date(2020, 1, 1), source_document="测试")
    services.add_version(key="test.list", value='["配偶", "子女"]', effective_from=dt.date(2020, 1, 1),
                         source_document="测试")
    assert services.value("test.flag", on=dt.date(2021, 1, 1)) is False
    assert services.value("test.list", on=dt.date(2021, 1, 1)) == ["配偶", "子女"]
    with pytest.raises(ValidationError, match="JSON"):
        services.add_version(key="test.list", value="[配偶", effective_from=dt.date(2021, 1, 1), source_document="x")
    with pytest.raises(ValidationError, match="是/否"):
        services.add_version(key="test.flag", value="也许", effective_from=dt.date(2021, 1, 1), source_document="x")


def test_a_list_typed_as_words_is_a_list() -> None:
    catalog.declare(ParamSpec("test.words", "测试词表", kind="json"))
    services.add_version(key="test.words", value="优待抚恤金、奖学金，见义勇为奖励", effective_from=dt.date(2020, 1, 1),
                         source_document="测试")
    assert services.value("test.words", on=dt.date(2020, 2, 1)) == ["优待抚恤金", "奖学金", "见义勇为奖励"]


_DAYS = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2027, 12, 31))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(versions=st.lists(st.tuples(st.sampled_from([None, "county", "meishan", "zhongshan", "xiadao"]), _DAYS,
                                   st.one_of(st.none(), st.integers(1, 900))), max_size=8),
       asks=st.lists(st.tuples(st.sampled_from([None, "county", "meishan", "zhongshan", "xiadao"]), _DAYS),
                     min_size=1, max_size=10))
def test_a_request_memo_resolves_exactly_like_the_query(
        county: Any, meishan: Any, zhongshan: Any, xiadao: Any,
        versions: list[tuple[str | None, dt.date, int | None]], asks: list[tuple[str | None, dt.date]]) -> None:
    """Inside a request the memo reads a key's versions once and picks in Python: same answer (or the same refusal)
    as the database query, for any divisions, dates and closed versions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minzheng.policy.models import Parameter

    divisions = {"county": county, "meishan": meishan, "zhongshan": zhongshan, "xiadao": xiadao, None: None}
    Parameter.objects.filter(key=KEY).delete()
    for i, (where, start, days) in enumerate(versions):
        if Parameter.objects.filter(key=KEY, division=divisions[where], effective_from=start).exists():
            continue
        Parameter.objects.create(key=KEY, value=str(600 + i), effective_from=start, source_document="测试",
                                 division=divisions[where],
                                 effective_to=start + dt.timedelta(days=days) if days else None)

    def answer(where: str | None, on: dt.date) -> tuple[str, Any]:
        try:
            return ("ok", services.resolve(KEY, on=on, division=divisions[where]).value)
        except services.MissingParameter:
            return ("missing", None)

    plain = [answer(w, on) for w, on in asks]
    with services.memoized(), CaptureQueriesContext(connection) as q:
        memo = [answer(w, on) for w, on in asks]
    assert memo == plain
    assert len(q.captured_queries) == 1   # one read of the key's versions, whatever was asked
