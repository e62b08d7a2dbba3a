"""Running a sweep: in-process (serially) or on dask.distributed, with the same rows.

:func:`run_sweep` plans the cells (:func:`dragon_compat.sweep.cells.plan_cells`),
skips the ones finished before (their rows in ``OUT/cells/``), runs the rest market
group by market group, writes each finished cell's row the moment it arrives and,
last, the table ``OUT/sweep_results.parquet`` — every row in grid order, so its
bytes do not depend on the worker count or the order cells finished in.

Work is a graph of four kinds of task: the featurized market of a window end
(:func:`~dragon_compat.sweep.work.featurize`), each market group's prepared market
taking it (:func:`~dragon_compat.sweep.work.prepare_group`), with the grid's policies
each group's replayed decisions taking it too
(:func:`~dragon_compat.sweep.policies.group_policies`, one task per group), and each
cell taking its group's market and policy columns
(:func:`~dragon_compat.sweep.work.run_cell`). The markets' ``sizeof`` is
registered with dask, so the scheduler knows that moving one is costly and runs the
tasks that take it where it already is: a market is built once and reaches one
worker once. How a market gets to the workers is ``ship``:

- ``path`` (the default): the worker reads the bars file from its (shared) path once
  per process and featurizes and prepares on the worker — nothing large crosses the
  network;
- ``scatter``: the client featurizes and prepares each group itself and scatters the
  prepared market to a worker; it replays each group's policies itself too (the
  replay takes the featurized market, which is not shipped).

At most as many window ends as the cluster has threads, plus one, are in flight,
which bounds what the workers hold at once.

A stored ``ok`` row without every policy column of the grid (written by a version
without them) counts as unfinished and runs again.

A cell whose market cannot be built (no session in the window, no symbol in the
universe) gets a failed row that is stored like any other (it would fail the same
way again). An unexpected error in a cell — a bug, a worker that died — gets a
failed row in the table but is not stored, so the next run tries the cell again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import numpy as np

from dragon_compat.confine import check_run_paths
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput
from dragon_compat.rundir import BRANCH_FILES, SWEEP_CELLS_DIR, SWEEP_RESULTS_FILE
from dragon_compat.sweep.cells import Cell, MarketGroup, plan_cells
from dragon_compat.sweep.grid import Grid, Window
from dragon_compat.sweep.policies import PolicyPlan, plan_policies, policy_columns
from dragon_compat.sweep.table import FAILED, Row, read_rows, row_file, table_bytes, write_row
from dragon_compat.sweep.work import (
    DataRef,
    cell_outputs_dir,
    failed_row,
    featurize,
    group_policies,
    prepare_group,
    remember_bars,
    run_cell,
)
from dragon_compat.writes import make_dirs, write_file

__all__ = [
    "SHIP_MODES",
    "DaskExecutor",
    "Executor",
    "SerialExecutor",
    "SweepOutcome",
    "data_ref",
    "run_sweep",
    "sweep_windows",
]

CONNECT_TIMEOUT = "10s"
"""How long ``--scheduler`` waits for the scheduler to answer."""
Ship = Literal["path", "scatter"]
SHIP_MODES: Final = ("path", "scatter")
Event = Literal["skipped", "queued", "done", "failed"]
OnEvent = Callable[[Event, Cell], None]
OnRow = Callable[[Cell, Row, bool], None]


class Executor(Protocol):
    """Runs market groups and hands each cell's row to ``on_row`` (with whether the
    row may be stored: False for an unexpected failure)."""

    def run(
        self,
        data: DataRef,
        groups: Sequence[MarketGroup],
        plan: PolicyPlan | None,
        on_queued: OnEvent,
        on_row: OnRow,
    ) -> None: ...


def by_window_end(groups: Sequence[MarketGroup]) -> list[tuple[dt.date, list[MarketGroup]]]:
    """``groups`` bundled by window end (one featurized market each), in run order."""
    bundles: dict[dt.date, list[MarketGroup]] = {}
    for group in groups:
        bundles.setdefault(group.window.end, []).append(group)
    return list(bundles.items())


def _unexpected(err: BaseException) -> str:
    return f"unexpected error: {type(err).__name__}: {err}"


@dataclass(frozen=True, slots=True)
class SerialExecutor:
    """Every group and cell in this process, in run order (the reference result)."""

    keep: Path | None = None
    bars: Any = None

    def run(
        self,
        data: DataRef,
        groups: Sequence[MarketGroup],
        plan: PolicyPlan | None,
        on_queued: OnEvent,
        on_row: OnRow,
    ) -> None:
        if self.bars is not None:
            remember_bars(data, self.bars)
        for end, bundle in by_window_end(groups):
            featurized = featurize(data, end)
            for group in bundle:
                market = prepare_group(featurized, group)
                policies = group_policies(featurized, group, plan)
                for cell in group.cells:
                    on_queued("queued", cell)
                    try:
                        row, store = run_cell(market, cell, self.keep, policies), True
                    except Exception as err:
                        row, store = failed_row(cell, _unexpected(err)), False
                    on_row(cell, row, store)
            del featurized


@dataclass(slots=True)
class DaskExecutor:
    """Groups and cells as dask.distributed tasks on ``client`` (module docstring)."""

    client: Any
    keep: Path | None = None
    ship: Ship = "path"
    bars: Any = None
    in_flight: int = 0
    """Window ends in flight at once (0: the cluster's threads + 1)."""

    def _markets(
        self,
        data: DataRef,
        end: dt.date,
        bundle: list[MarketGroup],
        plan: PolicyPlan | None,
        order: int,
    ) -> list[tuple[Any, Any]]:
        """Per group of ``bundle``: its prepared market and its policy columns (futures,
        or with ``scatter`` the columns computed here)."""
        if self.ship == "scatter":
            if self.bars is not None:
                remember_bars(data, self.bars)
            featurized = featurize(data, end)
            return [
                (
                    self.client.scatter(prepare_group(featurized, group), hash=False),
                    group_policies(featurized, group, plan),
                )
                for group in bundle
            ]
        submit = functools.partial(self.client.submit, pure=False, priority=-order)
        featurized = submit(featurize, data, end)
        return [
            (
                submit(prepare_group, featurized, group),
                submit(group_policies, featurized, group, plan) if plan is not None else None,
            )
            for group in bundle
        ]

    def run(
        self,
        data: DataRef,
        groups: Sequence[MarketGroup],
        plan: PolicyPlan | None,
        on_queued: OnEvent,
        on_row: OnRow,
    ) -> None:
        from distributed import as_completed

        limit = self.in_flight or (sum(self.client.nthreads().values()) + 1)
        queue = list(enumerate(by_window_end(groups)))
        remaining: dict[int, list[Any]] = {}
        cell_of: dict[Any, tuple[Cell, int]] = {}
        futures = as_completed()

        def submit_next() -> None:
            order, (end, bundle) = queue.pop(0)
            markets = self._markets(data, end, bundle, plan, order)
            remaining[order] = [markets, sum(len(group.cells) for group in bundle)]
            for (market, policies), group in zip(markets, bundle, strict=True):
                for cell in group.cells:
                    future = self.client.submit(
                        run_cell, market, cell, self.keep, policies, pure=False, priority=-order
                    )
                    cell_of[future] = (cell, order)
                    futures.add(future)
                    on_queued("queued", cell)

        while queue and len(remaining) < limit:
            submit_next()
        for future in futures:
            cell, order = cell_of.pop(future)
            try:
                row, store = future.result(), True
            except Exception as err:
                row, store = failed_row(cell, _unexpected(err)), False
            future.release()
            on_row(cell, row, store)
            remaining[order][1] -= 1
            if remaining[order][1] == 0:
                del remaining[order]  # drops the last references to the bundle's markets
                while queue and len(remaining) < limit:
                    submit_next()


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    """What a sweep did: every row in grid order, how many cells ran, were skipped
    (finished before) and failed, and the table written."""

    rows: tuple[Row, ...]
    ran: int
    skipped: int
    failed: int
    table: Path
    windows: tuple[Window, ...]


def data_ref(market: MarketInput) -> DataRef:
    """Where workers read ``market``'s bars (absolute paths: a worker's cwd may differ)."""
    return DataRef(
        path=str(market.path.resolve()),
        sha256=market.sha256,
        side_tables=tuple(str(path.resolve()) for path, _ in market.side_tables),
    )


def sweep_windows(grid: Grid, market: MarketInput) -> tuple[Window, ...]:
    """The grid's windows over the data's sessions; :class:`DragonUserError` when the
    rolling windows are longer than the data and there is no explicit one."""
    days = np.unique(market.bars["trade_date"].to_numpy(dtype="datetime64[D]"))
    sessions: list[dt.date] = days.astype(object).tolist()
    windows = grid.resolve_windows(sessions)
    if not windows:
        assert grid.rolling is not None
        raise DragonUserError(
            f"{grid.path}: [rolling]: key 'length': {grid.rolling.length} sessions, but "
            f"{market.label} has {len(sessions)} in the rolling range: no window fits"
        )
    return windows


def run_sweep(
    grid: Grid,
    market: MarketInput,
    out: Path,
    executor: Executor,
    *,
    on_event: OnEvent = lambda event, cell: None,
) -> SweepOutcome:
    """Run ``grid``'s cells over ``market`` with ``executor`` into ``out`` (see the
    module docstring). Raises :class:`DragonUserError` for an unwritable ``out``."""
    windows = sweep_windows(grid, market)
    cells, groups = plan_cells(grid, windows, market.digests())
    plan = plan_policies(grid, market)
    names = policy_columns(grid.policies)
    check_run_paths(out, _written_paths(out, cells, getattr(executor, "keep", None)))
    make_dirs(out)
    finished = {
        key: row
        for key, row in read_rows(out, (cell.key for cell in cells)).items()
        if row["status"] == FAILED or all(name in row for name in names)
    }
    rows: dict[str, Row] = dict(finished)
    for cell in cells:
        if cell.key in finished:
            on_event("skipped", cell)
    to_run = [
        MarketGroup(g.window, g.universe, tuple(c for c in g.cells if c.key not in finished))
        for g in groups
    ]
    to_run = [group for group in to_run if group.cells]
    ran = 0

    def on_row(cell: Cell, row: Row, store: bool) -> None:
        nonlocal ran
        ran += 1
        if store:
            write_row(out, row)
        rows[cell.key] = row
        on_event("failed" if row["status"] == FAILED else "done", cell)

    executor.run(data_ref(market), to_run, plan, on_event, on_row)
    ordered = tuple(rows[cell.key] for cell in cells)
    table = out / SWEEP_RESULTS_FILE
    write_file(table, table_bytes(ordered, names))
    return SweepOutcome(
        rows=ordered,
        ran=ran,
        skipped=len(finished),
        failed=sum(1 for row in ordered if row["status"] == FAILED),
        table=table,
        windows=windows,
    )


def _written_paths(out: Path, cells: Sequence[Cell], keep: Path | None) -> list[str]:
    """Every file the sweep may write, relative to ``out`` (POSIX): the table, each
    cell's row and, with ``keep`` (``out`` resolved), each cell's RC1 files — checked
    with :func:`~dragon_compat.confine.check_run_paths` before anything is written, so a
    symbolic link in ``out`` is refused as it is in a run directory."""
    paths = [SWEEP_RESULTS_FILE, *(f"{SWEEP_CELLS_DIR}/{row_file(cell.key)}" for cell in cells)]
    if keep is not None:
        for cell in cells:
            folder = cell_outputs_dir(Path("."), cell).as_posix()
            paths += [f"{folder}/{name}" for name in BRANCH_FILES]
    return paths


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, else of a LocalCluster of ``workers``
    single-threaded worker processes (closed on exit). :class:`DragonUserError` when
    the scheduler cannot be reached.

    The local workers start without the ``MALLOC_TRIM_THRESHOLD_`` dask exports by
    default (fixing it turns off glibc's adaptive mmap threshold, so every large array
    a task allocates is fresh pages: 15 % more system time in the worker on the bench
    market) and never spill results to disk (the sweep bounds what is in flight)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as err:
            raise DragonUserError(
                f"--scheduler {scheduler}: cannot reach the dask scheduler ({err})"
            ) from None
        with client:
            yield client
        return
    import dask.config

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ"))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)  # glibc's own mmap threshold: fewer page faults
    settings = {
        "distributed.nanny.pre-spawn-environ": environ,
        # the sweep bounds what is in flight itself; pickling a featurized market to
        # disk because it passed 60 % of a worker's share of memory only costs time
        "distributed.worker.memory.target": False,
        "distributed.worker.memory.spill": False,
    }
    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # no fixed port: another cluster may hold 8787
            silence_logs=logging.ERROR,
        )
    with cluster, Client(cluster) as client:
        yield client
