"""Market rules: boards, limit %, limit prices, cents, fills, fees (worked by hand)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_runtime.market import (
    LIMIT_ANNOTATION_COLUMNS,
    LOT_SIZE,
    Board,
    annotate_limits,
    board_of,
    fees_cents,
    fill_price_cents,
    limit_pct,
    limit_pcts,
    limit_price,
    limit_prices_cents,
    to_cents,
    whole_cents,
)
from tests.runtime.builders import bar, make_bars

D = dt.date


@pytest.mark.parametrize(
    ("symbol", "board"),
    [
        ("600000.SH", Board.MAIN),
        ("601318.SH", Board.MAIN),
        ("603000.SH", Board.MAIN),
        ("605001.SH", Board.MAIN),
        ("000001.SZ", Board.MAIN),
        ("001979.SZ", Board.MAIN),
        ("002594.SZ", Board.MAIN),
        ("003816.SZ", Board.MAIN),
        ("300750.SZ", Board.CHINEXT),
        ("301001.SZ", Board.CHINEXT),
        ("688981.SH", Board.STAR),
        ("689009.SH", Board.STAR),
        ("830799.BJ", Board.BSE),
        ("430047.BJ", Board.BSE),
        ("900901.SH", Board.OTHER),
        ("200002.SZ", Board.OTHER),
        ("000001.SH", Board.OTHER),
        ("300750.SH", Board.OTHER),
    ],
)
def test_board_of_follows_exchange_and_prefix(symbol: str, board: Board) -> None:
    assert board_of(symbol) is board


@pytest.mark.parametrize("symbol", ["600000", "600000.sh", "60000.SH", "600000.HK", ""])
def test_board_of_rejects_malformed_symbols(symbol: str) -> None:
    with pytest.raises(ValueError, match="NNNNNN"):
        board_of(symbol)


def test_main_board_limit_prices_worked_by_hand() -> None:
    assert limit_pct("600000.SH", False, D(2024, 1, 2)) == 10
    assert limit_price(10.05, 10, "up") == Decimal("11.06")
    assert limit_price(10.05, 10, "down") == Decimal("9.05")


def test_pre_close_read_through_str_rounds_half_up() -> None:
    # 10.35 * 1.1 = 11.385 exactly in decimal; a binary float would round to 11.38.
    assert limit_price(10.35, 10, "up") == Decimal("11.39")


def test_st_main_board_has_five_percent_limits() -> None:
    assert limit_pct("600000.SH", True, D(2024, 1, 2)) == 5
    assert limit_price(10.05, 5, "up") == Decimal("10.55")
    assert limit_price(10.05, 5, "down") == Decimal("9.55")


def test_chinext_is_ten_percent_on_2020_08_21_and_twenty_from_2020_08_24() -> None:
    assert limit_pct("300750.SZ", False, D(2020, 8, 21)) == 10
    assert limit_pct("300750.SZ", True, D(2020, 8, 21)) == 5
    assert limit_pct("300750.SZ", False, D(2020, 8, 24)) == 20
    assert limit_pct("300750.SZ", True, D(2020, 8, 24)) == 20
    assert limit_price(10.05, 20, "up") == Decimal("12.06")
    assert limit_price(10.05, 20, "down") == Decimal("8.04")


def test_star_is_twenty_percent_including_st() -> None:
    assert limit_pct("688981.SH", False, D(2019, 8, 1)) == 20
    assert limit_pct("688981.SH", True, D(2024, 1, 2)) == 20


def test_bse_is_thirty_percent_including_st() -> None:
    assert limit_pct("830799.BJ", False, D(2024, 1, 2)) == 30
    assert limit_pct("830799.BJ", True, D(2024, 1, 2)) == 30
    assert limit_price(10.05, 30, "up") == Decimal("13.07")
    assert limit_price(10.05, 30, "down") == Decimal("7.04")


def test_other_prefixes_are_ten_percent_st_five() -> None:
    assert limit_pct("900901.SH", False, D(2024, 1, 2)) == 10
    assert limit_pct("900901.SH", True, D(2024, 1, 2)) == 5


def test_limit_pct_accepts_datetime_and_timestamp() -> None:
    assert limit_pct("300750.SZ", False, dt.datetime(2020, 8, 24, 15)) == 20
    assert limit_pct("300750.SZ", False, pd.Timestamp("2020-08-21")) == 10


SYMBOLS = ["600000.SH", "300750.SZ", "688981.SH", "830799.BJ", "900901.SH", "002594.SZ"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(SYMBOLS),
            st.booleans(),
            st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 12, 31)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_vectorized_limit_pcts_equal_the_scalar_rule(
    rows: list[tuple[str, bool, dt.date]], categorical: bool
) -> None:
    symbols = pd.Series([r[0] for r in rows])
    if categorical:
        symbols = symbols.astype("category")
    is_st = np.array([r[1] for r in rows])
    dates = pd.Series(pd.to_datetime([r[2] for r in rows]))
    expected = [limit_pct(s, b, d) for s, b, d in rows]
    result = limit_pcts(symbols, is_st, dates)
    assert result.dtype == np.int64
    assert result.tolist() == expected


@given(st.integers(min_value=1, max_value=10_000_000), st.sampled_from([5, 10, 20, 30]))
def test_integer_limits_equal_the_decimal_rule_on_every_whole_cent(pre_c: int, pct: int) -> None:
    up, down = limit_prices_cents(np.array([pre_c]), np.array([pct]))
    pre_close = pre_c / 100
    assert Decimal(int(up[0])) / 100 == limit_price(pre_close, pct, "up")
    assert Decimal(int(down[0])) / 100 == limit_price(pre_close, pct, "down")


def test_whole_cents_flags_off_grid_and_missing_prices() -> None:
    result = whole_cents([10.35, 10.351, np.nan, np.inf, 3000.12, 0.07])
    assert result.tolist() == [True, False, False, False, True, True]


@given(st.integers(min_value=0, max_value=10**11))
def test_to_cents_is_exact_on_two_decimal_floats(cents: int) -> None:
    assert to_cents([cents / 100]).tolist() == [cents]


def test_to_cents_refuses_nan() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        to_cents([1.0, np.nan])


def test_annotate_limits_computes_cents_and_limits() -> None:
    bars = make_bars({"600001.SH": [bar(10.0, pre_close=10.05)]})
    row = annotate_limits(bars).iloc[0]
    assert (row["open_c"], row["pre_close_c"]) == (1000, 1005)
    assert (row["up_limit_c"], row["down_limit_c"]) == (1106, 905)
    assert bool(row["has_limit"])


def test_annotate_limits_appends_exactly_the_exported_limit_columns_in_order() -> None:
    bars = make_bars({"600001.SH": [bar(10.0, pre_close=10.05)]})
    out = annotate_limits(bars)
    assert list(out.columns) == [*bars.columns, *LIMIT_ANNOTATION_COLUMNS]
    assert list(annotate_limits(out).columns) == list(out.columns)  # re-annotating: in place


def test_annotate_limits_uses_st_and_board() -> None:
    bars = make_bars(
        {"600001.SH": [bar(10.0, pre_close=10.05)], "688001.SH": [bar(10.0, pre_close=10.05)]},
        st=["600001.SH", "688001.SH"],
    )
    out = annotate_limits(bars)
    assert out["up_limit_c"].tolist() == [1055, 1206]


def test_published_limits_win_over_computed() -> None:
    bars = make_bars(
        {"600001.SH": [bar(10.0, pre_close=10.05), bar(10.0)]},
        published={(0, "600001.SH"): (11.11, 9.00)},
    )
    out = annotate_limits(bars)
    assert out["up_limit_c"].tolist() == [1111, 1100]
    assert out["down_limit_c"].tolist() == [900, 900]


def test_ipo_day_of_an_other_prefix_has_no_limit() -> None:
    bars = make_bars(
        {"900901.SH": [bar(10.0), bar(14.4, 14.4, 14.4, 14.4)]},
        list_dates={"900901.SH": D(2024, 1, 2)},
    )
    out = annotate_limits(bars)
    assert out["has_limit"].tolist() == [False, True]
    assert out["up_limit_c"].tolist() == [0, 1100]
    assert out["down_limit_c"].tolist() == [0, 900]


def test_first_row_after_listing_day_keeps_its_limit() -> None:
    bars = make_bars({"600001.SH": [None, bar(10.0)]}, list_dates={"600001.SH": D(2024, 1, 2)})
    assert annotate_limits(bars)["has_limit"].tolist() == [True]


def test_annotate_limits_rejects_off_grid_prices_naming_column_and_row() -> None:
    bars = make_bars({"600001.SH": [bar(10.0), bar(10.0, 10.01, 9.99, 10.005)]})
    with pytest.raises(ValueError, match=r"column 'close', row 1"):
        annotate_limits(bars)


def test_annotate_limits_leaves_its_input_untouched() -> None:
    bars = make_bars({"600001.SH": [bar(10.0)]})
    before = bars.copy()
    annotate_limits(bars)
    pd.testing.assert_frame_equal(bars, before)


def test_buy_slippage_is_five_bps_rounded_half_up() -> None:
    assert fill_price_cents(1000, "buy", 1100) == 1001  # 10.005 -> 10.01


def test_sell_slippage_is_five_bps_rounded_half_up() -> None:
    assert fill_price_cents(1000, "sell", 900) == 1000  # 9.995 -> 10.00
    assert fill_price_cents(2000, "sell", 1800) == 1999


def test_buy_slippage_is_capped_at_the_up_limit() -> None:
    assert fill_price_cents(1106, "buy", 1106) == 1106


def test_sell_slippage_is_capped_at_the_down_limit() -> None:
    assert fill_price_cents(2000, "sell", 2000) == 2000


def test_fill_without_limit_is_not_clamped() -> None:
    assert fill_price_cents(2000, "sell", None) == 1999
    assert fill_price_cents(2000, "buy", None) == 2001


def test_commission_has_a_five_cny_minimum() -> None:
    # 10,000 CNY: commission 2.50 -> 5.00, transfer 0.10.
    assert fees_cents(1_000_000, "buy", D(2024, 1, 2)) == 510


def test_commission_above_the_minimum_is_proportional() -> None:
    # 1,000,000 CNY: commission 250.00, transfer 10.00.
    assert fees_cents(100_000_000, "buy", D(2024, 1, 2)) == 26_000


def test_stamp_duty_is_charged_on_sells_only() -> None:
    value = 10_000_000  # 100,000 CNY
    assert fees_cents(value, "buy", D(2023, 1, 3)) == 2_600
    assert fees_cents(value, "sell", D(2023, 1, 3)) == 12_600


def test_stamp_duty_halves_from_2023_08_28() -> None:
    value = 10_000_000
    assert fees_cents(value, "sell", D(2023, 8, 25)) == 12_600  # 0.1 %
    assert fees_cents(value, "sell", D(2023, 8, 28)) == 7_600  # 0.05 %
    assert fees_cents(value, "buy", D(2023, 8, 25)) == fees_cents(value, "buy", D(2023, 8, 28))


def test_transfer_fee_is_one_hundred_thousandth() -> None:
    big = 1_000_000_000  # 10,000,000 CNY: commission 2,500 + transfer 100
    assert fees_cents(big, "buy", D(2024, 1, 2)) == 260_000


def test_fees_round_the_side_total_half_up_once() -> None:
    # 500 CNY buy: 5.00 minimum + 0.005 transfer = 5.005 -> 5.01.
    assert fees_cents(50_000, "buy", D(2024, 1, 2)) == 501


def test_lot_size_is_one_hundred_shares() -> None:
    assert LOT_SIZE == 100


@pytest.mark.parametrize("side", ["long", ""])
def test_fill_and_fee_sides_are_checked(side: str) -> None:
    with pytest.raises(ValueError, match="side"):
        fill_price_cents(1000, side, None)  # type: ignore[arg-type]  # a bad side is the case under test
    with pytest.raises(ValueError, match="side"):
        fees_cents(1000, side, D(2024, 1, 2))  # type: ignore[arg-type]  # a bad side is the case under test


def test_annotating_an_annotated_frame_keeps_its_columns_and_values() -> None:
    from dragon_runtime.market import annotate_limits
    from tests.runtime.builders import flat, make_bars

    bars = make_bars({"600001.SH": [flat(10.0), flat(10.5)]})
    once = annotate_limits(bars)
    twice = annotate_limits(once)
    assert list(twice.columns) == list(once.columns)
    pd.testing.assert_frame_equal(twice, once)
    assert list(bars.columns) == [c for c in once.columns if c in bars.columns]
    assert "up_limit_c" not in bars.columns  # the input is not modified
