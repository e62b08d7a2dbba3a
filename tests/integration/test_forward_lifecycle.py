"""``dragon forward --ledger``: enforce follows the ledger's rollout state, shadow records
it, and a run's decision is appended once however often it is checked and planned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dragon_compat.pipelines.daily import DailyRun
from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from dragon_governance import append_review, ledger_status, verify_ledger
from tests.integration.builders import CANDIDATE, FALLBACK, DragonCli


@pytest.fixture
def rolled_back(orders_run: DailyRun, tmp_path: Path) -> Path:
    """A copy of the orders run without monitor_health.json: ROLLBACK_REVIEW_REQUIRED."""
    copy = Path(shutil.copytree(orders_run.run_dir, tmp_path / "rolled"))
    (copy / "monitor_health.json").unlink()
    return copy


@pytest.fixture
def healthy(governed_run: DailyRun, tmp_path: Path) -> Path:
    """A copy of a PROCEED or HOLD run (its recommended branch is the candidate)."""
    return Path(shutil.copytree(governed_run.run_dir, tmp_path / "healthy"))


def test_enforce_keeps_the_fallback_while_a_rollback_awaits_review(
    rolled_back: Path, healthy: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.jsonl"
    first = run_forward(rolled_back, GovernanceMode.ENFORCE, ledger=ledger)
    assert first.active_branch == FALLBACK
    plan = run_forward(healthy, GovernanceMode.ENFORCE, ledger=ledger)
    governance = plan.plan.governance
    assert governance is not None and governance.recommended_branch == CANDIDATE
    assert governance.rollout is not None
    assert governance.rollout.state == "ROLLED_BACK_PENDING_REVIEW"
    assert plan.active_branch == FALLBACK  # the decision says candidate; the state says wait
    pending = governance.rollout.pending_rollback
    assert pending is not None and pending.seq == 1
    assert governance.rollout.head_hash == verify_ledger(ledger)[-1].hash
    assert governance.rollout.entries == 2


def test_shadow_records_the_state_but_keeps_the_candidate(
    rolled_back: Path, healthy: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.jsonl"
    run_forward(rolled_back, GovernanceMode.ENFORCE, ledger=ledger)
    plan = run_forward(healthy, GovernanceMode.SHADOW, ledger=ledger)
    assert plan.active_branch == CANDIDATE
    rollout = plan.plan.governance.rollout  # type: ignore[union-attr]
    assert (rollout.state, rollout.active_branch) == ("ROLLED_BACK_PENDING_REVIEW", FALLBACK)


def test_after_a_resume_review_enforce_activates_the_candidate(
    rolled_back: Path, healthy: Path, tmp_path: Path
):
    ledger = tmp_path / "ledger.jsonl"
    run_forward(rolled_back, GovernanceMode.ENFORCE, ledger=ledger)
    run_forward(healthy, GovernanceMode.ENFORCE, ledger=ledger)
    append_review(ledger, verdict="resume", by="ops", reason="health file restored")
    plan = run_forward(healthy, GovernanceMode.ENFORCE, ledger=ledger)
    assert plan.active_branch == CANDIDATE
    assert plan.plan.governance.rollout.state in ("CANDIDATE_ACTIVE", "HELD")  # type: ignore[union-attr]
    assert len(verify_ledger(ledger)) == 3  # the repeat plan appended nothing


def test_without_a_ledger_the_plan_has_no_state(healthy: Path):
    plan = run_forward(healthy, GovernanceMode.ENFORCE)
    assert plan.plan.governance is not None and plan.plan.governance.rollout is None
    assert json.loads(plan.path.read_text())["governance"]["rollout"] is None


def test_check_then_forward_on_one_run_appends_once(
    healthy: Path, tmp_path: Path, dragon_cli: DragonCli
):
    from dragon_governance import cli as governance_cli

    ledger = tmp_path / "ledger.jsonl"
    as_of = json.loads((healthy / "daily_manifest.json").read_text())["as_of"]
    code = governance_cli.main(["check", str(healthy), "--as-of", as_of, "--ledger", str(ledger)])
    assert code in (0, 10)
    done = dragon_cli("forward", healthy, "--ledger", ledger)
    assert done.returncode == 0, done.stderr
    assert len(verify_ledger(ledger)) == 1
    assert ledger_status(ledger).status.seq == 1
    assert "rollout state" in done.stdout
