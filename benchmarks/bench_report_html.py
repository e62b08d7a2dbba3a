"""``python benchmarks/bench_report_html.py``: how fast ``dragon report`` builds, and the page size.

Usage::

    python benchmarks/bench_report_html.py [--symbols 5000] [--sessions 2500] [--seed 1]
                                           [--cache-dir DIR] [--browser]
    python benchmarks/bench_report_html.py --run-dir RUN_DIR [--browser]

Targets (the issue's benchmark row): the report of a 5,000 × 2,500 four-branch run
builds in ≤ :data:`TARGET_SECONDS` s and weighs ≤ :data:`TARGET_MEGABYTES` MB.

1. Without ``--run-dir``: the cached benchmark market (:mod:`bench_cache`, shared with
   ``hatch run bench``: generated once per key) and, once per market, a daily run of it
   under ``<cache-dir>/report-<market>/run`` (all four branches, monitor, manifest),
   checked by dragon-governance when it is installed (so the page has its decision)
   with a one-line ledger. ``--run-dir`` measures an existing run instead.
2. Measures, in a fresh process (``--worker``): importing the report modules (plotly),
   building the page (read the run, metrics, monitor tracks, figures, HTML) and writing
   it. The target is compared with the whole: imports + build + write.
3. ``--browser`` also opens the page in headless Chromium and times the check.

Prints one table and a verdict; exit 0 when it ran (a report, not a gate), 1 when a
step failed, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = REPO_ROOT / ".bench-cache"
DEFAULT_SYMBOLS = 5_000
DEFAULT_SESSIONS = 2_500
DEFAULT_SEED = 1
CSV_ROWS = 1
"""The benchmark cache also keeps a CSV copy; this one only needs the Parquet market,
so its CSV copy is the smallest there is (the first session)."""

TARGET_SECONDS = 10.0
TARGET_MEGABYTES = 15.0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="bench_report_html", description=__doc__.splitlines()[0])
    p.add_argument("--symbols", type=int, default=DEFAULT_SYMBOLS)
    p.add_argument("--sessions", type=int, default=DEFAULT_SESSIONS)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    p.add_argument("--run-dir", type=Path, help="measure this existing run directory")
    p.add_argument("--browser", action="store_true", help="also check the page in Chromium")
    p.add_argument(
        "--worker", nargs=3, metavar=("RUN_DIR", "LEDGER", "OUT"), help=argparse.SUPPRESS
    )
    return p


def _progress(message: str) -> None:
    print(f"· {message}", file=sys.stderr, flush=True)


def measure_worker(run_dir: Path, ledger: Path | None, out: Path) -> dict[str, Any]:
    """Imports, build and write of one report, in this (fresh) process."""
    start = time.perf_counter()
    from dragon_compat.report.build import build_report, write_report

    imported = time.perf_counter()
    report = build_report(run_dir, ledger=ledger)
    built = time.perf_counter()
    write_report(report, out)
    written = time.perf_counter()
    return {
        "imports": imported - start,
        "build": built - imported,
        "write": written - built,
        "bytes": out.stat().st_size,
        "charts": len(report.chart_ids),
    }


def _market_run(args: argparse.Namespace) -> tuple[Path, Path | None, str]:
    """The cached market's daily run (made once), its ledger, and a description."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_cache import ensure_market, market_key
    from bench_workers import market_worker

    key = market_key(args.symbols, args.sessions, args.seed)
    cache_dir = args.cache_dir.resolve()

    def build(parquet: Path, csv: Path) -> dict[str, Any]:
        _progress(f"building the cached market {key.folder_name} (once; reused afterwards)")
        worker_args = argparse.Namespace(
            parquet=str(parquet),
            csv=str(csv),
            symbols=args.symbols,
            sessions=args.sessions,
            seed=args.seed,
            csv_rows=CSV_ROWS,
        )
        return market_worker(worker_args)

    market = ensure_market(cache_dir, key, CSV_ROWS, build)
    folder = cache_dir / f"report-{key.folder_name}"
    run_dir, ledger = folder / "run", folder / "decisions.jsonl"
    if not (folder / "done.json").exists():
        _progress(f"daily run of the cached market into {run_dir} (once)")
        _daily(market.parquet, run_dir, ledger)
        (folder / "done.json").write_text(json.dumps({"run": str(run_dir)}) + "\n")
    described = f"{args.symbols:,} symbols × {args.sessions:,} sessions, seed {args.seed}"
    return run_dir, (ledger if ledger.exists() else None), described


