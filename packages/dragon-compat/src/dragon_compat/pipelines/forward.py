"""The forward pipeline (``dragon forward``): the plan for the next session.

Reads a complete daily run (its ``daily_manifest.json``) and writes
``RUN_DIR/forward_plan.json``: the active branch's orders for the next XSHG
session — the ENTER_SIGNAL entries and the exits signalled at the run's close —
sized as the runtime will size them at the next open (:mod:`dragon_compat.plan`),
together with the governance decision and the mode it was taken in. Orders are read
only from branch files whose sha256 matches the manifest; the prices the sizing needs
(ST flags, the desk's holdings) come from the run's own bars and side tables, loaded
from the paths the manifest records and checked against their sha256. The manifest
is read, and the plan written, as :mod:`dragon_compat.rundir`'s typed documents
(``ManifestDocument``, strict; ``ForwardPlanDocument``, schema
``dragon.forward_plan/2`` with numbers as JSON numbers).

The book: by default the orders are sized for the active branch's own book at the
close (its ``equity.csv``). With the desk's real book — ``positions`` (a positions
file, :mod:`dragon_compat.plan.positions`) and ``cash_c`` — the exits are the desk's
holdings the branch's exit rule sells, the entries are sized to the desk's cash and
free slots, and the plan's ``reconciliation`` lists what the desk holds that the
branch does not and the reverse (:mod:`dragon_compat.plan.desk`).

Modes (docs/governance.md, "The decision"):

- ``enforce`` — evaluate the rollout gates in-process; the active branch is the
  decision's recommended branch (the fallback on ROLLBACK_REVIEW_REQUIRED) — or, with
  a ledger, the active branch of the ledger's rollout state after this decision is
  appended (dragon_governance.rollout_state: a rollback keeps the fallback active until
  a ``dragon-governance review``), recorded in the plan with the ledger's head hash.
- ``shadow`` — evaluate and record the decision (and with a ledger the rollout
  state), but keep the candidate active.
- ``off`` — standalone: dragon_governance is not imported at all (the rollback
  plan's switch when governance itself is the problem); the candidate is active.

The policy of a governed plan is the one given, else the one the run recorded (its
``policy`` input); a policy other than the run's recorded one is refused — a run is
identified by all its inputs. The governance evaluation date is the run's own session
(after its close), so a plan is reproducible: same run directory, same inputs, same
mode ⇒ byte-identical plan.

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
    FORWARD_PLAN_FILE,
    MANIFEST_FILE,
    BookSource,
    FileDigest,
    ForwardPlanDocument,
    GovernanceMode,
    InputRole,
    ManifestDocument,
    PlanGovernance,
    PlanOrders,
    PlanPendingRollback,
    PlanRollout,
    Reconciliation,
    read_manifest,
    write_document,
)
from dragon_compat.sessions import SessionList, next_session, read_sessions
from dragon_compat.writes import cannot_write

if TYPE_CHECKING:
    import pandas as pd

    from dragon_compat.plan.close import BranchClose, SymbolClose
    from dragon_compat.plan.positions import DeskPosition
    from dragon_compat.rundir import DeskHolding, EntryOrder, ExitOrder, PlanBook
    from dragon_governance import RolloutDecision, RolloutStatus

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


def _evaluate(
    run_dir: Path,
    as_of: dt.date,
    ledger: Path | None,
    policy: Path | None,
    sessions: SessionList | None,
    *,
    key_file: Path | None,
) -> tuple[RolloutDecision, PlanRollout | None]:
    """Evaluate, write the decision and (with ``ledger``) append it — once: a decision
    the ledger's last decision line already records is not appended again — and return
    the decision with the ledger's rollout state after the append."""
    try:
        import dragon_governance
    except ImportError:
        raise DragonUserError(
            f"governance modes enforce/shadow need dragon-governance, which is not installed: "
            f"{GOVERNANCE_EXTRA_HINT} (or run with --governance off)"
        ) from None
    decision_path = run_dir / DECISION_FILE
    rollout = None
    try:
        resolved = (
            dragon_governance.builtin_policy()
            if policy is None
            else dragon_governance.load_policy(policy)
        )
        key = None
        if ledger is not None:
            from dragon_governance.ledger_key import resolve_key

            key = resolve_key(key_file)
        decision = _evaluate_run(dragon_governance, run_dir, as_of, resolved, sessions)
        dragon_governance.write_decision(decision, decision_path)
        if ledger is not None:
            done = dragon_governance.append_to_ledger(
                ledger,
                decision,
                run_dir=str(run_dir),
                rollback_requires_review=resolved.values.rollback_requires_review,  # noqa: PD011
                key=key,
            )
            rollout = _rollout(ledger, done.status)
    except dragon_governance.GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from err
    except OSError as err:  # write_decision: a full disk, read-only storage, ...
        raise cannot_write(decision_path, err) from None
    return decision, rollout


