"""Tape statistics (dragon_compat.sample.tape_stats): each definition on a hand-made
market small enough to count by hand, and on real bars shipped with the tests."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dragon_compat.data import load_bars
from dragon_compat.sample.tape_stats import tape_stats
from dragon_runtime.market import limit_pct, limit_price
from tests.compat.builders import (
    BROKEN,
    LIMIT_DOWN,
    LIMIT_UP,
    ONE_WORD,
    SUSPENDED,
    make_bars,
    path,
    sessions,
)

REAL_EXTRACT = Path(__file__).parent / "fixtures" / "real" / "baostock_2020_extract.parquet"


@pytest.fixture(scope="module")
def three_by_four():
    """3 symbols × 4 sessions: 11 traded bars (one suspended), 3 limit-up and 2
    limit-down closes, 4 touches of the up limit of which 1 broken, 4 ST rows."""
    return tape_stats(
        make_bars(
            path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, 11.0]),
            path("000002.SZ", [5.0, BROKEN, LIMIT_DOWN, 4.6]),
            path("600003.SH", [2.0, LIMIT_UP, SUSPENDED, LIMIT_DOWN], is_st=True),
        )
    )


def test_limit_shares_are_over_traded_bars_with_a_limit(three_by_four):
    assert three_by_four.limit_up_share == pytest.approx(3 / 11)
    assert three_by_four.limit_down_share == pytest.approx(2 / 11)


def test_non_st_limit_shares_leave_st_rows_out(three_by_four):
    assert three_by_four.limit_up_share_non_st == pytest.approx(2 / 8)
    assert three_by_four.limit_down_share_non_st == pytest.approx(1 / 8)


def test_chain_shares_count_limit_ups_by_their_board_height(three_by_four):
    # heights of the three limit-up closes: 1, 2 (600001.SH) and 1 (600003.SH)
    assert three_by_four.height2_share == pytest.approx(1 / 3)
    assert three_by_four.height3_share == 0.0
    assert three_by_four.max_height == 2


def test_broken_rate_is_broken_over_touched(three_by_four):
    assert three_by_four.broken_rate == pytest.approx(1 / 4)


def test_suspension_and_st_shares(three_by_four):
    assert three_by_four.suspension_rate == pytest.approx(1 / 12)
    assert three_by_four.st_share == pytest.approx(4 / 12)
    assert (three_by_four.rows, three_by_four.symbols, three_by_four.sessions) == (12, 3, 4)


def test_return_dispersion_is_the_population_std_and_the_mad():
    stats = tape_stats(make_bars(path("600001.SH", [10.0, 11.0, 9.9])))  # 0, +10 %, −10 %
    assert stats.return_std == pytest.approx(math.sqrt(0.02 / 3))
    assert stats.return_mad == pytest.approx(0.1)


def test_an_ipo_day_has_no_limit_and_is_left_out_of_returns_and_limit_shares():
    day = sessions(2)[1]
    seasoned = path("600001.SH", [10.0, 11.0])
    listing = path("600002.SH", [None, 14.4], first_pre_close=10.0)
    ipo = [{**row, "list_date": day} for row in listing]
    stats = tape_stats(make_bars(seasoned, ipo))
    assert stats.limit_up_share == pytest.approx(1 / 2)  # 600001.SH's two bars only
    assert stats.return_std == pytest.approx(0.05)  # returns 0 and +10 %; not +44 %
    assert stats.close_max == 14.4  # but its close is a traded close


def test_close_levels_are_quantiles_of_traded_closes():
    closes = [path(f"60000{i}.SH", [float(10 * i)]) for i in range(1, 6)]
    suspended = path("600009.SH", [SUSPENDED], first_pre_close=1000.0)
    stats = tape_stats(make_bars(*closes, suspended))
    assert stats.close_p50 == 30.0
    assert stats.close_p10 == pytest.approx(14.0)  # linear interpolation
    assert stats.close_max == 50.0


def test_missing_sessions_inside_a_symbols_span_are_suspended_outside_not():
    stats = tape_stats(
        make_bars(
            path("600001.SH", [10.0, None, 10.1, 10.2]),  # one session without a row
            path("600002.SH", [None, None, 10.0, 10.1]),  # not yet listed: not counted
            path("600003.SH", [10.0, 10.0, 10.0, 10.0]),
        )
    )
    assert stats.suspension_rate == pytest.approx(1 / (4 + 2 + 4))


def test_relay_follows_each_height_two_board_to_its_next_traded_session():
    stats = tape_stats(
        make_bars(
            # height 2 on session 2 → a one-word board; height 3 on 3 → closes 13.00
            path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, ONE_WORD, 13.0]),
            # height 2 on session 2, suspended on 3, next traded session 4 opens 12.10
            path("600002.SH", [10.0, LIMIT_UP, LIMIT_UP, SUSPENDED, 12.0]),
        )
    )
    assert stats.relay_continuation == pytest.approx(1 / 3)
    assert stats.relay_gap == pytest.approx((13.31 / 12.1 - 1.0 + 0.0 + 0.0) / 3)
    # one-word next sessions admit no entry: only 13.31 → 13.00 and 12.10 → 12.00
    assert stats.relay_open_to_close == pytest.approx((13.0 / 13.31 + 12.0 / 12.1 - 2.0) / 2)


def test_a_tape_without_traded_bars_gives_nan_and_zero_counts():
    stats = tape_stats(make_bars(path("600001.SH", [SUSPENDED, SUSPENDED])))
    assert math.isnan(stats.close_p50) and math.isnan(stats.return_std)
    assert math.isnan(stats.limit_up_share) and math.isnan(stats.relay_gap)
    assert stats.max_height == 0 and stats.broken_rate == 0.0
    assert stats.suspension_rate == 1.0


# -- real bars -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> pd.DataFrame:
    return load_bars(REAL_EXTRACT)


def _reference_counts(bars: pd.DataFrame) -> dict[str, int]:
    """Limit closes, touches, chains and suspensions by a plain row loop with the
    scalar (Decimal) limit rule: an independent count of what tape_stats measures."""
    counts = dict.fromkeys(("up", "down", "touched", "broken", "zero", "tallest"), 0)
    heights: dict[str, int] = {}
    for row in bars.itertuples(index=False):
        if row.volume == 0:
            counts["zero"] += 1
            continue
        pct = limit_pct(row.symbol, bool(row.is_st), row.trade_date.date())
        up = float(limit_price(row.pre_close, pct, "up"))
        down = float(limit_price(row.pre_close, pct, "down"))
        limit_up = row.close >= up
        counts["up"] += limit_up
        counts["down"] += row.close <= down
        counts["touched"] += row.high >= up
        counts["broken"] += row.high >= up and not limit_up
        heights[row.symbol] = heights.get(row.symbol, 0) + 1 if limit_up else 0
        counts["tallest"] = max(counts["tallest"], heights[row.symbol])
    return counts


def test_real_extract_statistics_agree_with_a_row_by_row_count(real):
    stats = tape_stats(real)
    ref = _reference_counts(real)
    traded = int((real["volume"] > 0).sum())  # no IPO day in the extract: all have limits
    assert (stats.rows, stats.symbols, stats.sessions) == (2182, 40, 59)
    assert stats.limit_up_share == pytest.approx(ref["up"] / traded)
    assert stats.limit_down_share == pytest.approx(ref["down"] / traded)
    assert stats.broken_rate == pytest.approx(ref["broken"] / ref["touched"])
    assert stats.max_height == ref["tallest"]
    calendar = np.unique(real["trade_date"])
    position = {day: i for i, day in enumerate(calendar)}
    spans = sum(
        position[dates.to_numpy()[-1]] - position[dates.to_numpy()[0]] + 1
        for _, dates in real.groupby("symbol", observed=True)["trade_date"]
    )
    assert stats.suspension_rate == pytest.approx((spans - len(real) + ref["zero"]) / spans)


def test_real_extract_holds_the_tapes_tallest_chain(real):
    # *ST飞马 (002210.SZ), 5 % limit as an ST name: 15 limit-up closes in a row to 2020-08-06
    stats = tape_stats(real)
    assert stats.max_height == 15
    last = real[(real["symbol"] == "002210.SZ") & (real["trade_date"] <= "2020-08-06")].tail(15)
    assert (last["close"] > last["pre_close"]).all()
    assert last["is_st"].all()
