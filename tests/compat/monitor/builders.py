"""Builders for the monitor tests: hand-made RC1 output tables (this module holds no tests).

A hand-made "market" here is just the RC1 output tables of the three monitored
branches (the runtime README's "Outputs" columns, dates as ISO strings as ``pd.read_csv``
gives them): equity paths, closed trades and a few events. Every builder states
only what a test cares about; the rest is neutral (flat equity, no trades, no
events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from dragon_compat.branches import DEMO_ROLES
from dragon_compat.monitor import BranchTables, ConditionStatus, MonitorArtifacts, compute_monitor

CANDIDATE = DEMO_ROLES.candidate
REFERENCE = DEMO_ROLES.reference
CONTROL = DEMO_ROLES.control
CAPITAL = 1_000_000.0

EVENTS_COLUMNS = [
    "branch",
    "trade_date",
    "phase",
    "seq",
    "symbol",
    "event_type",
    "reason_code",
    "reason_layer",
    "reason_family",
    "reason_tier",
    "price",
    "shares",
    "board_height",
    "alpha_score",
    "rank",
    "predicates",
]
TRADES_COLUMNS = [
    "branch",
    "trade_id",
    "symbol",
    "entry_date",
    "entry_price",
    "exit_date",
    "exit_price",
    "shares",
    "fees",
    "net_pnl",
    "return_pct",
    "hold_sessions",
    "exit_reason",
]
EQUITY_COLUMNS = ["branch", "trade_date", "cash", "market_value", "equity", "positions", "drawdown"]


_CALENDAR = tuple(pd.bdate_range("2024-01-02", periods=500).strftime("%Y-%m-%d"))


def sessions(count: int) -> list[str]:
    """``count`` consecutive weekday sessions from 2024-01-02, as ISO strings."""
    return list(_CALENDAR[:count])


def day(index: int) -> date:
    """The session ``index`` (0-based) of :func:`sessions` as a date."""
    return date.fromisoformat(_CALENDAR[index])


def equity_table(
    branch: str, equity: Sequence[float], *, drawdown: Sequence[float] | None = None
) -> pd.DataFrame:
    """One row per session; drawdown = (running peak − equity) / running peak unless given."""
    values = np.asarray(equity, dtype=float)
    if drawdown is None:
        peak = np.maximum.accumulate(values)
        drawdown = np.round((peak - values) / peak, 6)
    return pd.DataFrame(
        {
            "branch": branch,
            "trade_date": sessions(len(values)),
            "cash": values,
            "market_value": 0.0,
            "equity": values,
            "positions": 0,
            "drawdown": np.asarray(drawdown, dtype=float),
        },
        columns=EQUITY_COLUMNS,
    )


def trades_table(branch: str, closed: Iterable[tuple[int, float]]) -> pd.DataFrame:
    """Trades given as (exit session index, net_pnl), ids in the given order."""
    rows = []
    for number, (exit_index, net_pnl) in enumerate(closed, start=1):
        rows.append(
            {
                "branch": branch,
                "trade_id": f"{branch}-{number:05d}",
                "symbol": f"{600000 + number:06d}.SH",
                "entry_date": _CALENDAR[max(exit_index - 1, 0)],
                "entry_price": 10.0,
                "exit_date": _CALENDAR[exit_index],
                "exit_price": 10.0,
                "shares": 100,
                "fees": 10.0,
                "net_pnl": net_pnl,
                "return_pct": net_pnl / 1000.0,
                "hold_sessions": 2,
                "exit_reason": "NOT_LIMIT_UP",
            }
        )
    return pd.DataFrame(rows, columns=TRADES_COLUMNS)


def events_table(branch: str, events: Iterable[tuple[int, str, str]]) -> pd.DataFrame:
    """Events given as (session index, symbol, event_type)."""
    rows = []
    for seq, (index, symbol, event_type) in enumerate(events, start=1):
        rows.append(
            {
                "branch": branch,
                "trade_date": _CALENDAR[index],
                "phase": "OPEN" if event_type.startswith(("ENTRY_", "EXIT_F")) else "CLOSE",
                "seq": seq,
                "symbol": symbol,
                "event_type": event_type,
                "reason_code": "FILLED" if event_type == "ENTRY_FILLED" else "SELECTED",
            }
        )
    return pd.DataFrame(rows, columns=EVENTS_COLUMNS)


def fills(indexes: Iterable[int], symbol: str = "600001.SH") -> list[tuple[int, str, str]]:
    """ENTRY_FILLED events of ``symbol`` on the given sessions."""
    return [(i, symbol, "ENTRY_FILLED") for i in indexes]


def signals(pairs: Iterable[tuple[int, str]]) -> list[tuple[int, str, str]]:
    """ENTER_SIGNAL events for (session index, symbol) pairs."""
    return [(i, symbol, "ENTER_SIGNAL") for i, symbol in pairs]


def market(
    count: int,
    *,
    candidate_equity: Sequence[float] | None = None,
    candidate_drawdown: Sequence[float] | None = None,
    reference_equity: Sequence[float] | None = None,
    candidate_trades: Iterable[tuple[int, float]] = (),
    candidate_events: Iterable[tuple[int, str, str]] = (),
    reference_events: Iterable[tuple[int, str, str]] = (),
    control_events: Iterable[tuple[int, str, str]] = (),
) -> dict[str, BranchTables]:
    """The three monitored branches over ``count`` sessions (flat equity by default)."""
    flat = [CAPITAL] * count
    return {
        CANDIDATE: BranchTables(
            events=events_table(CANDIDATE, candidate_events),
            trades=trades_table(CANDIDATE, candidate_trades),
            equity=equity_table(
                CANDIDATE,
                flat if candidate_equity is None else candidate_equity,
                drawdown=candidate_drawdown,
            ),
        ),
        REFERENCE: BranchTables(
            events=events_table(REFERENCE, reference_events),
            trades=trades_table(REFERENCE, ()),
            equity=equity_table(REFERENCE, flat if reference_equity is None else reference_equity),
        ),
        CONTROL: BranchTables(
            events=events_table(CONTROL, control_events),
            trades=trades_table(CONTROL, ()),
            equity=equity_table(CONTROL, flat),
        ),
    }


def monitor_at(tables: Mapping[str, BranchTables], index: int) -> MonitorArtifacts:
    """``compute_monitor`` with ``as_of`` = session ``index``."""
    return compute_monitor(tables, as_of=day(index))


def monitor_last(tables: Mapping[str, BranchTables]) -> MonitorArtifacts:
    """``compute_monitor`` at the candidate's last session."""
    last = len(tables[CANDIDATE].equity) - 1
    return monitor_at(tables, last)


