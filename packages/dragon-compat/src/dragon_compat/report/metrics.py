"""The report's performance metrics: Dragon's own definitions, each a pure function.

Why not a kept library (quantstats, empyrical, pyfolio)? Their conventions differ
from each other and from what an A-share operator reads in subtle ways — compounded
vs arithmetic annualisation, ``ddof`` 0 vs 1, the Sortino denominator, whether a
drawdown's duration counts calendar days or sessions, turnover one- or two-sided —
and some change between releases. A metric whose definition is a function of ten
lines, tested on hand-computed cases, is a definition a reader can check; the page
and the package README state each one (:data:`METRICS` holds the texts the page
prints).

Conventions shared by every function:

- ``equity`` is end-of-session equity (CNY, > 0) in session order, one value per
  session of ``equity.csv``. The first session's close is the starting capital (RC1
  places no order on a branch's first session), so returns start there.
- Daily returns are simple: ``r[t] = equity[t] / equity[t-1] - 1`` for
  ``t = 1 .. n-1`` — ``n - 1`` returns for ``n`` sessions.
- A year is :data:`SESSIONS_PER_YEAR` = 252 sessions.
- ``risk_free`` is an annual rate (0.02 = 2 %); its per-session rate is
  ``(1 + risk_free) ** (1 / 252) - 1``, the rate that compounds to it over a year.
- Ratios are plain (0.05 = 5 %). A metric that is not defined on the data (too few
  sessions, no trades, a zero denominator) is ``None`` — shown as "n/a", never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

SESSIONS_PER_YEAR = 252
"""Sessions in a year, for every annualisation."""

Format = Literal["percent", "ratio", "sessions", "count"]


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A metric's key in :class:`BranchMetrics`, its label, how it prints, its definition."""

    key: str
    label: str
    format: Format
    definition: str


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("total_return", "Total return", "percent", "last equity / first equity − 1"),
    MetricSpec(
        "annualised_return",
        "Annualised return",
        "percent",
        "(1 + total return) ^ (252 / daily returns) − 1 (compounded)",
    ),
    MetricSpec(
        "volatility",
        "Volatility",
        "percent",
        "std(daily returns, ddof = 1) · √252",
    ),
    MetricSpec(
        "sharpe",
        "Sharpe",
        "ratio",
        "mean(daily return − daily risk-free) / std(daily returns, ddof = 1) · √252",
    ),
    MetricSpec(
        "sortino",
        "Sortino",
        "ratio",
        "mean(daily excess return) / √mean(min(daily excess return, 0)²) · √252 "
        "(the downside deviation is taken over every session, target = risk-free)",
    ),
    MetricSpec("calmar", "Calmar", "ratio", "annualised return / max drawdown"),
    MetricSpec(
        "max_drawdown",
        "Max drawdown",
        "percent",
        "max over sessions of 1 − equity / running peak of equity",
    ),
    MetricSpec(
        "max_drawdown_sessions",
        "Max drawdown duration",
        "sessions",
        "longest run of consecutive sessions closing below the running peak "
        "(counted to the last session while still under water)",
    ),
    MetricSpec("win_rate", "Win rate", "percent", "closed trades with net_pnl > 0 / closed trades"),
    MetricSpec(
        "profit_factor",
        "Profit factor",
        "ratio",
        "sum of winning net_pnl / |sum of losing net_pnl| (∞ when nothing lost)",
    ),
    MetricSpec(
        "average_hold",
        "Average hold",
        "sessions",
        "mean hold_sessions of closed trades (entry and exit sessions included)",
    ),
    MetricSpec(
        "exposure", "Exposure", "percent", "share of sessions closing with ≥ 1 position held"
    ),
    MetricSpec(
        "turnover",
        "Turnover (per year)",
        "ratio",
        "traded value / mean equity / years, traded value = Σ price · shares over "
        "ENTRY_FILLED and EXIT_FILLED events (both sides, before fees), "
        "years = daily returns / 252",
    ),
    MetricSpec("trades", "Trades", "count", "closed trades (rows of trades.csv)"),
)
"""Every metric of the report's table, in table order."""


@dataclass(frozen=True, slots=True)
class BranchMetrics:
    """One branch's metrics (see :data:`METRICS`); ``None`` = not defined on the data."""

    total_return: float | None
    annualised_return: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: float | None
    max_drawdown_sessions: int | None
    win_rate: float | None
    profit_factor: float | None
    average_hold: float | None
    exposure: float | None
    turnover: float | None
    trades: int


