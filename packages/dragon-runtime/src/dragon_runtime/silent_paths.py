"""The no-silent-path checker (the compat README's "Golden guardrails").

Works on the three output tables alone — as the loop returns them or as read back
from the written CSVs (``pd.read_csv``) — by replaying them: the events say which
positions are held and which orders are pending, so the checker knows what every
session owed and compares it with what was written. Optionally it also takes the
strategy's candidate list (to prove every candidate got its signal) and the
initial capital (to replay cash through the runtime's own fee rules).

Obligations per branch and session:

- OPEN: each pending exit (EXIT_SIGNAL not yet filled) has exactly one
  EXIT_FILLED | EXIT_BLOCKED | EXIT_DEFERRED; each ENTER_SIGNAL of the previous
  close has exactly one ENTRY_FILLED | ENTRY_BLOCKED | ENTRY_CANCELLED.
- CLOSE: each held position has exactly one EXIT_SIGNAL | HOLD_POSITION; each
  candidate exactly one ENTER_SIGNAL | VETO | SKIP; on the last session each
  still-pending order exactly one ORDER_EXPIRED, and none before.
- Every event type / reason code is in the catalogue, allowed together, written
  with the catalogue's layer, family and tier and in its phase; ``seq`` is 1..k.
- Every ENTRY_FILLED/EXIT_FILLED pair is exactly one trades row with matching
  prices, shares, fees, net_pnl and exit reason; no trade row lacks its pair.
- Each session has one equity row; ``cash + market_value == equity`` to the cent;
  market value = Σ shares × last close; positions = held count; with the initial
  capital, cash equals the replayed cash.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, overload

import pandas as pd

from dragon_runtime.market import fees_cents
from dragon_runtime.reasons import (
    EVENT_CATALOGUE,
    EventType,
    UnknownReasonError,
    enrich,
)

__all__ = ["SilentPathRule", "Violation", "check_no_silent_paths"]

E = EventType
_EXIT_EXEC = frozenset({E.EXIT_FILLED, E.EXIT_BLOCKED, E.EXIT_DEFERRED})
_ENTRY_EXEC = frozenset({E.ENTRY_FILLED, E.ENTRY_BLOCKED, E.ENTRY_CANCELLED})
_POSITION = frozenset({E.EXIT_SIGNAL, E.HOLD_POSITION})
_SIGNAL = frozenset({E.ENTER_SIGNAL, E.VETO, E.SKIP})


class SilentPathRule(StrEnum):
    """What a :class:`Violation` breaks."""

    MISSING_EVENT = "missing_event"
    DUPLICATED_EVENT = "duplicated_event"
    UNEXPECTED_EVENT = "unexpected_event"
    UNKNOWN_REASON = "unknown_reason"
    REASON_MISMATCH = "reason_mismatch"
    WRONG_PHASE = "wrong_phase"
    BAD_SEQUENCE = "bad_sequence"
    UNPAIRED_FILL = "unpaired_fill"
    ORPHAN_TRADE = "orphan_trade"
    TRADE_MISMATCH = "trade_mismatch"
    MISSING_EQUITY_ROW = "missing_equity_row"
    DUPLICATED_EQUITY_ROW = "duplicated_equity_row"
    EQUITY_MISMATCH = "equity_mismatch"
    MARKET_VALUE_MISMATCH = "market_value_mismatch"
    POSITIONS_MISMATCH = "positions_mismatch"
    CASH_MISMATCH = "cash_mismatch"


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One broken obligation: where (branch, ISO session, symbol) and what."""

    branch: str
    trade_date: str
    symbol: str
    rule: SilentPathRule
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (self.branch, self.trade_date, self.symbol) if p)
        return f"[{self.rule}] {where}: {self.message}"


@dataclass(frozen=True, slots=True)
class _Event:
    date: str
    phase: str
    seq: int | None
    symbol: str
    event_type: str
    reason_code: str
    layer: str
    family: str
    tier: str
    price_c: int | None
    shares: int | None


@dataclass(slots=True)
class _Held:
    shares: int
    entry_date: str
    entry_price_c: int
    entry_fees_c: int
    last_close_c: int
    pending_exit: str | None = None


@dataclass(slots=True)
class _Replay:
    branch: str
    out: list[Violation]
    held: dict[str, _Held] = field(default_factory=dict)
    entries: set[str] = field(default_factory=set)
    cash_c: int | None = None
    pairs: list[tuple[str, str, str, int, int, int, int, int, str]] = field(default_factory=list)

    def flag(self, date: str, symbol: str, rule: SilentPathRule, message: str) -> None:
        self.out.append(Violation(self.branch, date, symbol, rule, message))


