"""The decision hooks protocol: how a strategy drives the loop.

The runtime owns execution, portfolio and bookkeeping; a strategy supplies four
decisions, called at each session's close (after the panel row is known):

1. ``candidates(ctx) -> np.ndarray`` — symbol indices (into ``ctx.panel.symbols``)
   of the session's candidates: distinct, in range, none suspended.
2. ``evaluate_predicates(ctx, candidates) -> Sequence[Verdict]`` — one verdict per
   candidate, same order: the recorded predicates string and an optional
   ``(VETO|SKIP, reason_code)`` outcome.
3. ``select(ctx, candidates, verdicts, book) -> Sequence[Signal]`` — exactly one
   signal per candidate (ENTER_SIGNAL, VETO or SKIP), ranks 1..n over all the
   session's candidates, at most ``book.free_slots`` ENTER_SIGNALs, none for a held
   symbol; a verdict's outcome and predicates are carried unchanged.
4. ``exit_rule(ctx, position) -> reason_code | None`` — for every held, trading
   position without a pending exit: an exit reason of
   :data:`~dragon_runtime.reasons.EXIT_REASONS` or None to hold.

``evaluate_predicates`` and ``select`` are called only when there is at least one
candidate. The loop validates every hook's output with the functions below and
raises :class:`HookError` naming the hook, branch and session on a violation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from dragon_runtime.reasons import (
    EXIT_REASONS,
    EventType,
    UnknownReasonError,
    enrich,
)

if TYPE_CHECKING:
    from dragon_runtime.panel import MarketPanel

__all__ = [
    "SIGNAL_EVENT_TYPES",
    "Book",
    "DecisionHooks",
    "HookError",
    "PositionView",
    "SessionContext",
    "Signal",
    "Verdict",
    "validate_candidates",
    "validate_exit_reason",
    "validate_signals",
    "validate_verdicts",
]

SIGNAL_EVENT_TYPES: frozenset[EventType] = frozenset(
    {EventType.ENTER_SIGNAL, EventType.VETO, EventType.SKIP}
)
"""Event types a :class:`Signal` may have."""

_OUTCOME_EVENT_TYPES = frozenset({EventType.VETO, EventType.SKIP})


class HookError(RuntimeError):
    """A hook returned something that breaks the protocol."""


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What every hook call sees: the session (index into ``panel.sessions`` and its
    date), the panel, the branch name and whether this is the data's last session."""

    index: int
    date: dt.date
    panel: MarketPanel
    branch: str
    is_last: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """Predicate outcome for one candidate.

    ``predicates`` is recorded verbatim on the signal event (RC1: ``ID=P|F|U``
    joined by ``;``). ``outcome`` is None when the predicates let the candidate
    through, else ``(EventType.VETO | EventType.SKIP, reason_code)``.
    """

    predicates: str
    outcome: tuple[EventType, str] | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """The close-phase decision for one candidate (``symbol`` is a panel index)."""

    symbol: int
    rank: int
    event_type: EventType
    reason_code: str
    predicates: str


@dataclass(frozen=True, slots=True)
class Book:
    """Portfolio facts ``select`` needs at the close.

    ``held``: symbol indices of every open position, including those with a
    pending exit. ``free_slots``: max positions − held + positions given an
    EXIT_SIGNAL at this close.
    """

    held: frozenset[int]
    free_slots: int


@dataclass(frozen=True, slots=True)
class PositionView:
    """An open position as ``exit_rule`` sees it at the close.

    ``entry_price_c`` is the entry fill price per share in cents; ``hold_sessions``
    counts the symbol's trading sessions from the entry session (= 1) up to and
    including this one.
    """

    symbol: int
    entry_date: dt.date
    entry_session: int
    entry_price_c: int
    shares: int
    hold_sessions: int


@runtime_checkable
class DecisionHooks(Protocol):
    """The four decisions a strategy provides (see the module docstring)."""

    def candidates(self, ctx: SessionContext) -> np.ndarray:
        """Symbol indices of today's candidates."""
        ...

    def evaluate_predicates(self, ctx: SessionContext, candidates: np.ndarray) -> Sequence[Verdict]:
        """One verdict per candidate, in the order given."""
        ...

    def select(
        self,
        ctx: SessionContext,
        candidates: np.ndarray,
        verdicts: Sequence[Verdict],
        book: Book,
    ) -> Sequence[Signal]:
        """One signal per candidate."""
        ...

    def exit_rule(self, ctx: SessionContext, position: PositionView) -> str | None:
        """An exit reason for ``position``, or None to keep holding."""
        ...


def _where(hook: str, ctx: SessionContext) -> str:
    return f"hook {hook} (branch {ctx.branch!r}, session {ctx.date.isoformat()})"


def validate_candidates(ctx: SessionContext, candidates: object) -> np.ndarray:
    """``candidates`` as an ``int64`` array after checking the protocol.

    Rules: a 1-d integer array-like of distinct indices in ``[0, N)`` none of which
    is suspended on the session.
    """
    where = _where("candidates", ctx)
    array = np.asarray(candidates)
    if array.ndim != 1:
        raise HookError(f"{where}: returned a {array.ndim}-d array; expected 1-d indices")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise HookError(f"{where}: returned dtype {array.dtype}; expected integer indices")
    array = array.astype(np.int64, copy=False)
    n_symbols = len(ctx.panel.symbols)
    out_of_range = (array < 0) | (array >= n_symbols)
    if out_of_range.any():
        bad = int(array[np.flatnonzero(out_of_range)[0]])
        raise HookError(f"{where}: index {bad} is outside the panel's {n_symbols} symbols")
    if np.unique(array).size != array.size:
        raise HookError(f"{where}: returned a symbol more than once")
    suspended = ctx.panel.suspended[ctx.index, array]
    if suspended.any():
        symbol = ctx.panel.symbols[array[np.flatnonzero(suspended)[0]]]
        raise HookError(f"{where}: {symbol} is suspended and cannot be a candidate")
    return array


