"""``hatch run bench --sweep``: `dragon sweep` scaling on the bench market.

The grid (:func:`grid_text`): RC1's four branches × four walk-forward windows of a
fifth of the data's sessions (the last four: ends at 40, 60, 80 and 100 % of the
data) × two universes (main board; ChiNext + STAR + BSE) = 32 cells.

Each measurement is one fresh process (``bench.py --worker sweep``), best of
``--repeat``:

- ``direct``: the cells run in-process by calling the sweep's own worker functions
  (featurize per window end, prepare per group, run per cell) with a timer around
  each — the reference for the per-cell overhead and the per-task times the 8- and
  64-worker estimates use;
- ``dask-1`` / ``dask-2``: :func:`dragon_compat.sweep.engine.run_sweep` on a
  LocalCluster of 1 and 2 single-threaded worker processes, ``ship = path``;
- ``scatter-2``: 2 workers, ``ship = scatter`` (the client prepares and scatters).

Every run's table must have the same sha256 (it is checked and printed). The parent
process never touches the data.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

MODES = ("direct", "dask-1", "dask-2", "scatter-2")
SPEEDUP_TARGET = 1.7
OVERHEAD_TARGET = 0.10
_BRANCHES = ("rc1_baseline", "alpha_first", "alpha_first_selective_veto", "strict_veto")


def grid_text(sessions: list[Any]) -> str:
    """The bench grid over the data's ``sessions`` (module docstring)."""
    from dragon_compat.branch_file import NO_CUTOFF
    from dragon_compat.branches import BRANCHES

    length = len(sessions) // 5
    lines = []
    for name in _BRANCHES:
        branch = BRANCHES[name]
        top_k = f'"{NO_CUTOFF}"' if branch.top_k is None else str(branch.top_k)
        vetoes = ", ".join(f'"{code}"' for code in branch.selective_vetoes)
        lines += [
            "[[branch]]",
            f'name = "{name}"',
            f'ordering = "{branch.ordering}"',
            f"top_k = {top_k}",
            f"selective_vetoes = [{vetoes}]",
            "",
        ]
    lines += [
        "[rolling]",
        f"length = {length}",
        f"step = {length}",
        f"start = {sessions[len(sessions) - 4 * length].isoformat()}",
        "",
        "[[universe]]",
        'name = "main"',
        'boards = ["main"]',
        "",
        "[[universe]]",
        'name = "growth"',
        'boards = ["chinext", "star", "bse"]',
        "",
    ]
    return "\n".join(lines)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _direct(grid: Any, market: Any, out: Path) -> dict[str, Any]:
    """The cells in-process through the worker functions, each task timed."""
    from dragon_compat.rundir import SWEEP_RESULTS_FILE
    from dragon_compat.sweep.cells import plan_cells
    from dragon_compat.sweep.engine import by_window_end, data_ref, sweep_windows
    from dragon_compat.sweep.market import featurized_nbytes, market_nbytes
    from dragon_compat.sweep.table import table_bytes
    from dragon_compat.sweep.work import featurize, prepare_group, remember_bars, run_cell

    data = data_ref(market)
    remember_bars(data, market.bars)
    cells, groups = plan_cells(grid, sweep_windows(grid, market), market.digests())
    bundles, rows = [], []
    cpu = _cpu()
    start = time.perf_counter()
    for end, bundle in by_window_end(groups):
        began = time.perf_counter()
        featurized = featurize(data, end)
        record: dict[str, Any] = {
            "end": end.isoformat(),
            "featurize": time.perf_counter() - began,
            "featurized_bytes": featurized_nbytes(featurized),
            "groups": [],
        }
        for group in bundle:
            began = time.perf_counter()
            prepared = prepare_group(featurized, group)
            prepare = time.perf_counter() - began
            cell_seconds = []
            for cell in group.cells:
                began = time.perf_counter()
                rows.append(run_cell(prepared, cell))
                cell_seconds.append(time.perf_counter() - began)
            record["groups"].append(
                {
                    "universe": group.universe.name,
                    "prepare": prepare,
                    "market_bytes": market_nbytes(prepared),
                    "cells": cell_seconds,
                }
            )
        bundles.append(record)
        del featurized
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu
    table = table_bytes(sorted(rows, key=lambda row: row["cell"]))
    (out / SWEEP_RESULTS_FILE).write_bytes(table)
    return {
        "sweep_seconds": seconds,
        "cpu_seconds": cpu,
        "bundles": bundles,
        "cells": len(cells),
        "table_sha256": hashlib.sha256(table).hexdigest(),
    }


