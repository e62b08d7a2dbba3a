"""``benchmarks/bench_report_html.py`` runs on an existing run directory (timings not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import piped_env

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_report_html.py"


def test_the_report_benchmark_prints_its_rows_with_a_verdict(decided_run):
    run_dir, _ = decided_run
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--run-dir", str(run_dir)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=piped_env(),
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split("  ")[1].strip(): line for line in done.stdout.splitlines()[1:]}
    assert set(rows) >= {"WHOLE report", "page size"}
    for name in ("WHOLE report", "page size"):
        assert rows[name].rstrip().endswith(("PASS", "MISS")), rows[name]
