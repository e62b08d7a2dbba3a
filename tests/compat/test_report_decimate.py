"""Min/max-per-bucket reduction of long series: extremes, ends and gaps survive."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.report.decimate import keep_indices, reduce_series


def test_a_series_within_the_budget_is_drawn_whole():
    values = np.arange(10.0)
    assert keep_indices(values, 10).tolist() == list(range(10))


def test_each_bucket_keeps_its_minimum_and_maximum():
    # 14 points, budget 8 -> (8 - 2) // 3 = 2 buckets of 7: [0..6], [7..13]
    values = np.array([5, 1, 9, 5, 5, 5, 5, 5, 5, 0, 5, 5, 7, 5], dtype=float)
    kept = keep_indices(values, 8)
    # bucket 1: min at 1, max at 2; bucket 2: min at 9, max at 12; ends 0 and 13
    assert kept.tolist() == [0, 1, 2, 9, 12, 13]


def test_a_gap_stays_a_gap():
    values = np.array([1, 2, np.nan, 4, 5, 6, 7, 8, 9, 10, 11, 12], dtype=float)
    kept = keep_indices(values, 5)  # one bucket: min 0, max 11, first NaN 2
    assert kept.tolist() == [0, 2, 11]
    assert keep_indices(np.full(20, np.nan), 5).tolist() == [0, 19]  # one gap, both ends


def test_reduce_series_keeps_x_and_y_together():
    x = np.array([f"d{i}" for i in range(14)])
    y = np.array([5, 1, 9, 5, 5, 5, 5, 5, 5, 0, 5, 5, 7, 5], dtype=float)
    rx, ry = reduce_series(x, y, 8)
    assert rx.tolist() == ["d0", "d1", "d2", "d9", "d12", "d13"]
    assert ry.tolist() == [5, 1, 9, 0, 7, 5]


@given(
    st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=400),
    st.integers(5, 120),
)
def test_reduction_is_bounded_ordered_and_keeps_the_extremes(values, budget):
    series = np.asarray(values, dtype=float)
    kept = keep_indices(series, budget)
    assert kept.size <= max(budget, 5)
    assert (np.diff(kept) > 0).all()
    assert kept[0] == 0 and kept[-1] == series.size - 1
    finite = series[~np.isnan(series)]
    if finite.size:
        shown = series[kept]
        assert np.nanmin(shown) == finite.min() and np.nanmax(shown) == finite.max()
    if np.isnan(series).any():
        assert np.isnan(series[kept]).any()
