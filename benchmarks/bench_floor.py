"""The floor: the least work any engine must do on this market, measured in the same run.

1. **read**: the six Parquet columns the limit flags and board heights need
   (``trade_date symbol close pre_close volume is_st``), straight to numpy arrays
   through pyarrow — no pandas frame, no validation.
2. **pass**: one vectorized numpy pass: board limit % per row
   (:func:`dragon_runtime.market.limit_pcts`, categorical so the board is decided
   once per symbol), exact integer-cent limit-up prices
   (:func:`dragon_runtime.market.limit_prices_cents`, the Decimal half-up rule),
   the limit-up flag on trading rows, and ``board_height`` — consecutive limit-up
   closes over a symbol's trading rows, suspended rows neither counting nor breaking
   a run — computed on the dense ``[session, symbol]`` grid with a running maximum
   of the last break (no Python loop over symbols or sessions).

The floor leaves out what does not change its cost: the IPO-day "no limit"
exemption and exchange-published limits. Its checksum (limit-ups, the tallest
board) is reported so a broken floor cannot pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

FLOOR_COLUMNS: tuple[str, ...] = ("trade_date", "symbol", "close", "pre_close", "volume", "is_st")
"""Parquet columns the floor reads."""


@dataclass(frozen=True)
class FloorColumns:
    """The floor's inputs as numpy arrays, one element per row (sorted by date)."""

    day: np.ndarray
    """``datetime64[ns]`` session of each row."""
    symbol_code: np.ndarray
    symbols: np.ndarray
    close: np.ndarray
    pre_close: np.ndarray
    volume: np.ndarray
    is_st: np.ndarray

    def __len__(self) -> int:
        return len(self.day)


@dataclass(frozen=True)
class FloorResult:
    """Checksums of the floor pass."""

    limit_ups: int
    max_board_height: int


def read_floor_columns(path: Path) -> FloorColumns:
    """The :data:`FLOOR_COLUMNS` of a bars Parquet file as numpy arrays."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=list(FLOOR_COLUMNS)).unify_dictionaries()
    symbol = table.column("symbol").combine_chunks()
    return FloorColumns(
        day=table.column("trade_date").to_numpy(),
        symbol_code=symbol.indices.to_numpy(zero_copy_only=False),
        symbols=symbol.dictionary.to_numpy(zero_copy_only=False),
        close=table.column("close").to_numpy(),
        pre_close=table.column("pre_close").to_numpy(),
        volume=table.column("volume").to_numpy(),
        is_st=table.column("is_st").to_numpy(),
    )


def floor_pass(columns: FloorColumns) -> FloorResult:
    """Limit-up flags and board heights of every row (module docstring, step 2)."""
    n = len(columns)
    if n == 0:
        return FloorResult(limit_ups=0, max_board_height=0)
    day = columns.day.view(np.int64)
    if not (day[1:] >= day[:-1]).all():
        raise ValueError("floor input is not sorted by trade_date")
    session = np.zeros(n, dtype=np.int32)
    np.cumsum(day[1:] != day[:-1], out=session[1:])
    n_symbols = len(columns.symbols)

    pct = _pct_table(columns.symbols)[
        columns.symbol_code, columns.is_st.view(np.int8), (day >= _reform_ns()).view(np.int8)
    ]
    from dragon_runtime import limit_prices_cents, to_cents

    up_c, _ = limit_prices_cents(to_cents(columns.pre_close), pct)
    trading = columns.volume > 0
    limit_up = to_cents(columns.close) >= up_c
    limit_up &= trading

    cell = session.astype(np.int64) * n_symbols + columns.symbol_code
    shape = (int(session[-1]) + 1, n_symbols)
    count = np.zeros(shape, dtype=np.int32)
    count.ravel()[cell] = limit_up
    np.cumsum(count, axis=0, out=count)
    last_break = np.zeros(shape, dtype=np.int32)
    trading &= ~limit_up
    last_break.ravel()[cell] = np.where(trading, count.ravel()[cell], 0)
    np.maximum.accumulate(last_break, axis=0, out=last_break)
    count -= last_break
    return FloorResult(
        limit_ups=int(np.count_nonzero(limit_up)),
        max_board_height=int(count.max()),
    )


def _reform_ns() -> np.int64:
    from dragon_runtime import CHINEXT_REFORM_DATE

    return np.datetime64(CHINEXT_REFORM_DATE, "ns").view(np.int64)


def _pct_table(symbols: np.ndarray) -> np.ndarray:
    """Limit % by ``[symbol, is_st, on/after the ChiNext reform]`` from the runtime's
    vectorized rule (:func:`dragon_runtime.market.limit_pcts`), 4 entries a symbol."""
    from dragon_runtime import CHINEXT_REFORM_DATE, limit_pcts

    reform = np.datetime64(CHINEXT_REFORM_DATE, "D")
    st = np.array([False, False, True, True])
    dates = np.array([reform - 1, reform, reform - 1, reform])
    pct = limit_pcts(
        np.repeat(np.asarray(symbols, dtype=object), 4),
        np.tile(st, len(symbols)),
        np.tile(dates, len(symbols)),
    )
    return pct.reshape(len(symbols), 2, 2).astype(np.int16)
