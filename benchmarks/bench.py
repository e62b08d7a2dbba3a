"""``hatch run bench``: how fast Dragon runs a full-size market, against the issue's targets.

Usage::

    hatch run bench [--symbols 5000] [--sessions 2500] [--seed 1] [--cache-dir DIR]
                    [--csv-rows 1000000] [--repeat 1] [--json FILE] [--profile DIR]
                    [--no-whole-csv] [--regenerate] [--sweep]

1. Makes sure the market is cached (:mod:`bench_cache`): generated once per
   (symbols, sessions, seed, dragon-compat version), Parquet + a CSV copy of the
   first ``--csv-rows`` rows, and (unless ``--no-whole-csv``) a whole-market CSV.
2. Measures, each in its own fresh process: the floor (:mod:`bench_floor`), the
   whole four-branch pipeline cut into steps, the CSV loads and the replay of the
   last sessions (``python bench.py --worker KIND``, :mod:`bench_workers`); a
   one-branch ``dragon run`` of the market and the bundled sample's ``dragon daily``
   and ``dragon replay`` (measured from outside, :mod:`bench_process`). ``--repeat N``
   runs each N times, interleaved, and keeps each one's fastest process (least
   measured seconds): on a shared machine the minimum is the least noisy estimate,
   and each kept process is still one coherent fresh run (every repetition is in
   the JSON). ``--sweep`` measures ``dragon sweep`` scaling instead
   (:mod:`bench_sweep`).
3. Prints the table (:mod:`bench_report`): seconds, rows/s, peak RSS, ratio to the
   floor, target and PASS/MISS per step, then a verdict line; ``--json`` also saves
   it machine-readably.

Exit status: 0 when the benchmark ran, whether or not targets are met (it is a
report; missed targets are printed as MISS); 1 when a worker failed; 2 for bad
arguments. ``--profile DIR`` runs every step under cProfile and writes one
``.pstats`` and one ``.txt`` summary per step under ``DIR/<worker>/`` (timings are
then inflated; use it to find where time goes, not to judge targets).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = REPO_ROOT / ".bench-cache"
DEFAULT_SYMBOLS = 5_000
DEFAULT_SESSIONS = 2_500
DEFAULT_SEED = 1
DEFAULT_CSV_ROWS = 1_000_000
"""The CSV copy holds the first whole sessions up to this many rows (0 = all):
a 12.5 M-row CSV is ~1.8 GB and takes minutes to write and a minute to load on
every run, while CSV stays off the hot path. rows/s extrapolates."""
_MEASURED = ("floor", "pipeline", "csv", "csv_whole", "dragon_run", "replay")
_SAMPLE = ("sample_daily", "sample_replay")
"""The bundled sample's fresh ``dragon`` processes: one daily run, a replay of every session."""
DRAGON_RUN_BRANCH = "rc1_baseline"
"""The branch of the one-branch fresh ``dragon run`` process."""
_VERSIONED = ("dragon-runtime", "dragon-compat", "numpy", "pandas", "pyarrow")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench",
        description="Benchmark the four-branch Dragon run on a cached synthetic market.",
    )
    p.add_argument("--symbols", type=_positive, default=DEFAULT_SYMBOLS)
    p.add_argument("--sessions", type=_positive, default=DEFAULT_SESSIONS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    p.add_argument(
        "--csv-rows",
        type=_non_negative,
        default=DEFAULT_CSV_ROWS,
        help="rows of the CSV copy, rounded down to whole sessions (0 = the whole market)",
    )
    p.add_argument(
        "--repeat",
        type=_positive,
        default=1,
        help="run each measuring worker N times; the table shows each one's fastest process",
    )
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    p.add_argument("--profile", type=Path, help="cProfile every step into this directory")
    p.add_argument(
        "--no-whole-csv",
        dest="whole_csv",
        action="store_false",
        help="skip the whole-market CSV copy and its load (written once: ~1.8 GB at full size)",
    )
    p.add_argument("--regenerate", action="store_true", help="rebuild the cached market")
    p.add_argument(
        "--sweep",
        action="store_true",
        help="instead: `dragon sweep` scaling, a 32-cell grid on 1 and 2 workers (bench_sweep.py)",
    )
    worker = p.add_argument_group("worker (internal)")
    worker.add_argument("--worker", help=argparse.SUPPRESS)
    worker.add_argument("--result", help=argparse.SUPPRESS)
    worker.add_argument("--parquet", help=argparse.SUPPRESS)
    worker.add_argument("--csv", help=argparse.SUPPRESS)
    worker.add_argument("--out-dir", help=argparse.SUPPRESS)
    worker.add_argument("--sweep-mode", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.worker:
        from dragon_compat import process_memory

        process_memory.configure()  # what `dragon` does for itself, before numpy loads
        from bench_workers import WORKERS

        result = WORKERS[args.worker](args)
        Path(args.result).write_text(json.dumps(result, sort_keys=True))
        return 0
    return _benchmark(args)


class WorkerFailed(Exception):
    """A worker process exited non-zero (its traceback went to stderr)."""


def _spawn(
    kind: str, args: argparse.Namespace, *extra: str, csv_rows: int | None = None, **paths: Path
) -> dict[str, Any]:
    """Run one worker in a fresh interpreter; its result plus wall time and load average.

    ``extra`` are further worker arguments (``--sweep-mode direct``); ``csv_rows``
    overrides ``args.csv_rows`` (0 = the whole-market CSV copy); each of ``paths``
    is passed as ``--name path``."""
    rows = args.csv_rows if csv_rows is None else csv_rows
    forwarded = ["--symbols", str(args.symbols), "--sessions", str(args.sessions)]
    forwarded += ["--seed", str(args.seed), "--csv-rows", str(rows)]
    if args.profile:
        forwarded += ["--profile", str(args.profile.resolve())]
    for name, path in paths.items():
        forwarded += [f"--{name.replace('_', '-')}", str(path)]
    forwarded += list(extra)
    with tempfile.TemporaryDirectory() as scratch:
        result_path = Path(scratch) / "result.json"
        load = os.getloadavg()[0]
        start = time.perf_counter()
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
        done = subprocess.run([*command, "--result", str(result_path), *forwarded], check=False)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise WorkerFailed(f"the {kind} worker failed with exit status {done.returncode}")
        result = json.loads(result_path.read_text())
    return {**result, "process_seconds": wall, "load_average_1m": load}


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _ensure_market(args: argparse.Namespace, csv_rows: int | None = None) -> Any:
    """The cached market of ``args`` with a CSV copy of ``csv_rows`` rows (default
    ``args.csv_rows``; 0 = the whole market), built by the market worker when missing.
    ``--regenerate`` applies to the first call only: a later call with another
    ``csv_rows`` adds its CSV copy beside the Parquet just rebuilt."""
    from bench_cache import ensure_market, market_key

    key = market_key(args.symbols, args.sessions, args.seed)
    rows = args.csv_rows if csv_rows is None else csv_rows

    def build(parquet: Path, csv: Path) -> dict[str, Any]:
        if parquet.exists():
            _progress(f"writing the CSV copy {csv.name} of the cached market (once)")
        else:
            _progress(f"building the cached market {key.folder_name} (once; reused afterwards)")
        return _spawn("market", args, csv_rows=rows, parquet=parquet, csv=csv)

    regenerate = args.regenerate and csv_rows is None
    return ensure_market(args.cache_dir.resolve(), key, rows, build, regenerate=regenerate)


def _benchmark(args: argparse.Namespace) -> int:
    from bench_report import build_rows, print_table, write_json

    if args.sweep:
        return _sweep_benchmark(args)
    cache_dir = args.cache_dir.resolve()
    try:
        market = _ensure_market(args)
        whole = market  # the CSV copy is the whole market already: measured once
        if args.whole_csv and market.csv_facts["rows"] < market.market["rows"]:
            whole = _ensure_market(args, csv_rows=0)
        runs = _measure(args, market, whole.csv if whole is not market else None, cache_dir)
    except WorkerFailed as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    best = {kind: min(found, key=_measured_seconds) for kind, found in runs.items() if found}
    if "csv_whole" not in best and market.csv_facts["rows"] >= market.market["rows"]:
        best["csv_whole"] = best["csv"]

    rows = build_rows(
        best,
        csv_facts=market.csv_facts,
        whole_csv_facts=whole.csv_facts if "csv_whole" in best else None,
        market_rows=market.market["rows"],
    )
    title = (
        f"Dragon bench: {args.symbols:,} symbols × {args.sessions:,} sessions = "
        f"{market.market['rows']:,} rows, seed {args.seed}"
        + (" — PROFILED, timings inflated" if args.profile else "")
    )
    print_table(rows, title, _notes(args, market, best))
    if args.json:
        facts = _facts(args, market, best)
        write_json(args.json, rows, {**facts, "repetitions": runs})
    return 0


def _sweep_benchmark(args: argparse.Namespace) -> int:
    """``--sweep``: every mode of bench_sweep, ``--repeat`` times interleaved, fastest kept."""
    from bench_sweep import MODES, print_summary, summarize

    try:
        market = _ensure_market(args)
        runs: dict[str, list[Any]] = {mode: [] for mode in MODES}
        for repetition in range(1, args.repeat + 1):
            for mode in MODES:
                _progress(f"sweep {mode} {repetition}/{args.repeat} (fresh process)")
                runs[mode].append(
                    _spawn(
                        "sweep",
                        args,
                        "--sweep-mode",
                        mode,
                        parquet=market.parquet,
                        out_dir=args.cache_dir.resolve(),
                    )
                )
    except WorkerFailed as err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    summary = summarize(runs)
    loads = ", ".join(
        f"{mode} {min(r['load_average_1m'] for r in found):.2f}" for mode, found in runs.items()
    )
    rows = summary["best"]["direct"]["rows"]
    title = (
        f"dragon sweep: {summary['cells']} cells on {args.symbols:,} × {args.sessions:,} "
        f"({rows:,} rows), seed {args.seed}"
    )
    notes = [
        f"fastest of {args.repeat} fresh processes per mode; the machine is shared "
        f"({os.cpu_count()} CPUs; lowest 1-min load average before each mode: {loads})",
        f"each worker (ship path) receives the bars file's path and sha256 and the cell "
        f"specs (a few hundred bytes each), reads the bars once "
        f"({summary['best']['direct']['load_seconds']:.1f} s in the client), and builds "
        f"the featurized market of each window end it runs (largest "
        f"{summary['featurized_bytes'] / 2**30:.2f} GiB) and each group's prepared market "
        f"({min(summary['market_bytes']) / 2**20:.0f}-"
        f"{max(summary['market_bytes']) / 2**20:.0f} MiB)",
        "ship scatter sends each prepared market from the client instead, after the client "
        "has featurized every window end itself, one after another",
        "per window end (featurize + its groups + its cells): "
        + ", ".join(f"{s:.1f} s" for s in summary["bundle_seconds"]),
    ]
    print_summary(summary, title, notes)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "runs": runs}, default=str, indent=2))
    return 0


