"""The monitor's conditions on the candidate branch, one value per session.

Every condition is evaluated for every session up to ``as_of`` with array
operations (cumulative sums, running maxima, searchsorted), so streaks come from
the data and never from a state file. Each condition publishes a ``value`` and a
``threshold``; ``active`` is exactly ``value <op> threshold`` on the published
(rounded) value, with a null value never active. A :class:`ConditionSpec` names
its comparison and the :class:`~dragon_compat.monitor.config.MonitorConfig` field
holding its threshold; the numbers live only in
:data:`~dragon_compat.monitor.config.RC1_MONITOR`, and :func:`conditions_markdown`
tables them (with the windows) for the package README.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from dragon_compat.monitor.config import RC1_MONITOR, MonitorConfig
from dragon_compat.monitor.inputs import ClosedTrades, EquityPath
from dragon_compat.monitor.returns import trailing_returns

Tier = Literal["hard", "warning"]
Unit = Literal["ratio", "sessions"]
Comparison = Literal[">", "<", "≥"]

_COMPARE: dict[str, Callable[[Any, Any], np.ndarray]] = {
    ">": np.greater,
    "<": np.less,
    "≥": np.greater_equal,
}


@dataclass(frozen=True, slots=True)
class ConditionSpec:
    """A condition: id, tier, the unit of its value and its rule.

    The rule is ``active ⇔ value <op> config.<threshold>``: ``op`` is the
    comparison, ``threshold`` the name of the :class:`MonitorConfig` field it
    compares against. ``measures`` says what the value is, in words, with
    ``{c.<field>}`` placeholders for the config's windows (see :meth:`describe`).
    """

    id: str
    tier: Tier
    unit: Unit
    op: Comparison
    threshold: str
    measures: str

    @property
    def rule(self) -> str:
        """The rule in words, by field name: ``value > hard_drawdown``."""
        return f"value {self.op} {self.threshold}"

    def threshold_of(self, config: MonitorConfig) -> float | int:
        """This condition's threshold in ``config``."""
        value: float | int = getattr(config, self.threshold)
        return value

    def describe(self, config: MonitorConfig) -> str:
        """What the value is, with ``config``'s windows filled in."""
        return self.measures.format(c=config)


_DRAWDOWN = "`equity.drawdown` at t (the table's own column)"

H1_DRAWDOWN = ConditionSpec("H1_DRAWDOWN", "hard", "ratio", ">", "hard_drawdown", _DRAWDOWN)
W1_DRAWDOWN = ConditionSpec("W1_DRAWDOWN", "warning", "ratio", ">", "warning_drawdown", _DRAWDOWN)
W2_RETURN_GAP_20D = ConditionSpec(
    "W2_RETURN_GAP_20D",
    "warning",
    "ratio",
    "<",
    "return_gap_floor",
    "R_cand(t) − R_ref(t), trailing returns over {c.return_window_sessions} sessions "
    "(`return_window_sessions`)",
)
W3_HIT_RATE_20 = ConditionSpec(
    "W3_HIT_RATE_20",
    "warning",
    "ratio",
    "<",
    "hit_rate_floor",
    "wins / count over the last ≤ {c.hit_rate_window_trades} closed trades "
    "(`hit_rate_window_trades`); null while count < {c.hit_rate_min_trades} "
    "(`hit_rate_min_trades`)",
)
W4_IDLE = ConditionSpec(
    "W4_IDLE",
    "warning",
    "sessions",
    "≥",
    "idle_window_sessions",
    "consecutive sessions ending at t without a candidate ENTRY_FILLED (int)",
)

CONDITIONS: tuple[ConditionSpec, ...] = (
    H1_DRAWDOWN,
    W1_DRAWDOWN,
    W2_RETURN_GAP_20D,
    W3_HIT_RATE_20,
    W4_IDLE,
)
"""All conditions, in the compat README's monitor-table order (every artifact's order)."""


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


def series_of(spec: ConditionSpec, value: np.ndarray, config: MonitorConfig) -> ConditionSeries:
    """``spec`` over ``value``: ``active = value <op> threshold``, NaN never active."""
    threshold = spec.threshold_of(config)
    active = np.asarray(_COMPARE[spec.op](value, threshold), dtype=bool)
    return ConditionSeries(spec, active, value, threshold)


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
    return (series_of(H1_DRAWDOWN, drawdown, config), series_of(W1_DRAWDOWN, drawdown, config))


def return_gaps(candidate: EquityPath, reference: EquityPath, config: MonitorConfig) -> np.ndarray:
    """Rounded candidate − reference trailing return per session (same sessions required)."""
    window = config.return_window_sessions
    gap = trailing_returns(candidate.equity, window) - trailing_returns(reference.equity, window)
    return config.rounded(gap)


def return_gap_condition(
    candidate: EquityPath, reference: EquityPath, config: MonitorConfig
) -> ConditionSeries:
    """W2: the candidate lags the reference by more than the floor over the window."""
    return series_of(W2_RETURN_GAP_20D, return_gaps(candidate, reference, config), config)


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
    return series_of(W3_HIT_RATE_20, rate, config)


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
    return series_of(W4_IDLE, idle_sessions(sessions, entry_sessions).astype(float), config)


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


def conditions_markdown(config: MonitorConfig = RC1_MONITOR) -> str:
    """The conditions (id, tier, value on session t, active when) as a Markdown table.

    Thresholds and windows are ``config``'s, each followed by its field name. The
    package README embeds this text between ``generated:monitor-conditions``
    markers; ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    lines = ["| id | tier | value on session t | active when |", "|---|---|---|---|"]
    lines += [
        f"| {spec.id} | {spec.tier} | {spec.describe(config)} | "
        f"value {spec.op} {spec.threshold_of(config)} (`{spec.threshold}`) |"
        for spec in CONDITIONS
    ]
    return "\n".join(lines) + "\n"