def _dask(grid: Any, market: Any, out: Path, workers: int, ship: str) -> dict[str, Any]:
    from dragon_compat.sweep.engine import DaskExecutor, dask_client, run_sweep

    began = time.perf_counter()
    with dask_client(None, workers) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter() - began
        workers_cpu = sum(client.run(_cpu).values())
        cpu = _cpu()
        begin = time.perf_counter()
        from distributed import get_task_stream

        executor = DaskExecutor(client, ship=ship, bars=market.bars)  # type: ignore[arg-type]
        with get_task_stream(client) as stream:
            outcome = run_sweep(grid, market, out, executor)
        seconds = time.perf_counter() - begin
        cpu = _cpu() - cpu + sum(client.run(_cpu).values()) - workers_cpu
        peaks = client.run(_peak_rss)
    compute: dict[str, float] = {}
    for record in stream.data:
        kind = str(record["key"]).split("-")[0]
        for part in record["startstops"]:
            if part["action"] == "compute":
                compute[kind] = compute.get(kind, 0.0) + part["stop"] - part["start"]
    return {
        "cluster_start_seconds": started,
        "sweep_seconds": seconds,
        "cpu_seconds": cpu,
        "worker_peak_rss": sorted(peaks.values()),
        "task_compute_seconds": compute,
        "cells": len(outcome.rows),
        "failed": outcome.failed,
        "table_sha256": hashlib.sha256(outcome.table.read_bytes()).hexdigest(),
    }


def sweep_worker(args: argparse.Namespace) -> dict[str, Any]:
    """One measurement (``--sweep-mode``) on ``--parquet``; see the module docstring."""
    import distributed  # noqa: F401 - imports are not part of the measurement
    import numpy as np

    from dragon_compat.market_input import load_market
    from dragon_compat.sweep.grid import load_grid

    began = time.perf_counter()
    market = load_market(args.parquet)
    load = time.perf_counter() - began
    days = np.unique(market.bars["trade_date"].to_numpy(dtype="datetime64[D]")).astype(object)
    with tempfile.TemporaryDirectory(dir=args.out_dir) as scratch:
        folder = Path(scratch)
        grid_path = folder / "grid.toml"
        grid_path.write_text(grid_text(list(days)), encoding="utf-8")
        grid = load_grid(grid_path)
        out = folder / "out"
        out.mkdir()
        mode = args.sweep_mode
        if mode == "direct":
            result = _direct(grid, market, out)
        else:
            ship = "scatter" if mode.startswith("scatter") else "path"
            result = _dask(grid, market, out, int(mode.rsplit("-", 1)[1]), ship)
    return {
        **result,
        "mode": mode,
        "load_seconds": load,
        "client_peak_rss": _peak_rss(),
        "rows": len(market.bars),
        "pid": os.getpid(),
    }


def lpt_makespan(durations: list[float], workers: int) -> float:
    """Longest-processing-time-first schedule of ``durations`` on ``workers``."""
    loads = [0.0] * workers
    for duration in sorted(durations, reverse=True):
        loads[loads.index(min(loads))] += duration
    return max(loads)


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda run: run["sweep_seconds"])


def _gib(value: float) -> str:
    return f"{value / 2**30:.2f} GiB"


