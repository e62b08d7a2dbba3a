"""Event, trade and equity records and their assembly into the RC1 tables.

The loop appends plain records (integer cents) while it runs; the tables are built
once at the end, with the RC1 column order (this package's README, "Outputs") — part of the
schema surface. Each column has a kind that fixes its dtype here and its canonical
text in :mod:`dragon_runtime.canonical`:

- ``text`` str (null → empty), ``date`` ``datetime64[ns]``, ``int`` ``Int64``
  (nullable), ``price``/``money`` ``float64`` CNY (NaN = null; exact cents/100),
  ``ratio`` ``float64`` (NaN = null).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "EQUITY_COLUMNS",
    "EQUITY_SCHEMA",
    "EVENT_COLUMNS",
    "EVENT_SCHEMA",
    "OUTPUT_FILES",
    "RC1_SCHEMA_VERSION",
    "SUMMARY_KEYS",
    "TRADE_COLUMNS",
    "TRADE_SCHEMA",
    "ColumnKind",
    "EquityRecord",
    "EventRecord",
    "Summary",
    "TradeRecord",
    "build_summary",
    "equity_frame",
    "events_frame",
    "trade_id",
    "trades_frame",
]

RC1_SCHEMA_VERSION = "1"
"""``summary.json`` ``rc1_schema_version``."""


class ColumnKind(StrEnum):
    """How a table column is typed and printed."""

    TEXT = "text"
    DATE = "date"
    INT = "int"
    PRICE = "price"
    MONEY = "money"
    RATIO = "ratio"


K = ColumnKind

EVENT_SCHEMA: tuple[tuple[str, ColumnKind], ...] = (
    ("branch", K.TEXT),
    ("trade_date", K.DATE),
    ("phase", K.TEXT),
    ("seq", K.INT),
    ("symbol", K.TEXT),
    ("event_type", K.TEXT),
    ("reason_code", K.TEXT),
    ("reason_layer", K.TEXT),
    ("reason_family", K.TEXT),
    ("reason_tier", K.TEXT),
    ("price", K.PRICE),
    ("shares", K.INT),
    ("board_height", K.INT),
    ("alpha_score", K.RATIO),
    ("rank", K.INT),
    ("predicates", K.TEXT),
)
TRADE_SCHEMA: tuple[tuple[str, ColumnKind], ...] = (
    ("branch", K.TEXT),
    ("trade_id", K.TEXT),
    ("symbol", K.TEXT),
    ("entry_date", K.DATE),
    ("entry_price", K.PRICE),
    ("exit_date", K.DATE),
    ("exit_price", K.PRICE),
    ("shares", K.INT),
    ("fees", K.MONEY),
    ("net_pnl", K.MONEY),
    ("return_pct", K.RATIO),
    ("hold_sessions", K.INT),
    ("exit_reason", K.TEXT),
)
EQUITY_SCHEMA: tuple[tuple[str, ColumnKind], ...] = (
    ("branch", K.TEXT),
    ("trade_date", K.DATE),
    ("cash", K.MONEY),
    ("market_value", K.MONEY),
    ("equity", K.MONEY),
    ("positions", K.INT),
    ("drawdown", K.RATIO),
)

EVENT_COLUMNS: tuple[str, ...] = tuple(name for name, _ in EVENT_SCHEMA)
"""``events.csv`` columns, in order."""
TRADE_COLUMNS: tuple[str, ...] = tuple(name for name, _ in TRADE_SCHEMA)
"""``trades.csv`` columns, in order."""
EQUITY_COLUMNS: tuple[str, ...] = tuple(name for name, _ in EQUITY_SCHEMA)
"""``equity.csv`` columns, in order."""

OUTPUT_FILES: tuple[str, ...] = ("events.csv", "trades.csv", "equity.csv", "summary.json")
"""The four files of one branch's output directory."""


class Summary(BaseModel):
    """``summary.json`` as a strict model: the file-boundary form of the summary.

    Built by :func:`build_summary`; read a written file back with
    ``Summary.model_validate_json(text)`` (errors name the field and rule).
    """

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    branch: str = Field(min_length=1)
    sessions: int = Field(ge=0)
    trades: int = Field(ge=0)
    win_rate: float = Field(ge=0.0, le=1.0)
    total_return: float = Field(ge=-1.0)
    max_drawdown: float = Field(ge=0.0, le=1.0)
    event_counts: dict[str, int]
    rc1_schema_version: str

    @field_validator("rc1_schema_version")
    @classmethod
    def _is_rc1(cls, value: str) -> str:
        if value != RC1_SCHEMA_VERSION:
            raise ValueError(f"must be {RC1_SCHEMA_VERSION!r}")
        return value