def _iso(values: pd.Series) -> list[str]:
    parsed = pd.to_datetime(values, errors="coerce")
    return ["" if pd.isna(d) else d.strftime("%Y-%m-%d") for d in parsed]


def _cents(value: Any) -> int | None:
    if value is None or pd.isna(value) or value == "":
        return None
    return round(float(value) * 100)


def _int(value: Any) -> int | None:
    if value is None or pd.isna(value) or value == "":
        return None
    return int(float(value))


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _events(frame: pd.DataFrame) -> list[_Event]:
    dates = _iso(frame["trade_date"])
    rows = zip(
        dates,
        frame["phase"].tolist(),
        frame["seq"].tolist(),
        frame["symbol"].tolist(),
        frame["event_type"].tolist(),
        frame["reason_code"].tolist(),
        frame["reason_layer"].tolist(),
        frame["reason_family"].tolist(),
        frame["reason_tier"].tolist(),
        frame["price"].tolist(),
        frame["shares"].tolist(),
        strict=True,
    )
    return [
        _Event(
            d,
            _text(ph),
            _int(sq),
            _text(sy),
            _text(et),
            _text(rc),
            _text(ly),
            _text(fa),
            _text(ti),
            _cents(pr),
            _int(sh),
        )
        for d, ph, sq, sy, et, rc, ly, fa, ti, pr, sh in rows
    ]


def _check_catalogue(replay: _Replay, events: Iterable[_Event]) -> None:
    for ev in events:
        try:
            layered = enrich(ev.event_type, ev.reason_code)
        except UnknownReasonError as error:
            replay.flag(ev.date, ev.symbol, SilentPathRule.UNKNOWN_REASON, str(error))
            continue
        written = (ev.layer, ev.family, ev.tier)
        expected = (layered.layer.value, layered.family.value, layered.tier.value)
        if written != expected:
            replay.flag(
                ev.date,
                ev.symbol,
                SilentPathRule.REASON_MISMATCH,
                f"{ev.event_type} {ev.reason_code} written as {written}, catalogue says {expected}",
            )
        phase = EVENT_CATALOGUE[E(ev.event_type)].phase
        if ev.phase != phase:
            replay.flag(
                ev.date,
                ev.symbol,
                SilentPathRule.WRONG_PHASE,
                f"{ev.event_type} written in phase {ev.phase!r}; it belongs to {phase}",
            )


def _check_sequence(replay: _Replay, date: str, phase: str, events: list[_Event]) -> None:
    seqs = [ev.seq for ev in events]
    if seqs != list(range(1, len(events) + 1)):
        replay.flag(
            date, "", SilentPathRule.BAD_SEQUENCE, f"{phase} seq is {seqs}, not 1..{len(events)}"
        )


def _match(
    replay: _Replay,
    date: str,
    what: str,
    expected: Iterable[str] | None,
    events: list[_Event],
) -> None:
    """Exactly one event per expected subject; ``expected`` None = only duplicates."""
    counts = Counter(ev.symbol for ev in events)
    wanted = set(expected) if expected is not None else set(counts)
    for symbol in sorted(wanted):
        n = counts.get(symbol, 0)
        if n == 0:
            replay.flag(date, symbol, SilentPathRule.MISSING_EVENT, f"{what} has no event")
        elif n > 1:
            replay.flag(date, symbol, SilentPathRule.DUPLICATED_EVENT, f"{what} has {n} events")
    for symbol in sorted(set(counts) - wanted):
        kinds = ", ".join(sorted({ev.event_type for ev in events if ev.symbol == symbol}))
        replay.flag(
            date, symbol, SilentPathRule.UNEXPECTED_EVENT, f"{kinds} without a {what} to answer"
        )


