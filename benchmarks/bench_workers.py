"""What each fresh worker process measures (``bench.py --worker KIND``).

Every measurement runs in its own fresh interpreter so its timings carry no warm
caches of an earlier step and its peak RSS is that of one process doing just that
work. A worker returns a JSON-able dict; ``bench.py`` writes it to ``--result``.

- ``market``: generate the market and write it as Parquet (when missing), and the
  CSV copy (when missing). Not measured against targets — it is the cache.
- ``floor``: :mod:`bench_floor` — read the needed columns, one numpy pass.
- ``pipeline``: the whole four-branch run, cut into back-to-back segments: load
  (Parquet, :func:`dragon_compat.data.load_bars`), the four named preparation steps
  of :mod:`dragon_compat.prepare` (limits, features, panel, predicates — the last
  one includes assembling the prepared market), each branch's loop, writing every
  branch's outputs.
- ``csv``: :func:`~dragon_compat.data.load_bars` of the CSV copy.
- ``replay``: ``dragon replay``'s pipeline over the market's last
  :data:`REPLAY_SESSIONS` sessions (:func:`dragon_compat.pipelines.replay.run_replay`:
  features and the four branches once, every session's monitor and governance
  decision in-process, the replay directory written), after loading the market.

The preparation steps are called one by one, exactly as
:func:`dragon_compat.prepare.prepare_market` chains them (a compat test keeps the
chain and ``prepare_market`` equal), so each step's segment is that step alone.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_meter import Meter, current_rss
from bench_sweep import sweep_worker

# Segment names; bench_report maps them to table rows.
IMPORTS = "imports"
LOAD_PARQUET = "load_parquet"
LIMITS = "limits"
FEATURES = "features"
PANEL = "panel"
PREDICATES = "predicates"
LOOP_PREFIX = "loop:"
WRITE = "write"
FLOOR_READ = "floor_read"
FLOOR_PASS = "floor_pass"
LOAD_CSV = "load_csv"
REPLAY = "replay"

REPLAY_SESSIONS = 250
"""Sessions the ``replay`` worker replays: the market's last 250 (a year)."""

PREPARE_SEGMENTS = (LIMITS, FEATURES, PANEL, PREDICATES)

_LAZY_IMPORTS = ("numpy", "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.csv")


def market_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Generate the Parquet market if missing, then the CSV copy if missing."""
    import numpy as np
    import pandas as pd

    from dragon_compat.data.write import write_bars
    from dragon_compat.sample import generate_market

    parquet, csv = Path(args.parquet), Path(args.csv)
    result: dict[str, Any] = {}
    frame = None
    if not parquet.exists():
        start = time.perf_counter()
        frame = generate_market(args.symbols, args.sessions, args.seed)
        generated = time.perf_counter()
        write_bars(frame, parquet)
        result["parquet"] = {
            "rows": len(frame),
            "generate_seconds": generated - start,
            "write_seconds": time.perf_counter() - generated,
            "bytes": parquet.stat().st_size,
        }
    if not csv.exists():
        if frame is None:
            frame = pd.read_parquet(parquet)
        dates = frame["trade_date"].to_numpy()
        starts = np.flatnonzero(dates[1:] != dates[:-1]) + 1
        bounds = np.append(starts, len(frame))
        cut = len(frame)
        if 0 < args.csv_rows < len(frame):
            fitting = bounds[bounds <= args.csv_rows]
            cut = int(fitting[-1]) if len(fitting) else int(bounds[0])
        start = time.perf_counter()
        write_bars(frame.iloc[:cut], csv)
        result["csv"] = {
            "rows": cut,
            "sessions": int(np.count_nonzero(bounds <= cut)),
            "write_seconds": time.perf_counter() - start,
            "bytes": csv.stat().st_size,
        }
    return result


def floor_worker(args: argparse.Namespace) -> dict[str, Any]:
    """The floor of :mod:`bench_floor`, in two segments (read, pass)."""
    meter = Meter(_profile_dir(args))
    meter.switch(IMPORTS)
    _preload("dragon_runtime.market")
    from bench_floor import floor_pass, read_floor_columns

    meter.switch(FLOOR_READ)
    columns = read_floor_columns(Path(args.parquet))
    meter.count(len(columns))
    meter.switch(FLOOR_PASS, len(columns))
    checksum = floor_pass(columns)
    meter.switch(None)
    return _measured(
        meter,
        limit_ups=checksum.limit_ups,
        max_board_height=checksum.max_board_height,
    )


def pipeline_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Load → prepare (4 parts) → four branch loops → write every branch's outputs."""
    meter = Meter(_profile_dir(args))
    meter.switch(IMPORTS)
    _preload()
    from dragon_compat import prepare
    from dragon_compat.data import load_bars
    from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine

    meter.switch(LOAD_PARQUET)
    bars = load_bars(Path(args.parquet))
    rows = len(bars)
    meter.count(rows)

    meter.switch(LIMITS, rows)
    annotated = prepare.annotate(bars)
    meter.switch(FEATURES, rows)
    features = prepare.featurize(annotated)
    meter.switch(PANEL, rows)
    panel = prepare.build_panel(annotated, features)
    meter.switch(PREDICATES, rows)
    candidates = prepare.evaluate_candidates(annotated, features, panel)
    market = prepare.assemble(annotated, features, panel, candidates)

    engine = DragonRuleEngine()
    results = {}
    for name in BRANCH_NAMES:
        meter.switch(f"{LOOP_PREFIX}{name}", rows)
        results[name] = engine.run(branch=name, market=market)

    out = Path(args.out_dir)
    output_rows = sum(len(r.events) + len(r.trades) + len(r.equity) for r in results.values())
    meter.switch(WRITE, output_rows)
    hashes = {name: engine.write(result, out / name) for name, result in results.items()}
    meter.switch(None)

    branches = {
        name: {
            "events": len(result.events),
            "trades": len(result.trades),
            "equity": len(result.equity),
            "files": hashes[name],
            "bytes": sum((out / name / file).stat().st_size for file in hashes[name]),
        }
        for name, result in results.items()
    }
    return _measured(
        meter,
        rows=rows,
        sessions=int(market.panel.shape[0]),
        symbols=int(market.panel.shape[1]),
        candidates=len(market.candidate_rows),
        branches=branches,
    )


