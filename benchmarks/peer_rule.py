"""The peers' trading rule: a plain two-board entry and a not-limit-up exit.

What the vectorbt and backtrader peers (``peer_vectorbt.py``, ``peer_backtrader.py``)
trade, defined once here, with no dependency on either library so the test suite
can check it against Dragon's own definitions:

- **limit-up close**: a trading row (``volume > 0``) that has a limit (not inside
  a new listing's no-limit window, :func:`dragon_runtime.listing_rules`; a classic
  IPO day's up-limit is +44 %, :func:`dragon_runtime.ipo_limit_prices_cents`) and
  closes at or above its up-limit price. The up-limit is
  Dragon's own: board % by symbol prefix, ST and the ChiNext reform date from
  :func:`dragon_runtime.market.limit_pcts`, exact integer cents (Decimal
  ROUND_HALF_UP of ``pre_close × (1 + pct)``) from
  :func:`dragon_runtime.market.limit_prices_cents` — imported, not re-derived.
  Published ``up_limit`` columns are ignored (the bench market publishes none).
- **board height**: consecutive limit-up closes over the symbol's trading rows;
  suspended rows and sessions without a row neither count nor break a run.
- **entry signal** at a close: a limit-up close with board height ≥
  :data:`dragon_compat.features.CANDIDATE_MIN_HEIGHT` (2) — Dragon's
  ``is_candidate``;
- **exit signal** at a close: a trading row that is not a limit-up close —
  Dragon's ``NOT_LIMIT_UP`` condition, without its stop-loss, broken-board and
  max-hold exits.
- **orders** fill at the open of the *next session* of the calendar; when the
  symbol does not trade then (no row, or ``volume == 0``) the signal lapses.

Wide arrays are ``[session, symbol]`` with symbols in string order; cells without
a row are not trading, have no limit and hold 0 cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

RULE_COLUMNS: tuple[str, ...] = (
    "trade_date",
    "symbol",
    "open",
    "high",
    "low",
    "close",
    "pre_close",
    "volume",
    "is_st",
    "list_date",
)
"""Parquet columns the backtrader peer reads (high/low for its feeds)."""
VECTORBT_COLUMNS: tuple[str, ...] = tuple(c for c in RULE_COLUMNS if c not in ("high", "low"))
"""Parquet columns the vectorbt peer reads: the rule's and nothing else."""


@dataclass(frozen=True)
class LongBars:
    """Rule inputs one element per row, rows sorted by ``trade_date``.

    Prices are int64 cents (0 where the price is not finite, and such a row is not
    trading); ``session`` and ``symbol`` are codes into ``dates`` / ``symbols``
    (symbols in string order).
    """

    dates: np.ndarray
    symbols: np.ndarray
    session: np.ndarray
    symbol: np.ndarray
    open_c: np.ndarray
    high_c: np.ndarray
    low_c: np.ndarray
    close_c: np.ndarray
    up_c: np.ndarray
    trading: np.ndarray
    has_limit: np.ndarray

    def __len__(self) -> int:
        return len(self.session)


@dataclass(frozen=True)
class WideBars:
    """Rule inputs on the dense ``[session, symbol]`` grid (see the module docstring)."""

    dates: np.ndarray
    symbols: np.ndarray
    open_c: np.ndarray
    close_c: np.ndarray
    up_c: np.ndarray
    trading: np.ndarray
    has_limit: np.ndarray


def read_rule_table(path: Path, columns: tuple[str, ...] = RULE_COLUMNS) -> Any:
    """The rule's columns of a bars Parquet file as a pyarrow table."""
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=list(columns))