def _apply_open(replay: _Replay, date: str, events: list[_Event]) -> None:
    exits = [ev for ev in events if ev.event_type in _EXIT_EXEC]
    entries = [ev for ev in events if ev.event_type in _ENTRY_EXEC]
    pending = [s for s, h in replay.held.items() if h.pending_exit is not None]
    _match(replay, date, "pending exit", pending, exits)
    _match(replay, date, "pending entry", replay.entries, entries)
    for ev in exits:
        position = replay.held.get(ev.symbol)
        if ev.event_type != E.EXIT_FILLED or position is None or position.pending_exit is None:
            continue
        if ev.price_c is None or ev.shares != position.shares:
            replay.flag(date, ev.symbol, SilentPathRule.UNPAIRED_FILL, "EXIT_FILLED lacks fill")
            continue
        if ev.reason_code != position.pending_exit:
            replay.flag(
                date,
                ev.symbol,
                SilentPathRule.REASON_MISMATCH,
                f"EXIT_FILLED carries {ev.reason_code}; the pending exit is "
                f"{position.pending_exit}",
            )
        value_c = ev.price_c * position.shares
        exit_fees_c = fees_cents(value_c, "sell", dt.date.fromisoformat(date))
        if replay.cash_c is not None:
            replay.cash_c += value_c - exit_fees_c
        cost_c = position.entry_price_c * position.shares + position.entry_fees_c
        replay.pairs.append(
            (
                ev.symbol,
                position.entry_date,
                date,
                position.entry_price_c,
                ev.price_c,
                position.shares,
                position.entry_fees_c + exit_fees_c,
                value_c - exit_fees_c - cost_c,
                ev.reason_code,
            )
        )
        del replay.held[ev.symbol]
    for ev in entries:
        if ev.event_type != E.ENTRY_FILLED or ev.symbol not in replay.entries:
            continue
        if ev.price_c is None or not ev.shares:
            replay.flag(date, ev.symbol, SilentPathRule.UNPAIRED_FILL, "ENTRY_FILLED lacks fill")
            continue
        value_c = ev.price_c * ev.shares
        entry_fees_c = fees_cents(value_c, "buy", dt.date.fromisoformat(date))
        if replay.cash_c is not None:
            replay.cash_c -= value_c + entry_fees_c
        replay.held[ev.symbol] = _Held(ev.shares, date, ev.price_c, entry_fees_c, ev.price_c)
    replay.entries = set()


def _apply_close(
    replay: _Replay,
    date: str,
    events: list[_Event],
    candidates: set[str] | None,
    is_last: bool,
) -> None:
    positions = [ev for ev in events if ev.event_type in _POSITION]
    signals = [ev for ev in events if ev.event_type in _SIGNAL]
    expiries = [ev for ev in events if ev.event_type == E.ORDER_EXPIRED]
    _match(replay, date, "held position", replay.held, positions)
    _match(replay, date, "candidate", candidates, signals)
    for ev in positions:
        position = replay.held.get(ev.symbol)
        if position is None:
            continue
        if ev.price_c is not None:
            position.last_close_c = ev.price_c
        if ev.event_type == E.EXIT_SIGNAL:
            position.pending_exit = ev.reason_code
    replay.entries = {ev.symbol for ev in signals if ev.event_type == E.ENTER_SIGNAL}
    pending = {s for s, h in replay.held.items() if h.pending_exit is not None}
    _match(replay, date, "pending order", (pending | replay.entries) if is_last else (), expiries)


