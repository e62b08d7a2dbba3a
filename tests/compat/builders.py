"""Small fixture builders for hand-made normalized bars frames.

A market is written as one price path per symbol, a step per session::

    bars = make_bars(
        path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP, SUSPENDED, LIMIT_UP], sector="chips"),
        path("000002.SZ", [5.0, BROKEN, None, 5.2], amount=3e8),
    )

Steps: a float is the close; :data:`LIMIT_UP`, :data:`ONE_WORD`, :data:`BROKEN` and
:data:`LIMIT_DOWN` are exact limit closes computed from the previous close with
``dragon_runtime.market`` (board %, ST, date); :data:`SUSPENDED` is a
``volume == 0`` row at the previous close; ``None`` is a session without a row.
Keyword fields apply to every row of the path, or per session when given as a
list (``turnover_rate=[3, 4, 5, 6, 7, 8]``); ``None`` steps still consume their
entry. Session *i* of every path is ``sessions()[i]`` (weekdays from
:data:`START`), so paths line up by position. ``make_bars`` returns the frame in the
normalized form the loader produces (see :func:`make_bars`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from dragon_compat.data.schema import NORMALIZED_COLUMNS
from dragon_runtime.market import limit_pct, limit_price

__all__ = [
    "BROKEN",
    "LIMIT_DOWN",
    "LIMIT_UP",
    "ONE_WORD",
    "START",
    "SUSPENDED",
    "Step",
    "at",
    "bar",
    "down_limit_of",
    "make_bars",
    "path",
    "sessions",
    "up_limit_of",
]

START: Final = "2024-01-02"
"""First session of every builder market (a Tuesday)."""


class _Token(str):
    """A named step (a str subclass so paths print readably)."""


LIMIT_UP: Final = _Token("LIMIT_UP")
"""Close at the up limit; opens at the previous close, so the board was not one-word."""
ONE_WORD: Final = _Token("ONE_WORD")
"""Open = high = low = close = up limit."""
BROKEN: Final = _Token("BROKEN")
"""High touches the up limit, close back at the previous close."""
LIMIT_DOWN: Final = _Token("LIMIT_DOWN")
"""Close at the down limit."""
SUSPENDED: Final = _Token("SUSPENDED")
"""A row with volume == 0, amount 0, turnover 0, all prices at the previous close."""

Step = float | _Token | None

DEFAULTS: Final[dict[str, Any]] = {
    "volume": 1_000_000.0,
    "amount": 2e8,
    "turnover_rate": 5.0,
    "sector": "BANK",
    "is_st": False,
    "list_date": pd.NaT,
    "up_limit": np.nan,
    "down_limit": np.nan,
}
"""Field values of a row that does not set them."""

COLUMNS: Final = NORMALIZED_COLUMNS


def sessions(n: int, start: str = START) -> list[pd.Timestamp]:
    """``n`` weekday sessions from ``start``."""
    return list(pd.bdate_range(start, periods=n))


def up_limit_of(symbol: str, pre_close: float, trade_date: Any, *, is_st: bool = False) -> float:
    """The exact up limit (CNY) per ``dragon_runtime.market``."""
    pct = limit_pct(symbol, is_st, pd.Timestamp(trade_date).date())
    return float(limit_price(pre_close, pct, "up"))


def down_limit_of(symbol: str, pre_close: float, trade_date: Any, *, is_st: bool = False) -> float:
    """The exact down limit (CNY) per ``dragon_runtime.market``."""
    pct = limit_pct(symbol, is_st, pd.Timestamp(trade_date).date())
    return float(limit_price(pre_close, pct, "down"))


def bar(trade_date: Any, symbol: str, close: float, **fields: Any) -> dict[str, Any]:
    """One row: ``trade_date``, ``symbol``, ``close`` plus any other column."""
    return {"trade_date": pd.Timestamp(trade_date), "symbol": symbol, "close": close, **fields}


def _at(value: Any, i: int, name: str, n: int) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        if len(value) != n:
            raise ValueError(f"field {name!r} has {len(value)} values for {n} steps")
        return value[i]
    return value


def path(
    symbol: str,
    steps: Sequence[Step],
    *,
    first_pre_close: float | None = None,
    start: str = START,
    **fields: Any,
) -> list[dict[str, Any]]:
    """Rows of one symbol, one step per session (see the module docstring).

    ``first_pre_close`` is the pre_close of the first row (default: the first
    numeric close, or 10.0). Each later row's pre_close is the previous row's close.
    """
    days = sessions(len(steps), start)
    numeric = [s for s in steps if s is not None and not isinstance(s, _Token)]
    pre = first_pre_close if first_pre_close is not None else (numeric[0] if numeric else 10.0)
    rows: list[dict[str, Any]] = []
    for i, (day, step) in enumerate(zip(days, steps, strict=True)):
        if step is None:
            continue
        row = {k: _at(v, i, k, len(steps)) for k, v in fields.items()}
        st = bool(row.get("is_st", False))
        up = up_limit_of(symbol, pre, day, is_st=st)
        if step is LIMIT_UP:
            row.update(close=up, open=pre, high=up, low=min(pre, up))
        elif step is ONE_WORD:
            row.update(close=up, open=up, high=up, low=up)
        elif step is BROKEN:
            row.update(close=pre, open=pre, high=up, low=pre)
        elif step is LIMIT_DOWN:
            down = down_limit_of(symbol, pre, day, is_st=st)
            row.update(close=down, open=pre, high=pre, low=down)
        elif step is SUSPENDED:
            row.update(close=pre, open=pre, high=pre, low=pre, volume=0.0, amount=0.0)
            row.setdefault("turnover_rate", 0.0)
        else:
            row["close"] = float(step)
        row.setdefault("pre_close", pre)
        rows.append(bar(day, symbol, **row))
        pre = row["close"]
    return rows


def make_bars(*groups: Iterable[Mapping[str, Any]], categorical: bool = True) -> pd.DataFrame:
    """The normalized bars frame of the given rows (any number of row iterables).

    Missing fields take :data:`DEFAULTS`; ``open`` defaults to ``pre_close``,
    ``pre_close`` to the symbol's previous close (first row: its own close),
    ``high``/``low`` to the max/min of open and close, ``name`` to the symbol.
    Result: sorted by (trade_date, symbol), RangeIndex, ``trade_date``/``list_date``
    datetime64[ns], prices and volume/amount/turnover float64, ``is_st`` bool,
    ``symbol`` and ``sector`` categorical (object str with ``categorical=False``).
    """
    rows = [dict(r) for group in groups for r in group]
    rows.sort(key=lambda r: (pd.Timestamp(r["trade_date"]), r["symbol"]))
    last_close: dict[str, float] = {}
    for row in rows:
        row["trade_date"] = pd.Timestamp(row["trade_date"])
        row.setdefault("pre_close", last_close.get(row["symbol"], row["close"]))
        row.setdefault("open", row["pre_close"])
        row.setdefault("high", max(row["open"], row["close"]))
        row.setdefault("low", min(row["open"], row["close"]))
        row.setdefault("name", row["symbol"])
        for key, value in DEFAULTS.items():
            row.setdefault(key, value)
        last_close[row["symbol"]] = row["close"]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["trade_date"] = frame["trade_date"].astype("datetime64[ns]")
    frame["list_date"] = pd.to_datetime(frame["list_date"]).astype("datetime64[ns]")
    for column in ("open", "high", "low", "close", "pre_close", "volume", "amount"):
        frame[column] = frame[column].astype(np.float64)
    for column in ("turnover_rate", "up_limit", "down_limit"):
        frame[column] = frame[column].astype(np.float64)
    frame["is_st"] = frame["is_st"].astype(bool)
    text = "category" if categorical else object
    for column in ("symbol", "sector"):
        frame[column] = frame[column].astype(text)
    frame["name"] = frame["name"].astype(object)
    return frame.reset_index(drop=True)


def at(frame: pd.DataFrame, symbol: str, session: int) -> pd.Series:
    """The row of ``symbol`` on builder session number ``session`` (0-based).

    ``frame`` is a normalized bars frame, or one joined with its features; raises
    ``KeyError`` when there is no such row.
    """
    day = sessions(session + 1)[session]
    hit = frame[(frame["trade_date"] == day) & (frame["symbol"].astype(str) == symbol)]
    if len(hit) != 1:
        raise KeyError(f"no row for {symbol} on session {session} ({day.date()})")
    return hit.iloc[0]
