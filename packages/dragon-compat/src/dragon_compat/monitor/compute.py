"""``compute_monitor``: the RC1 monitor of one daily run, as values.

Roles (docs/strategy.md, Branches; defaults from ``dragon_compat.branches.DEMO_ROLES``):
the candidate is monitored; the reference is what its returns and fills are
compared with; the control is what its signals should stay aligned with. All three
branches' tables are required: a monitor that silently skips a comparison would
look healthier than it is.

Sessions are the candidate's equity sessions up to ``as_of``; ``as_of`` must be one
of them (the run's session), and the reference must have exactly the same
sessions (both branches ran on the same market), else a user error says which
session differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import numpy as np

from dragon_compat.branches import DEMO_ROLES
from dragon_compat.errors import DragonUserError
from dragon_compat.monitor.artifacts import (
    ConditionStatus,
    ConditionValue,
    Divergence,
    HistoryRow,
    MonitorArtifacts,
    MonitorHealth,
    MonitorHistory,
    RefinedControl,
)
from dragon_compat.monitor.conditions import (
    W2_RETURN_GAP_20D,
    ConditionSeries,
    evaluate_conditions,
)
from dragon_compat.monitor.config import RC1_MONITOR
from dragon_compat.monitor.divergence import control_status, divergence_level, jaccard
from dragon_compat.monitor.inputs import (
    BranchTables,
    EquityPath,
    EventMarks,
    branch_tables,
    closed_trades,
    equity_path,
    event_marks,
)
from dragon_runtime import EventType

ENTRY_FILLED = str(EventType.ENTRY_FILLED)
ENTER_SIGNAL = str(EventType.ENTER_SIGNAL)


def compute_monitor(
    tables: Mapping[str, BranchTables],
    *,
    as_of: date,
    candidate: str = DEMO_ROLES.candidate,
    reference: str = DEMO_ROLES.reference,
    control: str = DEMO_ROLES.control,
) -> MonitorArtifacts:
    """The monitor's artifacts for ``as_of`` from the branches' RC1 tables.

    ``tables`` maps branch name → :class:`BranchTables`; rows dated after ``as_of``
    are ignored, so the result for a date never depends on later data. Raises
    :class:`~dragon_compat.errors.DragonUserError` for a missing branch, a bad
    table, an ``as_of`` that is not a candidate session, or misaligned calendars.
    """
    day = _session_day(as_of)
    _distinct_roles(candidate=candidate, reference=reference, control=control)
    candidate_tables = branch_tables(tables, candidate, "candidate")
    reference_tables = branch_tables(tables, reference, "reference")
    control_tables = branch_tables(tables, control, "control")

    path = equity_path(candidate_tables, candidate, day)
    _require_session(path, candidate, day)
    reference_path = equity_path(reference_tables, reference, day)
    _require_same_sessions(path, candidate, reference_path, reference)

    events = event_marks(candidate_tables, candidate, (ENTRY_FILLED, ENTER_SIGNAL))
    series = evaluate_conditions(
        path,
        reference_path,
        closed_trades(candidate_tables, candidate, day),
        events[ENTRY_FILLED].sessions,
        RC1_MONITOR,
    )
    window = _comparison_window(path)
    entry_jaccard = _window_jaccard(
        window,
        events[ENTRY_FILLED],
        event_marks(reference_tables, reference, (ENTRY_FILLED,))[ENTRY_FILLED],
    )
    alignment = _window_jaccard(
        window,
        events[ENTER_SIGNAL],
        event_marks(control_tables, control, (ENTER_SIGNAL,))[ENTER_SIGNAL],
    )
    return_gap = float(next(s for s in series if s.spec is W2_RETURN_GAP_20D).value[-1])
    as_of_text = day.isoformat()
    return MonitorArtifacts(
        health=MonitorHealth(
            as_of=as_of_text, branch=candidate, conditions=tuple(_status(s) for s in series)
        ),
        history=_history(path.sessions, series),
        divergence=Divergence(
            as_of=as_of_text,
            candidate_branch=candidate,
            reference_branch=reference,
            entry_jaccard=entry_jaccard,
            return_gap=return_gap,
            level=divergence_level(entry_jaccard, return_gap, RC1_MONITOR),
        ),
        refined_control=RefinedControl(
            as_of=as_of_text,
            candidate_branch=candidate,
            control_branch=control,
            alignment_ratio=alignment,
            status=control_status(alignment, RC1_MONITOR),
        ),
    )


def _comparison_window(path: EquityPath) -> tuple[np.datetime64, np.datetime64]:
    """First and last session of the last ``comparison_window_sessions`` sessions."""
    first = max(path.sessions.size - RC1_MONITOR.comparison_window_sessions, 0)
    return path.sessions[first], path.sessions[-1]


def _window_jaccard(
    window: tuple[np.datetime64, np.datetime64], left: EventMarks, right: EventMarks
) -> float:
    """Published Jaccard of two branches' (session, symbol) pairs inside ``window``."""
    ratio = jaccard(left.keys_between(*window), right.keys_between(*window))
    return float(RC1_MONITOR.rounded(ratio))


