"""The dense market panel: pivot, suspension, row index, annotations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dragon_runtime.loop import run_loop
from dragon_runtime.market import annotate_limits
from dragon_runtime.panel import MarketPanel
from tests.runtime.builders import FakeHooks, bar, day, flat, make_bars, rows

A, B, C = "600001.SH", "600002.SH", "600003.SH"
MARKET = {
    A: [flat(10.0), None, bar(10.0, 10.5, 9.9, 10.2), None],
    B: [None, flat(20.0), flat(20.0, volume=0), flat(20.0)],
}


def _frame() -> pd.DataFrame:
    return annotate_limits(make_bars(MARKET))


def test_panel_has_sorted_sessions_and_symbols() -> None:
    panel = MarketPanel.from_frame(_frame())
    assert panel.shape == (4, 2)
    assert [d.isoformat() for d in panel.dates] == [day(i) for i in range(4)]
    assert panel.symbols.tolist() == [A, B]


def test_prices_are_cents_and_zero_without_a_row() -> None:
    panel = MarketPanel.from_frame(_frame())
    assert panel.close_c[:, 0].tolist() == [1000, 0, 1020, 0]
    assert panel.high_c[2, 0] == 1050
    assert panel.up_limit_c[2, 0] == 1100


def test_suspended_without_row_before_first_after_last_or_zero_volume() -> None:
    panel = MarketPanel.from_frame(_frame())
    assert panel.suspended[:, 0].tolist() == [False, True, False, True]
    assert panel.suspended[:, 1].tolist() == [True, False, True, False]


def test_row_indexes_the_frame_and_minus_one_means_no_row() -> None:
    frame = _frame()
    panel = MarketPanel.from_frame(frame)
    for t, n in zip(*np.nonzero(panel.row >= 0), strict=True):
        assert frame["close_c"].iloc[panel.row[t, n]] == panel.close_c[t, n]
    assert panel.row[1, 0] == -1


def test_row_order_of_the_frame_is_free() -> None:
    frame = _frame()
    shuffled = frame.iloc[::-1].reset_index(drop=True)
    a, b = MarketPanel.from_frame(frame), MarketPanel.from_frame(shuffled)
    assert np.array_equal(a.close_c, b.close_c)
    assert np.array_equal(a.suspended, b.suspended)


def test_categorical_symbols_are_sorted_and_unused_categories_dropped() -> None:
    frame = _frame()
    frame["symbol"] = pd.Categorical(frame["symbol"], categories=[C, B, A])
    panel = MarketPanel.from_frame(frame)
    assert panel.symbols.tolist() == [A, B]
    assert panel.close_c[3, 1] == 2000


def test_annotations_are_nan_without_a_row() -> None:
    frame = _frame()
    panel = MarketPanel.from_frame(frame, {"board_height": np.arange(len(frame), dtype=float)})
    assert np.isnan(panel.annotation("board_height")[1, 0])


def test_carry_forward_fills_sessions_without_a_row_only() -> None:
    frame = _frame()
    values = np.arange(len(frame), dtype=float)
    panel = MarketPanel.from_frame(frame, {"h": values}, carry_forward=("h",))
    h = panel.annotation("h")
    a_rows = panel.row[:, 0]
    assert h[1, 0] == values[a_rows[0]]
    assert h[3, 0] == values[a_rows[2]]
    assert np.isnan(h[0, 1])  # before B's first row


def test_unknown_annotation_names_the_known_ones() -> None:
    panel = MarketPanel.from_frame(_frame(), {"alpha_score": np.zeros(len(_frame()))})
    with pytest.raises(KeyError, match="known: alpha_score"):
        panel.annotation("board_height")


def test_duplicate_session_and_symbol_is_refused_naming_the_row() -> None:
    frame = _frame()
    doubled = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match=rf"row {len(frame)}: duplicate .*{A}"):
        MarketPanel.from_frame(doubled)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="has_limit"):
        MarketPanel.from_frame(_frame().drop(columns=["has_limit"]))


def test_misaligned_annotation_is_refused() -> None:
    with pytest.raises(ValueError, match="annotation 'h' has shape"):
        MarketPanel.from_frame(_frame(), {"h": np.zeros(2)})


def test_carry_forward_of_an_unknown_annotation_is_refused() -> None:
    with pytest.raises(ValueError, match="carry_forward"):
        MarketPanel.from_frame(_frame(), {}, carry_forward=("h",))


def test_panel_arrays_are_read_only() -> None:
    panel = MarketPanel.from_frame(_frame())
    with pytest.raises(ValueError, match="read-only"):
        panel.close_c[0, 0] = 1


def test_symbol_index_finds_symbols_and_refuses_others() -> None:
    panel = MarketPanel.from_frame(_frame())
    assert panel.symbol_index(B) == 1
    with pytest.raises(KeyError):
        panel.symbol_index(C)


def test_loop_carries_board_height_over_a_suspension_from_the_latest_trading_session() -> None:
    market = {A: [flat(10.0), flat(10.0), None, flat(10.0, volume=0), flat(10.0)]}
    market[B] = [flat(5.0)] * 5
    frame = annotate_limits(make_bars(market))
    height = np.where(frame["symbol"] == A, 3.0, 1.0)
    height[(frame["symbol"] == A).to_numpy() & (frame["volume"] == 0).to_numpy()] = 9.0
    panel = MarketPanel.from_frame(frame, {"board_height": height})  # no carry_forward
    result = run_loop(panel, FakeHooks(picks={0: [A]}), branch="test")
    assert rows(result.events, "trade_date", "reason_code", "board_height", symbol=A)[2:] == [
        (day(1), "CONTINUES_LIMIT_UP", 3),
        (day(2), "SUSPENDED", 3),
        (day(3), "SUSPENDED", 3),
        (day(4), "CONTINUES_LIMIT_UP", 3),
    ]


def test_session_and_symbol_of_row_invert_row() -> None:
    frame = _frame().iloc[::-1].reset_index(drop=True)  # any row order
    panel = MarketPanel.from_frame(frame)
    assert panel.session_of_row.shape == panel.symbol_of_row.shape == (len(frame),)
    for i in range(len(frame)):
        assert panel.row[panel.session_of_row[i], panel.symbol_of_row[i]] == i
    assert not panel.session_of_row.flags.writeable
    assert not panel.symbol_of_row.flags.writeable
