"""The synthetic market generator: determinism, bit-stream independence, market invariants."""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat.data import NORMALIZED_COLUMNS, normalize_bars
from dragon_compat.data.fingerprint import frame_sha256
from dragon_compat.data.write import write_bars
from dragon_compat.sample import generate_market
from dragon_compat.sample.bitstream import BitStream, bell, from_knots, index_below, weighted_index
from dragon_compat.sample.config import DEFAULT_MARKET_CONFIG
from dragon_compat.sample.universe import max_symbols
from dragon_runtime.market import STAMP_DUTY_CUT_DATE, annotate_limits, limit_pcts

PINNED_MARKET = (40, 60, 7)
PINNED_SHA256 = "a50123317e5d61ac9847432af48db71d0230c2bab1c14d084891ba44df28fbd7"
"""frame_sha256(generate_market(40, 60, 7)). It may change only with a deliberate change
of the generator or its config (then regenerate the bundled sample; golden keeps its
own input)."""


@cache
def xshg_sessions() -> frozenset[np.datetime64]:
    import exchange_calendars as xcals

    with warnings.catch_warnings():  # the library's own pandas deprecation notices
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        calendar = xcals.get_calendar("XSHG", start="2005-01-04", end="2024-12-31")
    return frozenset(calendar.sessions.to_numpy(dtype="datetime64[ns]"))


def assert_market_invariants(bars: pd.DataFrame) -> None:
    """Everything a generated market promises, checked row by row where it matters."""
    assert list(bars.columns) == list(NORMALIZED_COLUMNS)
    pd.testing.assert_frame_equal(normalize_bars(bars), bars, check_exact=True)  # validates

    limits = annotate_limits(bars)
    o, h, lo, c = (limits[f"{k}_c"].to_numpy() for k in ("open", "high", "low", "close"))
    up, down = limits["up_limit_c"].to_numpy(), limits["down_limit_c"].to_numpy()
    bounded = limits["has_limit"].to_numpy()
    assert (lo <= np.minimum(o, c)).all() and (h >= np.maximum(o, c)).all()
    assert (h[bounded] <= up[bounded]).all() and (lo[bounded] >= down[bounded]).all()
    assert (c[bounded] <= up[bounded]).all() and (c[bounded] >= down[bounded]).all()

    dates = bars["trade_date"].to_numpy()
    assert set(np.unique(dates)) <= xshg_sessions()

    zero = bars["volume"].to_numpy() == 0
    flat = (o == c) & (h == c) & (lo == c) & (c == limits["pre_close_c"].to_numpy())
    assert flat[zero].all()
    assert (bars["amount"].to_numpy()[zero] == 0).all()
    assert (bars["volume"].to_numpy() % 100 == 0).all()

    for _, rows in bars.groupby("symbol", observed=True):
        closes = rows["close"].to_numpy()
        np.testing.assert_array_equal(rows["pre_close"].to_numpy()[1:], closes[:-1])
        list_date = rows["list_date"].iloc[0]
        if pd.notna(list_date) and list_date >= bars["trade_date"].iloc[0]:
            assert rows["trade_date"].iloc[0] == list_date  # IPO mid-sample: first row


# -- determinism -------------------------------------------------------------------------


def test_pinned_market_hash():
    assert frame_sha256(generate_market(*PINNED_MARKET)) == PINNED_SHA256


def test_same_seed_gives_identical_bytes(tmp_path):
    first = write_bars(generate_market(25, 30, 99), tmp_path / "a.csv").read_bytes()
    second = write_bars(generate_market(25, 30, 99), tmp_path / "b.csv").read_bytes()
    assert first == second


def test_different_seeds_give_different_markets():
    assert frame_sha256(generate_market(25, 30, 1)) != frame_sha256(generate_market(25, 30, 2))


def test_uniforms_come_from_the_raw_pcg64_words_only():
    raw = np.random.PCG64(2024).random_raw(1000)
    expected = ((raw >> np.uint64(12)) | np.uint64(0x3FF0000000000000)).view(np.float64) - 1.0
    np.testing.assert_array_equal(BitStream(2024).uniform(1000), expected)


def test_pcg64_raw_stream_is_the_documented_one():
    # NEP 19: BitGenerator streams are stable across numpy releases; if this ever
    # fails, every generated market (and the bundled sample) would change.
    assert np.random.PCG64(0).random_raw(3).tolist() == [
        11749869230777074271,
        4976686463289251617,
        755828109848996024,
    ]