def summarize(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The numbers the table prints, from each mode's fastest process."""
    best = {mode: _best(found) for mode, found in runs.items()}
    direct, one, two = best["direct"], best["dask-1"], best["dask-2"]
    bundles = direct["bundles"]
    durations = [
        b["featurize"] + sum(g["prepare"] + sum(g["cells"]) for g in b["groups"]) for b in bundles
    ]
    loops = [s for b in bundles for g in b["groups"] for s in g["cells"]]
    load = direct["load_seconds"]
    estimates = {workers: load + lpt_makespan(durations, workers) for workers in (1, 2, 8, 64)}
    return {
        "best": best,
        "cells": direct["cells"],
        "bundle_seconds": durations,
        "featurize_seconds": [b["featurize"] for b in bundles],
        "prepare_seconds": sum(g["prepare"] for b in bundles for g in b["groups"]),
        "loop_seconds": sum(loops),
        "loop_per_cell": sum(loops) / len(loops),
        "featurized_bytes": max(b["featurized_bytes"] for b in bundles),
        "market_bytes": [g["market_bytes"] for b in bundles for g in b["groups"]],
        "overhead": one["sweep_seconds"] / direct["sweep_seconds"] - 1.0,
        "cpu_overhead": one["cpu_seconds"] / direct["cpu_seconds"] - 1.0,
        "task_overhead": sum(v for k, v in one["task_compute_seconds"].items() if k != "featurize")
        / (sum(g["prepare"] + sum(g["cells"]) for b in bundles for g in b["groups"]))
        - 1.0,
        "task_overhead_all": sum(one["task_compute_seconds"].values()) / direct["sweep_seconds"]
        - 1.0,
        "speedup": one["sweep_seconds"] / two["sweep_seconds"],
        "estimates": estimates,
        "same_table": len({run["table_sha256"] for run in best.values()}) == 1,
    }


def print_summary(summary: dict[str, Any], title: str, notes: list[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    best = summary["best"]
    table = Table(title=title)
    for name in ("measure", "seconds", "detail", "target", "result"):
        table.add_column(name, justify="right" if name == "seconds" else "left")
    direct = best["direct"]
    table.add_row(
        "direct in-process (32 cells)",
        f"{direct['sweep_seconds']:.2f}",
        f"CPU {direct['cpu_seconds']:.1f} s; featurize "
        f"{' + '.join(f'{s:.1f}' for s in summary['featurize_seconds'])} s, "
        f"prepare {summary['prepare_seconds']:.1f} s, loops {summary['loop_seconds']:.1f} s "
        f"({summary['loop_per_cell']:.2f} s/cell)",
        "",
        "",
    )
    for mode, label in (
        ("dask-1", "sweep, 1 worker (ship path)"),
        ("dask-2", "sweep, 2 workers (ship path)"),
        ("scatter-2", "sweep, 2 workers (ship scatter)"),
    ):
        run = best[mode]
        table.add_row(
            label,
            f"{run['sweep_seconds']:.2f}",
            f"CPU {run['cpu_seconds']:.1f} s; + cluster start "
            f"{run['cluster_start_seconds']:.1f} s; worker peak RSS "
            + ", ".join(_gib(v) for v in run["worker_peak_rss"])
            + f"; client {_gib(run['client_peak_rss'])}",
            "",
            "",
        )
    overhead, speedup = summary["overhead"], summary["speedup"]
    per_cell = (best["dask-1"]["sweep_seconds"] - direct["sweep_seconds"]) / summary["cells"]
    table.add_row(
        "per-cell overhead, 1 worker vs direct",
        "",
        f"{overhead * 100:+.1f} % ({per_cell:+.3f} s/cell)",
        f"≤ {OVERHEAD_TARGET * 100:.0f} %",
        "PASS" if overhead <= OVERHEAD_TARGET else "MISS",
    )
    tasks = best["dask-1"]["task_compute_seconds"]
    table.add_row(
        "task compute, 1 worker vs direct",
        "",
        f"{summary['task_overhead_all'] * 100:+.1f} % (worker tasks "
        + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(tasks.items()))
        + f"; prepare + cells alone {summary['task_overhead'] * 100:+.1f} %)",
        "",
        "",
    )
    table.add_row(
        "CPU overhead, 1 worker vs direct",
        "",
        f"{summary['cpu_overhead'] * 100:+.1f} % (CPU s: direct {direct['cpu_seconds']:.1f}, "
        f"1 worker {best['dask-1']['cpu_seconds']:.1f}, client + workers)",
        "",
        "",
    )
    table.add_row(
        "speed-up, 2 workers vs 1",
        "",
        f"{speedup:.2f}×",
        f"≥ {SPEEDUP_TARGET}×",
        "PASS" if speedup >= SPEEDUP_TARGET else "MISS",
    )
    for workers, seconds in summary["estimates"].items():
        table.add_row(
            f"estimate, {workers} worker{'s' if workers > 1 else ''}",
            f"{seconds:.2f}",
            "LPT schedule of the measured per-end task times + one bars load",
            "",
            "",
        )
    table.add_row(
        "same table bytes in every mode",
        "",
        "",
        "yes",
        "PASS" if summary["same_table"] else "MISS",
    )
    console = Console(width=max(Console().width, 150))
    console.print(table)
    for note in notes:
        console.print(f"- {note}")
