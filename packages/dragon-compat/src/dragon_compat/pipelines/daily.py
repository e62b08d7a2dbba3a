"""The daily pipeline (``dragon daily``): one evening's run after the close.

Steps, in order: load and validate the bars; truncate them at ``as_of`` (default:
the data's last session); compute features once and run all four RC1 branches;
write each branch's RC1 files under ``RUN_DIR/branches/<branch>/``; compute and
write the monitor artifacts; write ``daily_manifest.json`` **last**. Every file name
and the manifest's shape come from :mod:`dragon_compat.rundir`. A run that
fails part-way therefore never leaves a manifest, and without a manifest
governance treats the run as unusable — a half run can never look complete.

Run-directory safety: the pipeline writes a ``.dragon-run.json`` identity marker
(input sha256 and as-of) first. It reuses a directory that is empty, missing, or
holds the same run (same marker); anything else — another run, or files it did
not write — is refused unless ``force=True``. Re-running the same day is
idempotent and byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dragon_compat.branches import DEMO_ROLES, BranchRoles
from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput
from dragon_compat.monitor import BranchTables, MonitorArtifacts, compute_monitor, write_monitor
from dragon_compat.rundir import (
    DERIVED_FILES,
    RUN_MARKER_FILE,
    FileDigest,
    ManifestDocument,
    OutputFile,
    branch_dir,
    branch_file,
    write_document,
)
from dragon_compat.versions import DISTRIBUTIONS
from dragon_runtime import LoopResult, atomic_write, canonical_json

__all__ = [
    "DAILY_STEPS",
    "DISTRIBUTIONS",
    "DailyRun",
    "installed_versions",
    "run_daily",
    "truncate_at",
]


BUNDLED_INPUT_PREFIX = "bundled-sample/"
"""Manifest input path of the bundled sample (machine-independent)."""

Progress = Callable[[str], None]

DAILY_STEPS = 4 + len(BRANCH_NAMES)
"""Steps a daily run reports: load, features, each branch, monitor, manifest."""


@dataclass(frozen=True, eq=False)
class DailyRun:
    """What one daily run produced: where, for which session, and its results."""

    run_dir: Path
    as_of: dt.date
    roles: BranchRoles
    results: Mapping[str, LoopResult]
    manifest: ManifestDocument
    monitor: MonitorArtifacts


def installed_versions() -> dict[str, str]:
    """``{distribution: version}`` of the installed Dragon distributions."""
    versions: dict[str, str] = {}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return versions


def truncate_at(
    bars: pd.DataFrame, as_of: dt.date | None, *, source: str
) -> tuple[pd.DataFrame, dt.date]:
    """Bars up to the run's session and that session.

    The session is the data's latest session on or before ``as_of`` (default: the
    data's last session). ``bars`` is a normalized frame, sorted by ``trade_date``,
    so the session is found by binary search and the rows kept are a prefix. Raises
    :class:`DragonUserError` when ``as_of`` lies before the first or after the last
    session of the data.
    """
    days = bars["trade_date"].to_numpy(dtype="datetime64[D]")
    first, last = days[0].astype(dt.date), days[-1].astype(dt.date)
    if as_of is None:
        return bars, last
    if not first <= as_of <= last:
        raise DragonUserError(
            f"{source}: --as-of {as_of.isoformat()} is outside the data, which covers "
            f"{first.isoformat()} .. {last.isoformat()}"
        )
    end = int(np.searchsorted(days, np.datetime64(as_of, "D"), side="right"))
    truncated = bars if end == len(bars) else bars.iloc[:end].reset_index(drop=True)
    return truncated, days[end - 1].astype(dt.date)


def _input_path(market: MarketInput) -> str:
    return f"{BUNDLED_INPUT_PREFIX}{market.path.name}" if market.bundled else str(market.path)


def _prepare_run_dir(run_dir: Path, identity: Mapping[str, Any], force: bool) -> None:
    """Refuse to overwrite another run; clear what a new run invalidates."""
    if run_dir.exists() and not run_dir.is_dir():
        raise DragonUserError(f"{run_dir}: exists and is not a directory")
    marker = run_dir / RUN_MARKER_FILE
    if run_dir.is_dir() and any(run_dir.iterdir()) and not force:
        previous = _read_marker(marker)
        if previous is None:
            raise DragonUserError(
                f"{run_dir}: not empty and not a Dragon run directory; choose another --out "
                "or pass --force to write into it"
            )
        if previous != identity:
            raise DragonUserError(
                f"{run_dir}: holds a different run (as_of {previous.get('as_of')}, input "
                f"sha256 {str(previous.get('input_sha256'))[:12]}…); pass --force to overwrite"
            )
    run_dir.mkdir(parents=True, exist_ok=True)
    for name in DERIVED_FILES:
        (run_dir / name).unlink(missing_ok=True)
    atomic_write(marker, canonical_json(dict(identity)))


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def run_daily(
    market: MarketInput,
    run_dir: Path,
    *,
    as_of: dt.date | None = None,
    force: bool = False,
    roles: BranchRoles = DEMO_ROLES,
    engine: DragonRuleEngine | None = None,
    progress: Progress | None = None,
) -> DailyRun:
    """Run the whole day into ``run_dir`` (see the module docstring).

    ``progress`` is called with a short label before each step. Raises
    :class:`DragonUserError` for an as-of outside the data or a run directory that
    holds another run.
    """
    step = progress or (lambda _label: None)
    bars, session = truncate_at(market.bars, as_of, source=market.label)
    identity = {"as_of": session.isoformat(), "input_sha256": market.sha256}
    _prepare_run_dir(run_dir, identity, force)

    engine = engine or DragonRuleEngine()
    step("features")
    prepared = engine.prepare(bars)
    results: dict[str, LoopResult] = {}
    outputs: dict[str, str] = {}
    for branch in BRANCH_NAMES:
        step(f"branch {branch}")
        result = engine.run(branch=branch, market=prepared)
        results[branch] = result
        hashes = engine.write(result, branch_dir(run_dir, branch))
        outputs.update({branch_file(branch, name): digest for name, digest in hashes.items()})

    step("monitor")
    artifacts = compute_monitor(
        {name: BranchTables(r.events, r.trades, r.equity) for name, r in results.items()},
        as_of=session,
        candidate=roles.candidate,
        reference=roles.reference,
        control=roles.control,
    )
    monitor_files = write_monitor(run_dir, artifacts)
    outputs.update(monitor_files)

    step("manifest")
    manifest = ManifestDocument(
        as_of=session,
        data_latest_date=bars["trade_date"].max().date(),
        candidate_branch=roles.candidate,
        reference_branch=roles.reference,
        control_branch=roles.control,
        branches=tuple(BRANCH_NAMES),
        versions=installed_versions(),
        inputs=(FileDigest(path=_input_path(market), sha256=market.sha256),),
        outputs=tuple(OutputFile(path=path, sha256=outputs[path]) for path in sorted(outputs)),
    )
    write_document(run_dir, manifest)
    return DailyRun(
        run_dir=run_dir,
        as_of=session,
        roles=roles,
        results=results,
        manifest=manifest,
        monitor=artifacts,
    )
