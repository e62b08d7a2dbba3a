"""The bundled sample's rollback-then-proceed evenings keep the fallback until a review.

Run as an operator does, in-process: ``dragon daily --as-of D`` and ``dragon forward
--governance enforce --ledger L`` on each evening of
:data:`dragon_compat.scenarios.ROLLBACK_THEN_PROCEED` (2023-08-23, ROLLBACK; 2023-08-24,
PROCEED). Per session the decision is unchanged (PROCEED recommends the candidate); the
ledger's state keeps the fallback active until ``review --verdict resume``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_compat.market_input import load_market
from dragon_compat.pipelines.daily import run_daily
from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from dragon_compat.scenarios import ROLLBACK_THEN_PROCEED
from dragon_governance import append_review, ledger_status
from tests.integration.builders import CANDIDATE, FALLBACK


@pytest.fixture(scope="module")
def evenings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    sample = load_market(None)
    root = tmp_path_factory.mktemp("lifecycle-sample")
    return [
        run_daily(sample, root / day.isoformat(), as_of=day).run_dir
        for day in ROLLBACK_THEN_PROCEED
    ]


def test_the_proceed_evening_after_a_rollback_keeps_the_fallback_until_a_review(
    evenings: list[Path], tmp_path: Path
):
    ledger = tmp_path / "ledger.jsonl"
    rollback = run_forward(evenings[0], GovernanceMode.ENFORCE, ledger=ledger)
    assert rollback.plan.governance.decision == "ROLLBACK_REVIEW_REQUIRED"  # type: ignore[union-attr]
    assert rollback.active_branch == FALLBACK
    proceed = run_forward(evenings[1], GovernanceMode.ENFORCE, ledger=ledger)
    governance = proceed.plan.governance
    assert governance is not None and governance.decision == "PROCEED"
    assert governance.recommended_branch == CANDIDATE  # the per-session rule, unchanged
    assert proceed.active_branch == FALLBACK  # the lifecycle: still waiting for review
    append_review(ledger, verdict="resume", by="ops", reason="idle streak ended")
    resumed = run_forward(evenings[1], GovernanceMode.ENFORCE, ledger=ledger)
    assert resumed.active_branch == CANDIDATE
    assert [step.state.value for step in ledger_status(ledger).status.recent] == [
        "ROLLED_BACK_PENDING_REVIEW",
        "ROLLED_BACK_PENDING_REVIEW",
        "CANDIDATE_ACTIVE",
    ]


def test_without_a_ledger_the_per_session_rule_applies(evenings: list[Path]):
    assert run_forward(evenings[0], GovernanceMode.ENFORCE).active_branch == FALLBACK
    assert run_forward(evenings[1], GovernanceMode.ENFORCE).active_branch == CANDIDATE
