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
        day=table.column("trade_date").to_numpy().astype("datetime64[D]"),
        symbol_code=symbol.indices.to_numpy(zero_copy_only=False),
        symbols=symbol.dictionary.to_numpy(zero_copy_only=False),
        close=table.column("close").to_numpy(),
        pre_close=table.column("pre_close").to_numpy(),
        volume=table.column("volume").to_numpy(),
        is_st=table.column("is_st").to_numpy(),
    )


def floor_pass(columns: FloorColumns) -> FloorResult:
    """Limit-up flags and board heights of every row (module docstring, step 2)."""
    import pandas as pd

    from dragon_runtime.market import limit_pcts, limit_prices_cents, to_cents

    day = columns.day
    if len(day) and not (day[1:] >= day[:-1]).all():
        raise ValueError("floor input is not sorted by trade_date")
    session = np.zeros(len(day), dtype=np.int64)
    np.cumsum(day[1:] != day[:-1], out=session[1:])
    n_symbols = len(columns.symbols)
    cell = session * n_symbols + columns.symbol_code
    shape = (int(session[-1]) + 1 if len(day) else 0, n_symbols)

    symbols = pd.Categorical.from_codes(columns.symbol_code, categories=columns.symbols)
    pct = limit_pcts(symbols, columns.is_st, day)
    up_c, _ = limit_prices_cents(to_cents(columns.pre_close), pct)
    trading = columns.volume > 0
    limit_up = trading & (to_cents(columns.close) >= up_c)

    ups = np.zeros(shape, dtype=np.int32)
    ups.ravel()[cell] = limit_up
    breaks = np.zeros(shape, dtype=bool)
    breaks.ravel()[cell] = trading & ~limit_up
    count = np.cumsum(ups, axis=0, dtype=np.int32, out=ups)
    last_break = np.where(breaks, count, 0)
    np.maximum.accumulate(last_break, axis=0, out=last_break)
    height = (count - last_break).ravel()[cell]
    return FloorResult(
        limit_ups=int(np.count_nonzero(limit_up)),
        max_board_height=int(height.max()) if len(height) else 0,
    )