def _daily(parquet: Path, run_dir: Path, ledger: Path) -> None:
    from dragon_compat.market_input import load_market
    from dragon_compat.pipelines.daily import run_daily
    from dragon_compat.pipelines.forward import DECISION_FILE

    daily = run_daily(load_market(str(parquet)), run_dir, force=True)
    try:
        import dragon_governance
    except ImportError:
        return
    decision = dragon_governance.evaluate_run(run_dir, as_of=daily.as_of)
    dragon_governance.write_decision(decision, run_dir / DECISION_FILE)
    ledger.unlink(missing_ok=True)
    dragon_governance.append_to_ledger(ledger, decision, run_dir=run_dir)


def _spawn_worker(run_dir: Path, ledger: Path | None, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", str(run_dir), str(ledger or "-"), str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the measuring worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sizes(run_dir: Path) -> str:
    from dragon_compat.report.rundata import read_run

    run = read_run(run_dir)
    sessions = max(b.sessions.size for b in run.branches)
    events = sum(sum(b.event_counts.values()) for b in run.branches)
    return f"{len(run.branches)} branches, {sessions:,} sessions, {events:,} events"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.worker:
        run_dir, ledger, out = args.worker
        result = measure_worker(Path(run_dir), None if ledger == "-" else Path(ledger), Path(out))
        print(json.dumps(result))
        return 0
    try:
        if args.run_dir is not None:
            run_dir, ledger, described = args.run_dir, None, str(args.run_dir)
        else:
            run_dir, ledger, described = _market_run(args)
        with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
            out = Path(scratch) / "report.html"
            _progress("building the report (fresh process)")
            result = _spawn_worker(run_dir, ledger, out)
            browser = None
            if args.browser:
                from dragon_compat.report.browser import check_report

                _progress("checking the page in headless Chromium")
                start = time.perf_counter()
                check = check_report(out, Path(scratch) / "report.png", timeout=120)
                browser = (time.perf_counter() - start, check)
    except (RuntimeError, OSError) as err:
        print(f"bench_report_html: {err}", file=sys.stderr)
        return 1
    _print(described, _sizes(run_dir), result, browser)
    return 0


def _print(described: str, sizes: str, result: dict[str, Any], browser: Any) -> None:
    total = result["imports"] + result["build"] + result["write"]
    megabytes = result["bytes"] / 1e6
    rows = [
        ("imports (plotly, report modules)", f"{result['imports']:.2f} s", "", ""),
        ("build (read, metrics, monitor, figures, HTML)", f"{result['build']:.2f} s", "", ""),
        ("write (atomic)", f"{result['write']:.2f} s", "", ""),
        (
            "WHOLE report",
            f"{total:.2f} s",
            f"≤ {TARGET_SECONDS:g} s",
            _verdict(total <= TARGET_SECONDS),
        ),
        (
            "page size",
            f"{megabytes:.2f} MB",
            f"≤ {TARGET_MEGABYTES:g} MB",
            _verdict(megabytes <= TARGET_MEGABYTES),
        ),
    ]
    if browser is not None:
        seconds, check = browser
        rows.append(
            ("headless Chromium check", f"{seconds:.2f} s", "all charts", _verdict(check.ok))
        )
    width = max(len(row[0]) for row in rows)
    print(f"dragon report benchmark: {described} ({sizes}; {result['charts']} charts)")
    for name, value, target, verdict in rows:
        print(f"  {name:<{width}}  {value:>10}  {target:>10}  {verdict}")
    if browser is not None and not browser[1].ok:
        for problem in browser[1].problems():
            print(f"  problem: {problem}")


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


if __name__ == "__main__":
    sys.exit(main())
