"""``hatch run bench:peers``: Dragon against vectorbt and backtrader on the bench market.

Usage::

    hatch run bench:peers [--symbols 5000] [--sessions 2500] [--seed 1] [--cache-dir DIR]
                          [--repeat 1] [--bt-symbols 200] [--json FILE] [--regenerate]

1. Makes sure the market is cached exactly as ``hatch run bench`` caches it (same
   folder, same generation: :mod:`bench_cache` and ``bench.py``'s market worker).
2. Runs, ``--repeat`` times, alternating, each in a fresh process measured from
   outside (:mod:`bench_process`: wall, CPU, system seconds, peak RSS):
   (a) ``dragon run --data bars.parquet --branch rc1_baseline --out DIR``;
   (b) the vectorbt peer (:mod:`peer_vectorbt`) with an empty numba cache (cold),
   then (c) again with the cache that run filled (warm);
   (d) the backtrader peer (:mod:`peer_backtrader`) on the first ``--bt-symbols``.
   Each one's fastest process (least wall seconds) is kept.
3. Prints the table and the targets (:mod:`peers_report`); ``--json`` saves every
   repetition too.

Exit status: 0 when every peer ran, whether or not targets are met (a report); 1
when a process failed (its output is shown); 2 for bad arguments. Needs the
``bench`` hatch env (vectorbt, backtrader); ``hatch run bench`` does not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench import (
    DEFAULT_CACHE_DIR,
    DEFAULT_CSV_ROWS,
    DEFAULT_SEED,
    DEFAULT_SESSIONS,
    DEFAULT_SYMBOLS,
)
from bench_process import ProcessRun, dragon_executable, run_measured

HERE = Path(__file__).resolve().parent
DEFAULT_BRANCH = "rc1_baseline"
DEFAULT_BT_SYMBOLS = 200
PEERS = ("dragon", "vectorbt_cold", "vectorbt_warm", "backtrader")
VERSIONED = (
    "dragon-runtime",
    "dragon-compat",
    "vectorbt",
    "numba",
    "backtrader",
    "numpy",
    "pandas",
    "pyarrow",
)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="peers",
        description="Dragon's fresh one-branch run against vectorbt and backtrader.",
    )
    p.add_argument("--symbols", type=_positive, default=DEFAULT_SYMBOLS)
    p.add_argument("--sessions", type=_positive, default=DEFAULT_SESSIONS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    p.add_argument(
        "--repeat",
        type=_positive,
        default=1,
        help="run every peer N times, alternating; the table shows each one's fastest",
    )
    p.add_argument(
        "--bt-symbols",
        type=_positive,
        default=DEFAULT_BT_SYMBOLS,
        help="backtrader trades the first N symbols (string order); its rate extrapolates",
    )
    p.add_argument("--branch", default=DEFAULT_BRANCH, help="the branch `dragon run` runs")
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    p.add_argument("--regenerate", action="store_true", help="rebuild the cached market")
    return p


class PeerFailed(Exception):
    """A measured process exited non-zero."""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from bench_cache import ensure_market, market_key

    key = market_key(args.symbols, args.sessions, args.seed)
    cache_dir = args.cache_dir.resolve()
    try:
        market = ensure_market(
            cache_dir,
            key,
            DEFAULT_CSV_ROWS,
            lambda parquet, csv: _build_market(args, key.folder_name, parquet, csv),
            regenerate=args.regenerate,
        )
        runs = _measure(args, market.parquet, cache_dir)
    except PeerFailed as err:
        print(f"peers: {err}", file=sys.stderr)
        return 1
    from peers_report import build_rows, print_table, write_json

    best = {peer: min(runs[peer], key=lambda r: r["process"]["seconds"]) for peer in PEERS}
    rows = build_rows(best, market.market["rows"])
    title = (
        f"Dragon vs peers: {args.symbols:,} symbols × {args.sessions:,} sessions = "
        f"{market.market['rows']:,} rows, seed {args.seed}"
    )
    print_table(rows, title, _notes(args, market, best))
    if args.json:
        facts = {
            "arguments": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "market": {**market.market, "folder": str(market.folder)},
            "machine": {"cpus": os.cpu_count(), "versions": _versions()},
            "best": best,
            "repetitions": runs,
        }
        write_json(args.json, rows, facts)
    return 0


def _progress(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def _build_market(
    args: argparse.Namespace, folder: str, parquet: Path, csv: Path
) -> dict[str, Any]:
    """``bench.py``'s own market worker, so both benchmarks share one cached market."""
    if parquet.exists():
        _progress(f"writing the CSV copy {csv.name} of the cached market (once)")
    else:
        _progress(f"building the cached market {folder} (once; `hatch run bench` reuses it)")
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "market.json"
        command = [sys.executable, str(HERE / "bench.py"), "--worker", "market"]
        command += ["--symbols", str(args.symbols), "--sessions", str(args.sessions)]
        command += ["--seed", str(args.seed), "--csv-rows", str(DEFAULT_CSV_ROWS)]
        command += ["--parquet", str(parquet), "--csv", str(csv), "--result", str(result)]
        _check("market generation", run_measured(command))
        return json.loads(result.read_text())


