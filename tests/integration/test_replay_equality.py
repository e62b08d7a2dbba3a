"""Replay equals the evening job: the rollout decision ``dragon replay`` derives for a
session is, byte for byte, the ``rollout_decision.json`` of ``dragon daily --as-of D`` +
``dragon-governance check --as-of D`` in a fresh directory.

Checked on the bundled sample's whole-year replay for its first and last session and
every session whose decision differs from the day before (those two through the real
CLIs, the changes in-process), and on sessions a hypothesis property draws from the
replay of the small integration market.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dragon_governance as governance
from dragon_compat.market_input import MarketInput, load_market
from dragon_compat.pipelines.daily import run_daily
from dragon_compat.pipelines.replay import SessionEvaluation, replay_sessions
from dragon_compat.rundir import DECISION_FILE
from tests.integration.builders import DragonCli, piped_env


def _replay(market: MarketInput) -> tuple[SessionEvaluation, ...]:
    days = market.bars["trade_date"].dt.date
    return replay_sessions(
        market, first=days.min(), last=days.max(), policies=(governance.builtin_policy(),)
    ).evaluations


@pytest.fixture(scope="module")
def sample() -> MarketInput:
    return load_market(None)


@pytest.fixture(scope="module")
def sample_replay(sample: MarketInput) -> tuple[SessionEvaluation, ...]:
    return _replay(sample)


def _evening_in_process(market: MarketInput, day: date, root: Path) -> bytes:
    run = run_daily(market, root / day.isoformat(), as_of=day)
    return governance.evaluate_run(run.run_dir, as_of=day).file_bytes()


def _changes(replay: tuple[SessionEvaluation, ...]) -> list[SessionEvaluation]:
    return [
        now
        for before, now in pairwise(replay)
        if now.decisions[0].decision != before.decisions[0].decision
    ]


def test_the_sample_replay_covers_every_session_and_changes_its_decision(sample, sample_replay):
    sessions = sorted(set(sample.bars["trade_date"].dt.date))
    assert [e.session for e in sample_replay] == sessions
    assert len(_changes(sample_replay)) >= 3  # the evidence below is not vacuous


@pytest.mark.parametrize("which", [0, -1], ids=["first", "last"])
def test_the_first_and_last_replayed_decisions_are_the_evening_clis(
    sample_replay, which: int, dragon_cli: DragonCli, tmp_path: Path
):
    evaluation = sample_replay[which]
    day = evaluation.session.isoformat()
    run_dir = tmp_path / "run"
    daily = dragon_cli("daily", "--as-of", day, "--out", run_dir)
    assert daily.returncode == 0, daily.stderr
    check = subprocess.run(
        [sys.executable, "-m", "dragon_governance", "check", str(run_dir), "--as-of", day],
        capture_output=True,
        env=piped_env(),
        check=False,
        timeout=300,
    )
    assert check.returncode in (0, 10, 20), check.stderr
    assert (run_dir / DECISION_FILE).read_bytes() == evaluation.decisions[0].file_bytes()


def test_every_decision_change_of_the_sample_is_the_evening_decision(
    sample, sample_replay, tmp_path: Path
):
    for evaluation in _changes(sample_replay):
        expected = _evening_in_process(sample, evaluation.session, tmp_path)
        assert evaluation.decisions[0].file_bytes() == expected, evaluation.session


def test_every_replayed_source_is_the_evening_run_file(sample, sample_replay, tmp_path: Path):
    evaluation = sample_replay[len(sample_replay) // 2]
    run = run_daily(sample, tmp_path / "run", as_of=evaluation.session)
    for name, data in evaluation.files.items():
        assert (run.run_dir / name).read_bytes() == data, name
    for path, digest in evaluation.outputs.items():
        assert run.manifest.output_sha256(path) == digest, path


@pytest.fixture(scope="module")
def small_replay(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[MarketInput, tuple[SessionEvaluation, ...]]:
    from dragon_compat.data.write import write_bars
    from dragon_compat.sample import generate_market
    from tests.integration.builders import MARKET_END, MARKET_SEED

    bars = generate_market(60, 45, MARKET_SEED, end=MARKET_END)
    market = load_market(write_bars(bars, tmp_path_factory.mktemp("small") / "bars.parquet"))
    return market, _replay(market)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(index=st.integers(min_value=0, max_value=44))
def test_a_drawn_session_of_a_replay_is_the_evening_decision(small_replay, index, tmp_path_factory):
    market, replay = small_replay
    evaluation = replay[min(index, len(replay) - 1)]
    root = tmp_path_factory.mktemp("evening")
    expected = _evening_in_process(market, evaluation.session, root)
    assert evaluation.decisions[0].file_bytes() == expected