def test_uniform_shapes_and_range():
    u = BitStream(5).uniform(3, 4)
    assert u.shape == (3, 4) and (u >= 0).all() and (u < 1).all()


def test_bell_is_centred_and_bounded():
    assert bell(np.array(0.5), np.array(0.5), np.array(0.5)) == 0.0
    assert bell(np.array(0.0), np.array(0.0), np.array(0.0)) == -3.0


def test_weighted_index_never_picks_a_zero_weight():
    u = BitStream(1).uniform(10_000)
    assert set(weighted_index(u, (0.0, 1.0, 0.0, 2.0)).tolist()) == {1, 3}


def test_index_below_stays_in_range():
    assert set(index_below(BitStream(2).uniform(5000), 7).tolist()) == set(range(7))


def test_from_knots_inverts_the_piecewise_linear_cdf():
    knots = ((0.0, 1.0), (0.5, 3.0), (1.0, 11.0))
    u = np.array([0.0, 0.25, 0.5, 0.75, 0.999])
    np.testing.assert_allclose(from_knots(u, knots), [1.0, 2.0, 3.0, 7.0, 10.984])


@pytest.mark.parametrize(
    "knots",
    [((0.0, 1.0),), ((0.1, 1.0), (1.0, 2.0)), ((0.0, 1.0), (0.9, 2.0)), ((0.0, 2.0), (1.0, 1.0))],
)
def test_from_knots_rejects_knots_that_are_not_a_cdf(knots):
    with pytest.raises(ValueError, match="knots"):
        from_knots(np.array([0.5]), knots)


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed_is_rejected(seed):
    with pytest.raises(ValueError, match="seed"):
        BitStream(seed)


# -- arguments and window ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbols", "sessions", "end", "match"),
    [
        (0, 10, None, "symbols must be within"),
        (max_symbols(DEFAULT_MARKET_CONFIG) + 1, 10, None, "symbols must be within"),
        (10, 0, None, "sessions must be >= 1"),
        (10, 10, dt.date(2004, 1, 1), "before the calendar start"),
        (10, 10, dt.date(2099, 1, 1), "no XSHG calendar"),
        (10, 5000, dt.date(2010, 1, 1), "cannot fit"),
    ],
)
def test_out_of_range_arguments_raise_value_error(symbols, sessions, end, match):
    with pytest.raises(ValueError, match=match):
        generate_market(symbols, sessions, 1, end)


@given(sessions=st.integers(min_value=2, max_value=400))
@settings(max_examples=15)
def test_default_window_straddles_the_stamp_duty_cut(sessions):
    bars = generate_market(40, sessions, 3)
    dates = bars["trade_date"]
    cut = pd.Timestamp(STAMP_DUTY_CUT_DATE)
    assert dates.min() < cut <= dates.max()


def test_end_picks_the_last_session_on_or_before_it():
    bars = generate_market(30, 20, 3, dt.date(2024, 2, 10))  # a Saturday in Spring Festival
    assert bars["trade_date"].max() == pd.Timestamp("2024-02-08")
    assert bars["trade_date"].nunique() == 20


def test_long_window_applies_the_chinext_reform():
    bars = generate_market(300, 260, 8, dt.date(2021, 2, 26))
    limits = annotate_limits(bars)
    chinext = bars["symbol"].str.startswith("30").to_numpy() & ~bars["is_st"].to_numpy()
    sealed = (limits["close_c"] == limits["up_limit_c"]).to_numpy() & limits["has_limit"].to_numpy()
    before = bars["trade_date"].to_numpy() < np.datetime64("2020-08-24")
    pct = limit_pcts(bars["symbol"], bars["is_st"], bars["trade_date"])
    assert (pct[chinext & before] == 10).all() and (pct[chinext & ~before] == 20).all()
    assert (chinext & before & sealed).any() and (chinext & ~before & sealed).any()


# -- invariants ------------------------------------------------------------------------------


def test_pinned_market_keeps_every_invariant():
    assert_market_invariants(generate_market(*PINNED_MARKET))


@given(
    symbols=st.integers(min_value=1, max_value=60),
    sessions=st.integers(min_value=1, max_value=80),
    seed=st.integers(min_value=0, max_value=2**63),
)
@settings(max_examples=25)
def test_any_generated_market_keeps_every_invariant(symbols, sessions, seed):
    assert_market_invariants(generate_market(symbols, sessions, seed))
