"""The documented scenario dates of the bundled sample reach each rollout decision."""

from __future__ import annotations

import pytest

from dragon_compat.market_input import load_market
from dragon_compat.pipelines.daily import run_daily
from dragon_compat.scenarios import ROLLBACK_THEN_PROCEED, SAMPLE_SCENARIOS
from dragon_governance import evaluate_run


@pytest.fixture(scope="module")
def sample():
    return load_market(None)


@pytest.mark.parametrize("decision", sorted(SAMPLE_SCENARIOS))
def test_the_scenario_date_gives_its_decision(sample, decision, tmp_path):
    as_of = SAMPLE_SCENARIOS[decision]
    run = run_daily(sample, tmp_path / "run", as_of=as_of)
    assert run.as_of == as_of
    result = evaluate_run(tmp_path / "run", as_of=as_of)
    assert str(result.decision) == decision
    expected_branch = (
        "alpha_first_selective_veto" if decision == "ROLLBACK_REVIEW_REQUIRED" else "alpha_first"
    )
    assert result.recommended_branch == expected_branch


def test_a_rollback_evening_is_followed_by_a_proceed_evening(sample, tmp_path):
    rollback, proceed = ROLLBACK_THEN_PROCEED
    sessions = sorted(sample.bars["trade_date"].dt.date.unique())
    assert sessions.index(proceed) == sessions.index(rollback) + 1
    for as_of, decision in ((rollback, "ROLLBACK_REVIEW_REQUIRED"), (proceed, "PROCEED")):
        run_daily(sample, tmp_path / as_of.isoformat(), as_of=as_of)
        result = evaluate_run(tmp_path / as_of.isoformat(), as_of=as_of)
        assert str(result.decision) == decision, as_of


def test_the_scenarios_are_documented_in_the_compat_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "packages/dragon-compat/README.md").read_text()
    for decision, as_of in SAMPLE_SCENARIOS.items():
        assert f"| {decision} | {as_of.isoformat()} |" in readme
