"""``evaluate_run``: the in-process API the forward pipeline calls.

It reads RUN_DIR, evaluates G1–G3 and returns the decision; it writes nothing (see
``write_decision`` and ``ledger.append_to_ledger``). Problems inside RUN_DIR never
raise: they are reasons in the returned decision.
"""

from __future__ import annotations

import os
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
from dragon_governance.sources.load import RunSources, load_run_sources

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
    if isinstance(as_of, datetime):
        raise TypeError("as_of must be a datetime.date, not a datetime (it means after the close)")
    root = _run_root(run_dir)
    resolved_policy = resolve_policy(policy)
    cal = calendar if calendar is not None else load_calendar()
    sessions_path = sessions if sessions is not None else resolved_policy.sessions_path
    if sessions_path is not None:
        cal = cal.with_sessions(read_sessions_file(sessions_path))
    evaluation_date = resolve_as_of(as_of, now, cal)
    expected = cal.latest_session_on_or_before(evaluation_date)
    sources = load_run_sources(root)
    values = resolved_policy.values
    ctx = GateContext(
        run_dir=root,
        as_of=evaluation_date,
        expected_session=expected,
        calendar=cal,
        policy=values,
        sources=sources,
    )
    manifest = sources.manifest.model
    return build_decision(
        gates=run_gates(ctx),
        candidate_branch=manifest.candidate_branch if manifest is not None else None,
        fallback_branch=values.fallback_branch,
        as_of=evaluation_date,
        expected_session=expected,
        inputs=_inputs(sources),
        policy=PolicyRecord(
            name=values.name, sha256=resolved_policy.sha256, values=values.thresholds()
        ),
        versions={GOVERNANCE_DIST: __version__, EXCHANGE_CALENDARS_DIST: cal.library_version},
        sessions_file=_sessions_record(cal.extension),
    )
