"""The monitor's four artifacts: values, their exact file text, and the write.

File names, schema ids and the history header are :mod:`dragon_compat.rundir`'s.
Schemas are the governance README's "Sources in RUN_DIR" (the authoritative pydantic
models live in ``dragon_governance.sources``; an integration test proves these
files validate against them — compat never imports governance at runtime):

- ``monitor_health.json``: ``schema`` "dragon.monitor_health/1", ``as_of``,
  ``branch`` (the candidate), ``conditions[{id, tier, active, value, threshold,
  streak}]`` in the order of the compat README's monitor table;
- ``monitor_history.csv``: header ``as_of,condition_id,active``, one row per session
  and condition, sorted by session then table order, ``active`` ``true``/``false``;
- ``divergence.json``: ``schema`` "dragon.divergence/1", ``as_of``,
  ``candidate_branch``, ``reference_branch``, ``entry_jaccard``, ``return_gap``,
  ``level``;
- ``refined_control.json``: ``schema`` "dragon.refined_control/1", ``as_of``,
  ``candidate_branch``, ``control_branch``, ``alignment_ratio``, ``status``.

JSON is canonical (``dragon_runtime.canonical``: sorted keys, 2-space indent,
trailing newline, NaN refused) with every float rounded to ``RC1_MONITOR.decimals``
and −0.0 written as 0.0; the CSV is UTF-8 with ``\\n`` line ends. Dates are
ISO ``YYYY-MM-DD``. Each file is written atomically (temporary file in the run
directory, fsync, ``os.replace``). The same artifacts always give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from dragon_compat.monitor.config import RC1_MONITOR
from dragon_compat.rundir import (
    DIVERGENCE_FILE,
    DIVERGENCE_SCHEMA,
    MONITOR_HEALTH_FILE,
    MONITOR_HEALTH_SCHEMA,
    MONITOR_HISTORY_FILE,
    MONITOR_HISTORY_HEADER,
    REFINED_CONTROL_FILE,
    REFINED_CONTROL_SCHEMA,
)
from dragon_compat.writes import make_dirs, write_file
from dragon_runtime import canonical_json

ConditionValue = float | int | str | None
"""A condition's value or threshold: a number, an ISO date string, or null."""


def _published(value: ConditionValue) -> ConditionValue:
    """Floats at the published precision; every other value as it is."""
    if isinstance(value, float):
        return float(RC1_MONITOR.rounded(value))
    return value


@dataclass(frozen=True, slots=True)
class ConditionStatus:
    """One condition at ``as_of``: ``streak`` counts active sessions ending at ``as_of``."""

    id: str
    tier: str
    active: bool
    value: ConditionValue
    threshold: ConditionValue
    streak: int

    def to_document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tier": self.tier,
            "active": self.active,
            "value": _published(self.value),
            "threshold": _published(self.threshold),
            "streak": self.streak,
        }


@dataclass(frozen=True, slots=True)
class MonitorHealth:
    """``monitor_health.json``: the candidate's conditions at ``as_of``."""

    SCHEMA: ClassVar[str] = MONITOR_HEALTH_SCHEMA

    as_of: str
    branch: str
    conditions: tuple[ConditionStatus, ...]

    def to_document(self) -> dict[str, Any]:
        return {
            "schema": self.SCHEMA,
            "as_of": self.as_of,
            "branch": self.branch,
            "conditions": [condition.to_document() for condition in self.conditions],
        }


class HistoryRow(NamedTuple):
    """One ``monitor_history.csv`` row: a condition's state on one session."""

    as_of: str
    condition_id: str
    active: bool


@dataclass(frozen=True, slots=True)
class MonitorHistory:
    """``monitor_history.csv``: every session × condition, session-major, table order."""

    HEADER: ClassVar[tuple[str, str, str]] = MONITOR_HISTORY_HEADER

    rows: tuple[HistoryRow, ...]

    def to_csv(self) -> str:
        lines = [",".join(self.HEADER)]
        lines.extend(
            f"{row.as_of},{row.condition_id},{'true' if row.active else 'false'}"
            for row in self.rows
        )
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Divergence:
    """``divergence.json``: candidate vs reference over the comparison window."""

    SCHEMA: ClassVar[str] = DIVERGENCE_SCHEMA

    as_of: str
    candidate_branch: str
    reference_branch: str
    entry_jaccard: float
    return_gap: float
    level: str

    def to_document(self) -> dict[str, Any]:
        return {
            "schema": self.SCHEMA,
            "as_of": self.as_of,
            "candidate_branch": self.candidate_branch,
            "reference_branch": self.reference_branch,
            "entry_jaccard": _published(self.entry_jaccard),
            "return_gap": _published(self.return_gap),
            "level": self.level,
        }


@dataclass(frozen=True, slots=True)
class RefinedControl:
    """``refined_control.json``: candidate vs control ENTER_SIGNAL alignment."""

    SCHEMA: ClassVar[str] = REFINED_CONTROL_SCHEMA

    as_of: str
    candidate_branch: str
    control_branch: str
    alignment_ratio: float
    status: str

    def to_document(self) -> dict[str, Any]:
        return {
            "schema": self.SCHEMA,
            "as_of": self.as_of,
            "candidate_branch": self.candidate_branch,
            "control_branch": self.control_branch,
            "alignment_ratio": _published(self.alignment_ratio),
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class MonitorArtifacts:
    """Everything one monitor run publishes."""

    health: MonitorHealth
    history: MonitorHistory
    divergence: Divergence
    refined_control: RefinedControl

    def files(self) -> dict[str, bytes]:
        """File name (relative to the run directory) → exact file bytes."""
        return {
            MONITOR_HEALTH_FILE: canonical_json(self.health.to_document()).encode(),
            MONITOR_HISTORY_FILE: self.history.to_csv().encode(),
            DIVERGENCE_FILE: canonical_json(self.divergence.to_document()).encode(),
            REFINED_CONTROL_FILE: canonical_json(self.refined_control.to_document()).encode(),
        }


def write_monitor(run_dir: Path, artifacts: MonitorArtifacts) -> dict[str, str]:
    """Write the four artifacts into ``run_dir`` (created if needed), each atomically
    (a failed write is ``cannot write PATH: REASON``, :mod:`dragon_compat.writes`).

    Returns file name (relative to ``run_dir``) → sha256 hex digest of the bytes
    written, in the order of :meth:`MonitorArtifacts.files`.
    """
    run_dir = Path(run_dir)
    make_dirs(run_dir)
    return {name: write_file(run_dir / name, data) for name, data in artifacts.files().items()}