def _floats(values: Sequence[float] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float)


def daily_risk_free(risk_free: float) -> float:
    """The per-session rate that compounds to the annual ``risk_free`` over 252 sessions."""
    return (1.0 + risk_free) ** (1.0 / SESSIONS_PER_YEAR) - 1.0


def daily_returns(equity: Sequence[float] | np.ndarray) -> np.ndarray:
    """``equity[t] / equity[t-1] - 1`` for ``t = 1 .. n-1`` (empty for n < 2)."""
    values = _floats(equity)
    return values[1:] / values[:-1] - 1.0


def total_return(equity: Sequence[float] | np.ndarray) -> float | None:
    """Last equity / first equity − 1; ``None`` without sessions."""
    values = _floats(equity)
    if values.size == 0:
        return None
    return float(values[-1] / values[0] - 1.0)


def annualised_return(equity: Sequence[float] | np.ndarray) -> float | None:
    """``(1 + total return) ** (252 / (n - 1)) - 1``; ``None`` below two sessions."""
    values = _floats(equity)
    if values.size < 2:
        return None
    return float((values[-1] / values[0]) ** (SESSIONS_PER_YEAR / (values.size - 1)) - 1.0)


def volatility(returns: Sequence[float] | np.ndarray) -> float | None:
    """``std(returns, ddof=1) * sqrt(252)``; ``None`` below two returns."""
    values = _floats(returns)
    if values.size < 2:
        return None
    return float(np.std(values, ddof=1) * np.sqrt(SESSIONS_PER_YEAR))


def sharpe(returns: Sequence[float] | np.ndarray, risk_free: float = 0.0) -> float | None:
    """``mean(returns - rf_daily) / std(returns, ddof=1) * sqrt(252)``.

    ``None`` below two returns or when the returns do not vary (std = 0).
    """
    values = _floats(returns)
    if values.size < 2:
        return None
    spread = float(np.std(values, ddof=1))
    if spread == 0.0:
        return None
    excess = values - daily_risk_free(risk_free)
    return float(np.mean(excess) / spread * np.sqrt(SESSIONS_PER_YEAR))


def sortino(returns: Sequence[float] | np.ndarray, risk_free: float = 0.0) -> float | None:
    """``mean(excess) / sqrt(mean(min(excess, 0) ** 2)) * sqrt(252)``, excess = r − rf_daily.

    The downside deviation averages over every return (a session above the target
    contributes 0). ``None`` without returns or without a session below the target.
    """
    values = _floats(returns)
    if values.size == 0:
        return None
    excess = values - daily_risk_free(risk_free)
    downside = float(np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2)))
    if downside == 0.0:
        return None
    return float(np.mean(excess) / downside * np.sqrt(SESSIONS_PER_YEAR))


def drawdowns(equity: Sequence[float] | np.ndarray) -> np.ndarray:
    """Per session ``1 - equity / running peak`` (≥ 0; 0 on a new peak)."""
    values = _floats(equity)
    if values.size == 0:
        return values
    return 1.0 - values / np.maximum.accumulate(values)


def max_drawdown(equity: Sequence[float] | np.ndarray) -> float | None:
    """The largest of :func:`drawdowns`; ``None`` without sessions."""
    values = drawdowns(equity)
    return float(values.max()) if values.size else None


def max_drawdown_sessions(equity: Sequence[float] | np.ndarray) -> int | None:
    """Longest run of consecutive sessions with a drawdown > 0; ``None`` without sessions."""
    under = drawdowns(equity) > 0.0
    if under.size == 0:
        return None
    edges = np.flatnonzero(np.diff(np.concatenate(([0], under.astype(np.int8), [0]))))
    starts, ends = edges[::2], edges[1::2]
    return int((ends - starts).max()) if starts.size else 0


def calmar(equity: Sequence[float] | np.ndarray) -> float | None:
    """Annualised return / max drawdown; ``None`` when either is undefined or the drawdown is 0."""
    annual, deepest = annualised_return(equity), max_drawdown(equity)
    if annual is None or not deepest:
        return None
    return annual / deepest


def win_rate(net_pnl: Sequence[float] | np.ndarray) -> float | None:
    """Share of closed trades with ``net_pnl > 0``; ``None`` without trades."""
    values = _floats(net_pnl)
    if values.size == 0:
        return None
    return float(np.count_nonzero(values > 0.0) / values.size)


