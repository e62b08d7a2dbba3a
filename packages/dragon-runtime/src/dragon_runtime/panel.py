"""The dense market panel the loop and the hooks read: [T sessions, N symbols].

The long bars frame (one row per trade_date and symbol) is pivoted once, without
per-row Python, into read-only numpy arrays indexed ``[session, symbol]``:
integer-cent prices and limits, ``has_limit``, ``suspended`` and ``row`` (the
frame row each cell came from). Strategies add named float annotations (for RC1
``board_height`` and ``alpha_score``) aligned to the frame's rows; the loop copies
``board_height`` and ``alpha_score`` onto events when present.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from dragon_runtime.market import CENTS_DTYPE

__all__ = ["PANEL_PRICE_COLUMNS", "MarketPanel"]

PANEL_PRICE_COLUMNS: tuple[str, ...] = (
    "open_c",
    "high_c",
    "low_c",
    "close_c",
    "up_limit_c",
    "down_limit_c",
)
"""Integer-cent columns of an annotated frame that become panel arrays (same names)."""

_REQUIRED = ("trade_date", "symbol", "volume", "has_limit", *PANEL_PRICE_COLUMNS)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _cents(values: pd.Series) -> np.ndarray:
    """An integer-cent column as :data:`CENTS_DTYPE` (no copy when it already is)."""
    array = values.to_numpy()
    if array.dtype.kind in "iu" and np.can_cast(array.dtype, CENTS_DTYPE):
        return array
    if array.dtype.kind in "iu":
        too_large = np.abs(array) > np.iinfo(CENTS_DTYPE).max
        if too_large.any():
            row = int(np.flatnonzero(too_large)[0])
            raise ValueError(f"column {values.name!r}, row {row}: {array[row]} cents exceed int32")
    return values.to_numpy(dtype=CENTS_DTYPE)


def _session_index(trade_dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per-row ``int32`` session index and the ascending distinct sessions
    (``datetime64[D]``). Rows sorted by date (the normalized order) take one
    sequential pass; any other order is factorized."""
    days = trade_dates.to_numpy(dtype="datetime64[D]")
    if len(days) and not (np.diff(days.view(np.int64)) < 0).any():
        new_day = np.empty(len(days), dtype=bool)
        new_day[0] = True
        np.not_equal(days[1:], days[:-1], out=new_day[1:])
        codes = np.cumsum(new_day, dtype=np.int32)
        codes -= 1
        return codes, days[new_day]
    raw_codes, sessions = pd.factorize(days, sort=True)
    return raw_codes.astype(np.int32), np.asarray(sessions, dtype="datetime64[D]")


