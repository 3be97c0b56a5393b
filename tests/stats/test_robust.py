"""The robust statistic behind the coverage flags: median, MAD and the modified z-score, as properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.stats import robust

# The machine may be busy (tests of four worktrees share two cores): no deadline, no speed check.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
rates = st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=60)


@relaxed
@given(rates)
def test_the_median_lies_between_the_extremes_and_halves_the_data(values: list[float]) -> None:
    m = robust.median(values)
    assert min(values) <= m <= max(values)
    assert sum(v <= m for v in values) >= len(values) / 2
    assert sum(v >= m for v in values) >= len(values) / 2


@relaxed
@given(rates, st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_shifting_every_village_shifts_the_median_and_keeps_the_spread(values: list[float], shift: float) -> None:
    s, t = robust.spread(values), robust.spread([v + shift for v in values])
    assert t.median == pytest.approx(s.median + shift, abs=1e-9)
    assert t.mad == pytest.approx(s.mad, abs=1e-9)


@relaxed
@given(rates, st.permutations(list(range(60))))
def test_the_order_of_villages_does_not_matter(values: list[float], order: list[int]) -> None:
    shuffled = [values[i] for i in order if i < len(values)]
    a, b = robust.spread(shuffled), robust.spread(values)
    assert (a.median, a.mad, a.n) == (b.median, b.mad, b.n)


@relaxed
@given(st.lists(st.floats(min_value=0.01, max_value=0.05, allow_nan=False), min_size=10, max_size=60))
def test_one_village_far_above_its_peers_stands_out_however_many_peers(peers: list[float]) -> None:
    # given: ordinary villages between 1% and 5%, and one at 30%
    values = [*peers, 0.30]
    # then: its modified z-score passes the usual 3.5, and no ordinary village's does by much
    s = robust.spread(values)
    assert s.z(0.30) > 3.5
    assert s.z(0.30) > max(s.z(v) for v in peers)


@relaxed
@given(st.integers(min_value=5, max_value=50), st.floats(min_value=0.011, max_value=0.5))
def test_identical_peers_do_not_hide_an_outlier(n: int, outlier: float) -> None:
    # given: n villages with exactly the same rate (MAD 0) and one higher
    s = robust.spread([0.01] * n + [outlier])
    # then: the fallback spread still gives the higher village a large, finite score
    assert s.z(outlier) > 3.5
    assert s.z(0.01) == 0


@relaxed
@given(rates)
def test_the_median_village_scores_zero(values: list[float]) -> None:
    s = robust.spread(values)
    assert s.z(s.median) == 0


def test_a_mean_would_be_fooled_where_the_median_is_not() -> None:
    # given: 20 villages at 3% and three 人情保 villages at 14%
    values = [0.03] * 20 + [0.14, 0.14, 0.14]
    s = robust.spread(values)
    assert s.median == 0.03
    assert all(s.z(v) > 3.5 for v in (0.14,))