SUMMARY_KEYS: tuple[str, ...] = tuple(Summary.model_fields)
"""``summary.json`` keys, in model order (the file writes them sorted)."""


class EventRecord(NamedTuple):
    """One event row as the loop records it (``price_c`` in cents; None = empty)."""

    branch: str
    trade_date: dt.date
    phase: str
    seq: int
    symbol: str
    event_type: str
    reason_code: str
    reason_layer: str
    reason_family: str
    reason_tier: str
    price_c: int | None
    shares: int | None
    board_height: int | None
    alpha_score: float | None
    rank: int | None
    predicates: str | None


class TradeRecord(NamedTuple):
    """One closed trade (cents). ``entry_order`` numbers entry fills from 1.

    ``fees_c`` = entry + exit fees; ``net_pnl_c`` = exit value − exit fees − entry
    value − entry fees; ``cost_c`` = entry value + entry fees.
    """

    entry_order: int
    symbol: str
    entry_date: dt.date
    entry_price_c: int
    exit_date: dt.date
    exit_price_c: int
    shares: int
    fees_c: int
    net_pnl_c: int
    cost_c: int
    hold_sessions: int
    exit_reason: str


class EquityRecord(NamedTuple):
    """The portfolio marked at one close (cents; drawdown a ratio ≥ 0)."""

    trade_date: dt.date
    cash_c: int
    market_value_c: int
    equity_c: int
    positions: int
    drawdown: float


def trade_id(branch: str, number: int) -> str:
    """``<branch>-00001``-style trade id (``number`` from 1)."""
    return f"{branch}-{number:05d}"


def _dates(values: Sequence[dt.date]) -> pd.Series:
    """``datetime64[ns]`` of dates (converted once per distinct date)."""
    distinct = {d: i for i, d in enumerate(dict.fromkeys(values))}
    stamps = np.asarray(list(distinct), dtype="datetime64[D]").astype("datetime64[ns]")
    codes = np.fromiter((distinct[d] for d in values), dtype=np.int64, count=len(values))
    return pd.Series(stamps[codes] if len(values) else stamps)


def _nullable_int(values: Sequence[int | None]) -> pd.Series:
    """``Int64`` with ``pd.NA`` for None (values are counts and cents, exact below 2**53)."""
    floats = np.array(values, dtype=np.float64)
    mask = np.isnan(floats)
    data = np.where(mask, 0.0, floats).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(data, mask))


def _cny(cents: Sequence[int | None]) -> np.ndarray:
    """``float64`` CNY of cents (NaN for None); exact to the cent when printed."""
    return np.array(cents, dtype=np.float64) / 100


def _floats(values: Sequence[float | None]) -> np.ndarray:
    """``float64`` with NaN for None."""
    return np.array(values, dtype=np.float64)


def _text(values: Sequence[str | None]) -> pd.Series:
    return pd.Series(list(values), dtype="object")


def events_frame(records: Sequence[EventRecord | tuple[Any, ...]]) -> pd.DataFrame:
    """The events table (:data:`EVENT_COLUMNS`) from records in output order.

    Records may be plain tuples in :class:`EventRecord` field order (the loop's
    hot path appends those).
    """
    cols = list(zip(*records, strict=True)) if records else [()] * len(EventRecord._fields)
    f = dict(zip(EventRecord._fields, cols, strict=True))
    frame = pd.DataFrame(
        {
            "branch": _text(f["branch"]),
            "trade_date": _dates(f["trade_date"]),
            "phase": _text(f["phase"]),
            "seq": _nullable_int(f["seq"]),
            "symbol": _text(f["symbol"]),
            "event_type": _text(f["event_type"]),
            "reason_code": _text(f["reason_code"]),
            "reason_layer": _text(f["reason_layer"]),
            "reason_family": _text(f["reason_family"]),
            "reason_tier": _text(f["reason_tier"]),
            "price": _cny(f["price_c"]),
            "shares": _nullable_int(f["shares"]),
            "board_height": _nullable_int(f["board_height"]),
            "alpha_score": _floats(f["alpha_score"]),
            "rank": _nullable_int(f["rank"]),
            "predicates": _text(f["predicates"]),
        }
    )
    return frame