def csv_worker(args: argparse.Namespace) -> dict[str, Any]:
    """:func:`~dragon_compat.data.load_bars` of the CSV copy."""
    meter = Meter(_profile_dir(args))
    meter.switch(IMPORTS)
    _preload()
    from dragon_compat.data import load_bars

    meter.switch(LOAD_CSV)
    bars = load_bars(Path(args.csv))
    meter.count(len(bars))
    meter.switch(None)
    return _measured(meter, rows=len(bars))


def replay_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Load the market, then replay its last :data:`REPLAY_SESSIONS` sessions."""
    meter = Meter(_profile_dir(args))
    meter.switch(IMPORTS)
    _preload("dragon_governance.evaluation", "dragon_governance.ledger")
    import dragon_governance
    from dragon_compat.market_input import load_market
    from dragon_compat.pipelines.replay import run_replay

    dragon_governance.load_calendar()  # the session cache, as every later run finds it
    meter.switch(LOAD_PARQUET)
    market = load_market(Path(args.parquet))
    rows = len(market.bars)
    meter.count(rows)
    days = market.bars["trade_date"].drop_duplicates()
    first = days.iloc[max(len(days) - REPLAY_SESSIONS, 0)].date()
    meter.switch(REPLAY, rows)
    replay = run_replay(
        market,
        Path(args.out_dir) / "replay",
        first=first,
        last=days.iloc[-1].date(),
        policies=(dragon_governance.builtin_policy(),),
    )
    meter.switch(None)
    summary = replay.policy_summary("rc1-default")
    return _measured(
        meter,
        rows=rows,
        replayed_sessions=summary["sessions"],
        decisions=summary["sessions_per_decision"],
    )


WORKERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "market": market_worker,
    "floor": floor_worker,
    "pipeline": pipeline_worker,
    "csv": csv_worker,
    "replay": replay_worker,
    "sweep": sweep_worker,
}
"""Worker kinds by name (``bench.py --worker KIND``)."""


def _preload(*modules: str) -> None:
    """Import what later steps import lazily, so every worker's ``imports`` segment
    holds all of its import time and the measured steps hold none."""
    for module in (*_LAZY_IMPORTS, *modules):
        importlib.import_module(module)


def _profile_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.profile) / args.worker if args.profile else None


def _measured(meter: Meter, **facts: Any) -> dict[str, Any]:
    return {
        "segments": [segment.as_json() for segment in meter.segments],
        "peak_is_cumulative": meter.peak_is_cumulative,
        "end_rss": current_rss(),
        "pid": os.getpid(),
        **facts,
    }
