"""Governance test fixtures: an isolated session cache, a run directory, an evaluator.

Fixtures only; helpers that tests import live in :mod:`tests.governance.builders`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dragon_governance.decision import RolloutDecision
from dragon_governance.evaluation import evaluate_run
from dragon_governance.session_calendar import CACHE_ENV
from tests.governance.builders import AS_OF, Evaluate, RunDir


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One session-calendar cache for the whole test session (never the user's)."""
    return tmp_path_factory.mktemp("dragon-governance-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(session_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(session_cache_dir))


@pytest.fixture
def run(tmp_path: Path) -> RunDir:
    """A healthy run directory for 2024-10-08, not yet written."""
    return RunDir(tmp_path / "run")


@pytest.fixture
def evaluate() -> Evaluate:
    """Build a ``RunDir`` and evaluate it (as of 2024-10-08 unless told otherwise)."""

    def _evaluate(run_dir: RunDir, as_of: date = AS_OF, **kwargs: object) -> RolloutDecision:
        return evaluate_run(run_dir.build(), as_of=as_of, **kwargs)

    return _evaluate
