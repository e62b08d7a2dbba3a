"""The rollout state: a pure function of a ledger's lines.

A decision says what one evening's gates recommend; the state says which branch is
active given everything recorded so far. It is derived from the ledger alone — no
clock, no file, no policy lookup — by folding :func:`advance` over the entries;
:func:`derive_state` is that fold. Without a ledger there is no state, and the
per-session rule of the decision applies (ROLLBACK → the fallback, otherwise the
candidate).

States (the active branch in brackets):

- ``CANDIDATE_ACTIVE`` [candidate] — the latest decision is PROCEED and nothing
  pending overrides it.
- ``HELD`` [candidate] — the latest decision is HOLD.
- ``ROLLED_BACK_PENDING_REVIEW`` [fallback] — a rollback was recorded under
  ``rollback_requires_review`` and no review followed it. Later decisions are
  recorded but do not change the active branch: a PROCEED shows as "gates pass;
  review pending". Only a review ends it.
- ``ROLLED_BACK`` [fallback] — the latest decision is a rollback that needs no review
  (its policy set ``rollback_requires_review = false``, or a ``resume`` review already
  followed it): the next PROCEED or HOLD makes the candidate active again.
- ``RETIRED`` [fallback] — a review retired the candidate. Decisions naming the same
  candidate (or none) leave it retired; the first decision whose manifest names
  another candidate is applied as usual.

A ``resume`` review ends the pending state; the state becomes what the latest
decision gives on its own (PROCEED → CANDIDATE_ACTIVE, HOLD → HELD, ROLLBACK →
ROLLED_BACK). A ``retire`` review makes it RETIRED. ``since`` is the session from
which the state (and active branch) hold: the decision's ``as_of``, or for a review
the session of the latest decision when it was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from dragon_governance.ledger_entries import (
    AnyDecisionEntry,
    FailingGate,
    LedgerEntry,
    ReviewEntry,
)
from dragon_governance.outcomes import Decision

RECENT_ENTRIES = 10
"""How many of the latest entries a status keeps (``status`` shows them)."""


class RolloutState(StrEnum):
    """Where the rollout stands (see the module docstring)."""

    CANDIDATE_ACTIVE = "CANDIDATE_ACTIVE"
    HELD = "HELD"
    ROLLED_BACK_PENDING_REVIEW = "ROLLED_BACK_PENDING_REVIEW"
    ROLLED_BACK = "ROLLED_BACK"
    RETIRED = "RETIRED"


@dataclass(frozen=True)
class PendingRollback:
    """The rollback a review must decide on."""

    seq: int
    decision_id: str
    as_of: date
    candidate_branch: str | None
    fallback_branch: str
    failing_gates: tuple[FailingGate, ...]


@dataclass(frozen=True)
class StateStep:
    """One entry and the state after it (a line of ``status``'s recent entries)."""

    seq: int
    kind: str
    """``decision`` or ``review``."""
    as_of: date
    outcome: str
    """The decision (PROCEED, HOLD, ROLLBACK_REVIEW_REQUIRED) or the verdict."""
    recommended_branch: str | None
    """The decision's recommended branch; None for a review."""
    state: RolloutState
    active_branch: str
    note: str
    """What the entry did to the state, in words (e.g. "gates pass; review pending")."""


@dataclass(frozen=True)
class RolloutStatus:
    """The state after some entries. ``state`` is None before any decision."""

    state: RolloutState | None = None
    active_branch: str | None = None
    since: date | None = None
    since_seq: int | None = None
    candidate_branch: str | None = None
    """The candidate most recently named (by a decision line)."""
    fallback_branch: str | None = None
    pending: PendingRollback | None = None
    retired_candidate: str | None = None
    latest_decision: Decision | None = None
    latest_as_of: date | None = None
    seq: int = 0
    """The seq of the last entry folded (0 for none)."""
    head_hash: str = "0" * 64
    recent: tuple[StateStep, ...] = field(default_factory=tuple)

    def to_document(self) -> dict[str, Any]:
        """The status as a JSON value (``dragon-governance status --json``)."""
        pending = self.pending
        return {
            "state": None if self.state is None else self.state.value,
            "active_branch": self.active_branch,
            "since": _iso(self.since),
            "since_seq": self.since_seq,
            "candidate_branch": self.candidate_branch,
            "fallback_branch": self.fallback_branch,
            "retired_candidate": self.retired_candidate,
            "pending_rollback": None
            if pending is None
            else {
                "seq": pending.seq,
                "decision_id": pending.decision_id,
                "as_of": pending.as_of.isoformat(),
                "candidate_branch": pending.candidate_branch,
                "fallback_branch": pending.fallback_branch,
                "failing_gates": [g.model_dump(mode="json") for g in pending.failing_gates],
            },
            "latest_decision": None if self.latest_decision is None else self.latest_decision.value,
            "latest_as_of": _iso(self.latest_as_of),
            "entries": self.seq,
            "head_hash": self.head_hash,
            "recent": [
                {
                    "seq": step.seq,
                    "kind": step.kind,
                    "as_of": step.as_of.isoformat(),
                    "outcome": step.outcome,
                    "recommended_branch": step.recommended_branch,
                    "state": step.state.value,
                    "active_branch": step.active_branch,
                    "note": step.note,
                }
                for step in self.recent
            ],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


INITIAL = RolloutStatus()
"""The status of an empty ledger: no state."""

_PER_SESSION = {
    Decision.PROCEED: RolloutState.CANDIDATE_ACTIVE,
    Decision.HOLD: RolloutState.HELD,
    Decision.ROLLBACK_REVIEW_REQUIRED: RolloutState.ROLLED_BACK,
}
_PENDING_NOTES = {
    Decision.PROCEED: "gates pass; review pending",
    Decision.HOLD: "gates warn; review pending",
    Decision.ROLLBACK_REVIEW_REQUIRED: "gates fail; review pending",
}


def _pending_of(entry: AnyDecisionEntry, fallback: str) -> PendingRollback:
    return PendingRollback(
        seq=entry.seq,
        decision_id=entry.decision_id,
        as_of=entry.as_of,
        candidate_branch=entry.candidate_branch,
        fallback_branch=fallback,
        failing_gates=tuple(entry.failing_gates),
    )


def _moved(
    status: RolloutStatus, state: RolloutState, active: str, as_of: date, seq: int
) -> tuple[date | None, int | None]:
    """``since`` and ``since_seq`` after a step to ``state``/``active``."""
    if status.state is state and status.active_branch == active:
        return status.since, status.since_seq
    return as_of, seq


def _decide(status: RolloutStatus, entry: AnyDecisionEntry) -> tuple[RolloutStatus, str]:
    """The status after a decision line, and the note saying what it did."""
    candidate = entry.candidate_branch or status.candidate_branch
    fallback = entry.fallback_branch or status.fallback_branch or entry.recommended_branch
    base = replace(
        status,
        candidate_branch=candidate,
        fallback_branch=fallback,
        latest_decision=entry.decision,
        latest_as_of=entry.as_of,
    )
    if status.state is RolloutState.ROLLED_BACK_PENDING_REVIEW:
        return base, _PENDING_NOTES[entry.decision]
    if status.state is RolloutState.RETIRED and entry.candidate_branch in (
        None,
        status.retired_candidate,
    ):
        return base, f"candidate {status.retired_candidate} retired"
    state = _PER_SESSION[entry.decision]
    pending = None
    note = {
        Decision.PROCEED: "gates pass",
        Decision.HOLD: "gates warn",
        Decision.ROLLBACK_REVIEW_REQUIRED: "rollback; no review required",
    }[entry.decision]
    if entry.decision is Decision.ROLLBACK_REVIEW_REQUIRED and entry.rollback_requires_review:
        state = RolloutState.ROLLED_BACK_PENDING_REVIEW
        pending = _pending_of(entry, entry.recommended_branch)
        note = "rollback; review required"
    active = entry.recommended_branch
    since, since_seq = _moved(status, state, active, entry.as_of, entry.seq)
    stepped = replace(
        base,
        state=state,
        active_branch=active,
        since=since,
        since_seq=since_seq,
        pending=pending,
        retired_candidate=None,
    )
    return stepped, note


def _review(status: RolloutStatus, entry: ReviewEntry) -> tuple[RolloutStatus, str]:
    """The status after a review line (a review with nothing pending changes nothing:
    ``verify-ledger`` reports such a line as a break)."""
    pending = status.pending
    if status.state is not RolloutState.ROLLED_BACK_PENDING_REVIEW or pending is None:
        return status, "nothing pending: review ignored"
    if entry.verdict == "retire":
        retired = pending.candidate_branch or status.candidate_branch
        state, active = RolloutState.RETIRED, pending.fallback_branch
        note = f"candidate {retired} retired by {entry.by}"
    else:
        retired = None
        latest = status.latest_decision or Decision.ROLLBACK_REVIEW_REQUIRED
        state = _PER_SESSION[latest]
        active = (
            pending.fallback_branch
            if state is RolloutState.ROLLED_BACK
            else (status.candidate_branch or pending.fallback_branch)
        )
        note = f"resumed by {entry.by}"
    since, since_seq = _moved(status, state, active, entry.as_of, entry.seq)
    stepped = replace(
        status,
        state=state,
        active_branch=active,
        since=since,
        since_seq=since_seq,
        pending=None,
        retired_candidate=retired,
    )
    return stepped, note


def advance(status: RolloutStatus, entry: LedgerEntry) -> RolloutStatus:
    """The status after one more entry: one pure step of :func:`derive_state`.

    A replay folds it entry by entry in a single pass; folding every entry of a
    ledger from :data:`INITIAL` equals ``derive_state`` of the ledger.
    """
    outcome: str
    if isinstance(entry, ReviewEntry):
        stepped, note = _review(status, entry)
        outcome, recommended = entry.verdict, None
    else:
        stepped, note = _decide(status, entry)
        outcome, recommended = entry.decision.value, entry.recommended_branch
    assert stepped.state is not None and stepped.active_branch is not None
    step = StateStep(
        seq=entry.seq,
        kind=entry.kind,
        as_of=entry.as_of,
        outcome=outcome,
        recommended_branch=recommended,
        state=stepped.state,
        active_branch=stepped.active_branch,
        note=note,
    )
    return replace(
        stepped,
        seq=entry.seq,
        head_hash=entry.hash,
        recent=(*stepped.recent, step)[-RECENT_ENTRIES:],
    )


def derive_state(entries: Iterable[LedgerEntry]) -> RolloutStatus:
    """The rollout status after ``entries`` (a ledger's lines, in order)."""
    status = INITIAL
    for entry in entries:
        status = advance(status, entry)
    return status


def steps(entries: Iterable[LedgerEntry]) -> list[StateStep]:
    """Every entry's :class:`StateStep`, in order (a timeline of the state)."""
    status = INITIAL
    out: list[StateStep] = []
    for entry in entries:
        status = advance(status, entry)
        out.append(status.recent[-1])
    return out


__all__ = [
    "INITIAL",
    "RECENT_ENTRIES",
    "PendingRollback",
    "RolloutState",
    "RolloutStatus",
    "StateStep",
    "advance",
    "derive_state",
    "steps",
]