def _check_equity(replay: _Replay, date: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        replay.flag(date, "", SilentPathRule.MISSING_EQUITY_ROW, "session has no equity row")
        return
    if len(rows) > 1:
        replay.flag(date, "", SilentPathRule.DUPLICATED_EQUITY_ROW, f"{len(rows)} equity rows")
    cash, market_value, equity, positions = (
        _cents(rows[0][0]),
        _cents(rows[0][1]),
        _cents(rows[0][2]),
        _int(rows[0][3]),
    )
    if cash is None or market_value is None or equity is None or cash + market_value != equity:
        replay.flag(
            date,
            "",
            SilentPathRule.EQUITY_MISMATCH,
            f"cash {cash} + market value {market_value} != equity {equity} (cents)",
        )
    held_value = sum(h.shares * h.last_close_c for h in replay.held.values())
    if market_value != held_value:
        replay.flag(
            date,
            "",
            SilentPathRule.MARKET_VALUE_MISMATCH,
            f"market value {market_value} != shares x last close {held_value} (cents)",
        )
    if positions != len(replay.held):
        replay.flag(
            date,
            "",
            SilentPathRule.POSITIONS_MISMATCH,
            f"positions {positions} != {len(replay.held)} held",
        )
    if replay.cash_c is not None and cash != replay.cash_c:
        replay.flag(
            date,
            "",
            SilentPathRule.CASH_MISMATCH,
            f"cash {cash} != {replay.cash_c} replayed from the fills (cents)",
        )


def _trade_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    symbol, entry, exit_, entry_price, exit_price, shares, fees, pnl, reason = row
    return (
        _text(symbol),
        entry,
        exit_,
        _cents(entry_price),
        _cents(exit_price),
        _int(shares),
        _cents(fees),
        _cents(pnl),
        _text(reason),
    )


def _check_trades(replay: _Replay, trades: pd.DataFrame) -> None:
    columns = [
        "symbol",
        "entry_date",
        "exit_date",
        "entry_price",
        "exit_price",
        "shares",
        "fees",
        "net_pnl",
        "exit_reason",
    ]
    frame = trades[columns].assign(
        entry_date=_iso(trades["entry_date"]), exit_date=_iso(trades["exit_date"])
    )
    written = [_trade_key(row) for row in frame.itertuples(index=False, name=None)]
    by_key: dict[tuple[str, str, str], list[tuple[Any, ...]]] = defaultdict(list)
    for row in written:
        by_key[row[:3]].append(row)
    for pair in replay.pairs:
        rows = by_key.get(pair[:3], [])
        if not rows:
            replay.flag(
                pair[2],
                pair[0],
                SilentPathRule.UNPAIRED_FILL,
                f"fill pair entered {pair[1]} exited {pair[2]} has no trades row",
            )
            continue
        row = rows.pop(0)
        labels = ("entry_price", "exit_price", "shares", "fees", "net_pnl", "exit_reason")
        wrong = [
            f"{n} {w!r} != {e!r}"
            for n, w, e in zip(labels, row[3:], pair[3:], strict=True)
            if w != e
        ]
        if wrong:
            replay.flag(pair[2], pair[0], SilentPathRule.TRADE_MISMATCH, "; ".join(wrong))
    for rows in by_key.values():
        for row in rows:
            replay.flag(
                row[2],
                row[0],
                SilentPathRule.ORPHAN_TRADE,
                f"trades row entered {row[1]} exited {row[2]} has no fill pair",
            )


@overload
def _for_branch(frame: pd.DataFrame, branch: str) -> pd.DataFrame: ...
@overload
def _for_branch(frame: None, branch: str) -> None: ...
def _for_branch(frame: pd.DataFrame | None, branch: str) -> pd.DataFrame | None:
    if frame is None or "branch" not in frame.columns:
        return frame
    return frame[frame["branch"].astype(str) == branch]


def _check_branch(
    branch: str,
    *,
    events: pd.DataFrame,
    trades: pd.DataFrame,
    equity: pd.DataFrame,
    candidates: pd.DataFrame | None,
    initial_capital_c: int | None,
) -> list[Violation]:
    replay = _Replay(branch, [], cash_c=initial_capital_c)
    parsed = _events(events)
    _check_catalogue(replay, parsed)
    known = [ev for ev in parsed if ev.event_type in EVENT_CATALOGUE]

    equity_rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    eq = equity[["cash", "market_value", "equity", "positions"]]
    for date, row in zip(
        _iso(equity["trade_date"]), eq.itertuples(index=False, name=None), strict=True
    ):
        equity_rows[date].append(row)
    wanted: dict[str, set[str]] | None = None
    if candidates is not None:
        wanted = defaultdict(set)
        for date, symbol in zip(_iso(candidates["trade_date"]), candidates["symbol"], strict=True):
            wanted[date].add(str(symbol))

    by_session: dict[tuple[str, str], list[_Event]] = defaultdict(list)
    for ev in known:
        by_session[(ev.date, ev.phase)].append(ev)
    calendar = sorted(set(equity_rows) | {ev.date for ev in known})
    for i, date in enumerate(calendar):
        for phase in ("OPEN", "CLOSE"):
            session_events = sorted(
                by_session.get((date, phase), []), key=lambda ev: (ev.seq is None, ev.seq or 0)
            )
            _check_sequence(replay, date, phase, session_events)
            if phase == "OPEN":
                _apply_open(replay, date, session_events)
            else:
                todays = None if wanted is None else wanted.get(date, set())
                _apply_close(replay, date, session_events, todays, i == len(calendar) - 1)
        _check_equity(replay, date, equity_rows.get(date, []))
    _check_trades(replay, trades)
    return replay.out


def check_no_silent_paths(
    events: pd.DataFrame,
    trades: pd.DataFrame,
    equity: pd.DataFrame,
    *,
    candidates: pd.DataFrame | None = None,
    initial_capital_c: int | None = None,
) -> list[Violation]:
    """Every broken no-silent-path obligation of the tables, sorted; empty = clean.

    ``events``/``trades``/``equity`` have the RC1 columns (from the loop or read
    back from CSV; several branches are checked separately via ``branch``).
    ``candidates`` (columns ``trade_date``, ``symbol``, optional ``branch``) lists
    each session's candidates; without it, candidate completeness is not checked
    (duplicates still are). ``initial_capital_c`` (cents) enables the cash replay.
    The calendar is the union of equity and event dates; its last date is the
    session where pending orders must expire.
    """
    branches = sorted({str(b) for b in events["branch"]} | {str(b) for b in equity["branch"]}) or [
        ""
    ]
    out: list[Violation] = []
    for branch in branches:
        out.extend(
            _check_branch(
                branch,
                events=_for_branch(events, branch),
                trades=_for_branch(trades, branch),
                equity=_for_branch(equity, branch),
                candidates=_for_branch(candidates, branch),
                initial_capital_c=initial_capital_c,
            )
        )
    return sorted(out)
