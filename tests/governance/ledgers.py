"""Hand-made ledgers for lifecycle tests: decision and review fields without a run.

``decision(...)`` gives the fields of a format 0.2 decision line (what
``ledger_entries.decision_fields`` gives for a real decision), with a made-up but
well-formed decision id derived from its session and outcome; ``build(...)`` chains
them with ``LedgerBuilder`` at one stamp per line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from dragon_governance.ledger_entries import LedgerBuilder

CANDIDATE = "alpha_first"
FALLBACK = "alpha_first_selective_veto"
POLICY_SHA = "a" * 64
START = date(2023, 8, 21)
OUTCOMES = {"P": "PROCEED", "H": "HOLD", "R": "ROLLBACK_REVIEW_REQUIRED"}


def _hex(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def decision(
    as_of: date,
    outcome: str,
    *,
    candidate: str | None = CANDIDATE,
    requires_review: bool = True,
    manifest: str | None = None,
) -> dict[str, Any]:
    """Fields of a decision line; ``outcome`` is P, H or R (or the full name)."""
    name = OUTCOMES.get(outcome, outcome)
    rollback = name == "ROLLBACK_REVIEW_REQUIRED"
    return {
        "format": "0.2",
        "kind": "decision",
        "decision_id": _hex(as_of, name, candidate),
        "as_of": as_of.isoformat(),
        "decision": name,
        "recommended_branch": FALLBACK if rollback or candidate is None else candidate,
        "candidate_branch": candidate,
        "fallback_branch": FALLBACK,
        "failing_gates": [{"gate": "G2", "codes": ["HARD_CONDITION_ACTIVE"]}] if rollback else [],
        "rollback_requires_review": requires_review,
        "manifest_sha256": manifest if manifest is not None else _hex("manifest", as_of),
        "run_dir": f"runs/{as_of.isoformat()}",
        "policy_sha256": POLICY_SHA,
    }


def review_of(builder: LedgerBuilder, verdict: str, *, by: str = "ops") -> dict[str, Any]:
    """Fields of a review of the builder's pending rollback (found by folding)."""
    from dragon_governance.rollout_state import derive_state

    status = derive_state(builder.entries)
    assert status.pending is not None and status.latest_as_of is not None
    pending = status.pending
    return {
        "format": "0.2",
        "kind": "review",
        "verdict": verdict,
        "by": by,
        "reason": "looked at the drawdown",
        "reviewed": {
            "seq": pending.seq,
            "decision_id": pending.decision_id,
            "as_of": pending.as_of.isoformat(),
        },
        "as_of": status.latest_as_of.isoformat(),
    }


def stamp(seq: int) -> str:
    """A deterministic ``recorded_at`` for line ``seq``."""
    return f"{(START + timedelta(days=seq)).isoformat()}T07:30:00Z"


def build(
    codes: Sequence[str], *, key: bytes | None = None, requires_review: bool = True
) -> LedgerBuilder:
    """A ledger from codes, one per line: P/H/R a decision on the next session (one
    calendar day apart), ``resume``/``retire`` a review of the pending rollback,
    ``N:P`` (N/H/R) a decision whose manifest names the candidate ``other``."""
    builder = LedgerBuilder(key=key)
    day = START
    for code in codes:
        if code in ("resume", "retire"):
            fields = review_of(builder, code)
        else:
            candidate, outcome = ("other", code[2:]) if code.startswith("N:") else (CANDIDATE, code)
            day += timedelta(days=1)
            fields = decision(day, outcome, candidate=candidate, requires_review=requires_review)
        builder.add(fields, recorded_at=stamp(len(builder.entries) + 1))
    return builder