def condition(artifacts: MonitorArtifacts, condition_id: str) -> ConditionStatus:
    """The health entry of ``condition_id``."""
    (found,) = [c for c in artifacts.health.conditions if c.id == condition_id]
    return found


def history(artifacts: MonitorArtifacts, condition_id: str) -> list[bool]:
    """The per-session ``active`` column of ``condition_id`` from the history."""
    return [row.active for row in artifacts.history.rows if row.condition_id == condition_id]


@st.composite
def random_markets(draw: st.DrawFn) -> tuple[dict[str, BranchTables], int]:
    """(tables, as_of index): random equity paths, closed trades and fills."""
    count = draw(st.integers(min_value=1, max_value=45))
    cents = st.integers(min_value=60_000_000, max_value=140_000_000)
    candidate = [c / 100 for c in draw(st.lists(cents, min_size=count, max_size=count))]
    reference = [c / 100 for c in draw(st.lists(cents, min_size=count, max_size=count))]
    sessions = st.integers(min_value=0, max_value=count - 1)
    trades = draw(st.lists(st.tuples(sessions, st.sampled_from([-300.0, 0.0, 250.0])), max_size=40))
    candidate_fills = draw(st.lists(sessions, max_size=8, unique=True))
    reference_fills = draw(st.lists(sessions, max_size=8, unique=True))
    as_of = draw(sessions)
    tables = market(
        count,
        candidate_equity=candidate,
        reference_equity=reference,
        candidate_trades=trades,
        candidate_events=fills(candidate_fills),
        reference_events=fills(reference_fills),
    )
    return tables, as_of