def profit_factor(net_pnl: Sequence[float] | np.ndarray) -> float | None:
    """Σ winning net_pnl / |Σ losing net_pnl|.

    ``inf`` when something was won and nothing lost; ``None`` when nothing was won
    or lost (no trades, or only break-even ones).
    """
    values = _floats(net_pnl)
    gains = float(values[values > 0.0].sum())
    losses = float(-values[values < 0.0].sum())
    if losses == 0.0:
        return float("inf") if gains > 0.0 else None
    return gains / losses


def average_hold(hold_sessions: Sequence[float] | np.ndarray) -> float | None:
    """Mean ``hold_sessions`` of closed trades; ``None`` without trades."""
    values = _floats(hold_sessions)
    return float(values.mean()) if values.size else None


def exposure(positions: Sequence[float] | np.ndarray) -> float | None:
    """Share of sessions closing with at least one position; ``None`` without sessions."""
    values = _floats(positions)
    if values.size == 0:
        return None
    return float(np.count_nonzero(values >= 1) / values.size)


def traded_value(
    prices: Sequence[float] | np.ndarray, shares: Sequence[float] | np.ndarray
) -> float:
    """CNY traded over the fills given: Σ price · shares (both sides: entry and exit fills)."""
    return float((_floats(prices) * _floats(shares)).sum())


def turnover(traded_value: float, equity: Sequence[float] | np.ndarray) -> float | None:
    """``traded_value / mean(equity) / years``, ``years = (n - 1) / 252``.

    ``traded_value`` is CNY bought plus CNY sold over the run. ``None`` below two
    sessions (no elapsed time).
    """
    values = _floats(equity)
    if values.size < 2:
        return None
    years = (values.size - 1) / SESSIONS_PER_YEAR
    return float(traded_value / values.mean() / years)


def monthly_returns(sessions: np.ndarray, equity: Sequence[float] | np.ndarray) -> pd.DataFrame:
    """Calendar-month returns: rows = years, columns = months 1..12 (NaN = no session).

    A month's return is its last close / the previous month's last close − 1; the
    first month's base is the first session's close (the starting capital), so the
    months compound to the total return. ``sessions`` are ``datetime64[D]`` in order.
    """
    values = _floats(equity)
    days = np.asarray(sessions, dtype="datetime64[D]")
    columns = pd.Index(range(1, 13), name="month")
    if values.size == 0:
        return pd.DataFrame(columns=columns, dtype=float).rename_axis("year")
    months = days.astype("datetime64[M]")
    last = np.flatnonzero(np.append(months[1:] != months[:-1], True))
    closes = values[last]
    bases = np.concatenate(([values[0]], closes[:-1]))
    labels = months[last]
    years = labels.astype("datetime64[Y]").astype(int) + 1970
    month_numbers = labels.astype(int) % 12 + 1
    frame = pd.DataFrame({"year": years, "month": month_numbers, "ret": closes / bases - 1.0})
    table = frame.pivot_table(index="year", columns="month", values="ret", aggfunc="first")
    return table.reindex(columns=columns)


def year_returns(monthly: pd.DataFrame) -> pd.Series:
    """Each year's compounded return from :func:`monthly_returns`' table (its months' product)."""
    return (1.0 + monthly).prod(axis=1, skipna=True) - 1.0


def branch_metrics(
    *,
    equity: Sequence[float] | np.ndarray,
    positions: Sequence[float] | np.ndarray,
    net_pnl: Sequence[float] | np.ndarray,
    hold_sessions: Sequence[float] | np.ndarray,
    traded_value: float,
    risk_free: float = 0.0,
) -> BranchMetrics:
    """Every metric of :data:`METRICS` for one branch (inputs as the functions above)."""
    returns = daily_returns(equity)
    return BranchMetrics(
        total_return=total_return(equity),
        annualised_return=annualised_return(equity),
        volatility=volatility(returns),
        sharpe=sharpe(returns, risk_free),
        sortino=sortino(returns, risk_free),
        calmar=calmar(equity),
        max_drawdown=max_drawdown(equity),
        max_drawdown_sessions=max_drawdown_sessions(equity),
        win_rate=win_rate(net_pnl),
        profit_factor=profit_factor(net_pnl),
        average_hold=average_hold(hold_sessions),
        exposure=exposure(positions),
        turnover=turnover(traded_value, equity),
        trades=int(np.asarray(net_pnl).size),
    )
