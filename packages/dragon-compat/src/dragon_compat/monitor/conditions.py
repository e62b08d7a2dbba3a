"""The monitor's conditions on the candidate branch, one value per session.

Every condition is evaluated for every session up to ``as_of`` with array
operations (cumulative sums, running maxima, searchsorted), so streaks come from
the data and never from a state file. Each condition publishes a ``value`` and a
``threshold``; ``active`` is exactly ``value <op> threshold`` on the published
(rounded) value, with a null value never active:

| id | tier | value on session t | active when |
|---|---|---|---|
| H1_DRAWDOWN | hard | drawdown at t | value > 0.20 |
| W1_DRAWDOWN | warning | drawdown at t | value > 0.10 |
| W2_RETURN_GAP_20D | warning | candidate − reference trailing 20-session return | value < −0.05 |
| W3_HIT_RATE_20 | warning | win share of the last ≤ 20 closed trades; null below 5 | value < 0.35 |
| W4_IDLE | warning | sessions since the last ENTRY_FILLED session | value ≥ 10 |

Thresholds come from :data:`~dragon_compat.monitor.config.RC1_MONITOR`; the
numbers in this table are its values, for reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from dragon_compat.monitor.config import MonitorConfig
from dragon_compat.monitor.inputs import ClosedTrades, EquityPath
from dragon_compat.monitor.returns import trailing_returns

Tier = Literal["hard", "warning"]
Unit = Literal["ratio", "sessions"]


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    """A condition's identity: id, tier, the unit of its value and its rule in words."""

    id: str
    tier: Tier
    unit: Unit
    rule: str


H1_DRAWDOWN = ConditionSpec("H1_DRAWDOWN", "hard", "ratio", "drawdown from peak equity > threshold")
W1_DRAWDOWN = ConditionSpec(
    "W1_DRAWDOWN", "warning", "ratio", "drawdown from peak equity > threshold"
)
W2_RETURN_GAP_20D = ConditionSpec(
    "W2_RETURN_GAP_20D",
    "warning",
    "ratio",
    "candidate − reference trailing-window return < threshold",
)
W3_HIT_RATE_20 = ConditionSpec(
    "W3_HIT_RATE_20",
    "warning",
    "ratio",
    "enough closed trades in the window and their win share < threshold",
)
W4_IDLE = ConditionSpec(
    "W4_IDLE", "warning", "sessions", "consecutive sessions without ENTRY_FILLED ≥ threshold"
)

CONDITIONS: tuple[ConditionSpec, ...] = (
    H1_DRAWDOWN,
    W1_DRAWDOWN,
    W2_RETURN_GAP_20D,
    W3_HIT_RATE_20,
    W4_IDLE,
)
"""All conditions, in monitor.md table order (the order of every artifact)."""


@dataclass(frozen=True, eq=False, slots=True)
class ConditionSeries:
    """One condition over the sessions ``0..n-1`` (``n ≥ 1``) of the candidate.

    ``value`` is float (NaN = not evaluable on that session), ``active`` bool,
    both aligned with the candidate's sessions; ``threshold`` is the number the
    value is compared against.
    """

    spec: ConditionSpec
    active: np.ndarray
    value: np.ndarray
    threshold: float | int

    @property
    def streak(self) -> int:
        """Consecutive active sessions ending at the last one (0 when it is inactive)."""
        return trailing_run(self.active)


def trailing_run(active: Sequence[bool] | np.ndarray) -> int:
    """Length of the run of ``True`` that ends ``active`` (0 if it ends ``False``)."""
    flags = np.asarray(active, dtype=bool)
    inactive = np.flatnonzero(~flags)
    if inactive.size == 0:
        return int(flags.size)
    return int(flags.size - 1 - inactive[-1])


