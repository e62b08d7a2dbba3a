"""The monitor's inputs: one branch's RC1 tables, checked and reduced to arrays.

The monitor reads the events/trades/equity tables (the runtime README, "Outputs") as
DataFrames (typically ``pd.read_csv`` of the canonical CSVs). Dates may arrive as
ISO strings, ``YYYYMMDD`` strings or integers, ``datetime.date`` objects or
datetime64 values; they are normalised to ``datetime64[D]``. Anything the monitor
cannot trust is a :class:`~dragon_compat.errors.DragonUserError` naming the
branch, the table, the 1-based data row, the column and the rule; it never guesses.

Only the columns the monitor uses are required: ``events`` trade_date, symbol,
event_type; ``trades`` trade_id, exit_date, net_pnl; ``equity`` trade_date,
equity, drawdown. A ``branch`` column, when present, must name the branch the
table was passed for (a mis-wired table is an error, not a silent mix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import NoReturn

import numpy as np
import pandas as pd

from dragon_compat.errors import DragonUserError

EVENTS_COLUMNS = ("trade_date", "symbol", "event_type")
TRADES_COLUMNS = ("trade_id", "exit_date", "net_pnl")
EQUITY_COLUMNS = ("trade_date", "equity", "drawdown")


@dataclass(frozen=True, eq=False, slots=True)
class BranchTables:
    """One branch's RC1 output tables (columns: the runtime README, "Outputs")."""

    events: pd.DataFrame
    trades: pd.DataFrame
    equity: pd.DataFrame


@dataclass(frozen=True, eq=False, slots=True)
class EquityPath:
    """A branch's end-of-session equity up to ``as_of``.

    ``sessions`` is strictly increasing ``datetime64[D]``; ``equity`` (CNY, > 0) and
    ``drawdown`` (ratio ≥ 0 from the running peak) are aligned with it.
    """

    sessions: np.ndarray
    equity: np.ndarray
    drawdown: np.ndarray


@dataclass(frozen=True, eq=False, slots=True)
class ClosedTrades:
    """Trades closed on or before ``as_of``, ordered by (exit_date, trade_id).

    ``exit_dates`` is non-decreasing ``datetime64[D]``; ``won`` is ``net_pnl > 0``.
    """

    exit_dates: np.ndarray
    won: np.ndarray


@dataclass(frozen=True, eq=False, slots=True)
class EventMarks:
    """The (session, symbol) pairs of one event type, in table order."""

    sessions: np.ndarray
    symbols: np.ndarray

    def keys_between(self, first: np.datetime64, last: np.datetime64) -> frozenset[tuple[str, str]]:
        """The distinct (ISO session, symbol) pairs with ``first <= session <= last``."""
        inside = (self.sessions >= first) & (self.sessions <= last)
        days = np.datetime_as_string(self.sessions[inside], unit="D")
        return frozenset(zip(days.tolist(), self.symbols[inside].tolist(), strict=True))


