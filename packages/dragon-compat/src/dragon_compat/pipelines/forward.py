"""The forward pipeline (``dragon forward``): the plan for the next session.

Reads a complete daily run (its ``daily_manifest.json``) and writes
``RUN_DIR/forward_plan.json``: the active branch's orders for the next XSHG
session — the ENTER_SIGNAL entries and EXIT_SIGNAL exits signalled at the run's
close — together with the governance decision and the mode it was taken in.
Orders are read only from an ``events.csv`` whose sha256 matches the manifest.

Modes (governance.md, "Forward pipeline integration"):

- ``enforce`` — evaluate the rollout gates in-process; the active branch is the
  decision's recommended branch (the fallback on ROLLBACK_REVIEW_REQUIRED).
- ``shadow`` — evaluate and record the decision, but keep the candidate active.
- ``off`` — standalone: dragon_governance is not imported at all (the rollback
  plan's switch when governance itself is the problem); the candidate is active.

The governance evaluation date is the run's own session (after its close), so a
plan is reproducible: same run directory, same mode ⇒ byte-identical plan.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dragon_compat.errors import DragonUserError
from dragon_compat.pipelines.daily import BRANCHES_DIR, MANIFEST_FILE
from dragon_runtime import atomic_write, canonical_json

if TYPE_CHECKING:
    from dragon_governance import RolloutDecision

__all__ = [
    "FORWARD_PLAN_FILE",
    "FORWARD_PLAN_SCHEMA",
    "ForwardPlan",
    "GovernanceMode",
    "run_forward",
]

FORWARD_PLAN_FILE = "forward_plan.json"
FORWARD_PLAN_SCHEMA = "dragon.forward_plan/1"
DECISION_FILE = "rollout_decision.json"
GOVERNANCE_EXTRA_HINT = "pip install 'dragon-compat[governance]'"


class GovernanceMode(StrEnum):
    """How the forward pipeline uses the rollout decision."""

    ENFORCE = "enforce"
    SHADOW = "shadow"
    OFF = "off"


@dataclass(frozen=True, eq=False)
class ForwardPlan:
    """The plan as written to ``forward_plan.json`` (``document``) and where."""

    path: Path
    document: Mapping[str, Any]

    @property
    def active_branch(self) -> str:
        return str(self.document["active_branch"])


def _read_manifest(run_dir: Path) -> dict[str, Any]:
    if not run_dir.is_dir():
        raise DragonUserError(f"{run_dir}: no such run directory")
    path = run_dir / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DragonUserError(
            f"{path}: missing — {run_dir} is not a complete daily run (run `dragon daily` first)"
        ) from None
    except (OSError, ValueError) as err:
        raise DragonUserError(f"{path}: not readable JSON ({err})") from err
    needed = ("as_of", "candidate_branch", "branches")
    if not isinstance(manifest, dict) or any(key not in manifest for key in needed):
        raise DragonUserError(f"{path}: not a daily manifest (needs {', '.join(needed)})")
    return manifest


def _next_session(as_of: dt.date) -> dt.date:
    """The XSHG session after ``as_of`` (exchange-calendars).

    The calendar is built from a month before ``as_of``: its default start (today
    minus 20 years) would make older runs unplannable, on a boundary that moves daily.
    """
    import exchange_calendars as xcals
    import pandas as pd

    day = pd.Timestamp(as_of)
    try:
        calendar = xcals.get_calendar("XSHG", start=day - pd.Timedelta(days=31))
    except ValueError as err:  # before the first year exchange-calendars records
        raise DragonUserError(f"cannot plan after {as_of.isoformat()}: {err}") from None
    if day >= calendar.last_session:
        raise DragonUserError(
            f"the installed exchange-calendars knows XSHG sessions only up to "
            f"{calendar.last_session.date().isoformat()}; upgrade it to plan after "
            f"{as_of.isoformat()}"
        )
    return calendar.next_session(calendar.date_to_session(day, direction="previous")).date()


def _verified_events(run_dir: Path, branch: str, manifest: Mapping[str, Any]) -> Path:
    """The branch's ``events.csv``, checked against the sha256 the manifest recorded.

    Orders are only ever planned from the file the run wrote: an edited or damaged
    file (which governance reports as OUTPUT_HASH_MISMATCH, and mode ``off`` would
    not see) is a user error, never a plan.
    """
    from dragon_compat.market_input import file_sha256

    relative = f"{BRANCHES_DIR}/{branch}/events.csv"
    path = run_dir / relative
    outputs = manifest.get("outputs")
    recorded = {
        entry.get("path"): entry.get("sha256")
        for entry in (outputs if isinstance(outputs, list) else [])
        if isinstance(entry, dict)
    }
    if relative not in recorded:
        raise DragonUserError(f"{run_dir / MANIFEST_FILE}: outputs do not list {relative}")
    if not path.is_file():
        raise DragonUserError(f"{path}: missing — the run directory is incomplete")
    if file_sha256(path) != recorded[relative]:
        raise DragonUserError(
            f"{path}: sha256 differs from the one recorded in {MANIFEST_FILE} (changed or "
            "damaged after the run); re-run `dragon daily`"
        )
    return path


def _orders(
    run_dir: Path, branch: str, as_of: dt.date, manifest: Mapping[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The branch's ENTER_SIGNAL and EXIT_SIGNAL events at the ``as_of`` close."""
    import pandas as pd

    path = _verified_events(run_dir, branch, manifest)
    try:
        events = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as err:
        raise DragonUserError(f"{path}: cannot read the branch's events ({err})") from err
    today = events[(events["trade_date"] == as_of.isoformat()) & (events["phase"] == "CLOSE")]
    entries = today[today["event_type"] == "ENTER_SIGNAL"]
    exits = today[today["event_type"] == "EXIT_SIGNAL"]
    return {
        "entries": [
            {
                "symbol": row.symbol,
                "rank": int(row.rank),
                "board_height": int(row.board_height),
                "alpha_score": row.alpha_score,
                "close": row.price,
                "predicates": row.predicates,
            }
            for row in entries.itertuples(index=False)
        ],
        "exits": [
            {"symbol": row.symbol, "shares": int(row.shares), "reason": row.reason_code}
            for row in exits.itertuples(index=False)
        ],
    }


