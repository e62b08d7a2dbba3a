"""The session loop (docs/strategy.md, The session loop and the README's loop contract).

For each session, in order:

OPEN — pending exits by symbol (suspended → EXIT_DEFERRED, sealed limit-down →
EXIT_BLOCKED, both retried; else EXIT_FILLED), then pending entries by rank
(suspended → ENTRY_CANCELLED SUSPENDED, sealed limit-up → ENTRY_BLOCKED, full book →
ENTRY_CANCELLED NO_FREE_SLOT, no lot affordable → ENTRY_CANCELLED
INSUFFICIENT_CASH, else ENTRY_FILLED). Entries that do not fill are dropped.

CLOSE — every held position by symbol gets one event (suspended → HOLD_POSITION
SUSPENDED; pending exit → EXIT_SIGNAL with its original reason; else the strategy's
``exit_rule``), then every candidate by rank gets its signal event; on the last
session every order still pending gets ORDER_EXPIRED (exits by symbol, then
entries by rank). The portfolio is marked after each close.

The loop iterates sessions only; per-session work is proportional to candidates
plus positions, in plain Python ints. Tables are built once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import isnan
from typing import Any

import numpy as np
import pandas as pd

from dragon_runtime.hooks import (
    Book,
    DecisionHooks,
    PositionView,
    SessionContext,
    validate_candidates,
    validate_exit_reason,
    validate_signals,
    validate_verdicts,
)
from dragon_runtime.market import fill_price_cents
from dragon_runtime.panel import MarketPanel
from dragon_runtime.payloads import (
    EquityRecord,
    EventRecord,
    TradeRecord,
    build_summary,
    equity_frame,
    events_frame,
    trades_frame,
)
from dragon_runtime.portfolio import Portfolio, Position, size_entry
from dragon_runtime.reasons import EVENT_CATALOGUE, EventType, Phase, ReasonCode, enrich

__all__ = [
    "ALPHA_SCORE_ANNOTATION",
    "BOARD_HEIGHT_ANNOTATION",
    "LoopConfig",
    "LoopResult",
    "run_loop",
]

BOARD_HEIGHT_ANNOTATION = "board_height"
"""Panel annotation copied onto events' ``board_height`` (whole numbers)."""
ALPHA_SCORE_ANNOTATION = "alpha_score"
"""Panel annotation copied onto events' ``alpha_score`` (empty when suspended)."""


# Plain-str spellings of the catalogue (enum attribute access and hashing are
# Python-level calls; the hot path uses these instead).
def _layer_strings(event_type: EventType, code: ReasonCode) -> tuple[str, str, str]:
    layered = enrich(event_type, code)
    return str(layered.layer), str(layered.family), str(layered.tier)


_LAYERS: dict[tuple[str, str], tuple[str, str, str]] = {
    (str(spec.event_type), str(code)): _layer_strings(spec.event_type, code)
    for spec in EVENT_CATALOGUE.values()
    for code in spec.reason_codes
}
_OPEN, _CLOSE = str(Phase.OPEN), str(Phase.CLOSE)
_EVENT_TYPE_FIELD = EventRecord._fields.index("event_type")
_EXIT_FILLED = str(EventType.EXIT_FILLED)
_EXIT_BLOCKED = str(EventType.EXIT_BLOCKED)
_EXIT_DEFERRED = str(EventType.EXIT_DEFERRED)
_ENTRY_FILLED = str(EventType.ENTRY_FILLED)
_ENTRY_BLOCKED = str(EventType.ENTRY_BLOCKED)
_ENTRY_CANCELLED = str(EventType.ENTRY_CANCELLED)
_EXIT_SIGNAL = str(EventType.EXIT_SIGNAL)
_HOLD_POSITION = str(EventType.HOLD_POSITION)
_ENTER_SIGNAL = str(EventType.ENTER_SIGNAL)
_ORDER_EXPIRED = str(EventType.ORDER_EXPIRED)
_SUSPENDED = str(ReasonCode.SUSPENDED)
_LIMIT_DOWN_SEALED = str(ReasonCode.LIMIT_DOWN_SEALED)
_LIMIT_UP_SEALED = str(ReasonCode.LIMIT_UP_SEALED)
_NO_FREE_SLOT = str(ReasonCode.NO_FREE_SLOT)
_INSUFFICIENT_CASH = str(ReasonCode.INSUFFICIENT_CASH)
_FILLED = str(ReasonCode.FILLED)
_CONTINUES_LIMIT_UP = str(ReasonCode.CONTINUES_LIMIT_UP)
_END_OF_DATA = str(ReasonCode.END_OF_DATA)