def long_bars(table: Any) -> LongBars:
    """:class:`LongBars` of a pyarrow table with :data:`RULE_COLUMNS` (``high`` and
    ``low`` optional: 0 cents when absent), rows sorted by ``trade_date``.

    Raises ``ValueError`` when rows are not sorted by ``trade_date``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from dragon_runtime.market import ipo_limit_prices_cents, limit_pcts, limit_prices_cents

    day = table.column("trade_date").to_numpy().astype("datetime64[D]")
    if len(day) and not (day[1:] >= day[:-1]).all():
        raise ValueError("bars are not sorted by trade_date")
    symbol_column = table.column("symbol")
    if not pa.types.is_dictionary(symbol_column.type):
        symbol_column = pc.dictionary_encode(symbol_column)
    symbol_array = symbol_column.combine_chunks()
    raw_code = symbol_array.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    raw_symbols = np.asarray(symbol_array.dictionary.to_pylist(), dtype=object)
    order = np.argsort(raw_symbols.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    symbols, code = raw_symbols[order], rank[raw_code]

    new_day = np.ones(len(day), dtype=bool)
    new_day[1:] = day[1:] != day[:-1]
    session = np.cumsum(new_day) - 1
    prices = {name: _float(table, name) for name in ("open", "close", "pre_close")}
    finite = np.isfinite(prices["open"]) & np.isfinite(prices["close"])
    finite &= np.isfinite(prices["pre_close"])
    cents = {name: _cents(values) for name, values in prices.items()}
    for name in ("high", "low"):  # backtrader's feeds only; a zero view when not read
        present = name in table.column_names
        cents[name] = _cents(_float(table, name)) if present else np.broadcast_to(0, len(day))
    trading = finite & (np.nan_to_num(_float(table, "volume")) > 0)
    is_st = table.column("is_st").to_numpy(zero_copy_only=False).astype(bool)

    pct = limit_pcts(_categorical(code, symbols), is_st, day)
    up_c, _ = limit_prices_cents(cents["pre_close"], pct)
    no_limit, ipo_day = _listing(code, symbols, day, table)
    up_c[ipo_day] = ipo_limit_prices_cents(cents["pre_close"][ipo_day])[0]
    return LongBars(
        dates=day[new_day],
        symbols=symbols,
        session=session,
        symbol=code,
        open_c=cents["open"],
        high_c=cents["high"],
        low_c=cents["low"],
        close_c=cents["close"],
        up_c=up_c,
        trading=trading,
        has_limit=~no_limit,
    )


def widen(bars: LongBars) -> WideBars:
    """The rows scattered onto the ``[session, symbol]`` grid (no pandas pivot)."""
    shape = (len(bars.dates), len(bars.symbols))
    cell = bars.session * shape[1] + bars.symbol

    def grid(values: np.ndarray) -> np.ndarray:
        out = np.zeros(shape, dtype=values.dtype)
        out.ravel()[cell] = values
        return out

    return WideBars(
        dates=bars.dates,
        symbols=bars.symbols,
        open_c=grid(bars.open_c),
        close_c=grid(bars.close_c),
        up_c=grid(bars.up_c),
        trading=grid(bars.trading),
        has_limit=grid(bars.has_limit),
    )


def limit_up_closes(wide: WideBars) -> np.ndarray:
    """``[session, symbol]`` True on a trading, limited cell closing at/above its up-limit."""
    return wide.trading & wide.has_limit & (wide.close_c >= wide.up_c)


def board_heights(limit_up: np.ndarray, trading: np.ndarray) -> np.ndarray:
    """Consecutive limit-up closes down each column (axis 0 = sessions), int32.

    A trading cell that is not limit-up resets the run; other cells (suspended, no
    row) carry the height over. The height of a limit-up cell includes itself.
    """
    count = np.cumsum(limit_up, axis=0, dtype=np.int32)
    last_break = np.where(trading & ~limit_up, count, 0)
    np.maximum.accumulate(last_break, axis=0, out=last_break)
    count -= last_break
    return count


def signals_at_close(wide: WideBars) -> tuple[np.ndarray, np.ndarray]:
    """``(entry, exit)`` signals at each ``[session, symbol]`` close (module docstring)."""
    from dragon_compat.features import CANDIDATE_MIN_HEIGHT

    limit_up = limit_up_closes(wide)
    entry = limit_up & (board_heights(limit_up, wide.trading) >= CANDIDATE_MIN_HEIGHT)
    return entry, wide.trading & ~limit_up


def next_session(signal: np.ndarray) -> np.ndarray:
    """A close signal moved to the next session's row of the grid (the first row False)."""
    moved = np.zeros_like(signal)
    moved[1:] = signal[:-1]
    return moved


class TwoBoardTracker:
    """The same rule fed one trading row of one symbol at a time (backtrader's way).

    Call :meth:`close` for each of the symbol's trading rows in date order (rows
    that do not trade are not fed: they neither count nor break a run).
    """

    __slots__ = ("height",)

    def __init__(self) -> None:
        self.height = 0

    def close(self, close_c: int, up_c: int, has_limit: bool) -> tuple[bool, bool]:
        """``(entry, exit)`` signals at this close; updates the board height."""
        from dragon_compat.features import CANDIDATE_MIN_HEIGHT

        if has_limit and close_c >= up_c:
            self.height += 1
            return self.height >= CANDIDATE_MIN_HEIGHT, False
        self.height = 0
        return False, True


def _float(table: Any, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def _cents(values: np.ndarray) -> np.ndarray:
    """Exact int64 cents (:func:`dragon_runtime.market.to_cents`); 0 where not finite."""
    from dragon_runtime.market import to_cents

    return to_cents(np.where(np.isfinite(values), values, 0.0))


def _categorical(code: np.ndarray, symbols: np.ndarray) -> Any:
    import pandas as pd

    return pd.Categorical.from_codes(code, categories=pd.Index(symbols, dtype=object))


def _listing(
    code: np.ndarray, symbols: np.ndarray, day: np.ndarray, table: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Dragon's listing rules (no-limit windows, classic IPO days) for each row."""
    from dragon_runtime.market import listing_rules

    if "list_date" not in table.column_names or not len(code):
        return np.zeros(len(code), dtype=bool), np.zeros(len(code), dtype=bool)
    listed = table.column("list_date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return listing_rules(_categorical(code, symbols), day, listed)
