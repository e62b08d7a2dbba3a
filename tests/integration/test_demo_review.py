"""``dragon demo --scenario review``: the rollout lifecycle on the bundled sample.

The scenario's two evenings are :data:`dragon_compat.scenarios.ROLLBACK_THEN_PROCEED`
(a rollback, then a PROCEED on the very next session). The demo runs once per module
in a subprocess, output piped; the tests read what it printed and the ledger it left.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dragon_compat.scenarios import ROLLBACK_THEN_PROCEED
from dragon_governance import ledger_status, verify_ledger
from tests.integration.builders import CANDIDATE, FALLBACK, run_dragon

ROLLBACK, PROCEED = ROLLBACK_THEN_PROCEED
STEPS = (
    f"1a · dragon daily --as-of {ROLLBACK.isoformat()}",
    "1b · dragon-governance check --ledger",
    "1c · dragon forward --ledger, then status",
    f"2a · dragon daily --as-of {PROCEED.isoformat()}",
    "2b · dragon-governance check --ledger",
    "2c · dragon forward --ledger, then status",
    "3a · dragon-governance review --verdict resume",
    "3b · dragon forward --ledger, then status",
    "4 · dragon report --ledger",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("demo-review")
    command = ["demo", "--scenario", "review", "--out", str(out)]
    done = run_dragon(*command, env={"CI": "true"}, timeout=600)
    return done, out


def _step(stdout: str, number: int) -> str:
    """What the demo printed under step ``STEPS[number]``."""
    start = stdout.index(STEPS[number])
    end = stdout.index(STEPS[number + 1]) if number + 1 < len(STEPS) else len(stdout)
    return stdout[start:end]


def test_the_review_demo_exits_0_with_every_step_in_order(demo):
    done, _ = demo
    assert done.returncode == 0, (done.stdout, done.stderr)
    positions = [done.stdout.find(step) for step in STEPS]
    assert -1 not in positions and positions == sorted(positions), done.stdout


def test_the_rollback_evening_activates_the_fallback(demo):
    done, _ = demo
    shown = _step(done.stdout, 2)
    assert f"active branch {FALLBACK}" in shown
    assert "ROLLED_BACK_PENDING_REVIEW" in shown


def test_the_proceed_evening_keeps_the_fallback_while_the_review_is_pending(demo):
    done, _ = demo
    assert "exit 0 = PROCEED" in _step(done.stdout, 4)
    shown = _step(done.stdout, 5)
    assert "decision PROCEED" in shown
    assert f"active branch {FALLBACK}" in shown
    assert "gates pass; review pending" in shown


def test_after_the_resume_review_the_candidate_is_active(demo):
    done, _ = demo
    assert f"of the rollback of seq 1 ({ROLLBACK.isoformat()}" in _step(done.stdout, 6)
    shown = _step(done.stdout, 7)
    assert f"active branch {CANDIDATE}" in shown and "CANDIDATE_ACTIVE" in shown


def test_the_demo_ledger_holds_two_decisions_and_a_review(demo):
    _, out = demo
    ledger = out / "review-ledger.jsonl"
    entries = verify_ledger(ledger)
    assert [entry.kind for entry in entries] == ["decision", "decision", "review"]
    assert [entry.as_of for entry in entries] == [ROLLBACK, PROCEED, PROCEED]
    assert str(ledger_status(ledger).status.state) == "CANDIDATE_ACTIVE"
    plan = json.loads((out / f"run-{PROCEED.isoformat()}" / "forward_plan.json").read_text())
    assert plan["governance"]["rollout"]["head_hash"] == entries[-1].hash
