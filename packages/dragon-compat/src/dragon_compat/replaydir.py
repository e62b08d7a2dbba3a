"""The replay directory's contract: the files ``dragon replay --out DIR`` writes and their
columns, beside :mod:`dragon_compat.rundir` (the run directory's).

One source of truth: the replay pipeline, its renderer, the report's replay timeline and
the docs take every name from here. Standard library only (``dragon --help`` reads it).

- ``decisions.csv``: one row per policy and session, in policy order then session order,
  columns :data:`DECISION_COLUMNS`: the gate columns are ``<gate>_status`` and
  ``<gate>_reasons`` (the gate's reason codes joined by ``;``, in the decision's order)
  for each of :data:`GATE_NAMES`; ``state`` and ``active_branch`` are the rollout
  state and active branch the policy's replay ledger gives after the session's entry;
- ``ledger-<policy>.jsonl``: the policy's replay ledger (dragon-governance's hash-chained
  format; ``recorded_at`` is the session's close, :data:`RECORDED_AT_TIME` UTC, so a
  replay is byte-identical run to run);
- ``summary.json`` (schema :data:`REPLAY_SUMMARY_SCHEMA`): the span, the roles and, per
  policy in the order given (``policies``, a list), sessions per decision and per state,
  rollbacks, mean sessions from candidate start to rollback and flips;
- ``differences.csv`` (two or more policies only): the sessions where the policies'
  decisions differ, one column per policy.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DECISIONS_FILE",
    "DECISION_COLUMNS",
    "DIFFERENCES_FILE",
    "GATE_NAMES",
    "RECORDED_AT_TIME",
    "REPLAY_SUMMARY_SCHEMA",
    "SUMMARY_FILE",
    "gate_columns",
    "ledger_file",
]

DECISIONS_FILE: Final = "decisions.csv"
SUMMARY_FILE: Final = "summary.json"
DIFFERENCES_FILE: Final = "differences.csv"
REPLAY_SUMMARY_SCHEMA: Final = "dragon.replay_summary/1"
RECORDED_AT_TIME: Final = "07:00:00"
"""A replayed entry's ``recorded_at`` time of day (UTC): 15:00 in Shanghai, the close."""

GATE_NAMES: Final = ("freshness_alignment", "monitor_health", "divergence_control")
"""dragon-governance's gates G1–G3 in decision order (compat only names them; an
integration test proves the spellings agree)."""


def gate_columns(gate: str) -> tuple[str, str]:
    """The two ``decisions.csv`` columns of one gate: its status and its reason codes."""
    return f"{gate}_status", f"{gate}_reasons"


DECISION_COLUMNS: Final = (
    "policy",
    "session",
    "decision",
    "recommended_branch",
    "active_branch",
    "state",
    *(column for gate in GATE_NAMES for column in gate_columns(gate)),
    "decision_id",
)


def ledger_file(policy: str) -> str:
    """The replay ledger of the policy named ``policy``."""
    return f"ledger-{policy}.jsonl"
