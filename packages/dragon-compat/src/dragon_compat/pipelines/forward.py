"""The forward pipeline (``dragon forward``): the plan for the next session.

Reads a complete daily run (its ``daily_manifest.json``) and writes
``RUN_DIR/forward_plan.json``: the active branch's orders for the next XSHG
session — the ENTER_SIGNAL entries and EXIT_SIGNAL exits signalled at the run's
close — together with the governance decision and the mode it was taken in.
Orders are read only from an ``events.csv`` whose sha256 matches the manifest.
The manifest is read, and the plan written, as :mod:`dragon_compat.rundir`'s typed
documents (``ManifestDocument``, strict; ``ForwardPlanDocument``, schema
``dragon.forward_plan/2`` with numbers as JSON numbers).

Modes (governance.md, "Forward pipeline integration"):

- ``enforce`` — evaluate the rollout gates in-process; the active branch is the
  decision's recommended branch (the fallback on ROLLBACK_REVIEW_REQUIRED).
- ``shadow`` — evaluate and record the decision, but keep the candidate active.
- ``off`` — standalone: dragon_governance is not imported at all (the rollback
  plan's switch when governance itself is the problem); the candidate is active.

The governance evaluation date is the run's own session (after its close), so a
plan is reproducible: same run directory, same mode ⇒ byte-identical plan.

The next session comes from :mod:`dragon_compat.sessions`: exchange-calendars, or the
operator's session list (``sessions=FILE``, read by compat itself so mode ``off``
never imports governance; in enforce and shadow the same file is handed to
``dragon_governance.evaluate_run``). It is found before anything is written, so a
calendar that has ended is an error (naming ``--sessions FILE``) with no decision
written; a calendar ending within 30 sessions gives the plan a ``notice``.

Confinement (:mod:`dragon_compat.confine`): a symbolic link at the manifest, the
decision, the plan or on the way to the active branch's ``events.csv`` is refused
(exit 2) before governance runs or anything is written. A failed write is exit 2,
``cannot write PATH: REASON``; the plan file is only ever replaced whole, so the
previous plan survives it (the decision, written first, may then be newer than the
plan — the plan records the decision id it was made with).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dragon_compat.confine import check_run_paths
from dragon_compat.errors import DragonUserError
from dragon_compat.rundir import (
    DECISION_FILE,
    EVENTS_FILE,
    FORWARD_PLAN_FILE,
    MANIFEST_FILE,
    EntryOrder,
    ExitOrder,
    ForwardPlanDocument,
    GovernanceMode,
    ManifestDocument,
    PlanGovernance,
    PlanOrders,
    branch_dir,
    branch_file,
    read_manifest,
    write_document,
)
from dragon_compat.sessions import SessionList, next_session, read_sessions
from dragon_compat.writes import cannot_write

if TYPE_CHECKING:
    from dragon_governance import RolloutDecision

__all__ = [
    "GOVERNANCE_EXTRA_HINT",
    "ForwardPlan",
    "GovernanceMode",
    "run_forward",
]

GOVERNANCE_EXTRA_HINT = "pip install 'dragon-compat[governance]'"


@dataclass(frozen=True, eq=False)
class ForwardPlan:
    """The plan written to ``forward_plan.json`` (``plan``), where (``path``), and the
    notice to show when the known sessions end soon (None when they do not)."""

    path: Path
    plan: ForwardPlanDocument
    notice: str | None = None

    @property
    def document(self) -> dict[str, Any]:
        """The plan's JSON value, as written to the file."""
        return self.plan.to_document()

    @property
    def active_branch(self) -> str:
        return self.plan.active_branch


def _verified_events(run_dir: Path, branch: str, manifest: ManifestDocument) -> Path:
    """The branch's ``events.csv``, checked against the sha256 the manifest recorded.

    Orders are only ever planned from the file the run wrote: an edited or damaged
    file (which governance reports as OUTPUT_HASH_MISMATCH, and mode ``off`` would
    not see) is a user error, never a plan.
    """
    from dragon_compat.market_input import file_sha256

    relative = branch_file(branch, EVENTS_FILE)
    check_run_paths(run_dir, (relative,))
    path = branch_dir(run_dir, branch) / EVENTS_FILE
    recorded = manifest.output_sha256(relative)
    if recorded is None:
        raise DragonUserError(f"{run_dir / MANIFEST_FILE}: outputs do not list {relative}")
    if not path.is_file():
        raise DragonUserError(f"{path}: missing — the run directory is incomplete")
    if file_sha256(path) != recorded:
        raise DragonUserError(
            f"{path}: sha256 differs from the one recorded in {MANIFEST_FILE} (changed or "
            "damaged after the run); re-run `dragon daily`"
        )
    return path


def _number(text: str) -> float | None:
    """An events.csv number (its exact text as a float; JSON writes it back unchanged),
    or None for the empty text of a null."""
    return float(text) if text else None


