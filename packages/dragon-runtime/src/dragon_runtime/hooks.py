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
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from dragon_runtime.reasons import EVENT_CATALOGUE, EXIT_REASONS, EventType

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

_ENTER = str(EventType.ENTER_SIGNAL)
_SIGNAL_PAIRS = frozenset(
    (str(event_type), str(code))
    for event_type in SIGNAL_EVENT_TYPES
    for code in EVENT_CATALOGUE[event_type].reason_codes
)
_OUTCOME_PAIRS = frozenset(pair for pair in _SIGNAL_PAIRS if pair[0] != _ENTER)
_EXIT_CODES = tuple(str(code) for code in EXIT_REASONS)


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
    array = np.asarray(candidates)
    if array.ndim != 1:
        raise HookError(
            f"{_where('candidates', ctx)}: returned a {array.ndim}-d array; expected 1-d indices"
        )
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise HookError(
            f"{_where('candidates', ctx)}: returned dtype {array.dtype}; expected integer indices"
        )
    array = array.astype(np.int64, copy=False)
    n_symbols = len(ctx.panel.symbols)
    low, high = int(array.min()), int(array.max())
    if low < 0 or high >= n_symbols:
        bad = low if low < 0 else high
        raise HookError(
            f"{_where('candidates', ctx)}: index {bad} is outside the panel's {n_symbols} symbols"
        )
    if len(set(array.tolist())) != array.size:
        raise HookError(f"{_where('candidates', ctx)}: returned a symbol more than once")
    suspended = ctx.panel.suspended[ctx.index, array]
    if suspended.any():
        symbol = ctx.panel.symbols[array[np.flatnonzero(suspended)[0]]]
        raise HookError(
            f"{_where('candidates', ctx)}: {symbol} is suspended and cannot be a candidate"
        )
    return array


def validate_verdicts(
    ctx: SessionContext, candidates: np.ndarray, verdicts: Sequence[Verdict]
) -> list[Verdict]:
    """Check one :class:`Verdict` per candidate with a known VETO/SKIP outcome."""
    verdicts = list(verdicts)
    if len(verdicts) != len(candidates):
        raise HookError(
            f"{_where('evaluate_predicates', ctx)}: returned {len(verdicts)} verdicts for "
            f"{len(candidates)} candidates"
        )
    for position, verdict in enumerate(verdicts):
        if not isinstance(verdict, Verdict) or not isinstance(verdict.predicates, str):
            name = ctx.panel.symbols[candidates[position]]
            raise HookError(
                f"{_where('evaluate_predicates', ctx)}: verdict for {name} is not a Verdict "
                "with a predicates str"
            )
        outcome = verdict.outcome
        if outcome is not None and (str(outcome[0]), str(outcome[1])) not in _OUTCOME_PAIRS:
            name = ctx.panel.symbols[candidates[position]]
            raise HookError(
                f"{_where('evaluate_predicates', ctx)}: verdict for {name} has outcome "
                f"{outcome!r}; expected VETO <predicate id> or SKIP <skip code> of the catalogue"
            )
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
    signals = list(signals)
    by_symbol = dict(zip(candidates.tolist(), verdicts, strict=True))
    n = len(by_symbol)
    by_rank: list[Signal | None] = [None] * n
    seen: set[int] = set()
    entries = 0
    for signal in signals:
        if not isinstance(signal, Signal):
            raise HookError(
                f"{_where('select', ctx)}: returned {signal!r}; expected Signal objects"
            )
        symbol = signal.symbol
        verdict = by_symbol.get(symbol)
        if verdict is None:
            raise HookError(
                f"{_where('select', ctx)}: signal for index {symbol}, which is not a candidate"
            )
        if symbol in seen:
            name = ctx.panel.symbols[symbol]
            raise HookError(f"{_where('select', ctx)}: more than one signal for {name}")
        seen.add(symbol)
        _check_signal(ctx, signal, verdict, book)
        try:
            rank = operator.index(signal.rank)
        except TypeError:
            rank = 0
        if not 1 <= rank <= n or by_rank[rank - 1] is not None:
            ranks = sorted(s.rank for s in signals)
            raise HookError(f"{_where('select', ctx)}: ranks {ranks} are not 1..{n}")
        by_rank[rank - 1] = signal
        entries += str(signal.event_type) == _ENTER
    if len(seen) != n:
        missing = sorted(str(ctx.panel.symbols[s]) for s in set(by_symbol) - seen)
        raise HookError(f"{_where('select', ctx)}: no signal for candidate(s) {', '.join(missing)}")
    if entries > book.free_slots:
        raise HookError(
            f"{_where('select', ctx)}: {entries} ENTER_SIGNALs exceed the {book.free_slots} "
            "free slot(s)"
        )
    return [signal for signal in by_rank if signal is not None]  # every rank 1..n is filled


def _check_signal(ctx: SessionContext, signal: Signal, verdict: Verdict, book: Book) -> None:
    pair = (str(signal.event_type), str(signal.reason_code))
    if pair not in _SIGNAL_PAIRS:
        name = ctx.panel.symbols[signal.symbol]
        raise HookError(
            f"{_where('select', ctx)}: signal for {name} is {pair[0]} {pair[1]}, which the "
            "catalogue does not allow (ENTER_SIGNAL SELECTED, VETO <predicate id>, "
            "SKIP <skip code>)"
        )
    if pair[0] == _ENTER and signal.symbol in book.held:
        name = ctx.panel.symbols[signal.symbol]
        raise HookError(f"{_where('select', ctx)}: ENTER_SIGNAL for {name}, which is already held")
    if signal.predicates != verdict.predicates:
        name = ctx.panel.symbols[signal.symbol]
        raise HookError(
            f"{_where('select', ctx)}: signal for {name} does not carry its verdict's predicates"
        )
    outcome = verdict.outcome
    if outcome is not None and pair != (str(outcome[0]), str(outcome[1])):
        name = ctx.panel.symbols[signal.symbol]
        raise HookError(
            f"{_where('select', ctx)}: signal for {name} is {pair[0]} {pair[1]}, but its "
            f"verdict decided {outcome[0]} {outcome[1]}"
        )


def validate_exit_reason(ctx: SessionContext, position: PositionView, code: object) -> str | None:
    """``code`` (as plain str) if it is None or an exit reason of the catalogue, else
    :class:`HookError`."""
    if code is None:
        return None
    text = str(code) if isinstance(code, str) else None
    if text in _EXIT_CODES:
        return text
    symbol = ctx.panel.symbols[position.symbol]
    allowed = ", ".join(_EXIT_CODES)
    raise HookError(
        f"{_where('exit_rule', ctx)}: returned {code!r} for {symbol}; expected None or one "
        f"of {allowed}"
    )
