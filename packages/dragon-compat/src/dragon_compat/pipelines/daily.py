"""The daily pipeline (``dragon daily``): one evening's run after the close.

Steps, in order: load and validate the bars; truncate them at ``as_of`` (default:
the data's last session); compute features once and run the run's branches (RC1's
four, or a branch file's — :mod:`dragon_compat.branch_file`);
write each branch's RC1 files under ``RUN_DIR/branches/<branch>/``; compute and
write the monitor artifacts; write ``daily_manifest.json`` **last**. Every file name
and the manifest's shape come from :mod:`dragon_compat.rundir`. A run that
fails part-way leaves either the previous run of the directory untouched or no
manifest at all (a kill while the files move into place), and without a manifest
governance treats the run as unusable — a half run can never look complete.

Run-directory safety: the pipeline writes a ``.dragon-run.json`` identity marker
(:class:`~dragon_compat.rundir.RunMarker`: the session and every input — bars, side
tables, branch file, policy — with role and sha256) first. It reuses a directory
that is empty, missing, or holds the same run (same session, same inputs); anything
else — another run, one whose inputs changed, or files it did not write — is
refused unless ``force=True``, naming what differs. Dragon temp files
(``.dragon-tmp-*``, the litter of a killed write) do not count as files and are
removed once the directory is accepted. A symbolic link among the paths the run
writes is refused, ``force`` or not (:mod:`dragon_compat.confine`). Re-running the
same day is idempotent and byte-identical.

Every output (branch files, monitor files, manifest) is staged — written in full to a
temp file beside its target — before any is moved into place
(:class:`dragon_compat.writes.StagedFiles`): a failure while computing or writing
(a full disk, an I/O error: exit 2, ``cannot write PATH: REASON``) leaves the previous
run of the directory as it was, manifest included. Only then are the previous
manifest, decision and plan removed and the staged files moved into place, the
manifest last.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from dragon_compat.branch_file import RC1_BRANCH_SET, BranchSet
from dragon_compat.branches import DEMO_ROLES, BranchRoles
from dragon_compat.confine import check_run_paths
from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput, file_sha256
from dragon_compat.monitor import BranchTables, MonitorArtifacts, compute_monitor
from dragon_compat.rundir import (
    BRANCH_FILES,
    DERIVED_FILES,
    MANIFEST_FILE,
    MONITOR_FILES,
    RUN_MARKER_FILE,
    FileDigest,
    InputRole,
    ManifestDocument,
    OutputFile,
    RunMarker,
    branch_dir,
    branch_file,
    marker_changes,
    read_marker,
    write_document,
)
from dragon_compat.versions import DISTRIBUTIONS
from dragon_compat.writes import (
    StagedFiles,
    is_temp_file,
    make_dirs,
    remove_file,
    sweep_temp_files,
)
from dragon_runtime import LoopResult, canonical_json, render_branch_outputs

__all__ = [
    "DAILY_STEPS",
    "DISTRIBUTIONS",
    "DailyRun",
    "check_policy",
    "daily_steps",
    "installed_versions",
    "run_daily",
    "run_inputs",
    "truncate_at",
]

Progress = Callable[[str], None]


def daily_steps(branch_count: int) -> int:
    """Steps a daily run of ``branch_count`` branches reports: load, features, each
    branch, monitor, manifest."""
    return 4 + branch_count


DAILY_STEPS = daily_steps(len(BRANCH_NAMES))
"""Steps of a daily run of RC1's four branches."""


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


def run_inputs(
    market: MarketInput, branches: BranchSet = RC1_BRANCH_SET, policy: Path | None = None
) -> tuple[FileDigest, ...]:
    """Every input of a run, as its marker and manifest record them: the bars, each
    side table (in the order given), the branch file and the policy when there are."""
    inputs = list(market.digests())
    if branches.path is not None and branches.sha256 is not None:
        inputs.append(
            FileDigest(path=str(branches.path), role=InputRole.BRANCHES, sha256=branches.sha256)
        )
    if policy is not None:
        inputs.append(
            FileDigest(path=str(policy), role=InputRole.POLICY, sha256=file_sha256(policy))
        )
    return tuple(inputs)


def check_policy(policy: Path, branches: BranchSet) -> None:
    """Validate a run's policy file before the run, when dragon-governance is installed
    (without it the file is only recorded): a valid policy whose ``fallback_branch``
    is one of the run's branches. Raises :class:`DragonUserError` naming the file."""
    try:
        import dragon_governance
    except ImportError:
        return
    try:
        loaded = dragon_governance.load_policy(policy)
    except dragon_governance.GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from None
    fallback = loaded.values.fallback_branch  # noqa: PD011 - a pydantic model, not pandas
    if fallback not in branches.names:
        raise DragonUserError(
            f"{policy}: fallback_branch {fallback!r} is not a branch of {branches.label} "
            f"({', '.join(branches.names)}); a rollback could not be planned"
        )