def validate_verdicts(
    ctx: SessionContext, candidates: np.ndarray, verdicts: Sequence[Verdict]
) -> list[Verdict]:
    """Check one :class:`Verdict` per candidate with a known VETO/SKIP outcome."""
    where = _where("evaluate_predicates", ctx)
    verdicts = list(verdicts)
    if len(verdicts) != len(candidates):
        raise HookError(
            f"{where}: returned {len(verdicts)} verdicts for {len(candidates)} candidates"
        )
    for symbol, verdict in zip(candidates.tolist(), verdicts, strict=True):
        name = ctx.panel.symbols[symbol]
        if not isinstance(verdict, Verdict) or not isinstance(verdict.predicates, str):
            raise HookError(f"{where}: verdict for {name} is not a Verdict with a predicates str")
        if verdict.outcome is None:
            continue
        event_type, code = verdict.outcome
        if event_type not in _OUTCOME_EVENT_TYPES:
            raise HookError(f"{where}: verdict for {name} has outcome {event_type}; not VETO/SKIP")
        try:
            enrich(event_type, code)
        except UnknownReasonError as error:
            raise HookError(f"{where}: verdict for {name}: {error}") from None
    return verdicts


def validate_signals(
    ctx: SessionContext,
    candidates: np.ndarray,
    verdicts: Sequence[Verdict],
    book: Book,
    signals: Sequence[Signal],
) -> list[Signal]:
    """The signals sorted by rank after checking the protocol.

    Rules: exactly one signal per candidate; ranks are 1..n; event type and reason
    code allowed by the catalogue; at most ``book.free_slots`` ENTER_SIGNALs and
    none for a held symbol; each signal carries its verdict's predicates and, when
    the verdict has an outcome, that outcome.
    """
    where = _where("select", ctx)
    signals = list(signals)
    names = ctx.panel.symbols
    by_symbol = dict(zip(candidates.tolist(), verdicts, strict=True))
    seen: set[int] = set()
    for signal in signals:
        if not isinstance(signal, Signal):
            raise HookError(f"{where}: returned {signal!r}; expected Signal objects")
        symbol = int(signal.symbol)
        if symbol not in by_symbol:
            raise HookError(f"{where}: signal for index {symbol}, which is not a candidate")
        if symbol in seen:
            raise HookError(f"{where}: more than one signal for {names[symbol]}")
        seen.add(symbol)
        _check_signal(where, names[symbol], signal, by_symbol[symbol], book)
    if len(seen) != len(by_symbol):
        missing = sorted(names[s] for s in set(by_symbol) - seen)
        raise HookError(f"{where}: no signal for candidate(s) {', '.join(missing)}")
    ranks = sorted(signal.rank for signal in signals)
    if ranks != list(range(1, len(signals) + 1)):
        raise HookError(f"{where}: ranks {ranks} are not 1..{len(signals)}")
    entries = sum(1 for s in signals if s.event_type == EventType.ENTER_SIGNAL)
    if entries > book.free_slots:
        raise HookError(
            f"{where}: {entries} ENTER_SIGNALs exceed the {book.free_slots} free slot(s)"
        )
    return sorted(signals, key=lambda s: s.rank)


def _check_signal(where: str, name: str, signal: Signal, verdict: Verdict, book: Book) -> None:
    if signal.event_type not in SIGNAL_EVENT_TYPES:
        raise HookError(f"{where}: signal for {name} has event type {signal.event_type!r}")
    try:
        enrich(signal.event_type, signal.reason_code)
    except UnknownReasonError as error:
        raise HookError(f"{where}: signal for {name}: {error}") from None
    if signal.event_type == EventType.ENTER_SIGNAL and signal.symbol in book.held:
        raise HookError(f"{where}: ENTER_SIGNAL for {name}, which is already held")
    if signal.predicates != verdict.predicates:
        raise HookError(f"{where}: signal for {name} does not carry its verdict's predicates")
    if verdict.outcome is not None and (signal.event_type, signal.reason_code) != tuple(
        verdict.outcome
    ):
        raise HookError(
            f"{where}: signal for {name} is {signal.event_type} {signal.reason_code}, "
            f"but its verdict decided {verdict.outcome[0]} {verdict.outcome[1]}"
        )


def validate_exit_reason(ctx: SessionContext, position: PositionView, code: object) -> str | None:
    """``code`` if it is None or an exit reason of the catalogue, else :class:`HookError`."""
    if code is None or code in EXIT_REASONS:
        return None if code is None else str(code)
    symbol = ctx.panel.symbols[position.symbol]
    allowed = ", ".join(EXIT_REASONS)
    raise HookError(
        f"{_where('exit_rule', ctx)}: returned {code!r} for {symbol}; expected None or one "
        f"of {allowed}"
    )
