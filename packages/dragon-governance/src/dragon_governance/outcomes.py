"""The vocabulary of outcomes: gate statuses, decisions, the three gates and the
verdicts of a review.

Severity is a total order, PASS < WARN < FAIL and PROCEED < HOLD <
ROLLBACK_REVIEW_REQUIRED; ``decide`` maps the worst gate status onto a decision
("worst gate wins", docs/governance.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, get_args


class Status(StrEnum):
    """A gate's (or one reason's) verdict."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"

    @property
    def severity(self) -> int:
        """0 for PASS, 1 for WARN, 2 for FAIL."""
        return _STATUS_SEVERITY[self]


_STATUS_SEVERITY = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}


class Decision(StrEnum):
    """The rollout decision for the candidate branch."""

    PROCEED = "PROCEED"
    HOLD = "HOLD"
    ROLLBACK_REVIEW_REQUIRED = "ROLLBACK_REVIEW_REQUIRED"

    @property
    def severity(self) -> int:
        """0 for PROCEED, 1 for HOLD, 2 for ROLLBACK_REVIEW_REQUIRED."""
        return _DECISION_BY_STATUS_SEVERITY.index(self)

    @property
    def exit_code(self) -> int:
        """The CLI exit code: 0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED."""
        return 10 * self.severity


_DECISION_BY_STATUS_SEVERITY = (Decision.PROCEED, Decision.HOLD, Decision.ROLLBACK_REVIEW_REQUIRED)


class Gate(StrEnum):
    """The three gates, in evaluation order; the value is the gate's name."""

    FRESHNESS_ALIGNMENT = "freshness_alignment"
    MONITOR_HEALTH = "monitor_health"
    DIVERGENCE_CONTROL = "divergence_control"

    @property
    def gate_id(self) -> str:
        """``G1``, ``G2`` or ``G3``."""
        return f"G{list(Gate).index(self) + 1}"


Verdict = Literal["resume", "retire"]
"""A review's verdict on a pending rollback (see ``rollout_state``)."""
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status; PASS for an empty iterable."""
    return max(statuses, key=lambda s: s.severity, default=Status.PASS)


def decide(gate_statuses: Iterable[Status]) -> Decision:
    """Worst gate wins: any FAIL → ROLLBACK_REVIEW_REQUIRED, else any WARN → HOLD, else PROCEED."""
    return _DECISION_BY_STATUS_SEVERITY[worst(gate_statuses).severity]