def _rollout(ledger: Path, status: RolloutStatus) -> PlanRollout:
    """The plan's record of a ledger's rollout status (after at least one decision)."""
    assert status.state is not None and status.active_branch is not None
    assert status.since is not None
    pending = status.pending
    return PlanRollout(
        ledger=str(ledger),
        state=str(status.state),
        active_branch=status.active_branch,
        since=status.since,
        pending_rollback=None
        if pending is None
        else PlanPendingRollback(
            seq=pending.seq, decision_id=pending.decision_id, as_of=pending.as_of
        ),
        entries=status.seq,
        head_hash=status.head_hash,
    )


def _evaluate_run(
    governance: Any,
    run_dir: Path,
    as_of: dt.date,
    policy: Any,
    sessions: SessionList | None,
) -> RolloutDecision:
    """``dragon_governance.evaluate_run`` over the run at ``as_of``; an operator's
    session list is handed over as the same file (dragon-governance's ``sessions``
    parameter, which reads it in the same format); without one, no ``sessions`` is
    passed at all, so governance's own default applies."""
    options: dict[str, Any] = {"as_of": as_of, "policy": policy}
    if sessions is not None:
        options["sessions"] = sessions.path
    decision: RolloutDecision = governance.evaluate_run(run_dir, **options)
    return decision


@dataclass(frozen=True, eq=False)
class _Desk:
    """The desk's book at the close: its holdings judged by the exit rule, and cash."""

    positions: tuple[DeskPosition, ...]
    holdings: tuple[DeskHolding, ...]
    market: dict[str, SymbolClose]
    cash_c: int


class _RunMarket:
    """The run's bars, loaded once on first use from the inputs its manifest records
    (checked by sha256); ``inputs`` are the files read."""

    def __init__(self, run_dir: Path, manifest: ManifestDocument) -> None:
        self._manifest = manifest
        self._recorded_in = run_dir / MANIFEST_FILE
        self._bars: pd.DataFrame | None = None
        self.inputs: tuple[FileDigest, ...] = ()

    @property
    def label(self) -> str:
        return ", ".join(e.path for e in self._manifest.inputs_of(InputRole.BARS))

    def bars(self) -> pd.DataFrame:
        if self._bars is None:
            from dragon_compat.market_input import load_recorded_market

            roles = (InputRole.BARS, InputRole.SIDE_TABLE)
            self._bars = load_recorded_market(self._manifest.inputs, recorded_in=self._recorded_in)
            self.inputs = tuple(e for e in self._manifest.inputs if e.role in roles)
        return self._bars


