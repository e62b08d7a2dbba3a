"""What the report reads from a run directory, checked and reduced to what it draws.

A run directory is a complete ``dragon daily`` run: ``daily_manifest.json`` (as-of,
branches and their roles), each branch's ``events.csv``/``trades.csv``/
``equity.csv`` under ``branches/<branch>/``, and ``monitor_history.csv``. The
rollout decision (``rollout_decision.json``, written by ``dragon-governance check``
or ``dragon forward``) is optional: a run that has not been checked yet still has a
report, which says so.

File names come from where they are defined (the daily and forward pipelines, the
monitor's artifacts, the runtime's ``OUTPUT_FILES``); nothing here spells one.
Anything missing or unreadable is a :class:`~dragon_compat.errors.DragonUserError`
naming the file and the field or column. The report does not re-verify the
files' sha256 against the manifest: that is governance's gate G1, whose evidence
the report shows.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dragon_compat import rundir
from dragon_compat.errors import DragonUserError
from dragon_compat.monitor.artifacts import MonitorHistory
from dragon_compat.monitor.inputs import BranchTables
from dragon_compat.report.metrics import traded_value as fills_value
from dragon_compat.rundir import (
    DECISION_FILE,
    EQUITY_FILE,
    EVENTS_FILE,
    MANIFEST_FILE,
    MONITOR_HISTORY_FILE,
    TRADES_FILE,
    branch_dir,
)
from dragon_runtime import EventType

ROLES: tuple[str, ...] = ("candidate", "reference", "control")
"""The manifest's roles, each read from ``<role>_branch``."""

FILL_EVENTS = (str(EventType.ENTRY_FILLED), str(EventType.EXIT_FILLED))
"""The events whose ``price · shares`` is traded value (turnover)."""

_EVENT_COLUMNS = ("trade_date", "symbol", "event_type", "reason_code", "price", "shares")
_TRADE_COLUMNS = ("trade_id", "exit_date", "net_pnl", "hold_sessions")
_EQUITY_COLUMNS = ("trade_date", "equity", "positions", "drawdown")


@dataclass(frozen=True, eq=False)
class BranchRun:
    """One branch of the run, as the report uses it.

    ``sessions`` (``datetime64[D]``, increasing), ``equity`` (CNY) and ``positions``
    are aligned per session; ``net_pnl`` and ``hold_sessions`` per closed trade;
    ``traded_value`` is Σ price · shares over the fill events (CNY, both sides);
    ``event_counts``/``reason_counts`` count ``events.csv`` rows by type and by
    reason code. ``tables`` are the frames the monitor's own functions read.
    """

    name: str
    role: str | None
    sessions: np.ndarray
    equity: np.ndarray
    positions: np.ndarray
    net_pnl: np.ndarray
    hold_sessions: np.ndarray
    traded_value: float
    event_counts: Mapping[str, int]
    reason_counts: Mapping[str, int]
    tables: BranchTables

    @property
    def label(self) -> str:
        """The branch name with its role, e.g. ``alpha_first (candidate)``."""
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass(frozen=True, eq=False)
class RunData:
    """A run directory's content for the report (see the module docstring)."""

    as_of: dt.date
    manifest: Mapping[str, Any]
    roles: Mapping[str, str]
    branches: tuple[BranchRun, ...]
    history: Sequence[tuple[str, str, bool]]
    decision: Mapping[str, Any] | None

    def branch(self, name: str) -> BranchRun:
        """The branch called ``name`` (a ``KeyError`` if the run has none)."""
        for branch in self.branches:
            if branch.name == name:
                return branch
        raise KeyError(name)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DragonUserError(f"{path}: missing — {what}") from None
    except (OSError, ValueError) as err:
        raise DragonUserError(f"{path}: not readable JSON ({err})") from err


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """``daily_manifest.json`` as JSON, read through the run-directory contract's strict
    model (:func:`dragon_compat.rundir.read_manifest`: every field checked)."""
    return dict(rundir.read_manifest(run_dir).to_document())


