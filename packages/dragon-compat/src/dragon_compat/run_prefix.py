"""A branch run's outputs at each of its sessions, derived from the one run up to the last.

The loop is causal: the features of a session read no later bars, and the loop's state
at a close (cash, positions, pending orders) depends only on the sessions up to it. So
the run of a market cut at session ``s`` (``dragon daily --as-of s``) is the longer run
up to ``s`` plus what only a *last* session does — every order still pending at its
close expires (``ORDER_EXPIRED END_OF_DATA``). Precisely, for session index ``k``:

- ``events.csv`` = the long run's rows dated ≤ ``s`` (its own end-of-data expiries
  removed), then one ``ORDER_EXPIRED END_OF_DATA`` row per order pending at the close
  of ``s``: the pending exits by symbol, then the entries signalled that close by rank,
  ``seq`` continuing the close's; each copies the price, shares, board height and alpha
  score of the order's own close event of ``s`` (the values the loop reads for it);
- ``equity.csv`` = the long run's first ``k + 1`` rows;
- ``trades.csv`` = the long run's trades with ``exit_date`` ≤ ``s``, in the same order;
- ``summary.json`` = dragon-runtime's summary rules over those rows: ``sessions = k + 1``;
  trades and win rate over those trades; total return from the equity at ``s``; the
  largest drawdown up to ``s``; event counts of those events.

A pending exit is an ``EXIT_SIGNAL`` at the close of ``s``, or a ``HOLD_POSITION
SUSPENDED`` of a position whose latest ``ENTRY_FILLED``/``EXIT_SIGNAL`` is an
``EXIT_SIGNAL`` (exits are sticky). Pending entries are the ``ENTER_SIGNAL`` rows of the
close. ``tests/compat/test_run_prefix.py`` proves all of it against real runs of the
cut markets (hand-made ones and a hypothesis property).

:class:`BranchPrefixes` renders the long run once; ``files(k)`` gives the four files'
bytes at session ``k`` and ``digests(first)`` their sha256 for every session from
``first`` on in one pass (a running hash over the prefixes, copied at each session).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dragon_compat.rundir import EQUITY_FILE, EVENTS_FILE, SUMMARY_FILE, TRADES_FILE
from dragon_runtime import (
    EVENT_CATALOGUE,
    REASON_CATALOGUE,
    EventType,
    LoopResult,
    Phase,
    ReasonCode,
    Summary,
    canonical_json,
    render_branch_outputs,
)

__all__ = ["BranchPrefixes"]

_CLOSE = str(Phase.CLOSE)
_EXPIRED = str(EventType.ORDER_EXPIRED)
_END_OF_DATA = str(ReasonCode.END_OF_DATA)
_EXIT_SIGNAL = str(EventType.EXIT_SIGNAL)
_ENTRY_FILLED = str(EventType.ENTRY_FILLED)
_ENTER_SIGNAL = str(EventType.ENTER_SIGNAL)
_HOLD = str(EventType.HOLD_POSITION)
_SUSPENDED = str(ReasonCode.SUSPENDED)


def _days(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column).to_numpy(dtype="datetime64[D]")


def _line_starts(text: bytes) -> np.ndarray:
    """Byte offset where each line after the header begins (the last: the text's length;
    canonical CSV ends every line, the last included, with ``\\n``)."""
    breaks = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == ord("\n"))
    return breaks + 1


def _rendered(events: pd.DataFrame, trades: pd.DataFrame, equity: pd.DataFrame) -> list[bytes]:
    texts = render_branch_outputs(events=events, trades=trades, equity=equity, summary={})
    return [texts[name].encode() for name in (EVENTS_FILE, TRADES_FILE, EQUITY_FILE)]


def _expiries(events: pd.DataFrame) -> pd.DataFrame:
    """Every session's end-of-data expiries, as if each session were the last."""
    close = (events["phase"] == _CLOSE).to_numpy()
    kind = events["event_type"].to_numpy(dtype=object)
    reason = events["reason_code"].to_numpy(dtype=object)
    suspended_hold = close & (kind == _HOLD) & (reason == _SUSPENDED)
    marks = (kind == _EXIT_SIGNAL) | (kind == _ENTRY_FILLED) | suspended_hold
    marked = pd.DataFrame(
        {
            "symbol": events["symbol"].to_numpy(dtype=object)[marks],
            "exit": np.select(
                [kind[marks] == _EXIT_SIGNAL, kind[marks] == _ENTRY_FILLED], [1.0, 0.0], np.nan
            ),
        }
    )
    latest = marked.groupby("symbol", sort=False)["exit"].ffill().to_numpy()
    pending_hold = np.zeros(len(events), dtype=bool)
    pending_hold[np.flatnonzero(marks)] = latest == 1.0
    signalled = (kind == _EXIT_SIGNAL) | (kind == _ENTER_SIGNAL)
    keep = close & (signalled | (suspended_hold & pending_hold))
    expired = events.loc[keep].reset_index(drop=True)
    days = _days(expired["trade_date"])
    closes = _days(events["trade_date"])[close]
    sessions, close_counts = np.unique(closes, return_counts=True)
    base = close_counts[np.searchsorted(sessions, days)] if len(days) else np.zeros(0, int)
    order = expired.groupby(days, sort=False).cumcount().to_numpy() + 1
    spec = REASON_CATALOGUE[ReasonCode.END_OF_DATA]
    return expired.assign(
        seq=pd.array(base + order, dtype="Int64"),
        event_type=_EXPIRED,
        reason_code=_END_OF_DATA,
        reason_layer=str(EVENT_CATALOGUE[EventType.ORDER_EXPIRED].layer),
        reason_family=str(spec.family),
        reason_tier=str(spec.tier),
        predicates=pd.Series([None] * len(expired), dtype="object"),
    )


