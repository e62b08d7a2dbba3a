"""Builders of the run directories shipped in ``tests/governance/fixtures/``.

Both are a real daily run (``run_daily``, what ``dragon daily`` runs) of a tiny
synthetic market, so they show the real layout and file names:

- ``healthy_run``: the run as written, unedited. Governance decides PROCEED at
  2024-10-08 with every reason PASS.
- ``rollback_run``: the healthy run with one scenario edit — H1_DRAWDOWN and W1_DRAWDOWN
  active at 2024-10-08 (drawdown :data:`ROLLBACK_DRAWDOWN`, streaks continuing the
  history) in ``monitor_health.json`` and ``monitor_history.csv``, and those two files
  re-hashed in the manifest. The branches' equity.csv still shows the healthy
  drawdown: governance reads only the monitor files, the manifest and the hashes.

The manifest records the installed Dragon versions, so regenerating after a version
bump changes only its ``versions``. Regenerate (and commit) with::

    hatch run python -m tests.integration.governance_fixtures
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Final

from dragon_compat.data.write import write_bars
from dragon_compat.market_input import load_market
from dragon_compat.pipelines.daily import run_daily
from dragon_compat.rundir import (
    MONITOR_HEALTH_FILE,
    MONITOR_HISTORY_FILE,
    OutputFile,
    read_manifest,
    write_document,
)
from dragon_compat.sample import generate_market
from dragon_runtime import atomic_write, canonical_json

FIXTURES: Final = Path(__file__).parents[1] / "governance" / "fixtures"
HEALTHY: Final = "healthy_run"
ROLLBACK: Final = "rollback_run"

SYMBOLS: Final = 12
SESSIONS: Final = 30
SEED: Final = 6
AS_OF: Final = date(2024, 10, 8)
"""The market's last session; CI checks the fixtures ``--as-of`` this date."""
INPUT_NAME: Final = "bars.csv"
"""The input path the manifest records (machine-independent)."""

ROLLBACK_CONDITIONS: Final = ("H1_DRAWDOWN", "W1_DRAWDOWN")
ROLLBACK_DRAWDOWN: Final = 0.231
"""Above H1's 0.20 and W1's 0.10."""


def build_healthy(root: Path) -> Path:
    """Write ``root/healthy_run``: the daily run of the tiny market at :data:`AS_OF`."""
    bars = generate_market(SYMBOLS, SESSIONS, SEED, end=AS_OF)
    with tempfile.TemporaryDirectory() as scratch:
        market = load_market(write_bars(bars, Path(scratch) / INPUT_NAME))
    market = dataclasses.replace(market, path=Path(INPUT_NAME))
    return run_daily(market, root / HEALTHY, as_of=AS_OF).run_dir


def _activate_in_history(text: str) -> tuple[str, dict[str, int]]:
    """The history with the rollback conditions active at :data:`AS_OF`, and their streaks
    (the trailing run of active sessions ending there)."""
    lines = text.splitlines()
    streaks: dict[str, int] = {}
    for condition in ROLLBACK_CONDITIONS:
        rows = [i for i, line in enumerate(lines) if line.split(",")[1:2] == [condition]]
        assert lines[rows[-1]].startswith(AS_OF.isoformat()), "history must end at AS_OF"
        lines[rows[-1]] = f"{AS_OF.isoformat()},{condition},true"
        run = 0
        for i in reversed(rows):
            if not lines[i].endswith(",true"):
                break
            run += 1
        streaks[condition] = run
    return "\n".join(lines) + "\n", streaks


def build_rollback(root: Path, healthy: Path) -> Path:
    """Write ``root/rollback_run``: ``healthy`` with the documented scenario edit."""
    run_dir = Path(shutil.copytree(healthy, root / ROLLBACK))
    history_path = run_dir / MONITOR_HISTORY_FILE
    history, streaks = _activate_in_history(history_path.read_text(encoding="utf-8"))
    health_path = run_dir / MONITOR_HEALTH_FILE
    health = json.loads(health_path.read_text(encoding="utf-8"))
    for condition in health["conditions"]:
        if condition["id"] in streaks:
            condition.update(active=True, value=ROLLBACK_DRAWDOWN, streak=streaks[condition["id"]])
    hashes = {
        MONITOR_HISTORY_FILE: atomic_write(history_path, history),
        MONITOR_HEALTH_FILE: atomic_write(health_path, canonical_json(health)),
    }
    _rehash(run_dir, hashes)
    return run_dir


def _rehash(run_dir: Path, hashes: dict[str, str]) -> None:
    manifest = read_manifest(run_dir)
    outputs = tuple(
        OutputFile(path=entry.path, sha256=hashes.get(entry.path, entry.sha256))
        for entry in manifest.outputs
    )
    write_document(run_dir, manifest.model_copy(update={"outputs": outputs}))


def build_fixtures(root: Path) -> tuple[Path, Path]:
    """Write both fixture run directories under ``root`` (which must not hold them)."""
    healthy = build_healthy(root)
    return healthy, build_rollback(root, healthy)


def main() -> int:
    for name in (HEALTHY, ROLLBACK):
        shutil.rmtree(FIXTURES / name, ignore_errors=True)
    for run_dir in build_fixtures(FIXTURES):
        print(f"wrote {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