def _symbol_index(symbols: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per-row ``int32`` symbol index and the sorted distinct symbols (categorical-aware)."""
    if isinstance(symbols.dtype, pd.CategoricalDtype):
        codes = symbols.cat.codes.to_numpy()
        if codes.size and codes.min() < 0:
            raise ValueError("column 'symbol' is null on at least one row")
        all_categories = symbols.cat.categories
        used = np.bincount(codes, minlength=len(all_categories)) > 0
        categories = np.asarray(all_categories[used].astype(str), dtype=object)
        order = np.argsort(categories, kind="stable")
        # category code -> position of its symbol among the sorted used categories
        position = np.full(len(all_categories), -1, dtype=np.int32)
        position[np.flatnonzero(used)[order]] = np.arange(len(order), dtype=np.int32)
        return position[codes], categories[order]
    codes, uniques = pd.factorize(symbols, sort=True)
    if codes.size and codes.min() < 0:
        raise ValueError("column 'symbol' is null on at least one row")
    return codes.astype(np.int32, copy=False), np.asarray(uniques, dtype=object)


@dataclass(frozen=True, eq=False)
class MarketPanel:
    """Dense read-only market arrays, shape ``[T, N]`` unless noted.

    - ``sessions``: ``datetime64[D]`` ``[T]``, ascending (the data calendar).
    - ``symbols``: ``object`` (str) ``[N]``, ascending.
    - ``open_c high_c low_c close_c up_limit_c down_limit_c``: ``int32`` cents
      (:data:`~dragon_runtime.market.CENTS_DTYPE`); 0 where the symbol has no row;
      limits 0 where ``has_limit`` is False.
    - ``has_limit``: ``bool``; False on days without a limit (new listings'
      windows, ``no_limit`` rows) and where there is no row.
    - ``suspended``: ``bool``; no row, before the first row, after the last row,
      or ``volume == 0`` (NaN volume counts as 0).
    - ``row``: ``int32`` position of the cell's row in the source frame, -1 = none.
    - ``session_of_row`` / ``symbol_of_row``: ``int32`` ``[n_rows]``, the inverse of
      ``row``: the session and symbol index of every source-frame row, in frame
      order (``row[session_of_row[i], symbol_of_row[i]] == i``).
    - ``annotations``: name -> ``float64 [T, N]``, NaN where there is no row
      (unless carried forward, see :meth:`from_frame`).
    """

    sessions: np.ndarray
    symbols: np.ndarray
    open_c: np.ndarray
    high_c: np.ndarray
    low_c: np.ndarray
    close_c: np.ndarray
    up_limit_c: np.ndarray
    down_limit_c: np.ndarray
    has_limit: np.ndarray
    suspended: np.ndarray
    row: np.ndarray
    session_of_row: np.ndarray
    symbol_of_row: np.ndarray
    annotations: Mapping[str, np.ndarray] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """``(T sessions, N symbols)``."""
        return (len(self.sessions), len(self.symbols))

    @cached_property
    def dates(self) -> tuple[dt.date, ...]:
        """Sessions as ``datetime.date`` objects (computed once)."""
        return tuple(self.sessions.astype(object))

    def annotation(self, name: str) -> np.ndarray:
        """The ``[T, N]`` float annotation ``name``; ``KeyError`` listing the known ones."""
        try:
            return self.annotations[name]
        except KeyError:
            known = ", ".join(sorted(self.annotations)) or "none"
            raise KeyError(f"panel has no annotation {name!r} (known: {known})") from None

    def symbol_index(self, symbol: str) -> int:
        """Index of ``symbol`` in :attr:`symbols`; ``KeyError`` if absent."""
        position = int(np.searchsorted(self.symbols, symbol))
        if position >= len(self.symbols) or self.symbols[position] != symbol:
            raise KeyError(f"symbol {symbol!r} is not in the panel")
        return position

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        annotations: Mapping[str, Any] | None = None,
        *,
        carry_forward: Iterable[str] = (),
    ) -> MarketPanel:
        """Pivot an :func:`~dragon_runtime.market.annotate_limits` frame into a panel.

        ``frame`` needs ``trade_date symbol volume has_limit`` and the ``*_c`` price
        columns; row order is free (``row``, ``session_of_row`` and ``symbol_of_row``
        record positions). ``annotations`` maps
        names to array-likes aligned with the frame's rows (float-convertible).
        Names in ``carry_forward`` are forward-filled over sessions where the symbol
        has no row, from its latest earlier row (values on rows are never replaced,
        NaN stays NaN); before the first row they stay NaN.

        Raises ``ValueError`` on a missing column, a misaligned annotation or a
        duplicate (trade_date, symbol).
        """
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise ValueError(f"frame lacks required column(s) {missing} for the market panel")
        annotations = dict(annotations or {})
        carry = set(carry_forward)
        unknown = carry - set(annotations)
        if unknown:
            raise ValueError(f"carry_forward names unknown annotation(s) {sorted(unknown)}")

        n_rows = len(frame)
        day_codes, sessions = _session_index(frame["trade_date"])
        sym_codes, symbols = _symbol_index(frame["symbol"])
        t_count, n_count = len(sessions), len(symbols)

        cell_dtype = np.int64 if t_count * n_count >= 2**31 else np.int32
        cell: np.ndarray = day_codes.astype(cell_dtype)
        np.multiply(cell, n_count, out=cell)
        np.add(cell, sym_codes, out=cell)  # flat [session, symbol] cell of every row, once
        row = np.full((t_count, n_count), -1, dtype=np.int32)
        row.ravel()[cell] = np.arange(n_rows, dtype=np.int32)
        if int(np.count_nonzero(row >= 0)) != n_rows:
            flat = pd.Series(day_codes.astype(np.int64) * n_count + sym_codes)
            dup = int(np.flatnonzero(flat.duplicated().to_numpy())[0])
            raise ValueError(
                f"row {dup}: duplicate (trade_date, symbol) = "
                f"({np.datetime_as_string(sessions[day_codes[dup]])}, {symbols[sym_codes[dup]]})"
            )

        def dense(values: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
            out = np.full((t_count, n_count), fill, dtype=dtype)
            out.ravel()[cell] = values
            return _read_only(out)

        prices = {
            column: dense(_cents(frame[column]), 0, CENTS_DTYPE) for column in PANEL_PRICE_COLUMNS
        }
        has_limit = dense(frame["has_limit"].to_numpy(dtype=bool), False, bool)
        volume = frame["volume"].to_numpy(dtype=np.float64, na_value=np.nan)
        suspended = dense(~(volume > 0), True, bool)

        last_row = np.maximum.accumulate(row, axis=0) if carry else None
        dense_annotations: dict[str, np.ndarray] = {}
        for name, raw in annotations.items():
            values = np.asarray(raw, dtype=np.float64)
            if values.shape != (n_rows,):
                raise ValueError(
                    f"annotation {name!r} has shape {values.shape}; expected ({n_rows},) "
                    "aligned with the frame's rows"
                )
            if name in carry and last_row is not None:
                filled = values[np.maximum(last_row, 0)]
                filled[last_row < 0] = np.nan
                dense_annotations[name] = _read_only(filled)
            else:
                dense_annotations[name] = dense(values, np.nan, np.float64)

        return cls(
            sessions=_read_only(np.asarray(sessions, dtype="datetime64[D]")),
            symbols=_read_only(symbols),
            **prices,
            has_limit=has_limit,
            suspended=suspended,
            row=_read_only(row),
            session_of_row=_read_only(day_codes),
            symbol_of_row=_read_only(sym_codes),
            annotations=MappingProxyType(dense_annotations),
        )