def _orders(run_dir: Path, branch: str, as_of: dt.date, manifest: ManifestDocument) -> PlanOrders:
    """The branch's ENTER_SIGNAL and EXIT_SIGNAL events at the ``as_of`` close.

    events.csv is read as text, so each number is taken from the digits the file
    holds (prices ``%.2f`` from exact cents, scores ``%.6f``), never re-rounded.
    """
    import pandas as pd

    path = _verified_events(run_dir, branch, manifest)
    try:
        events = pd.read_csv(path, dtype=str, keep_default_na=False)
        today = events[(events["trade_date"] == as_of.isoformat()) & (events["phase"] == "CLOSE")]
        entries = today[today["event_type"] == "ENTER_SIGNAL"]
        exits = today[today["event_type"] == "EXIT_SIGNAL"]
        return PlanOrders(
            entries=tuple(
                EntryOrder(
                    symbol=str(row.symbol),
                    rank=int(str(row.rank)),
                    board_height=int(str(row.board_height)),
                    alpha_score=_number(str(row.alpha_score)),
                    close=float(str(row.price)),
                    predicates=str(row.predicates),
                )
                for row in entries.itertuples(index=False)
            ),
            exits=tuple(
                ExitOrder(
                    symbol=str(row.symbol), shares=int(str(row.shares)), reason=str(row.reason_code)
                )
                for row in exits.itertuples(index=False)
            ),
        )
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise DragonUserError(f"{path}: cannot read the branch's events ({err})") from None


def _evaluate(
    run_dir: Path,
    as_of: dt.date,
    ledger: Path | None,
    policy: Path | None,
    sessions: SessionList | None,
) -> RolloutDecision:
    try:
        import dragon_governance
    except ImportError:
        raise DragonUserError(
            f"governance modes enforce/shadow need dragon-governance, which is not installed: "
            f"{GOVERNANCE_EXTRA_HINT} (or run with --governance off)"
        ) from None
    decision_path = run_dir / DECISION_FILE
    try:
        decision = _evaluate_run(dragon_governance, run_dir, as_of, policy, sessions)
        dragon_governance.write_decision(decision, decision_path)
        if ledger is not None:
            dragon_governance.append_to_ledger(ledger, decision)
    except dragon_governance.GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from err
    except OSError as err:  # write_decision: a full disk, read-only storage, ...
        raise cannot_write(decision_path, err) from None
    return decision


def _evaluate_run(
    governance: Any,
    run_dir: Path,
    as_of: dt.date,
    policy: Path | None,
    sessions: SessionList | None,
) -> RolloutDecision:
    """``dragon_governance.evaluate_run`` over the run at ``as_of``; an operator's
    session list is handed over as the same file (dragon-governance's ``sessions``
    parameter, which reads it in the same format)."""
    options: dict[str, Any] = {} if sessions is None else {"sessions": sessions.path}
    decision: RolloutDecision = governance.evaluate_run(
        run_dir, as_of=as_of, policy=policy, **options
    )
    return decision


def run_forward(
    run_dir: Path,
    mode: GovernanceMode,
    *,
    ledger: Path | None = None,
    policy: Path | None = None,
    sessions: Path | None = None,
) -> ForwardPlan:
    """Write ``forward_plan.json`` for ``run_dir`` in ``mode`` (see the module docstring).

    The manifest is read strictly (:func:`dragon_compat.rundir.read_manifest`): a
    manifest with a wrong field is a :class:`DragonUserError` naming it, before any
    decision or plan is written. So are a bad ``sessions`` file, a calendar that knows
    no session after the run, and a symbolic link at a path the pipeline reads or
    writes; a failed write is ``cannot write PATH: REASON``.
    """
    check_run_paths(run_dir, (MANIFEST_FILE, DECISION_FILE, FORWARD_PLAN_FILE))
    manifest = read_manifest(run_dir)
    session_list = read_sessions(sessions) if sessions is not None else None
    following = next_session(manifest.as_of, session_list)
    governance: PlanGovernance | None = None
    active = manifest.candidate_branch
    if mode is not GovernanceMode.OFF:
        decision = _evaluate(run_dir, manifest.as_of, ledger, policy, session_list)
        governance = PlanGovernance(
            decision=str(decision.decision),
            decision_id=decision.decision_id,
            recommended_branch=decision.recommended_branch,
            fallback_branch=decision.fallback_branch,
            file=DECISION_FILE,
        )
        if mode is GovernanceMode.ENFORCE:
            active = decision.recommended_branch
    if active not in manifest.branches:
        raise DragonUserError(
            f"{run_dir / MANIFEST_FILE}: branch {active!r} was not produced by this run"
        )
    plan = ForwardPlanDocument(
        as_of=manifest.as_of,
        next_session=following.day,
        mode=mode,
        candidate_branch=manifest.candidate_branch,
        active_branch=active,
        governance=governance,
        orders=_orders(run_dir, active, manifest.as_of, manifest),
    )
    return ForwardPlan(path=write_document(run_dir, plan), plan=plan, notice=following.notice)
