"""The branch selection rule over one session's candidates (docs/strategy.md).

Pure functions, no state: given the session's candidates, their predicate outcomes,
which of them are already held and how many slots are free, decide the branch's
ordering and exactly one outcome per candidate. Precedence (docs/strategy.md, "From
verdicts to signals"), first that applies:

1. ``VETO <id>`` — the first strong predicate that FAILs, in table order; else the
   first of the branch's ``selective_vetoes`` that FAILs (UNAVAILABLE never vetoes);
2. ``SKIP DATA_MISSING`` — a strong predicate is UNAVAILABLE;
3. ``SKIP ALREADY_HELD`` — the symbol is held (including a pending exit);
4. ``SKIP ALPHA_RANK_CUTOFF`` — beyond the branch's ``top_k`` among the candidates
   still eligible after 1–3, in rank order;
5. ``SKIP NO_FREE_SLOT`` — every free slot already taken by a better-ranked entry;
6. ``ENTER_SIGNAL SELECTED``.

Steps 1–2 depend on the predicates alone (:func:`screen`, the verdict stage); 3–6 on
the portfolio (:func:`decide`). :func:`select` composes both.

Ranks are 1..n over *all* the session's candidates in branch order: height-first
(board_height desc, amount desc, symbol asc) or alpha-first (alpha_score desc, then
the same keys). A NaN alpha_score or amount sorts after every number on its key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from dragon_compat.branches import BranchConfig, Ordering
from dragon_compat.predicates import PREDICATES, Outcome, Predicate
from dragon_runtime import EventType, ReasonCode, Tier

__all__ = [
    "RANK_INPUTS",
    "CandidateDecision",
    "Screened",
    "as_screened",
    "decide",
    "rank_order",
    "screen",
    "select",
]

Screened = tuple[EventType, ReasonCode] | None
"""A candidate's verdict from the predicates: ``(VETO, id)``, ``(SKIP, DATA_MISSING)``
or None (eligible as far as the predicates go)."""


def as_screened(outcome: tuple[str, str] | None) -> Screened:
    """A runtime verdict's ``outcome`` as :data:`Screened`.

    The runtime types a verdict's reason code as ``str`` and compares both parts by
    their spelling, so an overridden hook may hand plain strings; this gives them
    back as the :class:`EventType` and :class:`ReasonCode` they name (the members
    themselves pass through unchanged). Raises ``ValueError`` for a spelling outside
    the catalogue (the runtime has already rejected those when the verdict comes
    from the loop).
    """
    if outcome is None:
        return None
    event_type, code = outcome
    if not isinstance(event_type, EventType):
        event_type = EventType(event_type)
    return (event_type, code if isinstance(code, ReasonCode) else ReasonCode(code))


@dataclass(frozen=True, slots=True)
class CandidateDecision:
    """The close-phase outcome of one candidate.

    ``index`` is the candidate's position in the inputs; ``rank`` its 1-based place
    in the branch ordering; ``event_type`` ENTER_SIGNAL, VETO or SKIP.
    """

    index: int
    rank: int
    event_type: EventType
    reason_code: ReasonCode


RANK_INPUTS: Final[tuple[str, str, str]] = ("board_height", "amount", "alpha_score")
"""The feature columns :func:`rank_order` takes after ``symbols``, in its argument order."""


def rank_order(
    symbols: Sequence[str] | np.ndarray,
    board_height: Any,
    amount: Any,
    alpha_score: Any,
    ordering: Ordering,
) -> np.ndarray:
    """Candidate indices in branch order (position ``r`` holds the rank ``r + 1``).

    ``symbols`` are the symbol strings (compared as strings); the numeric inputs are
    aligned array-likes. Raises ``ValueError`` when lengths differ or a symbol
    repeats.
    """
    names = np.asarray(symbols, dtype=object).astype(str)
    height = np.asarray(board_height, dtype=np.float64)
    money = np.asarray(amount, dtype=np.float64)
    alpha = np.asarray(alpha_score, dtype=np.float64)
    if not (names.shape == height.shape == money.shape == alpha.shape) or names.ndim != 1:
        raise ValueError(
            f"candidate inputs differ in shape: symbols {names.shape}, board_height "
            f"{height.shape}, amount {money.shape}, alpha_score {alpha.shape}"
        )
    distinct, symbol_rank = np.unique(names, return_inverse=True)
    if len(distinct) != len(names):
        raise ValueError("a symbol appears more than once among the session's candidates")
    keys = [symbol_rank, -money, -height]  # np.lexsort: the last key is the primary one
    if ordering is Ordering.ALPHA_FIRST:
        keys.append(-alpha)
    elif ordering is not Ordering.HEIGHT_FIRST:
        raise ValueError(f"unknown ordering {ordering!r}")
    return np.lexsort(keys)


def screen(
    outcomes: np.ndarray,
    branch: BranchConfig,
    *,
    predicates: Sequence[Predicate] = PREDICATES,
) -> tuple[Screened, ...]:
    """Per candidate, the verdict of its predicate outcomes (precedence steps 1–2).

    ``outcomes`` is the ``[n, len(predicates)]`` matrix of
    :func:`dragon_compat.predicates.evaluate`. Weak predicates outside the branch's
    ``selective_vetoes`` never change the verdict, whatever their outcome.
    """
    matrix = np.asarray(outcomes)
    if matrix.ndim != 2 or matrix.shape[1] != len(predicates):
        raise ValueError(f"outcomes has shape {matrix.shape}; expected (n, {len(predicates)})")
    ids = [p.id for p in predicates]
    strong = [j for j, p in enumerate(predicates) if p.tier is Tier.STRONG]
    selective = [j for j, p in enumerate(predicates) if p.id in branch.selective_vetoes]
    verdicts: list[Screened] = []
    for row in matrix.tolist():
        strong_fail = next((j for j in strong if row[j] == Outcome.FAIL), None)
        if strong_fail is None:
            strong_fail = next((j for j in selective if row[j] == Outcome.FAIL), None)
        if strong_fail is not None:
            verdicts.append((EventType.VETO, ids[strong_fail]))
        elif any(row[j] == Outcome.UNAVAILABLE for j in strong):
            verdicts.append((EventType.SKIP, ReasonCode.DATA_MISSING))
        else:
            verdicts.append(None)
    return tuple(verdicts)


def decide(
    order: np.ndarray,
    screened: Sequence[Screened],
    held: Any,
    free_slots: int,
    top_k: int | None,
) -> tuple[CandidateDecision, ...]:
    """One decision per candidate, in rank order (precedence steps 3–6 after the
    verdicts of :func:`screen`).

    ``order`` is :func:`rank_order`'s result; ``held`` a bool per candidate;
    ``free_slots`` ≥ 0 entries may be signalled; ``top_k`` counts only candidates
    that survive steps 1–3. Raises ``ValueError`` on inconsistent inputs.
    """
    held_mask = np.asarray(held, dtype=bool)
    n = len(screened)
    if held_mask.shape != (n,) or sorted(np.asarray(order).tolist()) != list(range(n)):
        raise ValueError(
            f"order must be a permutation of 0..{n - 1} and held one bool per candidate "
            f"(got order of length {len(order)}, held of shape {held_mask.shape})"
        )
    if free_slots < 0:
        raise ValueError(f"free_slots must be >= 0, not {free_slots}")
    decisions: list[CandidateDecision] = []
    eligible = 0
    slots = free_slots
    for rank, index in enumerate(np.asarray(order).tolist(), start=1):
        verdict = screened[index]
        if verdict is not None:
            event_type, code = verdict
        elif held_mask[index]:
            event_type, code = EventType.SKIP, ReasonCode.ALREADY_HELD
        else:
            eligible += 1
            if top_k is not None and eligible > top_k:
                event_type, code = EventType.SKIP, ReasonCode.ALPHA_RANK_CUTOFF
            elif slots == 0:
                event_type, code = EventType.SKIP, ReasonCode.NO_FREE_SLOT
            else:
                slots -= 1
                event_type, code = EventType.ENTER_SIGNAL, ReasonCode.SELECTED
        decisions.append(CandidateDecision(index, rank, event_type, code))
    return tuple(decisions)


def select(
    *,
    symbols: Sequence[str] | np.ndarray,
    board_height: Any,
    amount: Any,
    alpha_score: Any,
    outcomes: np.ndarray,
    held: Any,
    free_slots: int,
    branch: BranchConfig,
    predicates: Sequence[Predicate] = PREDICATES,
) -> tuple[CandidateDecision, ...]:
    """The branch's decision for every candidate of one session, in rank order.

    Inputs are aligned per candidate: ``symbols`` (str), ``board_height``,
    ``amount`` (CNY), ``alpha_score``, the predicate ``outcomes`` matrix and the
    ``held`` mask; ``free_slots`` is max positions − held + exits signalled at this
    close. See the module docstring for ordering and precedence.
    """
    order = rank_order(symbols, board_height, amount, alpha_score, branch.ordering)
    screened = screen(outcomes, branch, predicates=predicates)
    if len(screened) != len(order):
        raise ValueError(f"outcomes has {len(screened)} rows for {len(order)} candidates")
    return decide(order, screened, held, free_slots, branch.top_k)