def trades_frame(branch: str, records: Sequence[TradeRecord]) -> pd.DataFrame:
    """The trades table (:data:`TRADE_COLUMNS`), sorted by (entry_date, trade_id).

    ``trade_id`` is the position's entry-fill number (:attr:`TradeRecord.entry_order`),
    given when the position opened: ids are stable as data grows, and positions
    still open at the end leave their numbers unused.
    """
    ordered = sorted(records, key=lambda r: r.entry_order)
    n = len(ordered)
    f = (
        dict(zip(TradeRecord._fields, zip(*ordered, strict=True), strict=True))
        if ordered
        else {name: () for name in TradeRecord._fields}
    )
    net = np.asarray(f["net_pnl_c"], dtype=np.int64)
    cost = np.asarray(f["cost_c"], dtype=np.int64)
    frame = pd.DataFrame(
        {
            "branch": _text([branch] * n),
            "trade_id": _text([trade_id(branch, i) for i in f["entry_order"]]),
            "symbol": _text(f["symbol"]),
            "entry_date": _dates(f["entry_date"]),
            "entry_price": _cny(f["entry_price_c"]),
            "exit_date": _dates(f["exit_date"]),
            "exit_price": _cny(f["exit_price_c"]),
            "shares": _nullable_int(f["shares"]),
            "fees": _cny(f["fees_c"]),
            "net_pnl": _cny(f["net_pnl_c"]),
            "return_pct": net / cost if n else np.zeros(0, dtype=np.float64),
            "hold_sessions": _nullable_int(f["hold_sessions"]),
            "exit_reason": _text(f["exit_reason"]),
        }
    )
    # Entry numbers grow with entry dates, so entry order is (entry_date, trade_id) order.
    return frame


def equity_frame(branch: str, records: Sequence[EquityRecord]) -> pd.DataFrame:
    """The equity table (:data:`EQUITY_COLUMNS`), one row per session in date order."""
    n = len(records)
    f = (
        dict(zip(EquityRecord._fields, zip(*records, strict=True), strict=True))
        if records
        else {name: () for name in EquityRecord._fields}
    )
    frame = pd.DataFrame(
        {
            "branch": _text([branch] * n),
            "trade_date": _dates(f["trade_date"]),
            "cash": _cny(f["cash_c"]),
            "market_value": _cny(f["market_value_c"]),
            "equity": _cny(f["equity_c"]),
            "positions": _nullable_int(f["positions"]),
            "drawdown": np.asarray(f["drawdown"], dtype=np.float64),
        }
    )
    return frame


def _round6(x: float) -> float:
    """Round to 6 decimals; ``+ 0.0`` turns a rounded ``-0.0`` into ``0.0``."""
    return round(x, 6) + 0.0


def build_summary(
    branch: str,
    *,
    sessions: int,
    trades: Sequence[TradeRecord],
    equity: Sequence[EquityRecord],
    event_types: Iterable[str],
    initial_capital_c: int,
) -> dict[str, Any]:
    """``summary.json`` content (keys :data:`SUMMARY_KEYS`).

    ``win_rate`` = share of closed trades with net_pnl > 0 (0.0 when none);
    ``total_return`` = final equity / capital − 1 (final equity = capital when
    there is no session); ``max_drawdown`` = largest drawdown; floats rounded to 6 decimals;
    ``event_counts`` = {event_type: count} for the types that occur, keys sorted.
    """
    wins = sum(1 for t in trades if t.net_pnl_c > 0)
    final_equity_c = equity[-1].equity_c if equity else initial_capital_c
    counts = Counter(event_types)
    summary = Summary(
        branch=branch,
        sessions=sessions,
        trades=len(trades),
        win_rate=_round6(wins / len(trades)) if trades else 0.0,
        total_return=_round6(final_equity_c / initial_capital_c - 1),
        max_drawdown=_round6(max((e.drawdown for e in equity), default=0.0)),
        event_counts={key: counts[key] for key in sorted(counts)},
        rc1_schema_version=RC1_SCHEMA_VERSION,
    )
    return summary.model_dump()
