"""Fixtures of the pipeline integration tests: one small synthetic market, its runs, the CLI.

The market is ``generate_market(120, 60, seed=3)`` ending 2024-10-10, written as
Parquet once per test session. Its window spans the 2024 National Day holiday
(2024-10-01 .. 2024-10-07), and at the close of :data:`SIGNAL_SESSION` the candidate
branch has both an ENTER_SIGNAL and an EXIT_SIGNAL and the rollout decision is HOLD
— tests that rely on those facts assert them first, so a change of the generator
shows up as a failed precondition, not as a silently weaker test.

Session-scoped runs are read-only; a test that changes a run directory works on a
copy (``run_copy``). Subprocesses get an isolated governance calendar cache and an
environment without colour or width overrides, so output is what a pipe gets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import pytest

from dragon_compat.branches import DEMO_ROLES
from dragon_compat.data.write import write_bars
from dragon_compat.market_input import MarketInput, load_market
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.sample import generate_market
from dragon_governance.session_calendar import CACHE_ENV

MARKET_SYMBOLS = 120
MARKET_SESSIONS = 60
MARKET_SEED = 3
MARKET_END = date(2024, 10, 10)
"""Last session of the test market."""
SIGNAL_SESSION = date(2024, 9, 30)
"""Last session before National Day; the candidate signals entries and exits at its close."""
NEXT_AFTER_SIGNAL = date(2024, 10, 8)
"""The XSHG session after :data:`SIGNAL_SESSION` (2024-10-01 .. 10-07 is National Day)."""
HOLIDAY = date(2024, 10, 5)
"""A non-session date inside the market's range (National Day)."""
OTHER_SESSION = date(2024, 9, 24)
"""Another session of the market, for "a different run" in the same directory."""

CANDIDATE = DEMO_ROLES.candidate
FALLBACK = DEMO_ROLES.fallback
BRANCH_FILES = ("events.csv", "trades.csv", "equity.csv", "summary.json")
MONITOR_FILES = (
    "monitor_health.json",
    "monitor_history.csv",
    "divergence.json",
    "refined_control.json",
)

#: environment variables that would make rich colour or size output as on a terminal
_TERMINAL_ENV = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")

Snapshot = dict[str, bytes]


def snapshot(root: Path) -> Snapshot:
    """Every file under ``root`` (hidden ones too): relative POSIX path -> bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


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
def signal_run(market: MarketInput, tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    """The daily run for :data:`SIGNAL_SESSION` (read-only: copy it to change it)."""
    return run_daily(market, tmp_path_factory.mktemp("signal") / "run", as_of=SIGNAL_SESSION)


@pytest.fixture(scope="session")
def full_run(market: MarketInput, tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    """The daily run for the market's last session (read-only)."""
    return run_daily(market, tmp_path_factory.mktemp("full") / "run")


@pytest.fixture
def run_copy(signal_run: DailyRun, tmp_path: Path) -> Path:
    """A private copy of the signal run's directory."""
    return Path(shutil.copytree(signal_run.run_dir, tmp_path / "run"))


def piped_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus terminal overrides, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in _TERMINAL_ENV}
    env.update(extra or {})
    return env


DragonCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def dragon_cli() -> DragonCli:
    """Run ``dragon ARGS...`` in a subprocess of this interpreter, output piped."""

    def run(
        *args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dragon_compat.cli", *map(str, args)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=piped_env(env),
            cwd=cwd,
            check=False,
            timeout=300,
        )

    return run


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