def _shown(value: object) -> str:
    """``repr`` of a cell as the user wrote it (numpy scalars shown as plain Python)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


class _Table:
    """Error context for one table of one branch."""

    def __init__(self, frame: pd.DataFrame, *, branch: str, name: str) -> None:
        self.frame = frame
        self.branch = branch
        self.name = name

    def error(self, message: str, *, row: int | None = None, column: str | None = None) -> NoReturn:
        where = f"branch {self.branch!r}, {self.name} table"
        if row is not None:
            where += f", data row {row + 1}"
        if column is not None:
            where += f", column {column!r}"
        raise DragonUserError(f"monitor input: {where}: {message}")

    def require(self, columns: tuple[str, ...]) -> None:
        if not isinstance(self.frame, pd.DataFrame):
            self.error(f"expected a pandas DataFrame, got {type(self.frame).__name__}")
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            self.error(f"missing column(s) {', '.join(map(repr, missing))} (RC1 output columns)")
        if "branch" in self.frame.columns:
            branches = self.frame["branch"].astype("string")
            names = branches.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # pandas-stubs: na_value must be a Scalar, pandas takes None
            wrong = np.flatnonzero(names != self.branch)
            if wrong.size:
                i = int(wrong[0])
                self.error(
                    f"value {_shown(names[i])} does not name the branch the table was given for",
                    row=i,
                    column="branch",
                )

    def days(self, column: str, *, optional: bool = False) -> np.ndarray:
        """``column`` as ``datetime64[D]``; NaT only where ``optional`` allows a blank."""
        raw = self.frame[column]
        blank = raw.isna().to_numpy(dtype=bool, copy=True)
        if pd.api.types.is_bool_dtype(raw.dtype):
            self.error("expected session dates, got booleans", column=column)
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            parsed = raw
        else:
            if pd.api.types.is_numeric_dtype(raw.dtype):  # YYYYMMDD read as integers
                fractional = np.flatnonzero(~blank & (raw != np.floor(raw)).to_numpy(dtype=bool))
                if fractional.size:
                    i = int(fractional[0])
                    self.error(f"{_shown(raw.iloc[i])} is not a date", row=i, column=column)
                raw = raw.astype("Int64")
            text = raw.astype("string").str.strip()
            blank |= (text == "").to_numpy(dtype=bool, na_value=True)
            parsed = pd.to_datetime(text.where(~blank, None), format="ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        stamps = parsed.to_numpy()
        unparsed = np.isnat(stamps)
        self._first_bad(column, unparsed & ~blank, "is not a YYYY-MM-DD date")
        days = stamps.astype("datetime64[D]")
        self._first_bad(
            column, ~unparsed & (days != stamps), "has a time of day; expected a session date"
        )
        if not optional and blank.any():
            self.error(
                "a session date is required", row=int(np.flatnonzero(blank)[0]), column=column
            )
        return days

    def _first_bad(self, column: str, bad: np.ndarray, rule: str) -> None:
        rows = np.flatnonzero(bad)
        if rows.size:
            i = int(rows[0])
            self.error(f"{_shown(self.frame[column].iloc[i])} {rule}", row=i, column=column)

    def numbers(self, column: str, rows: np.ndarray) -> np.ndarray:
        """Finite floats of ``column`` on the selected row positions."""
        values = pd.to_numeric(self.frame[column].iloc[rows], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(rows[bad[0]])
            self.error(
                f"{_shown(self.frame[column].iloc[i])} is not a finite number", row=i, column=column
            )
        return values

    def texts(self, column: str, rows: np.ndarray) -> np.ndarray:
        """Non-blank strings of ``column`` on the selected row positions."""
        text = self.frame[column].iloc[rows].astype("string").str.strip()
        values = text.to_numpy(dtype=object, na_value="")
        bad = np.flatnonzero(values == "")
        if bad.size:
            self.error("a value is required here", row=int(rows[bad[0]]), column=column)
        return values


def branch_tables(tables: Mapping[str, object], branch: str, role: str) -> BranchTables:
    """``tables[branch]`` as :class:`BranchTables`, or a user error naming the role."""
    try:
        found = tables[branch]
    except KeyError:
        known = ", ".join(sorted(map(repr, tables))) or "none"
        raise DragonUserError(
            f"monitor input: no tables for the {role} branch {branch!r} (branches given: {known})"
        ) from None
    if not isinstance(found, BranchTables):
        raise DragonUserError(
            f"monitor input: the tables of branch {branch!r} must be a BranchTables, "
            f"got {type(found).__name__}"
        )
    return found


def equity_path(tables: BranchTables, branch: str, as_of: date) -> EquityPath:
    """The branch's equity rows with ``trade_date <= as_of``, sorted by session.

    Rules: session dates unique; equity finite and > 0 (it is a divisor of the
    trailing return); drawdown finite and ≥ 0 (a ratio).
    """
    table = _Table(tables.equity, branch=branch, name="equity")
    table.require(EQUITY_COLUMNS)
    sessions = table.days("trade_date")
    keep = np.flatnonzero(sessions <= np.datetime64(as_of, "D"))
    order = keep[np.argsort(sessions[keep], kind="stable")]
    ordered = sessions[order]
    repeated = np.flatnonzero(ordered[1:] == ordered[:-1])
    if repeated.size:
        i = int(order[repeated[0] + 1])
        table.error(
            f"session {ordered[repeated[0]]} appears more than once", row=i, column="trade_date"
        )
    equity = table.numbers("equity", order)
    drawdown = table.numbers("drawdown", order)
    if (nonpositive := np.flatnonzero(equity <= 0)).size:
        i = int(order[nonpositive[0]])
        table.error(f"equity {_shown(equity[nonpositive[0]])} must be > 0", row=i, column="equity")
    if (negative := np.flatnonzero(drawdown < 0)).size:
        i = int(order[negative[0]])
        table.error(
            f"drawdown {_shown(drawdown[negative[0]])} must be ≥ 0", row=i, column="drawdown"
        )
    return EquityPath(sessions=ordered, equity=equity, drawdown=drawdown)


def closed_trades(tables: BranchTables, branch: str, as_of: date) -> ClosedTrades:
    """Trades with an ``exit_date <= as_of`` (a blank exit_date is an open trade).

    Ordered by (exit_date, trade_id) so "the last N closed trades" is well defined
    when several trades close on the same session; ``net_pnl`` must be finite.
    """
    table = _Table(tables.trades, branch=branch, name="trades")
    table.require(TRADES_COLUMNS)
    exits = table.days("exit_date", optional=True)
    rows = np.flatnonzero(~np.isnat(exits) & (exits <= np.datetime64(as_of, "D")))
    trade_ids = table.texts("trade_id", rows)
    order = np.lexsort((trade_ids.astype(str), exits[rows]))
    rows = rows[order]
    net_pnl = table.numbers("net_pnl", rows)
    return ClosedTrades(exit_dates=exits[rows], won=net_pnl > 0)


def event_marks(
    tables: BranchTables, branch: str, event_types: tuple[str, ...]
) -> dict[str, EventMarks]:
    """(session, symbol) of the branch's events, per requested ``event_type``."""
    table = _Table(tables.events, branch=branch, name="events")
    table.require(EVENTS_COLUMNS)
    sessions = table.days("trade_date")
    text = table.frame["event_type"].astype("string").str.strip()
    kinds = text.to_numpy(dtype=object, na_value="")
    marks = {}
    for event_type in event_types:
        rows = np.flatnonzero(kinds == event_type)
        marks[event_type] = EventMarks(sessions=sessions[rows], symbols=table.texts("symbol", rows))
    return marks