def _measure(
    args: argparse.Namespace, market: Any, whole_csv: Path | None, cache_dir: Path
) -> dict[str, list[Any]]:
    """Every measurement, ``--repeat`` times, interleaved: floor, whole run, one-branch
    ``dragon run`` process, CSV copy, whole-market CSV, replay of the last sessions, and
    the bundled sample's ``dragon daily`` and ``dragon replay`` processes."""
    runs: dict[str, list[Any]] = {kind: [] for kind in (*_MEASURED, *_SAMPLE)}
    for repetition in range(1, args.repeat + 1):
        of = f" {repetition}/{args.repeat}" if args.repeat > 1 else ""
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix="outputs-") as out_dir:
            _progress(f"floor{of} (fresh process)")
            runs["floor"].append(_spawn("floor", args, parquet=market.parquet))
            _progress(f"whole four-branch run{of} (fresh process)")
            runs["pipeline"].append(
                _spawn("pipeline", args, parquet=market.parquet, out_dir=Path(out_dir))
            )
            _progress(f"dragon run --branch {DRAGON_RUN_BRANCH}{of} (fresh process)")
            runs["dragon_run"].append(
                _dragon_process("dragon run", _dragon_run_command(market.parquet, Path(out_dir)))
            )
        _progress(f"CSV load{of} (fresh process)")
        runs["csv"].append(_spawn("csv", args, csv=market.csv))
        if whole_csv is not None:
            _progress(f"whole-market CSV load{of} (fresh process)")
            runs["csv_whole"].append(_spawn("csv", args, csv=whole_csv))
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix="outputs-") as out_dir:
            _progress(f"replay of the last sessions{of} (fresh process)")
            runs["replay"].append(
                _spawn("replay", args, parquet=market.parquet, out_dir=Path(out_dir))
            )
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix="outputs-") as out_dir:
            _progress(f"bundled sample: dragon daily, dragon replay{of} (fresh processes)")
            for kind, command in _sample_commands(Path(out_dir)).items():
                runs[kind].append(_dragon_process(kind, command))
    return runs


