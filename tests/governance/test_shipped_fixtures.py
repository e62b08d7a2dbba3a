"""The run directories shipped under tests/governance/fixtures (CI checks them with the wheel)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dragon_governance.evaluation import evaluate_run
from dragon_governance.outcomes import Decision

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2024, 10, 8)


def test_the_healthy_fixture_proceeds():
    decision = evaluate_run(FIXTURES / "healthy_run", as_of=AS_OF)
    assert decision.decision is Decision.PROCEED
    assert all(reason.status.value == "PASS" for g in decision.gates for reason in g.reasons)


def test_the_rollback_fixture_rolls_back_on_its_hard_condition():
    decision = evaluate_run(FIXTURES / "rollback_run", as_of=AS_OF)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert decision.recommended_branch == "alpha_first_selective_veto"
    codes = {reason.code for g in decision.gates for reason in g.reasons}
    assert "HARD_CONDITION_ACTIVE" in codes
    assert not {"OUTPUT_HASH_MISMATCH", "MANIFEST_CORRUPT", "HEALTH_CORRUPT"} & codes
