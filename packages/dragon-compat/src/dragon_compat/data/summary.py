"""What a normalized bars frame holds: symbols, sessions, boards, suspensions.

Suspension follows docs/data.md: a symbol is suspended on a session of
the data calendar (the sorted set of trade_dates) between its first and last row
when it has no row there, or when its row has ``volume == 0``. Sessions after a
symbol's last row also count as suspended for the loop, but not here: a symbol that
stopped trading (delisted, or the data simply ends earlier for it) is reported by
``ended_early`` instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BarsSummary:
    """Counts describing one normalized bars frame."""

    rows: int
    symbols: int
    sessions: int
    first_session: dt.date
    last_session: dt.date
    symbols_by_board: dict[str, int]
    st_symbols: int
    missing_rows: int
    """(symbol, session) pairs without a row between the symbol's first and last row."""
    zero_volume_rows: int
    suspended_symbols: int
    """Symbols with at least one suspended session (either kind)."""
    ended_early: int
    """Symbols whose last row is before the last session."""
    started_late: int
    """Symbols whose first row is after the first session."""
    turnover_missing: int
    """Rows whose turnover_rate is NaN (predicates using it are UNAVAILABLE)."""


def summarize_bars(bars: pd.DataFrame) -> BarsSummary:
    """Summary of a frame in the normalized schema (as :func:`load_bars` returns)."""
    from dragon_runtime import board_of

    dates = bars["trade_date"].to_numpy(dtype="datetime64[ns]")
    calendar = np.unique(dates)
    session = np.searchsorted(calendar, dates)
    codes = bars["symbol"].cat.codes.to_numpy(dtype=np.int64)
    categories = list(bars["symbol"].cat.categories)
    per_symbol = (
        pd.DataFrame({"code": codes, "session": session, "zero": bars["volume"].to_numpy() == 0})
        .groupby("code", sort=True)
        .agg(
            first=("session", "min"),
            last=("session", "max"),
            rows=("session", "size"),
            zero=("zero", "sum"),
        )
    )
    span = per_symbol["last"] - per_symbol["first"] + 1
    missing = span - per_symbol["rows"]
    boards: dict[str, int] = {}
    for code in per_symbol.index:
        board = board_of(categories[code]).value
        boards[board] = boards.get(board, 0) + 1
    st_codes = np.unique(codes[bars["is_st"].to_numpy(dtype=bool)])
    return BarsSummary(
        rows=len(bars),
        symbols=len(per_symbol),
        sessions=len(calendar),
        first_session=pd.Timestamp(calendar[0]).date(),
        last_session=pd.Timestamp(calendar[-1]).date(),
        symbols_by_board=dict(sorted(boards.items())),
        st_symbols=len(st_codes),
        missing_rows=int(missing.sum()),
        zero_volume_rows=int(per_symbol["zero"].sum()),
        suspended_symbols=int(((missing > 0) | (per_symbol["zero"] > 0)).sum()),
        ended_early=int((per_symbol["last"] < len(calendar) - 1).sum()),
        started_late=int((per_symbol["first"] > 0).sum()),
        turnover_missing=int(bars["turnover_rate"].isna().sum()),
    )