def _dragon_run_command(parquet: Path, out_dir: Path) -> list[str]:
    """The one-branch ``dragon run`` of the bench market."""
    from bench_process import dragon_executable

    return [
        dragon_executable(), "run", "--data", str(parquet),
        "--branch", DRAGON_RUN_BRANCH, "--out", str(out_dir / "dragon-run"),
    ]  # fmt: skip


def _sample_commands(out_dir: Path) -> dict[str, list[str]]:
    """The two ``dragon`` commands on the bundled sample (default data)."""
    from bench_process import dragon_executable

    dragon = [dragon_executable(), "-q"]
    return {
        "sample_daily": [*dragon, "daily", "--out", str(out_dir / "daily")],
        "sample_replay": [
            *dragon, "replay", "--from", "1990-01-01", "--to", "2099-12-31",
            "--out", str(out_dir / "replay"),
        ],
    }  # fmt: skip


def _dragon_process(kind: str, command: list[str]) -> dict[str, Any]:
    """One fresh ``dragon`` process, measured from outside (:mod:`bench_process`:
    start → exit, imports included, as a user pays it)."""
    from bench_process import run_measured

    run = run_measured(command)
    if run.returncode != 0:
        print(run.stdout_tail, run.stderr_tail, sep="\n", file=sys.stderr)
        raise WorkerFailed(f"{kind} failed with exit status {run.returncode}")
    return {"process": run.as_json(), "load_average_1m": run.load_average_1m}


