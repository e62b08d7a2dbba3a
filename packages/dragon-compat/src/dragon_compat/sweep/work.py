"""What runs on a sweep worker (or in-process, serially): the same functions either way.

- :func:`featurize` — the whole market up to a window end, annotated and featurized;
  the bars are loaded from their shared path once per process (:class:`DataRef`,
  cached by sha256).
- :func:`prepare_group` — one market group's window of its universe made into a
  :class:`~dragon_compat.prepare.PreparedMarket` (:mod:`dragon_compat.sweep.market`).
- :func:`group_policies` — one market group's replayed decisions per grid policy
  (:mod:`dragon_compat.sweep.policies`), once for all the group's cells.
- :func:`run_cell` — one branch over a prepared market: the report's metrics, the
  trade count, final equity and its group's policy columns as a row
  (:mod:`dragon_compat.sweep.table`) and, with ``keep``, the cell's four RC1 files
  written canonically.

Every result is a pure function of its arguments: which process ran it, and when,
cannot change a byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.prepare import PreparedMarket
from dragon_compat.report.metrics import branch_metrics, traded_value
from dragon_compat.rundir import SWEEP_OUTPUTS_DIR
from dragon_compat.sweep.cells import Cell, MarketGroup
from dragon_compat.sweep.market import CellFailure, FeaturizedMarket, featurize_until, window_market
from dragon_compat.sweep.policies import group_policies
from dragon_compat.sweep.table import FAILED, OK, Row
from dragon_runtime import EventType, LoopResult, render_branch_outputs

__all__ = [
    "DataRef",
    "cell_outputs_dir",
    "failed_row",
    "featurize",
    "group_policies",
    "prepare_group",
    "remember_bars",
    "run_cell",
]

_FILLS = (str(EventType.ENTRY_FILLED), str(EventType.EXIT_FILLED))


@dataclass(frozen=True, slots=True)
class DataRef:
    """Where a worker reads the bars: the paths (shared with the client) and the sha256
    the client validated, which the worker checks again."""

    path: str
    sha256: str
    side_tables: tuple[str, ...] = ()


def _register_sizeof() -> None:
    """Tell dask what a prepared market weighs, so it keeps cells beside their market."""
    try:
        from dask.sizeof import sizeof
    except ImportError:  # the in-process sweep needs no dask
        return
    from dragon_compat.sweep.market import featurized_nbytes, market_nbytes

    sizeof.register(PreparedMarket)(market_nbytes)
    sizeof.register(FeaturizedMarket)(featurized_nbytes)


_register_sizeof()
_BARS: dict[str, object] = {}


def remember_bars(data: DataRef, bars: object) -> None:
    """Seed this process's cache with bars already loaded (the in-process sweep's)."""
    _BARS.clear()
    _BARS[data.sha256] = bars


def _bars(data: DataRef) -> pd.DataFrame:
    """The validated bars of ``data``, loaded from its path once per process."""
    bars = _BARS.get(data.sha256)
    if bars is None:
        from dragon_compat.market_input import load_market

        market = load_market(data.path, side_table=list(data.side_tables) or None)
        if market.sha256 != data.sha256:
            raise CellFailure(f"{data.path}: changed since the sweep started (sha256 differs)")
        _BARS.clear()
        bars = _BARS[data.sha256] = market.bars
    assert isinstance(bars, pd.DataFrame)
    return bars


def featurize(data: DataRef, end: dt.date) -> FeaturizedMarket:
    """The whole market of ``data`` up to ``end``, annotated and featurized."""
    return featurize_until(_bars(data), end)


def prepare_group(featurized: FeaturizedMarket, group: MarketGroup) -> PreparedMarket | CellFailure:
    """The prepared market of ``group`` (its window of its universe); a
    :class:`~dragon_compat.sweep.market.CellFailure` is returned, not raised, so the
    group's cells fail with its message."""
    try:
        return window_market(featurized, group.universe, group.window)
    except CellFailure as failure:
        return failure


def cell_outputs_dir(out: Path, cell: Cell) -> Path:
    """``OUT/outputs/<universe>/<start>_<end>/<branch>/``."""
    window = f"{cell.window.start.isoformat()}_{cell.window.end.isoformat()}"
    return out / SWEEP_OUTPUTS_DIR / cell.universe.name / window / cell.branch.name


def _key_values(cell: Cell) -> Row:
    return {
        "cell_key": cell.key,
        "cell": cell.index,
        "universe": cell.universe.name,
        "window_start": cell.window.start,
        "window_end": cell.window.end,
        "branch": cell.branch.name,
    }


def failed_row(cell: Cell, error: str) -> Row:
    """The row of a cell that failed with ``error``."""
    return {**_key_values(cell), "status": FAILED, "error": error}


def _values(result: LoopResult) -> Row:
    equity = result.equity["equity"].to_numpy(dtype=float)
    events = result.events
    fills = events["event_type"].isin(_FILLS).to_numpy(dtype=bool)
    metrics = branch_metrics(
        equity=equity,
        positions=result.equity["positions"].to_numpy(dtype=float),
        net_pnl=result.trades["net_pnl"].to_numpy(dtype=float),
        hold_sessions=result.trades["hold_sessions"].to_numpy(dtype=float),
        traded_value=traded_value(
            events.loc[fills, "price"].to_numpy(dtype=float),
            events.loc[fills, "shares"].to_numpy(dtype=float),
        ),
    )
    row: Row = {name: getattr(metrics, name) for name in metrics.__slots__}
    row["final_equity"] = float(equity[-1]) if equity.size else None
    return row


def run_cell(
    market: PreparedMarket | CellFailure,
    cell: Cell,
    keep: Path | None = None,
    policies: Mapping[str, int] | CellFailure | None = None,
) -> Row:
    """One cell's row, ending with its group's ``policies`` columns
    (:func:`~dragon_compat.sweep.policies.group_policies`); with ``keep`` (the sweep's
    OUT) its RC1 files under :func:`cell_outputs_dir`."""
    if isinstance(market, CellFailure):
        return failed_row(cell, str(market))
    if isinstance(policies, CellFailure):
        return failed_row(cell, str(policies))
    result = DragonRuleEngine().run(branch=cell.branch, market=market)
    if keep is not None:
        from dragon_compat.writes import write_files

        texts = render_branch_outputs(
            events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
        )
        write_files(cell_outputs_dir(keep, cell), texts)
    row = {
        **_key_values(cell),
        "status": OK,
        "error": None,
        "sessions": int(market.panel.shape[0]),
        "symbols": int(market.panel.shape[1]),
        **_values(result),
        **(policies or {}),
    }
    return row
