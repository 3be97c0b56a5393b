"""The report's staffing norm: 1–2万 → 2 民政助理员 posts, over 2万 → 3–4, from division populations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.policy import services as policy
from minzheng.workforce import selectors, staff
from minzheng.workforce.models import PostKind

ON = dt.date(2024, 6, 1)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(population=st.integers(min_value=0, max_value=200_000))
def test_norm_follows_the_report_bands(population: int) -> None:
    norm = selectors.norm_for(population, on=ON)
    assert norm is not None
    if population >= 20000:
        assert (norm.posts_min, norm.posts_max) == (3, 4)
    elif population >= 10000:
        assert (norm.posts_min, norm.posts_max) == (2, 2)
    else:
        assert (norm.posts_min, norm.posts_max) == (1, 1)
    assert "2018" in norm.rule["source"]


@pytest.mark.django_db
def test_boundaries_and_missing_population() -> None:
    assert selectors.norm_for(19999, on=ON).label == "2"
    assert selectors.norm_for(20000, on=ON).label == "3–4"
    assert selectors.norm_for(10000, on=ON).label == "2"
    assert selectors.norm_for(None, on=ON) is None


@pytest.mark.django_db
def test_norm_is_a_versioned_parameter() -> None:
    policy.add_version(key="workforce.staffing.norm_bands", effective_from=dt.date(2025, 1, 1),
                       value=[{"min": 0, "max": 15000, "posts_min": 2, "posts_max": 2},
                              {"min": 15000, "max": None, "posts_min": 4, "posts_max": 5}],
                       source_document="区编办文件（测试）")
    assert selectors.norm_for(12000, on=dt.date(2024, 12, 31)).label == "2"
    assert selectors.norm_for(25000, on=dt.date(2024, 12, 31)).label == "3–4"
    assert selectors.norm_for(25000, on=dt.date(2025, 1, 1)).label == "4–5"


@pytest.mark.django_db
def test_township_posts_against_norm(meishan: Any, xiadao: Any, zhongshan: Any) -> None:
    meishan.population, xiadao.population = 62000, 15000
    meishan.save()
    xiadao.save()
    for d, n in ((meishan, 2), (xiadao, 2)):
        for i in range(n):
            p = staff.create_post(division=d, kind=PostKind.TOWNSHIP_ASSISTANT)
            staff.appoint(post=p, staff=staff.create_staff(division=d, name=f"员{i}"), start=ON,
                          employment="part" if i else "full")
    staff.create_post(division=xiadao, kind=PostKind.TOWNSHIP_ASSISTANT)  # vacant post: not counted as staff
    vp = staff.create_post(division=zhongshan, kind=PostKind.VILLAGE_COORDINATOR)
    staff.appoint(post=vp, staff=staff.create_staff(division=zhongshan, name="协"), start=ON)
    rows = {r.township.name: r for r in selectors.staffing([meishan, xiadao], on=ON)}
    assert (rows["梅山街道"].assistants_filled, rows["梅山街道"].status, rows["梅山街道"].gap) == (2, "不足", 1)
    assert rows["梅山街道"].part_time == 1 and rows["梅山街道"].village_posts_filled == 1
    assert (rows["夏道镇"].assistant_posts, rows["夏道镇"].assistants_filled, rows["夏道镇"].status) == (3, 2, "达标")


@pytest.mark.django_db
def test_post_level_must_match_kind(meishan: Any, zhongshan: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        staff.create_post(division=zhongshan, kind=PostKind.TOWNSHIP_ASSISTANT)
    with pytest.raises(ValidationError):
        staff.create_post(division=meishan, kind=PostKind.CHILD_DIRECTOR)