def _replay_note(best: dict[str, Any]) -> str:
    replay = best["replay"]
    decisions = ", ".join(f"{k} {v}" for k, v in sorted(replay["decisions"].items()))
    daily, every = (best[kind]["process"]["seconds"] for kind in _SAMPLE)
    return (
        f"replay: {replay['replayed_sessions']} sessions of the bench market ({decisions}); "
        f"bundled sample as fresh `dragon` processes: daily {daily:.2f} s, "
        f"replay of every session {every:.2f} s"
    )


def _measured_seconds(result: dict[str, Any]) -> float:
    """A measurement's seconds: a worker's segments but its imports; a measured
    process's wall seconds."""
    if "process" in result:
        return float(result["process"]["seconds"])
    return sum(s["seconds"] for s in result["segments"] if s["name"] != "imports")


def _versions() -> dict[str, str]:
    found = {}
    for dist in _VERSIONED:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "not installed"
    return found


def _notes(args: argparse.Namespace, market: Any, best: dict[str, Any]) -> list[str]:
    floor, pipeline, csv = best["floor"], best["pipeline"], best["csv"]
    dragon = best["dragon_run"]["process"]
    facts = market.market
    made = "generated in this run" if market.generated else "cached"
    versions = ", ".join(f"{k} {v}" for k, v in _versions().items())
    outputs = "; ".join(
        f"{name} {b['events']:,} events, {b['trades']:,} trades"
        for name, b in pipeline["branches"].items()
    )
    peak = (
        "per-step peak RSS = kernel high-water mark reset at each step"
        if not pipeline["peak_is_cumulative"]
        else "peak RSS = process peak so far (high-water mark could not be reset)"
    )
    imports = {s["name"]: s["seconds"] for s in pipeline["segments"]}["imports"]
    return [
        f"market: {market.folder} ({made}; generation {facts['generate_seconds']:.1f} s, "
        f"Parquet {facts['bytes'] / 1e6:.0f} MB; {pipeline['sessions']:,} sessions × "
        f"{pipeline['symbols']:,} symbols, {pipeline['candidates']:,} candidate rows)",
        f"CSV copy: {market.csv_facts['rows']:,} rows, {market.csv_facts['bytes'] / 1e6:.0f} MB "
        f"(--csv-rows {args.csv_rows}; 0 = whole market)",
        f"floor checksum: {floor['limit_ups']:,} limit-up closes, tallest board "
        f"{floor['max_board_height']}",
        f"outputs: {outputs}",
        f"{_kept(args.repeat)}fresh processes (start → exit): floor "
        f"{floor['process_seconds']:.1f} s, whole run "
        f"{pipeline['process_seconds']:.1f} s (imports {imports:.2f} s), CSV "
        f"{csv['process_seconds']:.1f} s; 1-min load average before each: "
        f"{floor['load_average_1m']:.2f} / {pipeline['load_average_1m']:.2f} / "
        f"{csv['load_average_1m']:.2f} on {os.cpu_count()} CPUs",
        f"dragon run --branch {DRAGON_RUN_BRANCH}: {dragon['seconds']:.2f} s wall, "
        f"{dragon['cpu_seconds']:.2f} s CPU ({dragon['sys_seconds']:.2f} s system), peak RSS "
        f"{dragon['peak_rss'] / (1 << 30):.2f} GiB; load average before it "
        f"{dragon['load_average_1m']:.2f}",
        "allocator: every worker applies dragon_compat.process_memory (numpy huge-page "
        "advice off, Arrow jemalloc pool), as `dragon` does for itself",
        _replay_note(best),
        f"{peak}; {platform.python_implementation()} {platform.python_version()}, {versions}",
    ]


def _kept(repeat: int) -> str:
    return f"fastest of {repeat} per worker; " if repeat > 1 else ""


def _facts(args: argparse.Namespace, market: Any, best: dict[str, Any]) -> dict[str, Any]:
    return {
        "arguments": {
            "symbols": args.symbols,
            "sessions": args.sessions,
            "seed": args.seed,
            "csv_rows": args.csv_rows,
            "repeat": args.repeat,
            "profiled": bool(args.profile),
        },
        "market": {**market.market, "folder": str(market.folder), "generated": market.generated},
        "csv_copy": market.csv_facts,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "versions": _versions(),
        },
        "workers": best,
    }


if __name__ == "__main__":
    sys.exit(main())
