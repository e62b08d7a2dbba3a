"""``evaluate_run``: the in-process API the forward pipeline calls; ``evaluate_artifacts``:
the same evaluation over a run held in memory (``dragon replay``).

``evaluate_run`` reads RUN_DIR, evaluates G1–G3 and returns the decision; it writes
nothing (see ``write_decision`` and ``ledger.append_to_ledger``). Problems inside
RUN_DIR never raise: they are reasons in the returned decision.
``evaluate_artifacts`` takes the sources' bytes and the outputs' sha256 instead of a
directory and gives the decision ``evaluate_run`` would give for those files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from dragon_governance.__about__ import __version__
from dragon_governance.as_of import resolve_as_of
from dragon_governance.decision import (
    InputRecord,
    PolicyRecord,
    RolloutDecision,
    SessionsFileRecord,
    build_decision,
)
from dragon_governance.errors import RunDirError
from dragon_governance.gates import GateContext, run_gates
from dragon_governance.policy import Policy, builtin_policy, load_policy
from dragon_governance.session_calendar import (
    EXCHANGE_CALENDARS_DIST,
    SessionCalendar,
    load_calendar,
)
from dragon_governance.sessions_file import SessionsFile, read_sessions_file
from dragon_governance.sources.history import HistoryParses
from dragon_governance.sources.load import RunSources, load_run_sources, sources_from_bytes

GOVERNANCE_DIST = "dragon-governance"


def resolve_policy(policy: Policy | str | os.PathLike[str] | None) -> Policy:
    """``policy`` as a ``Policy``: itself, the file it names, or (None) the built-in one."""
    if policy is None:
        return builtin_policy()
    if isinstance(policy, Policy):
        return policy
    return load_policy(policy)


def _inputs(sources: RunSources) -> list[InputRecord]:
    return [
        InputRecord(
            name=loaded.spec.name,
            path=loaded.spec.filename,
            present=loaded.present,
            sha256=loaded.sha256,
        )
        for loaded in sources.all()
    ]


def _sessions_record(file: SessionsFile | None) -> SessionsFileRecord | None:
    if file is None:
        return None
    return SessionsFileRecord(
        sha256=file.sha256,
        first_session=file.first_session,
        last_session=file.last_session,
        sessions=len(file.sessions),
    )


def _run_root(run_dir: str | os.PathLike[str]) -> Path:
    if os.fspath(run_dir) == "":
        raise RunDirError(
            "the run directory is an empty string: give its path ('.' for the current directory)"
        )
    root = Path(run_dir)
    if not root.is_dir():
        raise RunDirError(f"run directory {root} does not exist or is not a directory")
    return root


def evaluate_run(
    run_dir: str | os.PathLike[str],
    *,
    as_of: date | None = None,
    policy: Policy | str | os.PathLike[str] | None = None,
    now: datetime | None = None,
    calendar: SessionCalendar | None = None,
    sessions: str | os.PathLike[str] | None = None,
) -> RolloutDecision:
    """Evaluate the gates over ``run_dir`` and return the rollout decision.

    - ``as_of``: the evaluation date ("after its close"); default: derived from
      ``now`` (timezone-aware; default the wall clock) in the exchange's zone — before
      the 15:00 close the previous day.
    - ``policy``: a ``Policy``, a path to a policy TOML file, or None for the built-in
      ``rc1-default``.
    - ``calendar``: the XSHG session calendar; default ``load_calendar()`` (the
      per-user cache, see ``session_calendar``).
    - ``sessions``: a sessions file (see ``sessions_file``) whose sessions replace the
      calendar's from its first date on; default the policy's ``sessions_file``, if
      any. When one is used the decision records it (``sessions_file``: sha256, span).

    Raises ``RunDirError`` when ``run_dir`` is empty or not a directory,
    ``PolicyError`` for an unreadable or invalid policy file and ``SessionsFileError``
    for a bad sessions file (all ``GovernanceUserError``, exit 2); ``TypeError`` when
    ``as_of`` is a ``datetime`` (a date is meant: "after its close").
    """
    _check_as_of(as_of)
    root = _run_root(run_dir)
    resolved_policy = resolve_policy(policy)
    cal = _calendar(calendar, resolved_policy, sessions)
    return _evaluate(
        root, load_run_sources(root), None, resolve_as_of(as_of, now, cal), resolved_policy, cal
    )


def evaluate_artifacts(
    files: Mapping[str, bytes],
    *,
    outputs: Mapping[str, str],
    as_of: date,
    policy: Policy | str | os.PathLike[str] | None = None,
    calendar: SessionCalendar | None = None,
    sessions: str | os.PathLike[str] | None = None,
    label: str = "memory",
    parses: HistoryParses | None = None,
) -> RolloutDecision:
    """Evaluate the gates over a run held in memory, never written to disk.

    ``files`` maps each source's file name (``daily_manifest.json``,
    ``monitor_health.json``, ...) to its bytes — a name left out is a missing source;
    ``outputs`` maps each run-relative path the run produced to the sha256 of its
    bytes (what G1 checks the manifest's ``outputs`` against). The decision is
    byte-for-byte the one :func:`evaluate_run` gives for a run directory holding those
    bytes at ``as_of`` (the same policy, calendar and sessions file): a replay
    evaluates every session of a history this way. ``label`` names the run in the
    messages of a missing source. ``parses`` (a ``HistoryParses``, one per sequence of
    calls) lets successive calls whose ``monitor_history.csv`` extends the previous
    call's parse only the new lines — a replay's sessions; the decision is the same.
    Raises as :func:`evaluate_run` does for a bad policy or sessions file and for a
    ``datetime`` ``as_of``.
    """
    _check_as_of(as_of)
    resolved_policy = resolve_policy(policy)
    cal = _calendar(calendar, resolved_policy, sessions)
    sources = sources_from_bytes(files, label=label, parses=parses)
    evaluation_date = resolve_as_of(as_of, None, cal)
    return _evaluate(Path(label), sources, outputs, evaluation_date, resolved_policy, cal)


def _check_as_of(as_of: date | None) -> None:
    if isinstance(as_of, datetime):
        raise TypeError("as_of must be a datetime.date, not a datetime (it means after the close)")


def _calendar(
    calendar: SessionCalendar | None, policy: Policy, sessions: str | os.PathLike[str] | None
) -> SessionCalendar:
    """The evaluation's calendar: ``calendar`` (default the cached XSHG calendar)
    extended by ``sessions`` (default the policy's sessions file)."""
    cal = calendar if calendar is not None else load_calendar()
    sessions_path = sessions if sessions is not None else policy.sessions_path
    if sessions_path is not None:
        cal = cal.with_sessions(read_sessions_file(sessions_path))
    return cal


def _evaluate(  # noqa: PLR0917 - private, one call site per public entry point
    root: Path,
    sources: RunSources,
    output_digests: Mapping[str, str] | None,
    evaluation_date: date,
    policy: Policy,
    cal: SessionCalendar,
) -> RolloutDecision:
    """G1–G3 over ``sources`` and the decision they give."""
    expected = cal.latest_session_on_or_before(evaluation_date)
    values = policy.values
    ctx = GateContext(
        run_dir=root,
        as_of=evaluation_date,
        expected_session=expected,
        calendar=cal,
        policy=values,
        sources=sources,
        output_digests=output_digests,
    )
    manifest = sources.manifest.model
    return build_decision(
        gates=run_gates(ctx),
        candidate_branch=manifest.candidate_branch if manifest is not None else None,
        fallback_branch=values.fallback_branch,
        as_of=evaluation_date,
        expected_session=expected,
        inputs=_inputs(sources),
        policy=PolicyRecord(name=values.name, sha256=policy.sha256, values=values.thresholds()),
        versions={GOVERNANCE_DIST: __version__, EXCHANGE_CALENDARS_DIST: cal.library_version},
        sessions_file=_sessions_record(cal.extension),
    )
