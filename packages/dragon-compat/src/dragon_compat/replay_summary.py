"""A replay's rows and what they add up to: one row per policy and session, and the
per-policy summary of ``summary.json``.

Definitions (per policy, over the replayed sessions in order):

- ``sessions_per_decision`` / ``sessions_per_state``: how many sessions had each decision
  / each rollout state after their entry;
- ``flips``: sessions whose decision differs from the previous session's;
- ``rollbacks``: sessions where the active branch left the candidate for the fallback;
- ``mean_sessions_to_rollback``: over those rollbacks, the mean number of sessions from
  the session the candidate became active (the first replayed session, or a later
  return to it) to the rollback session; null without a rollback.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from dragon_compat.replaydir import DECISION_COLUMNS, GATE_NAMES

__all__ = ["GateCell", "ReplayRow", "policy_summary", "row_cells"]


@dataclass(frozen=True, slots=True)
class GateCell:
    """One gate of one decision: its status and reason codes (decision order)."""

    status: str
    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReplayRow:
    """One ``decisions.csv`` row."""

    policy: str
    session: dt.date
    decision: str
    recommended_branch: str
    active_branch: str
    state: str
    candidate_branch: str | None
    gates: tuple[GateCell, ...]
    decision_id: str


def row_cells(row: ReplayRow) -> list[str]:
    """The row's cells in :data:`DECISION_COLUMNS` order."""
    gates = [cell for gate in row.gates for cell in (gate.status, ";".join(gate.codes))]
    cells = [
        row.policy,
        row.session.isoformat(),
        row.decision,
        row.recommended_branch,
        row.active_branch,
        row.state,
        *gates,
        row.decision_id,
    ]
    if len(cells) != len(DECISION_COLUMNS) or len(row.gates) != len(GATE_NAMES):
        raise ValueError(f"a replay row has {len(cells)} cells, not {len(DECISION_COLUMNS)}")
    return cells


def _rollbacks(rows: Sequence[ReplayRow]) -> list[int]:
    """For each rollback, the sessions since the candidate became active."""
    spans: list[int] = []
    started: int | None = None
    for index, row in enumerate(rows):
        on_candidate = row.active_branch == row.candidate_branch
        if on_candidate and started is None:
            started = index
        elif not on_candidate and started is not None:
            spans.append(index - started)
            started = None
    return spans


def policy_summary(rows: Sequence[ReplayRow]) -> dict[str, Any]:
    """One policy's summary (module docstring) as a JSON value."""
    spans = _rollbacks(rows)
    flips = sum(1 for a, b in pairwise(rows) if a.decision != b.decision)
    decisions = Counter(row.decision for row in rows)
    states = Counter(row.state for row in rows)
    return {
        "sessions": len(rows),
        "first_session": rows[0].session.isoformat() if rows else None,
        "last_session": rows[-1].session.isoformat() if rows else None,
        "sessions_per_decision": {k: decisions[k] for k in sorted(decisions)},
        "sessions_per_state": {k: states[k] for k in sorted(states)},
        "rollbacks": len(spans),
        "mean_sessions_to_rollback": round(sum(spans) / len(spans), 6) if spans else None,
        "flips": flips,
        "final_state": rows[-1].state if rows else None,
        "final_active_branch": rows[-1].active_branch if rows else None,
    }
