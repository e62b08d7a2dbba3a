"""Fixtures of the pipeline integration tests: one small synthetic market, its runs, the CLI.

The market is ``generate_market(120, 60, seed=3)`` ending 2024-10-10, written as
Parquet once per test session; its facts and the helpers tests import are in
:mod:`tests.integration.builders` (this module holds fixtures only). Its window
spans the 2024 National Day holiday (2024-10-01 .. 2024-10-07); :data:`EVE_SESSION`
is the session before it.

Facts that depend on the generated data (on which session the candidate signals
entries and exits, which session's rollout decision is not a rollback) are found
by searching the market, not hard-coded, so tuning the generator never silently
weakens a test: a fixture that finds no such session fails and says why.

Session-scoped runs are read-only; a test that changes a run directory works on a
copy (``run_copy``, ``orders_copy``, ``governed_copy``). Subprocesses get an
isolated governance calendar cache and an environment without colour or width
overrides, so their output is what a pipe gets.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from dragon_compat.data.write import write_bars
from dragon_compat.market_input import MarketInput, load_market
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.rundir import DECISION_FILE
from dragon_compat.sample import generate_market
from dragon_governance.session_calendar import CACHE_ENV
from tests.integration.builders import (
    CANDIDATE,
    EVE_SESSION,
    FALLBACK,
    MARKET_END,
    MARKET_SEED,
    MARKET_SESSIONS,
    MARKET_SYMBOLS,
    DragonCli,
    close_signals,
    piped_env,
    run_dragon,
)

MONITOR_WINDOW = 20
"""Sessions of the monitor's divergence and control window (the compat README, "Monitor")."""
DECISION_SEARCH_LIMIT = 12
"""How many sessions ``governed_run`` tries before giving up."""


@pytest.fixture(scope="session")
def governance_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One dragon-governance session-calendar cache for the test session (never the user's)."""
    return tmp_path_factory.mktemp("governance-cache")


@pytest.fixture(autouse=True)
def _isolated_governance_cache(governance_cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(governance_cache_dir))


@pytest.fixture(scope="session")
def market_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test market as Parquet (written once)."""
    bars = generate_market(MARKET_SYMBOLS, MARKET_SESSIONS, MARKET_SEED, end=MARKET_END)
    return write_bars(bars, tmp_path_factory.mktemp("market") / "bars.parquet")


@pytest.fixture(scope="session")
def market(market_path: Path) -> MarketInput:
    return load_market(market_path)


@pytest.fixture(scope="session")
def eve_run(market: MarketInput, tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    """The daily run for :data:`EVE_SESSION` (read-only: copy it to change it)."""
    return run_daily(market, tmp_path_factory.mktemp("eve") / "run", as_of=EVE_SESSION)


@pytest.fixture(scope="session")
def full_run(market: MarketInput, tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    """The daily run for the market's last session (read-only)."""
    return run_daily(market, tmp_path_factory.mktemp("full") / "run")


def _sessions(run: DailyRun) -> list[date]:
    """The run's sessions, latest first (from the candidate's equity.csv)."""
    text = (run.run_dir / "branches" / CANDIDATE / "equity.csv").read_text(encoding="utf-8")
    days = {date.fromisoformat(row["trade_date"]) for row in csv.DictReader(io.StringIO(text))}
    return sorted(days, reverse=True)


@pytest.fixture(scope="session")
def orders_session(full_run: DailyRun) -> date:
    """The latest session at whose close the candidate signals both entries and exits and
    the fallback's signals differ from the candidate's (so a plan shows whose it is).

    A run truncated at a session has the same close signals there as the full run
    (test_daily_pipeline proves truncation is causal), so the full run is searched.
    """
    for session in _sessions(full_run):
        candidate = close_signals(full_run.run_dir, CANDIDATE, session)
        fallback = close_signals(full_run.run_dir, FALLBACK, session)
        if candidate["entries"] and candidate["exits"] and candidate != fallback:
            return session
    raise AssertionError("the test market has no session where the candidate signals both")


@pytest.fixture(scope="session")
def orders_run(
    market: MarketInput, orders_session: date, tmp_path_factory: pytest.TempPathFactory
) -> DailyRun:
    """The daily run for :func:`orders_session` (read-only)."""
    return run_daily(market, tmp_path_factory.mktemp("orders") / "run", as_of=orders_session)


@pytest.fixture(scope="session")
def governed_run(
    market: MarketInput, full_run: DailyRun, tmp_path_factory: pytest.TempPathFactory
) -> DailyRun:
    """The earliest run with a full monitor window (20 sessions of history) whose rollout
    decision, evaluated after its close, is PROCEED or HOLD (read-only). At most
    :data:`DECISION_SEARCH_LIMIT` sessions are tried."""
    from dragon_governance import Decision, evaluate_run

    root = tmp_path_factory.mktemp("governed")
    sessions = sorted(_sessions(full_run))[MONITOR_WINDOW - 1 :]
    for session in sessions[:DECISION_SEARCH_LIMIT]:
        run = run_daily(market, root / session.isoformat(), as_of=session)
        if evaluate_run(run.run_dir, as_of=session).decision != Decision.ROLLBACK_REVIEW_REQUIRED:
            return run
    raise AssertionError(
        f"none of {DECISION_SEARCH_LIMIT} sessions from {sessions[0]} is PROCEED or HOLD"
    )


def _copy(run: DailyRun, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.run_dir, tmp_path / "run"))