def _measure(args: argparse.Namespace, parquet: Path, cache_dir: Path) -> dict[str, list[Any]]:
    """Every peer ``--repeat`` times, alternating (module docstring, step 2)."""
    runs: dict[str, list[Any]] = {peer: [] for peer in PEERS}
    for repetition in range(1, args.repeat + 1):
        of = f" {repetition}/{args.repeat}" if args.repeat > 1 else ""
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix="peers-") as scratch_dir:
            scratch = Path(scratch_dir)
            _progress(f"dragon run --branch {args.branch}{of} (fresh process)")
            runs["dragon"].append(_dragon(args, parquet, scratch / "dragon"))
            numba_cache = scratch / "numba-cache"
            numba_cache.mkdir()
            for temperature in ("cold", "warm"):
                _progress(f"vectorbt, numba cache {temperature}{of} (fresh process)")
                runs[f"vectorbt_{temperature}"].append(
                    _worker(
                        "peer_vectorbt.py",
                        ["--parquet", str(parquet), "--first-symbols", str(args.bt_symbols)],
                        scratch / f"vectorbt-{temperature}.json",
                        {"NUMBA_CACHE_DIR": str(numba_cache)},
                    )
                )
            _progress(f"backtrader, first {args.bt_symbols} symbols{of} (fresh process)")
            runs["backtrader"].append(
                _worker(
                    "peer_backtrader.py",
                    ["--parquet", str(parquet), "--symbols", str(args.bt_symbols)],
                    scratch / "backtrader.json",
                )
            )
    return runs


def _dragon(args: argparse.Namespace, parquet: Path, out: Path) -> dict[str, Any]:
    command = [_dragon_executable(), "run", "--data", str(parquet)]
    command += ["--branch", args.branch, "--out", str(out)]
    run = _check("dragon run", run_measured(command))
    files = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    shutil.rmtree(out, ignore_errors=True)
    return {"process": run.as_json(), "files": files}


def _dragon_executable() -> str:
    try:
        return dragon_executable()
    except FileNotFoundError as err:
        raise PeerFailed(str(err)) from None


def _worker(
    script: str, options: list[str], result: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    command = [sys.executable, str(HERE / script), *options, "--result", str(result)]
    run = _check(script, run_measured(command, env={**os.environ, **(env or {})}))
    return {"process": run.as_json(), **json.loads(result.read_text())}


def _check(what: str, run: ProcessRun) -> ProcessRun:
    if run.returncode != 0:
        print(run.stdout_tail, run.stderr_tail, sep="\n", file=sys.stderr)
        raise PeerFailed(f"{what} failed with exit status {run.returncode}")
    return run


def _versions() -> dict[str, str]:
    found = {}
    for dist in VERSIONED:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "not installed"
    return found


def _segments(result: dict[str, Any]) -> str:
    return ", ".join(f"{s['name']} {s['seconds']:.2f}" for s in result["segments"])


def _notes(args: argparse.Namespace, market: Any, best: dict[str, Any]) -> list[str]:
    cold, warm, bt = best["vectorbt_cold"], best["vectorbt_warm"], best["backtrader"]
    compile_s = cold["process"]["seconds"] - warm["process"]["seconds"]
    loads = " / ".join(f"{best[p]['process']['load_average_1m']:.2f}" for p in PEERS)
    kept = f"fastest of {args.repeat} per peer; " if args.repeat > 1 else ""
    versions = ", ".join(f"{k} {v}" for k, v in _versions().items())
    return [
        f"market: {market.folder} (Parquet {market.market['bytes'] / 1e6:.0f} MB)",
        f"vectorbt segments, s — cold: {_segments(cold)}; warm: {_segments(warm)}; "
        f"numba compilation ≈ cold − warm = {compile_s:.1f} s",
        f"vectorbt checksum: {warm['entry_signals']:,} entry signals, {warm['orders']:,} "
        f"orders, {warm['buys_first_symbols']:,} buys on the first {args.bt_symbols} "
        f"symbols, book total return {warm['total_return']:.4f}",
        f"backtrader segments, s: {_segments(bt)}; {bt['bars']:,} bars of "
        f"{bt['symbols_fed']} symbols, {bt['entry_signals']:,} entry signals, "
        f"{bt['buys']:,} buys, {bt['sells']:,} sells",
        f"dragon run wrote {', '.join(best['dragon']['files'])}",
        f"{kept}1-min load average before dragon / vectorbt cold / vectorbt warm / "
        f"backtrader: {loads} on {os.cpu_count()} CPUs",
        f"versions: {versions}",
    ]


if __name__ == "__main__":
    sys.exit(main())
