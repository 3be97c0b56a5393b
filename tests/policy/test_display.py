"""Parameter values in words: no True, no Python lists, no codes on a page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.policy.display import format_value


def test_flags_are_yes_or_no() -> None:
    assert format_value(True, "bool") == "是"
    assert format_value(False, "bool") == "否"


def test_bands_read_as_lines() -> None:
    bands = [{"min_age": 80, "max_age": 89, "amount": "100"}, {"min_age": 100, "max_age": None, "amount": "500"}]
    assert format_value(bands, "json") == "起始年龄 80，截止年龄 89，金额 100；起始年龄 100，截止年龄 不限，金额 500"


def test_grades_and_rounding_in_words() -> None:
    assert format_value({"1": "100", "2": "80"}, "json") == "一级 100；二级 80"
    assert format_value({"quantum": "0.01", "mode": "ROUND_HALF_UP"}, "json") == "取整单位 0.01；方式 四舍五入"


def test_numbers_with_units() -> None:
    assert format_value("730.00", "decimal", "元/人/月") == "730 元/人/月"
    assert format_value("1.3", "decimal", "倍") == "1.3 倍"


@pytest.mark.django_db
def test_programme_codes_become_names() -> None:
    assert format_value([["gaoling", "canji_life"]], "json") == "高龄津贴、困难残疾人生活补贴"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["min", "max", "amount", "1"]), inner,
                                                               max_size=3),
    max_leaves=10)


@given(json_values)
def test_never_shows_python_syntax(value: object) -> None:
    text = format_value(value, "json")
    for raw in ("[", "]", "{", "}", "True", "False", "None", "'"):
        assert raw not in text, (value, text)
