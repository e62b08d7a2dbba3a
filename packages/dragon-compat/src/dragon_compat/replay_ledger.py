"""A policy's replayed decisions as a ledger, and the rollout state after each.

Every session's decision becomes one decision line of dragon-governance's ledger
(its in-memory ``LedgerBuilder`` and ``decision_fields``: the bytes
``append_to_ledger`` would write, which ``verify-ledger`` accepts), recorded at the
session's close (:data:`dragon_compat.replaydir.RECORDED_AT_TIME` UTC) so the ledger is
byte-identical run to run. The rollout state and active branch after each line come
from dragon-governance's pure ``rollout_state.advance`` — the state ``dragon-governance
status`` would show for that ledger. A replay records no reviews: under a policy whose
``rollback_requires_review`` is true, the first rollback keeps the fallback active to
the end of the span (that is what the operator would have lived through).

The run directory each line names is ``replay:<session>`` (the session's run exists
only in memory).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dragon_compat.replay_summary import GateCell, ReplayRow
from dragon_compat.replaydir import RECORDED_AT_TIME

if TYPE_CHECKING:
    from dragon_compat.pipelines.replay import PolicyDecisions

__all__ = ["replay_ledger", "replay_run_label"]


def replay_run_label(session: str) -> str:
    """What a replayed ledger line records as its run directory."""
    return f"replay:{session}"


def replay_ledger(replayed: PolicyDecisions) -> tuple[bytes, tuple[ReplayRow, ...]]:
    """The policy's replay ledger (bytes) and its ``decisions.csv`` rows."""
    from dragon_governance.ledger_entries import LedgerBuilder, decision_fields
    from dragon_governance.rollout_state import INITIAL, advance

    builder = LedgerBuilder()
    status = INITIAL
    requires_review = bool(replayed.policy.values.rollback_requires_review)
    rows: list[ReplayRow] = []
    for item in replayed.sessions:
        day = item.session.isoformat()
        decision = item.decision
        fields = decision_fields(
            decision, run_dir=replay_run_label(day), rollback_requires_review=requires_review
        )
        entry = builder.add(fields, recorded_at=f"{day}T{RECORDED_AT_TIME}Z")
        status = advance(status, entry)
        rows.append(
            ReplayRow(
                policy=replayed.name,
                session=item.session,
                decision=decision.decision.value,
                recommended_branch=decision.recommended_branch,
                active_branch=str(status.active_branch),
                state=str(status.state),
                candidate_branch=decision.candidate_branch,
                gates=tuple(
                    GateCell(str(gate.status), tuple(r.code for r in gate.reasons))
                    for gate in decision.gates
                ),
                decision_id=decision.decision_id,
            )
        )
    return builder.data(), tuple(rows)