@dataclass(frozen=True, eq=False)
class _Rows:
    """A rendered table: its bytes and where each data row's line starts and ends."""

    text: bytes
    starts: np.ndarray  # starts[i] = offset of row i; starts[n] = len(text)

    @classmethod
    def of(cls, text: bytes) -> _Rows:
        return cls(text, _line_starts(text))

    @property
    def header(self) -> bytes:
        return self.text[: self.starts[0]]

    def span(self, first: int, end: int) -> bytes:
        """The lines of rows ``first .. end - 1``."""
        return self.text[self.starts[first] : self.starts[end]]

    def lines(self, rows: np.ndarray) -> bytes:
        return b"".join(self.text[self.starts[i] : self.starts[i + 1]] for i in rows.tolist())


class BranchPrefixes:
    """One branch run up to its last session, cut at any of its sessions (module docstring).

    ``initial_capital_c`` is the run's initial capital in cents (the engine's
    ``LoopConfig``): the summary's total return is taken over it.
    """

    def __init__(self, result: LoopResult, *, initial_capital_c: int) -> None:
        events = result.events
        own = (events["event_type"] == _EXPIRED).to_numpy()
        events = events.loc[~own].reset_index(drop=True)
        self.branch = str(result.summary.get("branch", ""))
        self.initial_capital_c = initial_capital_c
        self.sessions = _days(result.equity["trade_date"])
        event_days = _days(events["trade_date"])
        if np.any(event_days[1:] < event_days[:-1]):
            raise ValueError(f"branch {self.branch}: events are not in session order")
        expiries = _expiries(events)
        event_text, trade_text, equity_text = _rendered(events, result.trades, result.equity)
        (expiry_text,) = _rendered(expiries, result.trades.iloc[:0], result.equity.iloc[:0])[:1]
        self._events = _Rows.of(event_text)
        self._expiries = _Rows.of(expiry_text)
        self._trades = _Rows.of(trade_text)
        self._equity = _Rows.of(equity_text)
        self._event_end = np.searchsorted(event_days, self.sessions, "right")
        expiry_days = _days(expiries["trade_date"])
        self._expiry_end = np.searchsorted(expiry_days, self.sessions, "right")
        self._exit_days = _days(result.trades["exit_date"])
        self._won = (result.trades["net_pnl"].to_numpy(dtype=float) > 0).astype(np.int64)
        self._equity_c = np.rint(result.equity["equity"].to_numpy(dtype=float) * 100)
        self._max_drawdown = np.maximum.accumulate(result.equity["drawdown"].to_numpy(dtype=float))
        self._counts = _cumulative_counts(events, self._event_end)
        self._expiry_counts = np.diff(np.concatenate(([0], self._expiry_end)))

    def _expiry_rows(self, k: int) -> tuple[int, int]:
        return (int(self._expiry_end[k - 1]) if k else 0), int(self._expiry_end[k])

    def events_bytes(self, k: int) -> bytes:
        """``events.csv`` of the run cut at session ``k``."""
        return (
            self._events.header
            + self._events.span(0, int(self._event_end[k]))
            + self._expiries.span(*self._expiry_rows(k))
        )

    def trades_bytes(self, k: int) -> bytes:
        """``trades.csv`` of the run cut at session ``k``."""
        closed = np.flatnonzero(self._exit_days <= self.sessions[k])
        return self._trades.header + self._trades.lines(closed)

    def equity_bytes(self, k: int) -> bytes:
        """``equity.csv`` of the run cut at session ``k``."""
        return self._equity.header + self._equity.span(0, k + 1)

    def summary_bytes(self, k: int) -> bytes:
        """``summary.json`` of the run cut at session ``k`` (dragon-runtime's rules)."""
        closed = self._exit_days <= self.sessions[k]
        count = int(closed.sum())
        wins = int(self._won[closed].sum())
        counts = {name: int(n) for name, n in self._counts[k].items() if n}
        if self._expiry_counts[k]:
            counts[_EXPIRED] = int(self._expiry_counts[k])
        summary = Summary(
            branch=self.branch,
            sessions=k + 1,
            trades=count,
            win_rate=_round6(wins / count) if count else 0.0,
            total_return=_round6(float(self._equity_c[k]) / self.initial_capital_c - 1),
            max_drawdown=_round6(float(self._max_drawdown[k])),
            event_counts={name: counts[name] for name in sorted(counts)},
            rc1_schema_version="1",
        )
        return canonical_json(summary.model_dump()).encode()

    def files(self, k: int) -> dict[str, bytes]:
        """The four files of the run cut at session ``k``, by file name."""
        return {
            EVENTS_FILE: self.events_bytes(k),
            TRADES_FILE: self.trades_bytes(k),
            EQUITY_FILE: self.equity_bytes(k),
            SUMMARY_FILE: self.summary_bytes(k),
        }

    def digests(self, first: int = 0) -> Iterator[dict[str, str]]:
        """sha256 of the four files at each session ``first, first + 1, ...`` to the last,
        in one pass: the events and equity prefixes are hashed once, incrementally."""
        events = hashlib.sha256(self._events.header)
        equity = hashlib.sha256(self._equity.header)
        done_events, done_equity = 0, 0
        for k in range(first, self.sessions.size):
            end = int(self._event_end[k])
            events.update(self._events.span(done_events, end))
            equity.update(self._equity.span(done_equity, k + 1))
            done_events, done_equity = end, k + 1
            at_k = events.copy()
            at_k.update(self._expiries.span(*self._expiry_rows(k)))
            yield {
                EVENTS_FILE: at_k.hexdigest(),
                TRADES_FILE: hashlib.sha256(self.trades_bytes(k)).hexdigest(),
                EQUITY_FILE: equity.hexdigest(),
                SUMMARY_FILE: hashlib.sha256(self.summary_bytes(k)).hexdigest(),
            }


def _round6(x: float) -> float:
    """dragon-runtime's summary rounding: 6 decimals, ``-0.0`` written as ``0.0``."""
    return round(x, 6) + 0.0


class _Counts:
    """Cumulative event-type counts: ``counts[k]`` = {event type: count up to session k}."""

    def __init__(self, names: list[str], matrix: np.ndarray) -> None:
        self.names = names
        self.matrix = matrix

    def __getitem__(self, k: int) -> dict[str, int]:
        return dict(zip(self.names, self.matrix[:, k].tolist(), strict=True))


def _cumulative_counts(events: pd.DataFrame, event_end: np.ndarray) -> _Counts:
    """Per event type, how many of its rows lie before each session's end row."""
    kinds = events["event_type"].to_numpy(dtype=object)
    names = sorted(set(kinds.tolist()))
    matrix = np.array(
        [np.searchsorted(np.flatnonzero(kinds == name), event_end) for name in names],
        dtype=np.int64,
    ).reshape(len(names), event_end.size)
    return _Counts(names, matrix)
