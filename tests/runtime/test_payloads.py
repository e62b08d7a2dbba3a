"""The RC1 tables: column order, dtypes, trade ids."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from dragon_runtime.canonical import canonical_json
from dragon_runtime.payloads import (
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    TRADE_COLUMNS,
    Summary,
    equity_frame,
    events_frame,
    trades_frame,
)
from tests.runtime.builders import FakeHooks, day, flat, rows, run

A, B = "600001.SH", "600002.SH"


def test_tables_have_the_rc1_column_order() -> None:
    result = run({A: [flat(10.0)] * 3}, FakeHooks(picks={0: [A]}, exits={(1, A): "MAX_HOLD"}))
    assert tuple(result.events.columns) == EVENT_COLUMNS
    assert tuple(result.trades.columns) == TRADE_COLUMNS
    assert tuple(result.equity.columns) == EQUITY_COLUMNS


def test_empty_tables_keep_their_columns() -> None:
    assert tuple(events_frame([]).columns) == EVENT_COLUMNS
    assert tuple(trades_frame("b", []).columns) == TRADE_COLUMNS
    assert tuple(equity_frame("b", []).columns) == EQUITY_COLUMNS


def test_table_dtypes() -> None:
    result = run({A: [flat(10.0)] * 3}, FakeHooks(picks={0: [A]}, exits={(1, A): "MAX_HOLD"}))
    events, trades = result.events, result.trades
    assert events["trade_date"].dtype == "datetime64[ns]"
    assert str(events["shares"].dtype) == "Int64"
    assert str(events["rank"].dtype) == "Int64"
    assert events["price"].dtype == "float64"
    assert trades["exit_date"].dtype == "datetime64[ns]"
    assert pd.isna(events.loc[0, "shares"])


def test_trade_ids_are_given_at_entry_and_stay_stable_with_open_positions() -> None:
    market = {A: [flat(10.0)] * 4, B: [flat(10.0)] * 4}
    hooks = FakeHooks(picks={0: [A], 1: [B]}, exits={(2, B): "NOT_LIMIT_UP"})
    result = run(market, hooks)
    # A (entry 1) is still open at the end; B (entry 2) closed.
    assert rows(result.trades, "trade_id", "symbol", "entry_date") == [("test-00002", B, day(2))]


def test_summary_model_reads_a_written_summary_back() -> None:
    result = run({A: [flat(10.0)] * 3}, FakeHooks(picks={0: [A]}, exits={(1, A): "MAX_HOLD"}))
    text = canonical_json(result.summary)
    assert Summary.model_validate_json(text).model_dump() == result.summary


def test_summary_model_names_the_broken_field() -> None:
    result = run({A: [flat(10.0)] * 2}, FakeHooks())
    bad = {**result.summary, "win_rate": 1.5}
    with pytest.raises(ValidationError, match="win_rate"):
        Summary.model_validate(bad)