def _session_day(as_of: date) -> date:
    if isinstance(as_of, datetime):
        return as_of.date()
    if not isinstance(as_of, date):
        raise DragonUserError(f"monitor: as_of must be a date, got {as_of!r}")
    return as_of


def _distinct_roles(**roles: str) -> None:
    names = list(roles.values())
    if len(set(names)) != len(names):
        described = ", ".join(f"{role}={name!r}" for role, name in roles.items())
        raise DragonUserError(
            f"monitor: candidate, reference and control must differ ({described})"
        )


def _require_session(path: EquityPath, branch: str, day: date) -> None:
    if path.sessions.size and path.sessions[-1] == np.datetime64(day, "D"):
        return
    latest = str(path.sessions[-1]) if path.sessions.size else "none"
    raise DragonUserError(
        f"monitor input: branch {branch!r}, equity table, column 'trade_date': as_of "
        f"{day.isoformat()} is not a session of the candidate (latest session on or "
        f"before it: {latest})"
    )


def _require_same_sessions(
    path: EquityPath, branch: str, other: EquityPath, other_branch: str
) -> None:
    if np.array_equal(path.sessions, other.sessions):
        return
    mine, theirs = set(path.sessions.tolist()), set(other.sessions.tolist())
    first = min(mine ^ theirs)
    owner, lacking = (branch, other_branch) if first in mine else (other_branch, branch)
    raise DragonUserError(
        f"monitor input: branch {lacking!r}, equity table, column 'trade_date': session "
        f"{first.isoformat()} of branch {owner!r} is missing; both branches must cover the "
        f"same sessions up to as_of"
    )


def _published(series: ConditionSeries, value: float) -> ConditionValue:
    if np.isnan(value):
        return None
    if series.spec.unit == "sessions":
        return int(value)
    return float(value)


def _status(series: ConditionSeries) -> ConditionStatus:
    return ConditionStatus(
        id=series.spec.id,
        tier=series.spec.tier,
        active=bool(series.active[-1]),
        value=_published(series, float(series.value[-1])),
        threshold=series.threshold,
        streak=series.streak,
    )


def _history(sessions: np.ndarray, series: tuple[ConditionSeries, ...]) -> MonitorHistory:
    days = np.repeat(np.datetime_as_string(sessions, unit="D"), len(series))
    ids = np.tile(np.array([s.spec.id for s in series], dtype=object), sessions.size)
    active = np.column_stack([s.active for s in series]).ravel()
    return MonitorHistory(
        rows=tuple(
            HistoryRow(*row)
            for row in zip(days.tolist(), ids.tolist(), active.tolist(), strict=True)
        )
    )