@pytest.fixture
def run_copy(eve_run: DailyRun, tmp_path: Path) -> Path:
    """A private copy of the eve run's directory."""
    return _copy(eve_run, tmp_path)


@pytest.fixture
def orders_copy(orders_run: DailyRun, tmp_path: Path) -> Path:
    """A private copy of the orders run's directory."""
    return _copy(orders_run, tmp_path)


@pytest.fixture
def governed_copy(governed_run: DailyRun, tmp_path: Path) -> Path:
    """A private copy of the governed (PROCEED or HOLD) run's directory."""
    return _copy(governed_run, tmp_path)


@pytest.fixture
def dragon_cli() -> DragonCli:
    """Run ``dragon ARGS...`` in a subprocess of this interpreter, output piped."""

    return run_dragon


GOVERNANCE_BLOCKER = """
import importlib.abc, sys

class _NoGovernance(importlib.abc.MetaPathFinder):
    attempts = []

    def find_spec(self, name, path=None, target=None):
        if name == "dragon_governance" or name.startswith("dragon_governance."):
            self.attempts.append(name)
            raise ImportError(f"blocked for the test: {name}")
        return None

_blocker = _NoGovernance()
sys.meta_path.insert(0, _blocker)
"""
"""Python source that makes ``import dragon_governance`` fail and records each attempt in
``_blocker.attempts`` — as if dragon-compat were installed without its governance extra."""


@pytest.fixture
def python_without_governance() -> Callable[[str], subprocess.CompletedProcess[str]]:
    """Run Python source in a subprocess where dragon_governance cannot be imported."""

    def run(source: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", GOVERNANCE_BLOCKER + source],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=piped_env(),
            check=False,
            timeout=300,
        )

    return run


@pytest.fixture(scope="session")
def decided_run(
    governed_run: DailyRun, full_run: DailyRun, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A copy of :func:`governed_run` with its ``rollout_decision.json``, and a ledger of
    two decisions (that one and the full run's), written by dragon-governance (read-only)."""
    import dragon_governance as governance

    root = tmp_path_factory.mktemp("report")
    cache = tmp_path_factory.mktemp("report-governance-cache")
    run_dir = Path(shutil.copytree(governed_run.run_dir, root / "run"))
    ledger = root / "decisions.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(cache))
        decision = governance.evaluate_run(run_dir, as_of=governed_run.as_of)
        governance.write_decision(decision, run_dir / DECISION_FILE)
        governance.append_to_ledger(ledger, decision, run_dir=str(run_dir))
        later = governance.evaluate_run(full_run.run_dir, as_of=full_run.as_of)
        governance.append_to_ledger(ledger, later, run_dir=str(full_run.run_dir))
    return run_dir, ledger