def _read_table(path: Path, columns: tuple[str, ...], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """The ``columns`` of a canonical CSV (header checked first, so a missing column is named)."""
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            header = next(csv.reader(stream), [])
    except FileNotFoundError:
        raise DragonUserError(f"{path}: missing — the run directory is incomplete") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DragonUserError(f"{path}: cannot read ({err})") from err
    missing = [c for c in columns if c not in header]
    if missing:
        raise DragonUserError(f"{path}: missing column(s) {', '.join(map(repr, missing))}")
    try:
        return pd.read_csv(
            path,
            usecols=list(columns),
            dtype=dict(dtypes),
            engine="pyarrow",
        )[list(columns)]
    except (OSError, ValueError, TypeError) as err:
        raise DragonUserError(f"{path}: not a readable table ({err})") from err


def _numbers(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    values = frame[column].to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise DragonUserError(
            f"{path}: data row {int(bad[0]) + 1}, column {column!r}: not a finite number"
        )
    return values


def _counts(values: pd.Series) -> dict[str, int]:
    texts = values.dropna().astype(str)
    counted = texts[texts != ""].value_counts()
    return {str(key): int(count) for key, count in counted.items()}


def read_branch(run_dir: Path, name: str, role: str | None) -> BranchRun:
    """One branch's tables from ``RUN_DIR/branches/<name>/``."""
    folder = branch_dir(run_dir, name)
    text, number = "string", "float64"
    equity_path = folder / EQUITY_FILE
    equity = _read_table(
        equity_path,
        _EQUITY_COLUMNS,
        {"trade_date": text, "equity": number, "positions": number, "drawdown": number},
    )
    trades_path = folder / TRADES_FILE
    trades = _read_table(
        trades_path,
        _TRADE_COLUMNS,
        {"trade_id": text, "exit_date": text, "net_pnl": number, "hold_sessions": number},
    )
    events_path = folder / EVENTS_FILE
    events = _read_table(
        events_path,
        _EVENT_COLUMNS,
        {
            "trade_date": text,
            "symbol": text,
            "event_type": text,
            "reason_code": text,
            "price": number,
            "shares": number,
        },
    )
    try:
        sessions = pd.to_datetime(equity["trade_date"], format="%Y-%m-%d").to_numpy("datetime64[D]")
    except (ValueError, TypeError) as err:
        raise DragonUserError(f"{equity_path}: column 'trade_date': {err}") from None
    if sessions.size and not np.all(sessions[1:] > sessions[:-1]):
        raise DragonUserError(f"{equity_path}: column 'trade_date': sessions must increase")
    fills = events["event_type"].isin(FILL_EVENTS).to_numpy(dtype=bool, na_value=False)
    filled = events[fills]
    traded_value = fills_value(
        _numbers(filled, "price", events_path), _numbers(filled, "shares", events_path)
    )
    return BranchRun(
        name=name,
        role=role,
        sessions=sessions,
        equity=_numbers(equity, "equity", equity_path),
        positions=_numbers(equity, "positions", equity_path),
        net_pnl=_numbers(trades, "net_pnl", trades_path),
        hold_sessions=_numbers(trades, "hold_sessions", trades_path),
        traded_value=traded_value,
        event_counts=_counts(events["event_type"]),
        reason_counts=_counts(events["reason_code"]),
        tables=BranchTables(
            events=events[["trade_date", "symbol", "event_type"]],
            trades=trades[["trade_id", "exit_date", "net_pnl"]],
            equity=equity[["trade_date", "equity", "drawdown"]],
        ),
    )


def read_history(run_dir: Path) -> list[tuple[str, str, bool]]:
    """``monitor_history.csv`` rows as ``(as_of, condition_id, active)``."""
    path = run_dir / MONITOR_HISTORY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DragonUserError(f"{path}: missing — the run directory is incomplete") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DragonUserError(f"{path}: cannot read ({err})") from err
    rows = list(csv.reader(text.splitlines()))
    if not rows or tuple(rows[0]) != MonitorHistory.HEADER:
        raise DragonUserError(f"{path}: header must be {','.join(MonitorHistory.HEADER)}")
    history = []
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != 3 or row[2] not in ("true", "false"):
            raise DragonUserError(
                f"{path}: data row {number}: expected as_of,condition_id,active(true|false)"
            )
        history.append((row[0], row[1], row[2] == "true"))
    return history


def read_decision(run_dir: Path) -> dict[str, Any] | None:
    """``rollout_decision.json`` if the run has one (checked only for what the page shows)."""
    path = run_dir / DECISION_FILE
    if not path.exists():
        return None
    decision = _read_json(path, "")
    gates = decision.get("gates") if isinstance(decision, dict) else None
    if not isinstance(gates, list) or "decision" not in decision:
        raise DragonUserError(f"{path}: not a rollout decision (needs 'decision' and 'gates')")
    for number, gate in enumerate(gates, start=1):
        if not isinstance(gate, dict) or not isinstance(gate.get("reasons"), list):
            raise DragonUserError(f"{path}: gates[{number - 1}]: needs a 'reasons' list")
    return decision


def read_run(run_dir: Path) -> RunData:
    """Everything the report shows about ``run_dir`` (branches in manifest order)."""
    manifest = read_manifest(run_dir)
    roles = {role: str(manifest[f"{role}_branch"]) for role in ROLES}
    missing = [
        f"{role} {name!r}" for role, name in roles.items() if name not in manifest["branches"]
    ]
    if missing:
        raise DragonUserError(
            f"{run_dir / MANIFEST_FILE}: the {', '.join(missing)} branch is not in 'branches'"
        )
    role_of = {branch: role for role, branch in roles.items()}
    branches = tuple(read_branch(run_dir, name, role_of.get(name)) for name in manifest["branches"])
    return RunData(
        as_of=dt.date.fromisoformat(str(manifest["as_of"])),
        manifest=manifest,
        roles=roles,
        branches=branches,
        history=read_history(run_dir),
        decision=read_decision(run_dir),
    )