@dataclass(frozen=True, slots=True)
class LoopConfig:
    """Portfolio parameters (RC1: 1,000,000.00 CNY, at most 5 positions)."""

    initial_capital_c: int = 100_000_000
    max_positions: int = 5


@dataclass(frozen=True, slots=True)
class LoopResult:
    """The loop's outputs: the three RC1 tables and the summary dict."""

    events: pd.DataFrame
    trades: pd.DataFrame
    equity: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Entry:
    """An ENTER_SIGNAL waiting for the next open."""

    rank: int
    symbol: int
    board_height: int | None
    alpha_score: float | None


class _Session:
    """Per-session state of one loop run: views of the panel row and event emission."""

    __slots__ = (
        "alpha",
        "branch",
        "close",
        "ctx",
        "date",
        "down",
        "events",
        "has_limit",
        "height",
        "high",
        "low",
        "names",
        "open",
        "panel",
        "phase",
        "seq",
        "suspended",
        "up",
    )

    def __init__(
        self,
        *,
        panel: MarketPanel,
        t: int,
        ctx: SessionContext,
        names: list[str],
        events: list[tuple[Any, ...]],
        height: np.ndarray | None,
        alpha: np.ndarray | None,
    ) -> None:
        self.ctx = ctx
        self.panel = panel
        self.branch = ctx.branch
        self.date = ctx.date
        self.names = names
        self.events = events
        self.open = panel.open_c[t]
        self.high = panel.high_c[t]
        self.low = panel.low_c[t]
        self.close = panel.close_c[t]
        self.up = panel.up_limit_c[t]
        self.down = panel.down_limit_c[t]
        self.has_limit = panel.has_limit[t]
        self.suspended = panel.suspended[t]
        self.height = None if height is None else height[t]
        self.alpha = None if alpha is None else alpha[t]
        self.phase = _OPEN
        self.seq = 0

    def start_close(self) -> None:
        self.phase = _CLOSE
        self.seq = 0

    def carried_height(self, symbol: int) -> float:
        """board_height of the symbol's latest trading session before this one (NaN if
        none): a suspended symbol carries its height over."""
        suspended = self.panel.suspended
        heights = self.panel.annotations[BOARD_HEIGHT_ANNOTATION]
        for t in range(self.ctx.index - 1, -1, -1):
            if not suspended[t, symbol]:
                return float(heights[t, symbol])
        return float("nan")

    def whole_height(self, symbol: int, value: float | None) -> int | None:
        """An annotation value as an event's board_height: None for NaN, else a whole
        number (``ValueError`` naming symbol and session otherwise)."""
        if value is None or isnan(value):
            return None
        whole = int(value)
        if whole != value:
            raise ValueError(
                f"panel annotation {BOARD_HEIGHT_ANNOTATION!r} is {value} for "
                f"{self.names[symbol]} on {self.date}; it must be a whole number"
            )
        return whole

    def candidate_values(self, symbols: list[int]) -> list[tuple[int | None, float | None]]:
        """(board_height, alpha_score) of trading symbols at this close, read at once."""
        count = len(symbols)
        heights = [None] * count if self.height is None else self.height[symbols].tolist()
        alphas = [None] * count if self.alpha is None else self.alpha[symbols].tolist()
        return [
            (self.whole_height(symbol, height), None if alpha is None or isnan(alpha) else alpha)
            for symbol, height, alpha in zip(symbols, heights, alphas, strict=True)
        ]

    def values(self, symbol: int) -> tuple[int | None, float | None]:
        """(board_height, alpha_score) of ``symbol`` at this close (suspended: height
        carried over from its latest trading session, alpha None)."""
        if self.suspended[symbol]:
            height = None if self.height is None else self.carried_height(symbol)
            return self.whole_height(symbol, height), None
        height = None if self.height is None else float(self.height[symbol])
        alpha = None if self.alpha is None else float(self.alpha[symbol])
        return self.whole_height(symbol, height), None if alpha is None or isnan(alpha) else alpha

    def emit(  # noqa: PLR0917 - positional on the hot path, called once per event
        self,
        symbol: int,
        event_type: str,
        reason_code: str,
        price_c: int | None,
        shares: int | None,
        values: tuple[int | None, float | None],
        rank: int | None = None,
        predicates: str | None = None,
    ) -> None:
        layer, family, tier = _LAYERS[event_type, reason_code]
        self.seq += 1
        self.events.append(
            (  # an EventRecord, as a plain tuple on the hot path
                self.branch,
                self.date,
                self.phase,
                self.seq,
                self.names[symbol],
                event_type,
                reason_code,
                layer,
                family,
                tier,
                price_c,
                shares,
                values[0],
                values[1],
                rank,
                predicates,
            )
        )


