"""The monitor's five conditions over time, for the report's chart.

``monitor_history.csv`` publishes each condition's ``active`` flag per session but
not its value, so the values are recomputed here with the monitor's own functions
(``dragon_compat.monitor.inputs`` and ``evaluate_conditions`` with
:data:`~dragon_compat.monitor.config.RC1_MONITOR`) from the candidate's and the
reference's tables — the same code that wrote the history, never a second
definition. The shaded active spans are the published flags; where the
recomputation disagrees with them (a file edited after the run) the track says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dragon_compat.errors import DragonUserError
from dragon_compat.monitor.conditions import ConditionSpec, evaluate_conditions
from dragon_compat.monitor.config import RC1_MONITOR
from dragon_compat.monitor.inputs import closed_trades, equity_path, event_marks
from dragon_compat.report.rundata import RunData
from dragon_runtime import EventType

ENTRY_FILLED = str(EventType.ENTRY_FILLED)


@dataclass(frozen=True, eq=False)
class ConditionTrack:
    """One condition of the candidate over its sessions.

    ``value`` is float (NaN = not evaluable), ``threshold`` the number it is compared
    with, ``active`` the flags of ``monitor_history.csv``; ``agrees`` is False when
    the recomputed flags differ from the published ones on some session.
    """

    spec: ConditionSpec
    sessions: np.ndarray
    value: np.ndarray
    threshold: float
    active: np.ndarray
    agrees: bool


def _published_flags(run: RunData, sessions: np.ndarray, condition_id: str) -> np.ndarray:
    flags = {day: active for day, cid, active in run.history if cid == condition_id}
    days = np.datetime_as_string(sessions, unit="D").tolist()
    missing = [day for day in days if day not in flags]
    if missing:
        raise DragonUserError(
            f"monitor history: condition {condition_id} has no row for session {missing[0]} "
            f"of the candidate {run.roles['candidate']!r}"
        )
    return np.array([flags[day] for day in days], dtype=bool)


def condition_tracks(run: RunData) -> tuple[ConditionTrack, ...]:
    """Every monitor condition of the run's candidate, in the monitor's table order."""
    candidate, reference = run.roles["candidate"], run.roles["reference"]
    tables = run.branch(candidate).tables
    path = equity_path(tables, candidate, run.as_of)
    reference_path = equity_path(run.branch(reference).tables, reference, run.as_of)
    entries = event_marks(tables, candidate, (ENTRY_FILLED,))[ENTRY_FILLED].sessions
    series = evaluate_conditions(
        path, reference_path, closed_trades(tables, candidate, run.as_of), entries, RC1_MONITOR
    )
    tracks = []
    for condition in series:
        published = _published_flags(run, path.sessions, condition.spec.id)
        tracks.append(
            ConditionTrack(
                spec=condition.spec,
                sessions=path.sessions,
                value=np.asarray(condition.value, dtype=float),
                threshold=float(condition.threshold),
                active=published,
                agrees=bool(np.array_equal(published, condition.active)),
            )
        )
    return tuple(tracks)
