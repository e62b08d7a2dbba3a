"""The run directories shipped under tests/governance/fixtures (CI checks them with the wheel).

They are real daily runs (see fixtures/README.md); these tests read them with
governance alone, as CI's wheel-only check does.
"""

from __future__ import annotations

import json
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


def test_the_fixtures_list_every_branchs_files_under_branches():
    for name in ("healthy_run", "rollback_run"):
        manifest = json.loads((FIXTURES / name / "daily_manifest.json").read_text("utf-8"))
        listed = {entry["path"] for entry in manifest["outputs"]}
        assert len(manifest["branches"]) == 4
        for branch in manifest["branches"]:
            assert f"branches/{branch}/events.csv" in listed, (name, branch)
            assert (FIXTURES / name / "branches" / branch / "events.csv").is_file()
