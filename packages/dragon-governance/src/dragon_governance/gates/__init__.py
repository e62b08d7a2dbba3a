"""The three gates, evaluated in order G1, G2, G3 over one ``GateContext``."""

from __future__ import annotations

from collections.abc import Callable

from dragon_governance.gates.context import GateContext
from dragon_governance.gates.divergence import evaluate_divergence
from dragon_governance.gates.freshness import evaluate_freshness
from dragon_governance.gates.health import evaluate_health
from dragon_governance.gates.result import GateResult

#: In evaluation (and report) order.
GATES: tuple[Callable[[GateContext], GateResult], ...] = (
    evaluate_freshness,
    evaluate_health,
    evaluate_divergence,
)


def run_gates(ctx: GateContext) -> list[GateResult]:
    """Evaluate G1, G2, G3; each always returns a result with at least one reason."""
    return [gate(ctx) for gate in GATES]


__all__ = ["GATES", "GateContext", "GateResult", "run_gates"]
