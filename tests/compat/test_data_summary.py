"""dragon_compat.data.summary: what `dragon validate` reports about a valid market."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dragon_compat.data import normalize_bars
from dragon_compat.data.summary import summarize_bars


def row(day: str, symbol: str, close: float, *, volume: int = 1000, st: bool = False, turnover=1.0):
    return {
        "trade_date": day, "symbol": symbol, "open": close, "high": close, "low": close,
        "close": close, "pre_close": close, "volume": volume, "amount": volume * close,
        "turnover_rate": turnover, "sector": "x", "is_st": st,
    }  # fmt: skip


def market() -> pd.DataFrame:
    return normalize_bars(
        pd.DataFrame(
            [
                row("2024-01-02", "600001.SH", 10.0),
                row("2024-01-02", "300001.SZ", 20.0),
                row("2024-01-03", "600001.SH", 10.0, volume=0, turnover=0.0),
                row("2024-01-03", "300001.SZ", 20.0),
                row("2024-01-03", "688001.SH", 30.0, st=True),
                row("2024-01-04", "300001.SZ", 20.0, turnover=None),
                row("2024-01-05", "600001.SH", 10.0),
                row("2024-01-05", "830001.BJ", 5.0),
            ]
        )
    )


def test_counts_symbols_sessions_and_range():
    summary = summarize_bars(market())
    assert (summary.rows, summary.symbols, summary.sessions) == (8, 4, 4)
    assert (summary.first_session, summary.last_session) == (
        dt.date(2024, 1, 2),
        dt.date(2024, 1, 5),
    )


def test_counts_symbols_per_board_and_st():
    summary = summarize_bars(market())
    assert summary.symbols_by_board == {"bse": 1, "chinext": 1, "main": 1, "star": 1}
    assert summary.st_symbols == 1


def test_counts_both_kinds_of_suspension_between_first_and_last_rows():
    summary = summarize_bars(market())
    assert summary.missing_rows == 1  # 600001.SH on 2024-01-04
    assert summary.zero_volume_rows == 1  # 600001.SH on 2024-01-03
    assert summary.suspended_symbols == 1


def test_counts_late_starts_early_ends_and_missing_turnover():
    summary = summarize_bars(market())
    assert summary.started_late == 2  # 688001.SH, 830001.BJ
    assert summary.ended_early == 2  # 300001.SZ, 688001.SH
    assert summary.turnover_missing == 1