def _policy_input(
    run_dir: Path, manifest: ManifestDocument, given: Path | None
) -> tuple[FileDigest, Path] | None:
    """The governance policy of the plan and its file: ``given``, else the run's
    recorded one (None: the built-in policy). A given policy whose bytes are not the
    recorded one's is refused; a recorded policy must still hold its recorded bytes."""
    from dragon_compat.market_input import file_sha256, recorded_file

    recorded = manifest.inputs_of(InputRole.POLICY)
    if given is None:
        if not recorded:
            return None
        return recorded[0], recorded_file(recorded[0], recorded_in=run_dir / MANIFEST_FILE)
    digest = FileDigest(path=str(given), role=InputRole.POLICY, sha256=file_sha256(given))
    if recorded and recorded[0].sha256 != digest.sha256:
        raise DragonUserError(
            f"{given}: not the policy run {run_dir} was made with ({recorded[0].path!r}, sha256 "
            f"{recorded[0].sha256[:12]}…; this one is {digest.sha256[:12]}…) — a run is "
            "identified by all its inputs: plan with the run's policy, or re-run "
            "`dragon daily --policy FILE --force` with the new one"
        )
    return digest, given


def _read_desk(
    positions: Path | None, cash_c: int | None, market: _RunMarket, as_of: dt.date
) -> _Desk | None:
    """The desk's book, checked against the run's data before anything is written."""
    if positions is None and cash_c is None:
        return None
    if cash_c is None:
        raise DragonUserError(
            f"{positions}: --positions needs --cash AMOUNT: the desk's cash sizes the entries"
        )
    from dragon_compat.plan.close import market_at_close
    from dragon_compat.plan.desk import check_positions, evaluate_holdings
    from dragon_compat.plan.positions import read_positions

    held = read_positions(positions) if positions is not None else ()
    closes = {}
    if held:
        symbols = {p.symbol for p in held}
        closes = market_at_close(market.bars(), as_of, symbols, exit_features=True)
        check_positions(held, closes, as_of, data=market.label)
    return _Desk(held, evaluate_holdings(held, closes), closes, cash_c)


def _priced_orders(
    close: BranchClose,
    desk: _Desk | None,
    market: _RunMarket,
    as_of: dt.date,
    next_session: dt.date,
) -> tuple[PlanBook, PlanOrders]:
    """The book and its orders: exits priced, entries sized (``dragon_compat.plan``)."""
    from dragon_compat.plan.close import market_at_close
    from dragon_compat.plan.desk import desk_equity_c
    from dragon_compat.plan.sizing import (
        SizingBook,
        exit_proceeds_c,
        next_limits,
        plan_book,
        price_exit,
        size_entries,
    )
    from dragon_runtime import LoopConfig

    max_positions = LoopConfig().max_positions
    if desk is None:
        selling = [(e.symbol, e.shares, e.reason, e.close_c) for e in close.exits]
        book = SizingBook(
            BookSource.BRANCH,
            close.equity_c,
            close.cash_c,
            max_positions,
            frozenset(close.holdings),
            frozenset(s for s, *_ in selling),
        )
    else:
        selling = [
            (h.symbol, h.shares, h.reason, desk.market[h.symbol].close_c)
            for h in desk.holdings
            if h.action == "SELL"
        ]
        book = SizingBook(
            BookSource.DESK,
            desk_equity_c(desk.cash_c, desk.positions, desk.market),
            desk.cash_c,
            max_positions,
            frozenset(h.symbol for h in desk.holdings),
            frozenset(s for s, *_ in selling),
        )
    symbols = {s for s, *_ in selling} | {e.symbol for e in close.entries}
    flags = market_at_close(market.bars(), as_of, symbols, exit_features=False) if symbols else {}
    closes = {s: c for s, _, _, c in selling} | {e.symbol: e.close_c for e in close.entries}
    limits = {s: next_limits(s, closes[s], flags[s].is_st, next_session) for s in symbols}
    exits: tuple[ExitOrder, ...] = tuple(
        price_exit(
            symbol, shares, reason, close_c, limits=limits[symbol], next_session=next_session
        )
        for symbol, shares, reason, close_c in selling
    )
    entries: tuple[EntryOrder, ...] = size_entries(
        close.entries, limits, book, book.cash_c + exit_proceeds_c(exits), next_session
    )
    return plan_book(book, exits), PlanOrders(entries=entries, exits=exits)


