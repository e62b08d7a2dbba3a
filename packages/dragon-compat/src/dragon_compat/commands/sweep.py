"""``dragon sweep GRID.toml --out DIR [--data FILE] [--scheduler ADDRESS | --workers N]
[--keep-outputs] [--ship path|scatter]``.

Runs every cell (branch × window × universe) of the grid file (docs/sweep.md) over the
market — on a LocalCluster of N single-threaded worker processes (default 2), on the
dask cluster at ``--scheduler tcp://HOST:PORT``, or with ``--workers 0`` in this
process, one cell after another — and writes ``DIR/sweep_results.parquet``, one row
per cell (``DIR/cells/`` keeps each finished cell, so a re-run, or a killed sweep run
again, skips them). ``--keep-outputs`` also writes each cell's RC1 files under
``DIR/outputs/``. Needs the ``sweep`` extra (dask.distributed). Exit 0 when every cell
ran; 4 when the sweep ran to the end but some cell failed (its row says why); 2 for
a bad grid file (naming the key), bad data, an unreachable scheduler, an unwritable
DIR or a missing extra.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import add_market_arguments
from dragon_compat.commands.output_args import add_output_arguments


def worker_count(text: str) -> int:
    """argparse type for ``--workers``: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: workers must be >= 0 (0: in-process)")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("grid", metavar="GRID.toml", help="the grid file (docs/sweep.md)")
    parser.add_argument("--out", required=True, metavar="DIR", help="the sweep's directory")
    add_market_arguments(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing dask scheduler, e.g. tcp://127.0.0.1:8786 (workers must see "
        "--data and DIR at the same paths)",
    )
    where.add_argument(
        "--workers",
        type=worker_count,
        default=2,
        metavar="N",
        help="worker processes of the local cluster (default 2; 0: in this process, serially)",
    )
    parser.add_argument(
        "--keep-outputs",
        action="store_true",
        help="also write each cell's RC1 files under DIR/outputs/<universe>/<window>/<branch>/",
    )
    parser.add_argument(
        "--ship",
        choices=("path", "scatter"),
        default="path",
        help="how a prepared market reaches its worker: path (default; the worker reads "
        "the bars file once and prepares it) or scatter (prepared here, sent over)",
    )
    add_output_arguments(parser, json_document="the sweep: counts, failed cells, the table")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_compat.sweep import require_dask

    require_dask()
    from dragon_compat.errors import EXIT_CELLS_FAILED
    from dragon_compat.market_input import load_market
    from dragon_compat.render import print_sweep, stdout, sweep_progress
    from dragon_compat.sweep.engine import (
        DaskExecutor,
        SerialExecutor,
        dask_client,
        run_sweep,
        sweep_windows,
    )
    from dragon_compat.sweep.grid import load_grid

    grid = load_grid(args.grid)  # every grid mistake before any loading
    market = load_market(args.data, side_table=args.side_table)
    windows = sweep_windows(grid, market)
    out = Path(args.out)
    keep = out.resolve() if args.keep_outputs else None  # a remote worker's cwd is not ours
    total = len(windows) * len(grid.universes) * len(grid.branches)
    with sweep_progress(total) as progress:

        def on_event(event: str, cell: object) -> None:
            progress(event, _label(cell))

        if args.scheduler is None and args.workers == 0:
            outcome = run_sweep(
                grid, market, out, SerialExecutor(keep=keep, bars=market.bars), on_event=on_event
            )
        else:
            with dask_client(args.scheduler, args.workers) as client:
                executor = DaskExecutor(client, keep=keep, ship=args.ship, bars=market.bars)
                outcome = run_sweep(grid, market, out, executor, on_event=on_event)
    if args.json:
        from dragon_compat.cli_json import sweep_document
        from dragon_compat.render import print_json

        print_json(sweep_document(outcome, grid_path=grid.path, input_label=market.label))
    else:
        print_sweep(
            stdout(),
            outcome.rows,
            ran=outcome.ran,
            skipped=outcome.skipped,
            table_path=outcome.table,
            fmt=args.format,
        )
    return EXIT_CELLS_FAILED if outcome.failed else 0


def _label(cell: object) -> str:
    from dragon_compat.sweep.cells import Cell

    assert isinstance(cell, Cell)
    return f"{cell.universe.name} {cell.window.label} {cell.branch.name}"