def run_loop(
    panel: MarketPanel,
    hooks: DecisionHooks,
    *,
    branch: str,
    config: LoopConfig = LoopConfig(),
) -> LoopResult:
    """Run one branch over every session of ``panel`` with the strategy ``hooks``.

    Returns the events, trades and equity tables and the summary. Raises
    :class:`~dragon_runtime.hooks.HookError` when a hook breaks the protocol.
    """
    height = panel.annotations.get(BOARD_HEIGHT_ANNOTATION)
    alpha = panel.annotations.get(ALPHA_SCORE_ANNOTATION)
    names = [str(s) for s in panel.symbols.tolist()]
    dates = panel.dates
    last = len(dates) - 1
    book = Portfolio(config.initial_capital_c, config.max_positions)
    exit_values: dict[int, tuple[int | None, float | None]] = {}
    entries: list[_Entry] = []
    events: list[tuple[Any, ...]] = []
    trades: list[TradeRecord] = []
    equity: list[EquityRecord] = []
    prior_equity_c = config.initial_capital_c

    for t, date in enumerate(dates):
        ctx = SessionContext(index=t, date=date, panel=panel, branch=branch, is_last=t == last)
        session = _Session(
            panel=panel, t=t, ctx=ctx, names=names, events=events, height=height, alpha=alpha
        )
        _open_exits(session, book, exit_values, trades)
        _open_entries(session, book, entries, prior_equity_c)
        session.start_close()
        exits_signalled = _close_positions(session, book, hooks, exit_values)
        entries = _close_candidates(session, book, hooks, exits_signalled)
        if t == last:
            _expire(session, book, exit_values, entries)
        mark = book.mark(date)
        equity.append(mark)
        prior_equity_c = mark.equity_c

    return LoopResult(
        events=events_frame(events),
        trades=trades_frame(branch, trades),
        equity=equity_frame(branch, equity),
        summary=build_summary(
            branch,
            sessions=len(dates),
            trades=trades,
            equity=equity,
            event_types=(e[_EVENT_TYPE_FIELD] for e in events),
            initial_capital_c=config.initial_capital_c,
        ),
    )


def _pending_exits(book: Portfolio) -> list[Position]:
    """Positions with a pending exit, by symbol (the OPEN and expiry order)."""
    return sorted(
        (p for p in book.positions.values() if p.pending_exit is not None),
        key=lambda p: p.name,
    )


def _open_exits(
    s: _Session,
    book: Portfolio,
    exit_values: dict[int, tuple[int | None, float | None]],
    trades: list[TradeRecord],
) -> None:
    """Pending exits at the open, by symbol."""
    pending = _pending_exits(book)
    for position in pending:
        symbol = position.symbol
        values = exit_values[symbol]
        if s.suspended[symbol]:
            s.emit(symbol, _EXIT_DEFERRED, _SUSPENDED, None, position.shares, values)
            continue
        open_c = int(s.open[symbol])
        limited = bool(s.has_limit[symbol])
        down_c = int(s.down[symbol])
        if limited and int(s.high[symbol]) <= down_c:
            s.emit(symbol, _EXIT_BLOCKED, _LIMIT_DOWN_SEALED, open_c, position.shares, values)
            continue
        base_c = down_c if limited and open_c < down_c else open_c
        fill_c = fill_price_cents(base_c, "sell", down_c if limited else None)
        reason = str(position.pending_exit)
        shares = position.shares
        trades.append(book.sell(symbol, s.ctx.index, s.date, fill_c, reason))
        del exit_values[symbol]
        s.emit(symbol, _EXIT_FILLED, reason, fill_c, shares, values)