def _evaluate(
    run_dir: Path, as_of: dt.date, ledger: Path | None, policy: Path | None
) -> RolloutDecision:
    try:
        import dragon_governance
    except ImportError:
        raise DragonUserError(
            f"governance modes enforce/shadow need dragon-governance, which is not installed: "
            f"{GOVERNANCE_EXTRA_HINT} (or run with --governance off)"
        ) from None
    try:
        decision = dragon_governance.evaluate_run(run_dir, as_of=as_of, policy=policy)
        dragon_governance.write_decision(decision, run_dir / DECISION_FILE)
        if ledger is not None:
            dragon_governance.append_to_ledger(ledger, decision)
    except dragon_governance.GovernanceUserError as err:
        raise DragonUserError(err.message, exit_code=err.exit_code) from err
    return decision


def run_forward(
    run_dir: Path,
    mode: GovernanceMode,
    *,
    ledger: Path | None = None,
    policy: Path | None = None,
) -> ForwardPlan:
    """Write ``forward_plan.json`` for ``run_dir`` in ``mode`` (see the module docstring)."""
    manifest = _read_manifest(run_dir)
    as_of = dt.date.fromisoformat(manifest["as_of"])
    candidate = str(manifest["candidate_branch"])
    decision_doc: dict[str, Any] | None = None
    active = candidate
    if mode is not GovernanceMode.OFF:
        decision = _evaluate(run_dir, as_of, ledger, policy)
        decision_doc = {
            "decision": str(decision.decision),
            "decision_id": decision.decision_id,
            "recommended_branch": decision.recommended_branch,
            "fallback_branch": decision.fallback_branch,
            "file": DECISION_FILE,
        }
        if mode is GovernanceMode.ENFORCE:
            active = decision.recommended_branch
    if active not in manifest["branches"]:
        raise DragonUserError(
            f"{run_dir / MANIFEST_FILE}: branch {active!r} was not produced by this run"
        )
    document = {
        "schema": FORWARD_PLAN_SCHEMA,
        "as_of": as_of.isoformat(),
        "next_session": _next_session(as_of).isoformat(),
        "mode": str(mode),
        "candidate_branch": candidate,
        "active_branch": active,
        "governance": decision_doc,
        "orders": _orders(run_dir, active, as_of, manifest),
    }
    path = run_dir / FORWARD_PLAN_FILE
    atomic_write(path, canonical_json(document))
    return ForwardPlan(path=path, document=document)
