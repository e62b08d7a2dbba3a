"""The bundled sample market: present, small, what a fresh generation gives, and rich enough.

The bundled file is compared with a fresh generation by content (``frame_sha256`` and
an exact frame comparison), not by bytes: Parquet files embed the writer's version
and the compressor's output may change with library releases, while the demo
depends only on what the file holds. (Golden keeps its own pinned input.)
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from dragon_compat.data.fingerprint import frame_sha256
from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.predicates import HEIGHT_CAP
from dragon_compat.sample import (
    BUNDLED_SAMPLE,
    bundled_sample_path,
    generate_market,
    load_bundled_sample,
)
from dragon_compat.sample.config import DEFAULT_MARKET_CONFIG
from dragon_runtime.market import STAMP_DUTY_CUT_DATE, Board, annotate_limits, board_of
from dragon_runtime.reasons import EVENT_CATALOGUE

MAX_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return load_bundled_sample()


@pytest.fixture(scope="module")
def shapes(bundled) -> pd.DataFrame:
    """Per row: limit flags and the board height (consecutive limit-up closes)."""
    limits = annotate_limits(bundled)
    out = pd.DataFrame(
        {
            "symbol": bundled["symbol"],
            "limit_up": (limits["close_c"] == limits["up_limit_c"]) & limits["has_limit"],
            "touched": (limits["high_c"] == limits["up_limit_c"]) & limits["has_limit"],
            "one_word": (limits["low_c"] == limits["up_limit_c"]) & limits["has_limit"],
            "sealed_down": (limits["high_c"] == limits["down_limit_c"]) & limits["has_limit"],
            "trading": bundled["volume"] > 0,
        }
    )
    heights = np.zeros(len(out), dtype=np.int64)
    for _, rows in out.groupby("symbol", observed=True):
        height = 0
        for position, up, trading in zip(
            rows.index, rows["limit_up"], rows["trading"], strict=True
        ):
            if trading:
                height = height + 1 if up else 0
            heights[position] = height
    out["height"] = heights
    return out


def test_bundled_file_is_compressed_parquet_under_three_megabytes():
    path = bundled_sample_path()
    assert path.suffix == ".parquet"
    assert 0 < path.stat().st_size <= MAX_BYTES


def test_bundled_file_holds_exactly_a_fresh_generation(bundled):
    fresh = generate_market(**BUNDLED_SAMPLE.arguments())
    assert frame_sha256(bundled) == frame_sha256(fresh)
    # the loader adds ``no_limit`` where a generated bar lies beyond its own limits
    pd.testing.assert_frame_equal(bundled[list(fresh.columns)], fresh, check_exact=True)


def test_bundled_sample_size_and_window(bundled):
    assert bundled["symbol"].nunique() == BUNDLED_SAMPLE.symbols
    assert bundled["trade_date"].nunique() == BUNDLED_SAMPLE.sessions
    assert (
        bundled["trade_date"].min()
        < pd.Timestamp(STAMP_DUTY_CUT_DATE)
        < bundled["trade_date"].max()
    )


def test_bundled_sample_has_every_board_and_st_names(bundled):
    boards = {board_of(s) for s in bundled["symbol"].cat.categories}
    assert {Board.MAIN, Board.CHINEXT, Board.STAR, Board.BSE} <= boards
    assert bundled["is_st"].any()


def test_bundled_sample_has_chains_of_every_height_up_to_the_generators_tallest(shapes):
    tallest = DEFAULT_MARKET_CONFIG.max_height
    assert tallest > HEIGHT_CAP + 1  # chains above S1's cap occur, so S1 vetoes
    heights = set(shapes.loc[shapes["limit_up"], "height"])
    assert set(range(1, tallest + 1)) <= heights
    assert shapes["height"].max() == tallest


def test_bundled_sample_has_one_word_broken_and_sealed_limit_down_days(shapes):
    assert (shapes["one_word"] & shapes["trading"]).sum() >= 50
    assert (shapes["touched"] & ~shapes["limit_up"]).sum() >= 50
    assert (shapes["sealed_down"] & shapes["trading"]).sum() >= 50


def test_bundled_sample_has_both_kinds_of_suspension(bundled):
    assert (bundled["volume"] == 0).sum() >= 50
    calendar = np.sort(bundled["trade_date"].unique())
    gaps = 0
    for _, rows in bundled.groupby("symbol", observed=True):
        positions = np.searchsorted(calendar, rows["trade_date"].to_numpy())
        gaps += int((np.diff(positions) > 1).sum())
    assert gaps >= 50


def test_bundled_sample_has_ipos_mid_sample_and_delistings(bundled):
    first_rows = bundled.groupby("symbol", observed=True).head(1)
    ipos = first_rows[first_rows["list_date"] == first_rows["trade_date"]]
    assert (ipos["trade_date"] > bundled["trade_date"].min()).sum() >= 10
    last_rows = bundled.groupby("symbol", observed=True).tail(1)
    assert (last_rows["trade_date"] < bundled["trade_date"].max()).any()


def test_bundled_sample_has_unreported_turnover_and_unknown_listing_dates(bundled):
    assert bundled["turnover_rate"].isna().sum() >= 20
    assert bundled["list_date"].isna().any()


def test_bundled_sample_drives_every_event_and_reason_across_the_branches(bundled):
    results = DragonRuleEngine().run_all(bundled)
    assert set(results) == set(BRANCH_NAMES)
    seen = Counter()
    for result in results.values():
        seen.update(zip(result.events["event_type"], result.events["reason_code"], strict=True))
    catalogue = {(str(e), str(r)) for e, spec in EVENT_CATALOGUE.items() for r in spec.reason_codes}
    assert sorted(catalogue - set(seen)) == []