def run_forward(
    run_dir: Path,
    mode: GovernanceMode,
    *,
    ledger: Path | None = None,
    policy: Path | None = None,
    sessions: Path | None = None,
    positions: Path | None = None,
    cash_c: int | None = None,
    key_file: Path | None = None,
) -> ForwardPlan:
    """Write ``forward_plan.json`` for ``run_dir`` in ``mode`` (see the module docstring).

    With ``ledger`` the decision is appended (once per run: a repeat is not appended
    again; ``key_file`` — else ``$DRAGON_LEDGER_KEY_FILE`` — keys it) and the plan
    records the ledger's rollout state; ``enforce`` then activates the state's active
    branch (the fallback while a rollback awaits review), ``shadow`` keeps the candidate.
    ``positions`` (a positions file) and ``cash_c`` (cents) give the desk's real book;
    ``cash_c`` alone is a desk that holds nothing. The manifest is read strictly
    (:func:`dragon_compat.rundir.read_manifest`) and the desk's book checked against
    the run's data before any decision or plan is written: a :class:`DragonUserError`
    names the file and field. So are a bad ``sessions`` file, a calendar that knows no
    session after the run, and a symbolic link at a path the pipeline reads or writes;
    a failed write is ``cannot write PATH: REASON``.
    """
    from dragon_compat.plan.close import read_branch_close
    from dragon_compat.plan.desk import reconcile

    check_run_paths(run_dir, (MANIFEST_FILE, DECISION_FILE, FORWARD_PLAN_FILE))
    manifest = read_manifest(run_dir)
    market = _RunMarket(run_dir, manifest)
    governed_by = None if mode is GovernanceMode.OFF else _policy_input(run_dir, manifest, policy)
    desk = _read_desk(positions, cash_c, market, manifest.as_of)
    session_list = read_sessions(sessions) if sessions is not None else None
    following = next_session(manifest.as_of, session_list)
    governance: PlanGovernance | None = None
    active = manifest.candidate_branch
    if mode is not GovernanceMode.OFF:
        policy_path = None if governed_by is None else governed_by[1]
        decision, rollout = _evaluate(
            run_dir, manifest.as_of, ledger, policy_path, session_list, key_file=key_file
        )
        governance = PlanGovernance(
            decision=str(decision.decision),
            decision_id=decision.decision_id,
            recommended_branch=decision.recommended_branch,
            fallback_branch=decision.fallback_branch,
            file=DECISION_FILE,
            rollout=rollout,
        )
        if mode is GovernanceMode.ENFORCE:
            active = decision.recommended_branch if rollout is None else rollout.active_branch
    if active not in manifest.branches:
        raise DragonUserError(
            f"{run_dir / MANIFEST_FILE}: branch {active!r} was not produced by this run "
            f"({', '.join(manifest.branches)}); a governed plan follows the policy's "
            "fallback_branch on a rollback — give a policy whose fallback is one of them"
        )
    close = read_branch_close(run_dir, active, manifest.as_of, manifest)
    book, orders = _priced_orders(close, desk, market, manifest.as_of, following.day)
    reconciliation: Reconciliation | None = None
    if desk is not None:
        reconciliation = reconcile(desk.holdings, close)
    inputs = list(market.inputs)
    if governed_by is not None:
        inputs.append(governed_by[0])
    if positions is not None:
        from dragon_compat.market_input import file_sha256

        inputs.append(
            FileDigest(path=str(positions), role=InputRole.POSITIONS, sha256=file_sha256(positions))
        )
    if session_list is not None:
        inputs.append(
            FileDigest(
                path=str(session_list.path), role=InputRole.SESSIONS, sha256=session_list.sha256
            )
        )
    plan = ForwardPlanDocument(
        as_of=manifest.as_of,
        next_session=following.day,
        mode=mode,
        candidate_branch=manifest.candidate_branch,
        active_branch=active,
        governance=governance,
        book=book,
        orders=orders,
        reconciliation=reconciliation,
        inputs=tuple(inputs),
    )
    return ForwardPlan(path=write_document(run_dir, plan), plan=plan, notice=following.notice)