def drawdown_conditions(
    candidate: EquityPath, config: MonitorConfig
) -> tuple[ConditionSeries, ...]:
    """H1 and W1 from the equity table's own ``drawdown`` (peak-to-date ratio)."""
    drawdown = config.rounded(candidate.drawdown)
    return (
        ConditionSeries(
            H1_DRAWDOWN, drawdown > config.hard_drawdown, drawdown, config.hard_drawdown
        ),
        ConditionSeries(
            W1_DRAWDOWN, drawdown > config.warning_drawdown, drawdown, config.warning_drawdown
        ),
    )


def return_gaps(candidate: EquityPath, reference: EquityPath, config: MonitorConfig) -> np.ndarray:
    """Rounded candidate − reference trailing return per session (same sessions required)."""
    window = config.return_window_sessions
    gap = trailing_returns(candidate.equity, window) - trailing_returns(reference.equity, window)
    return config.rounded(gap)


def return_gap_condition(
    candidate: EquityPath, reference: EquityPath, config: MonitorConfig
) -> ConditionSeries:
    """W2: the candidate lags the reference by more than the floor over the window."""
    gap = return_gaps(candidate, reference, config)
    return ConditionSeries(
        W2_RETURN_GAP_20D, gap < config.return_gap_floor, gap, config.return_gap_floor
    )


def hit_rate_condition(
    sessions: np.ndarray, trades: ClosedTrades, config: MonitorConfig
) -> ConditionSeries:
    """W3 over the last ``hit_rate_window_trades`` trades closed on or before each session.

    A trade counts from its exit session on. The value is the share of those trades
    with ``net_pnl > 0``, NaN (not evaluable, inactive) while fewer than
    ``hit_rate_min_trades`` have closed.
    """
    closed = np.searchsorted(trades.exit_dates, sessions, side="right")
    first = np.maximum(closed - config.hit_rate_window_trades, 0)
    wins_to = np.concatenate(([0], np.cumsum(trades.won, dtype=np.int64)))
    count = closed - first
    wins = wins_to[closed] - wins_to[first]
    enough = count >= config.hit_rate_min_trades
    rate = config.rounded(np.where(enough, wins / np.maximum(count, 1), np.nan))
    active = enough & (np.nan_to_num(rate, nan=np.inf) < config.hit_rate_floor)
    return ConditionSeries(W3_HIT_RATE_20, active, rate, config.hit_rate_floor)


def idle_sessions(sessions: np.ndarray, entry_sessions: np.ndarray) -> np.ndarray:
    """Per session t: consecutive sessions ending at t with no ENTRY_FILLED.

    0 on a session with a fill; before any fill it counts from the first session
    (so it never exceeds the history available, ``t + 1``).
    """
    index = np.arange(sessions.size)
    filled = np.isin(sessions, entry_sessions)
    last_fill = np.maximum.accumulate(np.where(filled, index, -1))
    return index - last_fill


def idle_condition(
    sessions: np.ndarray, entry_sessions: np.ndarray, config: MonitorConfig
) -> ConditionSeries:
    """W4: no ENTRY_FILLED in the last ``idle_window_sessions`` sessions (t included).

    With fewer sessions of history than the window the strategy cannot have been
    idle for the whole window, so W4 stays inactive: a fresh branch is not idle.
    """
    idle = idle_sessions(sessions, entry_sessions)
    window = config.idle_window_sessions
    return ConditionSeries(W4_IDLE, idle >= window, idle.astype(float), window)


def evaluate_conditions(
    candidate: EquityPath,
    reference: EquityPath,
    trades: ClosedTrades,
    entry_sessions: np.ndarray,
    config: MonitorConfig,
) -> tuple[ConditionSeries, ...]:
    """Every condition over the candidate's sessions, in :data:`CONDITIONS` order.

    ``reference`` must cover exactly the candidate's sessions; ``trades`` are the
    candidate's closed trades; ``entry_sessions`` the sessions of its ENTRY_FILLED
    events.
    """
    return (
        *drawdown_conditions(candidate, config),
        return_gap_condition(candidate, reference, config),
        hit_rate_condition(candidate.sessions, trades, config),
        idle_condition(candidate.sessions, entry_sessions, config),
    )