def _open_entries(s: _Session, book: Portfolio, entries: list[_Entry], prior_equity_c: int) -> None:
    """Pending entries at the open, by rank; unfilled ones are dropped."""
    for entry in entries:
        symbol = entry.symbol
        values = (entry.board_height, entry.alpha_score)
        if s.suspended[symbol]:
            s.emit(symbol, _ENTRY_CANCELLED, _SUSPENDED, None, None, values, entry.rank)
            continue
        open_c = int(s.open[symbol])
        limited = bool(s.has_limit[symbol])
        up_c = int(s.up[symbol])
        if limited and int(s.low[symbol]) >= up_c:
            s.emit(symbol, _ENTRY_BLOCKED, _LIMIT_UP_SEALED, open_c, None, values, entry.rank)
            continue
        if book.is_full:
            s.emit(symbol, _ENTRY_CANCELLED, _NO_FREE_SLOT, open_c, None, values, entry.rank)
            continue
        base_c = up_c if limited and open_c >= up_c else open_c
        fill_c = fill_price_cents(base_c, "buy", up_c if limited else None)
        target_c = min(book.cash_c, prior_equity_c // book.max_positions)
        sizing = size_entry(book.cash_c, target_c, fill_c, s.date)
        if sizing.shares == 0:
            s.emit(symbol, _ENTRY_CANCELLED, _INSUFFICIENT_CASH, open_c, None, values, entry.rank)
            continue
        book.buy(
            symbol,
            name=s.names[symbol],
            session=s.ctx.index,
            trade_date=s.date,
            fill_c=fill_c,
            sizing=sizing,
        )
        s.emit(symbol, _ENTRY_FILLED, _FILLED, fill_c, sizing.shares, values, entry.rank)


def _close_positions(
    s: _Session,
    book: Portfolio,
    hooks: DecisionHooks,
    exit_values: dict[int, tuple[int | None, float | None]],
) -> int:
    """One event per held position, by symbol; returns the EXIT_SIGNAL count."""
    signalled = 0
    for position in sorted(book.positions.values(), key=lambda p: p.name):
        symbol = position.symbol
        values = s.values(symbol)
        if s.suspended[symbol]:
            s.emit(symbol, _HOLD_POSITION, _SUSPENDED, None, position.shares, values)
            continue
        close_c = int(s.close[symbol])
        position.hold_sessions += 1
        position.last_close_c = close_c
        reason = position.pending_exit
        if reason is None:
            view = PositionView(
                symbol=symbol,
                entry_date=position.entry_date,
                entry_session=position.entry_session,
                entry_price_c=position.entry_price_c,
                shares=position.shares,
                hold_sessions=position.hold_sessions,
            )
            reason = validate_exit_reason(s.ctx, view, hooks.exit_rule(s.ctx, view))
        if reason is None:
            s.emit(symbol, _HOLD_POSITION, _CONTINUES_LIMIT_UP, close_c, position.shares, values)
            continue
        position.pending_exit = reason
        exit_values[symbol] = values
        signalled += 1
        s.emit(symbol, _EXIT_SIGNAL, reason, close_c, position.shares, values)
    return signalled


def _close_candidates(
    s: _Session, book: Portfolio, hooks: DecisionHooks, exits_signalled: int
) -> list[_Entry]:
    """One signal event per candidate, by rank; returns tomorrow's pending entries."""
    ctx = s.ctx
    candidates = validate_candidates(ctx, hooks.candidates(ctx))
    if candidates.size == 0:
        return []
    verdicts = validate_verdicts(ctx, candidates, hooks.evaluate_predicates(ctx, candidates))
    free = max(0, book.max_positions - len(book.positions) + exits_signalled)
    held = Book(held=frozenset(book.positions), free_slots=free)
    signals = validate_signals(
        ctx, candidates, verdicts, held, hooks.select(ctx, candidates, verdicts, held)
    )
    order = [int(signal.symbol) for signal in signals]
    closes = s.close[order].tolist()
    values = s.candidate_values(order)
    entries: list[_Entry] = []
    for signal, symbol, close_c, pair in zip(signals, order, closes, values, strict=True):
        event_type = str(signal.event_type)
        s.emit(
            symbol,
            event_type,
            str(signal.reason_code),
            close_c,
            None,
            pair,
            signal.rank,
            signal.predicates,
        )
        if event_type == _ENTER_SIGNAL:
            entries.append(_Entry(signal.rank, symbol, pair[0], pair[1]))
    return entries


def _expire(
    s: _Session,
    book: Portfolio,
    exit_values: dict[int, tuple[int | None, float | None]],
    entries: list[_Entry],
) -> None:
    """ORDER_EXPIRED END_OF_DATA at the last close: exits by symbol, then entries by rank."""
    pending = _pending_exits(book)
    for position in pending:
        symbol = position.symbol
        price = None if s.suspended[symbol] else int(s.close[symbol])
        s.emit(symbol, _ORDER_EXPIRED, _END_OF_DATA, price, position.shares, s.values(symbol))
    for entry in entries:
        symbol = entry.symbol
        price = None if s.suspended[symbol] else int(s.close[symbol])
        s.emit(symbol, _ORDER_EXPIRED, _END_OF_DATA, price, None, s.values(symbol), entry.rank)