def _prepare_run_dir(
    run_dir: Path, identity: RunMarker, force: bool, branches: tuple[str, ...]
) -> None:
    """Refuse to overwrite another run; clear the litter of killed writes; mark the run."""
    if run_dir.exists() and not run_dir.is_dir():
        raise DragonUserError(f"{run_dir}: exists and is not a directory")
    written = _written_paths(branches)
    check_run_paths(run_dir, written)  # first: reading a FIFO marker would block
    if run_dir.is_dir() and _holds_files(run_dir) and not force:
        previous = read_marker(run_dir)
        if previous is None:
            raise DragonUserError(
                f"{run_dir}: not empty and not a Dragon run directory; choose another --out "
                "or pass --force to write into it"
            )
        changes = marker_changes(previous, identity)
        if changes:
            raise DragonUserError(
                f"{run_dir}: holds a different run ({'; '.join(changes)}); pass --force to "
                "overwrite"
            )
    make_dirs(run_dir)
    sweep_temp_files(run_dir)
    write_document(run_dir, identity)


def _holds_files(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds anything but Dragon temp files (a killed write's litter
    does not make a directory foreign)."""
    with os.scandir(run_dir) as entries:
        return any(not is_temp_file(entry) for entry in entries)


def _written_paths(branches: tuple[str, ...]) -> tuple[str, ...]:
    """Every run-relative file a daily run of ``branches`` writes, creates or removes."""
    branch_files = (branch_file(b, name) for b in branches for name in BRANCH_FILES)
    return (RUN_MARKER_FILE, *DERIVED_FILES, *MONITOR_FILES, *branch_files)


def _stage_branch(
    staged: StagedFiles, run_dir: Path, branch: str, result: LoopResult
) -> dict[str, str]:
    """Stage a branch's four RC1 files; ``{run-relative path: sha256}``."""
    texts = render_branch_outputs(
        events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
    )
    folder = make_dirs(branch_dir(run_dir, branch))
    return {branch_file(branch, n): staged.stage(folder / n, text) for n, text in texts.items()}


def _commit(staged: StagedFiles, run_dir: Path, branches: tuple[str, ...]) -> None:
    """Move the staged run into place: first remove what the new run invalidates (the
    previous manifest, decision and plan), then every file in staging order (the
    manifest last). The paths are checked once more just before (see confine)."""
    check_run_paths(run_dir, _written_paths(branches))
    for name in DERIVED_FILES:
        remove_file(run_dir / name)
    staged.commit()


def run_daily(
    market: MarketInput,
    run_dir: Path,
    *,
    as_of: dt.date | None = None,
    force: bool = False,
    roles: BranchRoles = DEMO_ROLES,
    branches: BranchSet = RC1_BRANCH_SET,
    policy: Path | None = None,
    engine: DragonRuleEngine | None = None,
    progress: Progress | None = None,
) -> DailyRun:
    """Run the whole day into ``run_dir`` (see the module docstring).

    ``branches`` are the run's branches (default RC1's four), ``roles`` name three of
    them; ``policy`` is the governance policy file the run is governed by (recorded
    as an input; ``dragon forward`` then uses it). ``progress`` is called with a short
    label before each step. Raises :class:`DragonUserError` for an as-of outside the
    data, a role that is not one of the branches, a run directory that holds another
    run, a symbolic link (or a non-file) among the paths the run writes, and any
    failed write (``cannot write PATH: REASON``).
    """
    step = progress or (lambda _label: None)
    for role in ("candidate", "reference", "control"):
        if getattr(roles, role) not in branches.names:
            raise DragonUserError(
                f"{role} {getattr(roles, role)!r} is not a branch of {branches.label} "
                f"({', '.join(branches.names)})"
            )
    if policy is not None:
        check_policy(policy, branches)
    bars, session = truncate_at(market.bars, as_of, source=market.label)
    identity = RunMarker(as_of=session, inputs=run_inputs(market, branches, policy))
    _prepare_run_dir(run_dir, identity, force, branches.names)

    engine = engine or DragonRuleEngine()
    step("features")
    prepared = engine.prepare(bars)
    results: dict[str, LoopResult] = {}
    outputs: dict[str, str] = {}
    with StagedFiles() as staged:
        for config in branches:
            branch = config.name
            step(f"branch {branch}")
            result = engine.run(branch=config, market=prepared)
            results[branch] = result
            outputs.update(_stage_branch(staged, run_dir, branch, result))

        step("monitor")
        artifacts = compute_monitor(
            {name: BranchTables(r.events, r.trades, r.equity) for name, r in results.items()},
            as_of=session,
            candidate=roles.candidate,
            reference=roles.reference,
            control=roles.control,
        )
        for name, data in artifacts.files().items():
            outputs[name] = staged.stage(run_dir / name, data)

        step("manifest")
        manifest = ManifestDocument(
            as_of=session,
            data_latest_date=bars["trade_date"].max().date(),
            candidate_branch=roles.candidate,
            reference_branch=roles.reference,
            control_branch=roles.control,
            branches=branches.names,
            versions=installed_versions(),
            inputs=identity.inputs,
            outputs=tuple(OutputFile(path=p, sha256=outputs[p]) for p in sorted(outputs)),
            data_quality=market.quality,
        )
        staged.stage(run_dir / MANIFEST_FILE, canonical_json(manifest.to_document()))
        _commit(staged, run_dir, branches.names)
    return DailyRun(
        run_dir=run_dir,
        as_of=session,
        roles=roles,
        results=results,
        manifest=manifest,
        monitor=artifacts,
    )
