"""Invariants of compute_features on random markets (hypothesis).

The vectorized features must equal a deliberately plain per-row reference written
straight from docs/strategy.md, Features (loops over symbols and sessions), and the
per-symbol features of a symbol must not depend on which other symbols the frame
holds.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat.features import FEATURE_COLUMNS, FEATURE_DTYPES, compute_features
from dragon_runtime.market import annotate_limits
from tests.compat.market_strategies import normalized_bars

SEASONED = 1_000_000  # dragon_compat.features.SEASONED_DAYS_LISTED, restated on purpose

PER_SYMBOL = (
    "is_suspended",
    "is_limit_up",
    "touched_up",
    "is_broken",
    "is_one_word",
    "is_limit_down",
    "board_height",
    "turnover_ma5",
    "is_candidate",
)


def plain_features(bars: pd.DataFrame) -> pd.DataFrame:
    """The RC1 features computed one row at a time."""
    rows = annotate_limits(bars).to_dict("records")
    for r in rows:
        _flags(r)
    by_symbol = defaultdict(list)
    for r in rows:
        by_symbol[r["symbol"]].append(r)
    for history in by_symbol.values():
        _history(history)
    calendar = sorted({r["trade_date"] for r in rows})
    first_row = {s: h[0]["trade_date"] for s, h in by_symbol.items()}
    by_date = defaultdict(list)
    for r in rows:
        by_date[r["trade_date"]].append(r)
    for day_rows in by_date.values():
        _session(day_rows)
    for r in rows:
        r["days_listed"] = _days_listed(r, calendar, first_row[r["symbol"]])
    return pd.DataFrame(
        {c: np.array([r[c] for r in rows], dtype=d) for c, d in FEATURE_DTYPES.items()},
        index=bars.index,
    )


def _flags(r):
    r["symbol"] = str(r["symbol"])
    r["sector"] = None if pd.isna(r["sector"]) else str(r["sector"])
    trading = r["volume"] > 0
    limited = trading and r["has_limit"]
    r["is_suspended"] = not trading
    r["is_limit_up"] = limited and r["close_c"] >= r["up_limit_c"]
    r["touched_up"] = limited and r["high_c"] >= r["up_limit_c"]
    r["is_broken"] = r["touched_up"] and not r["is_limit_up"]
    r["is_one_word"] = r["is_limit_up"] and r["low_c"] == r["high_c"]
    r["is_limit_down"] = limited and r["close_c"] <= r["down_limit_c"]


def _history(history):
    height, turnovers = 0, []
    for r in history:
        if not r["is_suspended"]:
            height = height + 1 if r["is_limit_up"] else 0
        r["board_height"] = height
        r["turnover_ma5"] = math.nan
        if len(turnovers) >= 5:
            total = 0.0
            for t in turnovers[-5:]:
                total += t
            r["turnover_ma5"] = total / 5
        if not r["is_suspended"]:
            turnovers.append(r["turnover_rate"])
        r["is_candidate"] = r["is_limit_up"] and height >= 2


def _session(day_rows):
    trading = [r for r in day_rows if not r["is_suspended"]]
    touched = sum(r["touched_up"] for r in trading)
    broken = sum(r["is_broken"] for r in trading)
    limit_ups = [r for r in trading if r["is_limit_up"]]
    leaders = {}
    for r in sorted(limit_ups, key=lambda r: (-r["board_height"], -r["amount"], r["symbol"])):
        if r["sector"] is not None:
            leaders.setdefault(r["sector"], r["symbol"])
    for r in day_rows:
        r["market_limit_ups"] = len(limit_ups)
        r["market_limit_downs"] = sum(x["is_limit_down"] for x in trading)
        r["broken_rate"] = broken / touched if touched else 0.0
        r["max_height"] = max([x["board_height"] for x in trading], default=0)
        r["sector_limit_ups"] = math.nan
        if r["sector"] is not None:
            r["sector_limit_ups"] = sum(x["sector"] == r["sector"] for x in limit_ups)
        r["is_sector_leader"] = leaders.get(r["sector"]) == r["symbol"]
        turnover = r["turnover_rate"]
        capped = turnover if math.isnan(turnover) else min(turnover, 30.0)
        alpha = 1.0 * r["board_height"] + 0.1 * r["sector_limit_ups"] + 0.01 * capped
        r["alpha_score"] = math.nan if r["is_suspended"] else alpha


def _days_listed(row, calendar, first_row_date):
    list_date = row["list_date"]
    if pd.isna(list_date):
        if first_row_date == calendar[0]:
            return SEASONED
        return calendar.index(row["trade_date"]) - calendar.index(first_row_date)
    if list_date < calendar[0]:
        return SEASONED
    return sum(1 for d in calendar if list_date < d <= row["trade_date"])


@settings(max_examples=120)
@given(normalized_bars())
def test_features_equal_the_plain_per_row_reference(bars):
    expected = plain_features(bars)
    actual = compute_features(bars)
    assert tuple(actual.columns) == FEATURE_COLUMNS
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)


@settings(max_examples=80)
@given(normalized_bars(min_symbols=3), st.data())
def test_per_symbol_features_do_not_depend_on_the_other_symbols(bars, data):
    symbols = sorted(bars["symbol"].astype(str).unique())
    keep = data.draw(st.sets(st.sampled_from(symbols), min_size=1, max_size=len(symbols) - 1))
    subset = bars[bars["symbol"].astype(str).isin(keep)].reset_index(drop=True)
    full = compute_features(bars)[bars["symbol"].astype(str).isin(keep).to_numpy()]
    alone = compute_features(subset)
    pd.testing.assert_frame_equal(
        full[list(PER_SYMBOL)].reset_index(drop=True), alone[list(PER_SYMBOL)], check_exact=True
    )


@settings(max_examples=60)
@given(normalized_bars())
def test_each_sector_with_a_limit_up_close_has_exactly_one_leader(bars):
    frame = bars.join(compute_features(bars))
    hot = frame[frame["is_limit_up"]]
    leaders = frame[frame["is_sector_leader"]]
    assert leaders["is_limit_up"].all()
    expected = hot.groupby(["trade_date", "sector"], observed=True).size()
    counted = leaders.groupby(["trade_date", "sector"], observed=True).size()
    assert (counted.reindex(expected.index, fill_value=0) == 1).all()
    assert len(leaders) == len(expected)
