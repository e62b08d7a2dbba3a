"""The replay pipeline (``dragon replay``): every session's rollout decision over a span,
in one pass.

Steps: load the bars and cut them at ``last``; compute features once and run the run's
branches once over all of it; then for each session ``s`` in ``[first, last]``:

1. the branch files of the run cut at ``s`` — their sha256, from
   :class:`dragon_compat.run_prefix.BranchPrefixes` (the long run's prefix plus the
   session's end-of-data expiries; never re-run);
2. the monitor at ``s`` (:func:`dragon_compat.monitor.monitor_at`, the tables reduced
   once) and its four files' bytes;
3. the manifest ``dragon daily --as-of s`` would write (the same inputs, roles,
   versions and outputs);
4. for each policy, dragon-governance's decision over those bytes at ``s``
   (``evaluate_artifacts``: what ``dragon-governance check --as-of s --policy P`` gives
   over that run directory — byte for byte, which the tests prove).

Nothing per session touches the disk. The session's run is ``dragon daily`` *without*
``--policy`` (a policy is governance's choice at check time, so every policy judges the
same runs). Each policy's decisions then go through its replay ledger, from which the
rollout state and the active branch come; see :mod:`dragon_compat.replaydir` for the
files written and :mod:`dragon_compat.replay_summary` for the summary.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dragon_compat.branch_file import RC1_BRANCH_SET, BranchSet
from dragon_compat.branches import DEMO_ROLES, BranchRoles
from dragon_compat.confine import check_run_paths
from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput
from dragon_compat.monitor import BranchTables, monitor_at, monitor_inputs
from dragon_compat.pipelines.daily import (
    daily_manifest,
    installed_versions,
    run_inputs,
    truncate_at,
)
from dragon_compat.replay_summary import ReplayRow, policy_summary, row_cells
from dragon_compat.replaydir import (
    DECISION_COLUMNS,
    DECISIONS_FILE,
    DIFFERENCES_FILE,
    REPLAY_SUMMARY_SCHEMA,
    SUMMARY_FILE,
    ledger_file,
)
from dragon_compat.run_prefix import BranchPrefixes
from dragon_compat.rundir import MANIFEST_FILE, branch_file
from dragon_compat.writes import StagedFiles, make_dirs, remove_file
from dragon_runtime import LoopResult, canonical_json

if TYPE_CHECKING:
    from dragon_governance import Policy, RolloutDecision, SessionCalendar

__all__ = [
    "GOVERNANCE_EXTRA_HINT",
    "PolicyDecisions",
    "Replay",
    "ReplayedSession",
    "ReplayedSpan",
    "SessionEvaluation",
    "by_policy",
    "load_policies",
    "replay_sessions",
    "require_governance",
    "run_replay",
]

Progress = Callable[[str], None]

GOVERNANCE_EXTRA_HINT = "pip install 'dragon-compat[governance]'"


def require_governance() -> Any:
    """``dragon_governance``, or a :class:`DragonUserError` (exit 2) naming the extra."""
    try:
        import dragon_governance
    except ImportError:
        raise DragonUserError(
            "dragon replay needs dragon-governance, which is not installed: "
            f"{GOVERNANCE_EXTRA_HINT}"
        ) from None
    return dragon_governance


@dataclass(frozen=True, eq=False)
class SessionEvaluation:
    """One session of the replay: the run's files as bytes or digests, and the decision
    of each policy over them."""

    session: dt.date
    files: dict[str, bytes]
    """The governance sources (manifest and the monitor's four files) by file name."""
    outputs: dict[str, str]
    """Every output of the session's run (run-relative path → sha256)."""
    decisions: tuple[RolloutDecision, ...]
    """One per policy, in the order the policies were given."""


@dataclass(frozen=True, eq=False)
class ReplayedSpan:
    """Every session's evaluation, in order, and the branch runs they were cut from."""

    evaluations: tuple[SessionEvaluation, ...]
    prefixes: dict[str, BranchPrefixes]

    def run_files(self, index: int = -1) -> dict[str, bytes]:
        """Every file of the run directory of evaluation ``index`` (default the last),
        by run-relative path: the branch files, the monitor's and the manifest."""
        evaluation = self.evaluations[index]
        position = {name: int(np.searchsorted(p.sessions, np.datetime64(evaluation.session)))
                    for name, p in self.prefixes.items()}  # fmt: skip
        files = {
            branch_file(name, file): data
            for name, prefix in self.prefixes.items()
            for file, data in prefix.files(position[name]).items()
        }
        return {**files, **evaluation.files}


@dataclass(frozen=True, eq=False)
class ReplayedSession:
    """One policy's decision at one session."""

    session: dt.date
    decision: RolloutDecision


@dataclass(frozen=True, eq=False)
class PolicyDecisions:
    """Every session's decision under one policy."""

    name: str
    policy: Policy
    sessions: tuple[ReplayedSession, ...]


def _start(days: np.ndarray, first: dt.date) -> int:
    """Index of the first session on or after ``first`` (the span holds one: see
    :func:`_clamped`)."""
    return int(np.searchsorted(days, np.datetime64(first, "D"), "left"))


def _clamped(market: MarketInput, first: dt.date, last: dt.date) -> dt.date:
    """``last``, or the data's last session when ``last`` lies after it (a span may
    reach past the data); a span that ends before the data begins has no session."""
    if first > last:
        raise DragonUserError(
            f"--from {first.isoformat()} is after --to {last.isoformat()}: nothing to replay"
        )
    days = market.bars["trade_date"]
    data_first, data_last = days.iloc[0].date(), days.iloc[-1].date()
    if last < data_first or first > data_last:
        raise DragonUserError(
            f"{market.label}: no session in {first.isoformat()} .. {last.isoformat()} "
            f"(the data covers {data_first.isoformat()} .. {data_last.isoformat()})"
        )
    return min(last, data_last)


_POLICY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""A policy name a replay accepts: it names the policy's ledger file."""


def _check_policies(governance: Any, policies: Sequence[Policy], branches: BranchSet) -> None:
    names = [p.values.name for p in policies]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DragonUserError(
            f"two policies are named {repeated[0]!r}: give each policy file a distinct name "
            "(the replay's columns and ledgers are named after it)"
        )
    for policy in policies:
        fallback = policy.values.fallback_branch
        if fallback not in branches.names:
            raise DragonUserError(
                f"policy {policy.values.name!r}: fallback_branch {fallback!r} is not a branch "
                f"of {branches.label} ({', '.join(branches.names)})"
            )


def load_policies(governance: Any, paths: Sequence[Path]) -> tuple[Policy, ...]:
    """The policies of ``--policy`` (the built-in rc1-default when none); a bad file is a
    :class:`DragonUserError` naming it."""
    try:
        if not paths:
            return (governance.builtin_policy(),)
        return tuple(governance.load_policy(path) for path in paths)
    except governance.GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from None


def replay_sessions(
    market: MarketInput,
    *,
    first: dt.date,
    last: dt.date,
    policies: Sequence[Policy],
    roles: BranchRoles = DEMO_ROLES,
    branches: BranchSet = RC1_BRANCH_SET,
    calendar: SessionCalendar | None = None,
    engine: DragonRuleEngine | None = None,
    progress: Progress | None = None,
) -> ReplayedSpan:
    """Every session's evaluation in ``[first, last]`` (module docstring), one per
    session in order. Raises :class:`DragonUserError` for a span outside the data or
    without a session, a role that is not a branch, and policies with the same name or a
    fallback that is not a branch."""
    governance = require_governance()
    step = progress or (lambda _label: None)
    _check_policies(governance, policies, branches)
    bars, session = truncate_at(market.bars, _clamped(market, first, last), source=market.label)
    engine = engine or DragonRuleEngine()
    step("features")
    prepared = engine.prepare(bars)
    results: dict[str, LoopResult] = {}
    for config in branches:
        step(f"branch {config.name}")
        results[config.name] = engine.run(branch=config, market=prepared)
    step("sessions")
    prefixes = {
        name: BranchPrefixes(result, initial_capital_c=engine.loop_config.initial_capital_c)
        for name, result in results.items()
    }
    days = prefixes[roles.candidate].sessions
    start, end = _start(days, first), days.size
    inputs = monitor_inputs(
        {n: BranchTables(r.events, r.trades, r.equity) for n, r in results.items()},
        upto=session,
        candidate=roles.candidate,
        reference=roles.reference,
        control=roles.control,
    )
    cal = calendar if calendar is not None else governance.load_calendar()
    shared = _ManifestParts(market, roles, branches)
    digests = {name: prefix.digests(start) for name, prefix in prefixes.items()}
    parses = governance.HistoryParses()  # each session's history extends the last one's
    evaluations = []
    for k in range(start, end):
        day = days[k].astype(dt.date)
        outputs = {
            branch_file(name, file): sha
            for name in branches.names
            for file, sha in next(digests[name]).items()
        }
        files = monitor_at(inputs, day).files()
        outputs.update({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
        files[MANIFEST_FILE] = shared.manifest_bytes(day, outputs)
        try:
            decisions = tuple(
                governance.evaluate_artifacts(
                    files,
                    outputs=outputs,
                    as_of=day,
                    policy=policy,
                    calendar=cal,
                    label=f"session {day.isoformat()}",
                    parses=parses,
                )
                for policy in policies
            )
        except governance.GovernanceUserError as err:
            raise DragonUserError(err.message, exit_code=err.exit_code) from None
        evaluations.append(SessionEvaluation(day, files, outputs, decisions))
    return ReplayedSpan(tuple(evaluations), prefixes)


class _ManifestParts:
    """What every session's manifest shares: the market, roles, branches, versions, inputs."""

    def __init__(self, market: MarketInput, roles: BranchRoles, branches: BranchSet) -> None:
        self.market = market
        self.roles = roles
        self.branches = branches
        self.versions = installed_versions()
        self.inputs = run_inputs(market, branches)

    def manifest_bytes(self, day: dt.date, outputs: dict[str, str]) -> bytes:
        """``daily_manifest.json`` of ``dragon daily --as-of day``."""
        manifest = daily_manifest(
            self.market,
            as_of=day,
            data_latest_date=day,
            roles=self.roles,
            branches=self.branches,
            inputs=self.inputs,
            outputs=outputs,
            versions=self.versions,
        )
        return canonical_json(manifest.to_document()).encode()


def by_policy(
    policies: Sequence[Policy], evaluations: Sequence[SessionEvaluation]
) -> tuple[PolicyDecisions, ...]:
    """The evaluations regrouped: every session's decision, per policy."""
    return tuple(
        PolicyDecisions(
            name=policy.values.name,
            policy=policy,
            sessions=tuple(ReplayedSession(e.session, e.decisions[i]) for e in evaluations),
        )
        for i, policy in enumerate(policies)
    )


@dataclass(frozen=True, eq=False)
class Replay:
    """What ``dragon replay`` produced: the rows and summaries per policy, and where."""

    out_dir: Path
    first: dt.date
    last: dt.date
    roles: BranchRoles
    policies: tuple[str, ...]
    rows: dict[str, tuple[ReplayRow, ...]]
    summary: dict[str, Any]
    written: tuple[Path, ...]
    span: ReplayedSpan | None = None
    """The sessions' evaluations and the branch runs (for ``--report``)."""

    def require_span(self) -> ReplayedSpan:
        """The evaluations and branch runs (always set by :func:`run_replay`)."""
        if self.span is None:
            raise ValueError("this replay keeps no evaluations")
        return self.span

    def policy_summary(self, name: str) -> dict[str, Any]:
        """The summary of the policy named ``name`` (``summary.json``'s entry)."""
        found: dict[str, Any] = next(p for p in self.summary["policies"] if p["policy"] == name)
        return found

    def differences(self) -> list[tuple[dt.date, tuple[str, ...]]]:
        """Sessions where the policies' decisions differ, with each policy's decision."""
        columns = [self.rows[name] for name in self.policies]
        out = []
        for cells in zip(*columns, strict=True):
            decisions = tuple(row.decision for row in cells)
            if len(set(decisions)) > 1:
                out.append((cells[0].session, decisions))
        return out


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """RFC 4180 text with ``\\n`` line ends (a cell is quoted only when it must be)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Accept a missing or empty directory, or one holding a replay (its summary)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DragonUserError(f"{out_dir}: exists and is not a directory")
    if not out_dir.is_dir() or force:
        return
    if any(out_dir.iterdir()) and not (out_dir / SUMMARY_FILE).is_file():
        raise DragonUserError(
            f"{out_dir}: not empty and not a replay directory; choose another --out "
            "or pass --force to write into it"
        )


def _remove_stale(out_dir: Path, written: set[str]) -> None:
    """Remove what an earlier replay of the directory wrote and this one did not (the
    ledger of a policy no longer given, the differences of a single-policy replay)."""
    stale = [*out_dir.glob(ledger_file("*")), out_dir / DIFFERENCES_FILE]
    for path in stale:
        if path.name not in written and path.is_file():
            remove_file(path)


def run_replay(
    market: MarketInput,
    out_dir: Path,
    *,
    first: dt.date,
    last: dt.date,
    policies: Sequence[Policy],
    roles: BranchRoles = DEMO_ROLES,
    branches: BranchSet = RC1_BRANCH_SET,
    force: bool = False,
    progress: Progress | None = None,
) -> Replay:
    """Replay ``[first, last]`` under each policy and write the replay directory
    (:mod:`dragon_compat.replaydir`) all or nothing. Raises :class:`DragonUserError` as
    :func:`replay_sessions` does, for a directory that holds something else, and for a
    failed write (``cannot write PATH: REASON``)."""
    from dragon_compat.replay_ledger import replay_ledger

    _prepare_out_dir(out_dir, force)
    span = replay_sessions(
        market,
        first=first,
        last=last,
        policies=policies,
        roles=roles,
        branches=branches,
        progress=progress,
    )
    evaluations = span.evaluations
    step = progress or (lambda _label: None)
    step("ledgers")
    rows: dict[str, tuple[ReplayRow, ...]] = {}
    files: dict[str, bytes | str] = {}
    for replayed in by_policy(policies, evaluations):
        ledger, rows[replayed.name] = replay_ledger(replayed)
        files[ledger_file(replayed.name)] = ledger
    names = tuple(rows)
    all_rows = [row_cells(row) for name in names for row in rows[name]]
    files[DECISIONS_FILE] = _csv(DECISION_COLUMNS, all_rows)
    replay = Replay(
        out_dir=out_dir,
        first=evaluations[0].session,
        last=evaluations[-1].session,
        roles=roles,
        policies=names,
        rows=rows,
        summary={},
        written=(),
    )
    if len(names) > 1:
        files[DIFFERENCES_FILE] = _csv(
            ("session", *names),
            [(day.isoformat(), *decisions) for day, decisions in replay.differences()],
        )
    summary = {
        "schema": REPLAY_SUMMARY_SCHEMA,
        "first_session": replay.first.isoformat(),
        "last_session": replay.last.isoformat(),
        "candidate_branch": roles.candidate,
        "reference_branch": roles.reference,
        "control_branch": roles.control,
        "policies": [{"policy": name, **policy_summary(rows[name])} for name in names],
        "differing_sessions": len(replay.differences()) if len(names) > 1 else 0,
    }
    files[SUMMARY_FILE] = canonical_json(summary)
    step("write")
    check_run_paths(out_dir, tuple(files))  # no symbolic link among the files written
    make_dirs(out_dir)
    with StagedFiles() as staged:
        for name, data in files.items():
            staged.stage(out_dir / name, data)
        staged.commit()
    _remove_stale(out_dir, set(files))
    return replace(
        replay, summary=summary, written=tuple(out_dir / name for name in files), span=span
    )
