"""``dragon forward --governance enforce`` over a run whose sources hold what Python's
``json.dumps`` writes by default (``NaN``): the in-process ``evaluate_run`` gives a
rollback decision — never a traceback — and the plan activates the fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from dragon_governance import read_decision
from tests.integration.builders import FALLBACK


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_enforce_plans_the_fallback_when_a_source_holds_a_non_finite_number(
    orders_copy: Path, value: float
):
    path = orders_copy / "divergence.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["return_gap"] = value
    path.write_text(json.dumps(document), encoding="utf-8")
    plan = run_forward(orders_copy, GovernanceMode.ENFORCE)
    assert plan.plan.governance is not None
    assert plan.plan.governance.decision == "ROLLBACK_REVIEW_REQUIRED"
    assert plan.active_branch == FALLBACK
    decision = read_decision(orders_copy / "rollout_decision.json")
    (reason,) = [r for g in decision.gates for r in g.reasons if r.code == "DIVERGENCE_CORRUPT"]
    assert reason.value == json.dumps(value)
