"""RC1 features (docs/strategy.md, Features) on hand-made minimal markets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dragon_compat.features import (
    FEATURE_COLUMNS,
    FEATURE_DTYPES,
    SEASONED_DAYS_LISTED,
    compute_features,
)
from dragon_runtime.market import annotate_limits
from tests.compat.builders import (
    BROKEN,
    LIMIT_DOWN,
    LIMIT_UP,
    ONE_WORD,
    SUSPENDED,
    at,
    make_bars,
    path,
    sessions,
    up_limit_of,
)

A, B, C = "600001.SH", "000002.SZ", "600003.SH"


def featured(*paths, **options):
    bars = make_bars(*paths, **options)
    return bars.join(compute_features(bars))


def heights(frame, symbol):
    rows = frame[frame["symbol"].astype(str) == symbol]
    return rows["board_height"].tolist()


# --- limit flags -------------------------------------------------------------------


def test_limit_up_close_is_limit_up_and_touched_up():
    row = at(featured(path(A, [10.0, LIMIT_UP])), A, 1)
    assert row.is_limit_up and row.touched_up and not row.is_broken


def test_close_one_cent_below_the_limit_is_not_limit_up():
    row = at(featured(path(A, [10.0, 10.99])), A, 1)
    assert not row.is_limit_up and not row.touched_up


def test_touching_the_limit_and_closing_below_is_broken():
    row = at(featured(path(A, [10.0, BROKEN])), A, 1)
    assert row.touched_up and row.is_broken and not row.is_limit_up


def test_one_word_board_is_limit_up_with_low_equal_to_high():
    frame = featured(path(A, [10.0, ONE_WORD, LIMIT_UP]))
    assert at(frame, A, 1).is_one_word
    assert at(frame, A, 2).is_limit_up and not at(frame, A, 2).is_one_word


def test_limit_down_close_is_limit_down():
    row = at(featured(path(A, [10.0, LIMIT_DOWN])), A, 1)
    assert row.is_limit_down and not row.is_limit_up


def test_st_limit_up_is_five_percent():
    frame = featured(path(A, [10.0, LIMIT_UP], is_st=True), path(C, [10.0, 10.5]))
    assert at(frame, A, 1).close == 10.5 and at(frame, A, 1).is_limit_up
    assert not at(frame, C, 1).is_limit_up


def test_published_up_limit_wins_over_the_computed_one():
    frame = featured(path(A, [10.0, 10.8], up_limit=[np.nan, 10.8]))
    assert at(frame, A, 1).is_limit_up


def test_days_in_a_listing_window_have_no_limit_flags():
    day0 = sessions(1)[0]  # a 2024 main-board listing: 5 sessions without limit
    closes = [14.4, LIMIT_UP, LIMIT_UP, LIMIT_UP, LIMIT_UP, LIMIT_DOWN]
    frame = featured(path(A, closes, first_pre_close=10.0, list_date=day0))
    for t in range(5):
        row = at(frame, A, t)
        assert not (row.is_limit_up or row.touched_up or row.is_limit_down or row.is_one_word)
        assert row.board_height == 0
    assert at(frame, A, 5).is_limit_down  # the sixth session has limits again


def test_a_row_marked_no_limit_is_not_a_board_nor_counted():
    bars = make_bars(path(A, [10.0, LIMIT_UP, LIMIT_UP]))
    bars["no_limit"] = [False, True, False]
    frame = bars.join(compute_features(bars))
    assert not at(frame, A, 1).is_limit_up and at(frame, A, 1).market_limit_ups == 0
    assert at(frame, A, 2).is_limit_up and at(frame, A, 2).board_height == 1


def test_suspended_row_has_no_limit_flags_even_at_a_limit_price():
    up = up_limit_of(A, 10.0, sessions(2)[1])
    frame = featured(path(A, [10.0, up], volume=[1e6, 0.0]))
    row = at(frame, A, 1)
    assert row.is_suspended
    assert not (row.is_limit_up or row.touched_up or row.is_candidate)


def test_nan_volume_counts_as_suspended():
    frame = featured(path(A, [10.0, LIMIT_UP], volume=[1e6, np.nan]))
    assert at(frame, A, 1).is_suspended and not at(frame, A, 1).is_limit_up


# --- board height ------------------------------------------------------------------


def test_board_height_counts_consecutive_limit_up_closes():
    assert heights(featured(path(A, [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP])), A) == [0, 1, 2, 3]


def test_board_height_restarts_after_a_close_below_the_limit():
    frame = featured(path(A, [10.0, LIMIT_UP, LIMIT_UP, BROKEN, LIMIT_UP]))
    assert heights(frame, A) == [0, 1, 2, 0, 1]


def test_zero_volume_row_carries_board_height_without_counting():
    frame = featured(path(A, [10.0, LIMIT_UP, LIMIT_UP, SUSPENDED, SUSPENDED, LIMIT_UP]))
    assert heights(frame, A) == [0, 1, 2, 2, 2, 3]


def test_session_without_a_row_neither_counts_nor_breaks_board_height():
    frame = featured(path(A, [10.0, LIMIT_UP, None, LIMIT_UP]), path(B, [5.0, 5.0, 5.0, 5.0]))
    assert heights(frame, A) == [0, 1, 2]


def test_board_height_is_zero_while_a_symbol_starts_suspended():
    frame = featured(path(A, [SUSPENDED, 10.0, LIMIT_UP], first_pre_close=10.0))
    assert heights(frame, A) == [0, 0, 1]


def test_board_height_of_one_symbol_does_not_leak_into_the_next():
    frame = featured(path(B, [5.0, LIMIT_UP, LIMIT_UP]), path(A, [SUSPENDED, 10.0, 10.0]))
    assert heights(frame, A) == [0, 0, 0]


def test_is_candidate_needs_limit_up_and_board_height_two():
    frame = featured(path(A, [10.0, LIMIT_UP, LIMIT_UP, SUSPENDED, BROKEN]))
    assert frame["is_candidate"].tolist() == [False, False, True, False, False]


# --- sector and market aggregates ---------------------------------------------------


def test_sector_limit_ups_counts_limit_up_closes_in_the_sector_that_day():
    frame = featured(
        path(A, [10.0, LIMIT_UP], sector="chips"),
        path(B, [5.0, LIMIT_UP], sector="chips"),
        path(C, [8.0, LIMIT_UP], sector="banks"),
        path("600004.SH", [8.0, 8.0], sector="chips"),
    )
    assert at(frame, A, 1).sector_limit_ups == 2
    assert at(frame, "600004.SH", 1).sector_limit_ups == 2
    assert at(frame, C, 1).sector_limit_ups == 1
    assert at(frame, A, 0).sector_limit_ups == 0


def test_sector_limit_ups_ignore_suspended_rows():
    up = up_limit_of(B, 5.0, sessions(2)[1])
    frame = featured(path(A, [10.0, LIMIT_UP]), path(B, [5.0, up], volume=[1e6, 0.0]))
    assert at(frame, A, 1).sector_limit_ups == 1


def test_sector_leader_is_the_highest_board():
    frame = featured(
        path(A, [10.0, 10.0, LIMIT_UP], amount=9e9),
        path(B, [5.0, LIMIT_UP, LIMIT_UP], amount=1e8),
    )
    assert at(frame, B, 2).is_sector_leader and not at(frame, A, 2).is_sector_leader


def test_sector_leader_tie_on_height_goes_to_the_larger_amount():
    frame = featured(path(A, [10.0, LIMIT_UP], amount=2e8), path(B, [5.0, LIMIT_UP], amount=3e8))
    assert at(frame, B, 1).is_sector_leader and not at(frame, A, 1).is_sector_leader


def test_sector_leader_tie_on_height_and_amount_goes_to_the_smaller_symbol():
    frame = featured(path(A, [10.0, LIMIT_UP]), path(B, [5.0, LIMIT_UP]))
    assert at(frame, B, 1).is_sector_leader  # "000002.SZ" < "600001.SH"
    assert not at(frame, A, 1).is_sector_leader


def test_each_sector_with_a_limit_up_has_its_own_single_leader():
    frame = featured(
        path(A, [10.0, LIMIT_UP], sector="chips"),
        path(B, [5.0, LIMIT_UP], sector="banks"),
        path(C, [8.0, 8.0], sector="autos"),
    )
    leaders = frame[frame["is_sector_leader"]]
    assert leaders["symbol"].astype(str).tolist() == [B, A]


def test_sector_leader_ignores_symbols_that_did_not_close_limit_up():
    frame = featured(path(A, [10.0, LIMIT_UP, BROKEN], amount=9e9), path(B, [5.0, 5.0, LIMIT_UP]))
    assert at(frame, B, 2).is_sector_leader and not at(frame, A, 2).is_sector_leader


def test_unknown_sector_gives_nan_heat_and_no_leader():
    frame = featured(path(A, [10.0, LIMIT_UP], sector=None), path(B, [5.0, LIMIT_UP]))
    row = at(frame, A, 1)
    assert math.isnan(row.sector_limit_ups) and not row.is_sector_leader
    assert math.isnan(row.alpha_score)
    assert at(frame, B, 1).sector_limit_ups == 1 and at(frame, B, 1).is_sector_leader


def test_market_counts_limit_up_and_limit_down_closes():
    frame = featured(
        path(A, [10.0, LIMIT_UP]), path(B, [5.0, LIMIT_UP]), path(C, [8.0, LIMIT_DOWN])
    )
    row = at(frame, C, 1)
    assert (row.market_limit_ups, row.market_limit_downs) == (2, 1)
    assert (at(frame, A, 0).market_limit_ups, at(frame, A, 0).market_limit_downs) == (0, 0)


def test_broken_rate_is_broken_over_touched():
    frame = featured(path(A, [10.0, LIMIT_UP]), path(B, [5.0, BROKEN]), path(C, [8.0, BROKEN]))
    assert at(frame, A, 1).broken_rate == pytest.approx(2 / 3)


def test_broken_rate_is_zero_when_nobody_touched_the_limit():
    frame = featured(path(A, [10.0, 10.2]), path(B, [5.0, 4.9]))
    assert at(frame, A, 1).broken_rate == 0.0


def test_max_height_is_the_highest_board_among_trading_rows():
    frame = featured(
        path(A, [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, SUSPENDED]),
        path(B, [5.0, 5.0, 5.0, LIMIT_UP, LIMIT_UP]),
    )
    assert at(frame, B, 3).max_height == 3
    assert at(frame, A, 4).board_height == 3  # carried, but suspended: not in the max
    assert at(frame, B, 4).max_height == 2


# --- per-symbol history ------------------------------------------------------------


def test_turnover_ma5_is_nan_with_fewer_than_five_previous_trading_sessions():
    frame = featured(path(A, [10.0] * 5, turnover_rate=[1.0, 2.0, 3.0, 4.0, 5.0]))
    assert frame["turnover_ma5"].isna().all()


def test_turnover_ma5_averages_the_five_previous_trading_sessions():
    frame = featured(path(A, [10.0] * 7, turnover_rate=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 70.0]))
    assert at(frame, A, 5).turnover_ma5 == pytest.approx(3.0)
    assert at(frame, A, 6).turnover_ma5 == pytest.approx(4.0)  # excludes today's 70


def test_turnover_ma5_skips_suspended_sessions():
    steps = [10.0, 10.0, SUSPENDED, 10.0, None, 10.0, 10.0, 10.0]
    frame = featured(
        path(A, steps, turnover_rate=[1.0, 2.0, 0.0, 3.0, 0.0, 4.0, 5.0, 6.0]),
        path(B, [5.0] * 8),
    )
    assert math.isnan(at(frame, A, 6).turnover_ma5)  # only four trading sessions before
    assert at(frame, A, 7).turnover_ma5 == pytest.approx(3.0)


def test_turnover_ma5_does_not_reach_into_another_symbol():
    frame = featured(path(B, [5.0] * 8, turnover_rate=9.0), path(A, [None] * 5 + [10.0] * 3))
    assert frame.loc[frame["symbol"] == A, "turnover_ma5"].isna().all()


def test_days_listed_counts_data_sessions_after_list_date():
    day1 = sessions(2)[1]
    frame = featured(path(A, [None, 10.0, 10.0, 10.0], list_date=day1), path(B, [5.0] * 4))
    assert [at(frame, A, i).days_listed for i in (1, 2, 3)] == [0, 1, 2]


def test_days_listed_from_a_list_date_between_sessions():
    saturday = pd.Timestamp(sessions(5)[4]) - pd.Timedelta(days=3)  # the Saturday before
    frame = featured(path(B, [5.0] * 7), path(A, [None] * 5 + [10.0, 10.0], list_date=saturday))
    assert [at(frame, A, i).days_listed for i in (5, 6)] == [2, 3]


def test_days_listed_is_seasoned_for_a_list_date_before_the_data():
    frame = featured(path(A, [10.0, 10.0], list_date=pd.Timestamp("2023-12-29")))
    assert (frame["days_listed"] == SEASONED_DAYS_LISTED).all()


def test_days_listed_without_list_date_is_seasoned_from_the_first_session():
    frame = featured(path(A, [10.0, SUSPENDED, 10.0]))
    assert (frame["days_listed"] == SEASONED_DAYS_LISTED).all()


def test_days_listed_without_list_date_counts_from_the_first_row():
    frame = featured(path(B, [5.0] * 5), path(A, [None, None, 10.0, None, 10.0]))
    assert [at(frame, A, i).days_listed for i in (2, 4)] == [0, 2]


def test_alpha_score_is_height_plus_sector_heat_plus_capped_turnover():
    frame = featured(
        path(A, [10.0, LIMIT_UP, LIMIT_UP], turnover_rate=[5.0, 5.0, 12.0]),
        path(B, [5.0, 5.0, LIMIT_UP], turnover_rate=[5.0, 5.0, 45.0]),
    )
    assert at(frame, A, 2).alpha_score == pytest.approx(2 + 0.1 * 2 + 0.01 * 12)
    assert at(frame, B, 2).alpha_score == pytest.approx(1 + 0.1 * 2 + 0.01 * 30)


def test_alpha_score_is_nan_on_suspended_rows():
    frame = featured(path(A, [10.0, LIMIT_UP, SUSPENDED]))
    assert math.isnan(at(frame, A, 2).alpha_score)


# --- frame contract ------------------------------------------------------------------


def test_features_are_row_aligned_with_the_declared_columns_and_dtypes():
    bars = make_bars(path(A, [10.0, LIMIT_UP]), path(B, [5.0, 5.0]))
    bars.index = pd.RangeIndex(10, 14)
    features = compute_features(bars)
    assert tuple(features.columns) == FEATURE_COLUMNS
    assert {c: str(t) for c, t in features.dtypes.items()} == FEATURE_DTYPES
    assert features.index.equals(bars.index)


def test_input_frame_is_not_modified():
    bars = make_bars(path(A, [10.0, LIMIT_UP]))
    before = bars.copy()
    compute_features(bars)
    pd.testing.assert_frame_equal(bars, before)


def test_object_symbols_give_the_same_features_as_categorical():
    paths = (path(A, [10.0, LIMIT_UP, LIMIT_UP]), path(B, [5.0, LIMIT_UP, LIMIT_UP]))
    categorical = compute_features(make_bars(*paths))
    plain = compute_features(make_bars(*paths, categorical=False))
    pd.testing.assert_frame_equal(categorical, plain)


def test_unsorted_category_order_does_not_change_the_symbol_tie_break():
    bars = make_bars(path(A, [10.0, LIMIT_UP]), path(B, [5.0, LIMIT_UP]))
    bars["symbol"] = bars["symbol"].cat.reorder_categories([A, B])
    frame = bars.join(compute_features(bars))
    assert at(frame, B, 1).is_sector_leader


def test_an_already_annotated_frame_gives_the_same_features():
    bars = make_bars(path(A, [10.0, LIMIT_UP, LIMIT_UP]), path(B, [5.0, BROKEN, LIMIT_DOWN]))
    pd.testing.assert_frame_equal(compute_features(annotate_limits(bars)), compute_features(bars))


def test_empty_frame_gives_empty_typed_features():
    bars = make_bars(path(A, [10.0])).iloc[0:0]
    features = compute_features(bars)
    assert len(features) == 0 and tuple(features.columns) == FEATURE_COLUMNS
    assert {c: str(t) for c, t in features.dtypes.items()} == FEATURE_DTYPES


def test_missing_required_column_is_named():
    bars = make_bars(path(A, [10.0])).drop(columns=["turnover_rate"])
    with pytest.raises(ValueError, match="turnover_rate"):
        compute_features(bars)


def test_rows_out_of_date_order_are_rejected_with_the_row():
    bars = make_bars(path(A, [10.0, 10.0, 10.0]))
    swapped = bars.iloc[[0, 2, 1]].reset_index(drop=True)
    with pytest.raises(ValueError, match="row 2"):
        compute_features(swapped)


def test_a_repeated_trade_date_and_symbol_is_rejected():
    bars = make_bars(path(A, [10.0, 10.0]))
    doubled = pd.concat([bars, bars.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"row 2.*one row per"):
        compute_features(doubled)


def test_a_sector_categorical_with_a_huge_category_list_gives_the_same_features():
    paths = (
        path(A, [10.0, LIMIT_UP, LIMIT_UP], sector="chips"),
        path(B, [5.0, LIMIT_UP, LIMIT_UP], sector="chips"),
        path(C, [8.0, LIMIT_UP, BROKEN], sector="banks"),
    )
    compact = make_bars(*paths)
    sprawling = compact.copy()
    unused = [f"unused-{i}" for i in range(600_000)]
    sprawling["sector"] = pd.Categorical(
        sprawling["sector"].astype(str), categories=[*unused, "banks", "chips"]
    )
    pd.testing.assert_frame_equal(compute_features(sprawling), compute_features(compact))
