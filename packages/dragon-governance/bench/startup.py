"""Whole-process timings of the dragon-governance CLI (the README's performance table).

Usage: ``python bench/startup.py VENV_BIN RUN_DIR [N]`` where VENV_BIN holds the
``python`` and ``dragon-governance`` to time (e.g. a fresh venv with the wheel alone).
Reports the median wall and CPU time (user + system of the child) of N runs of
``python -c pass``, ``dragon-governance --help``, ``check RUN_DIR --as-of 2024-10-08``
with a warm session cache, and of first runs, each with an empty cache directory.
POSIX only (``resource``).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _report(label: str, samples: list[tuple[float, float]]) -> None:
    walls = [wall for wall, _ in samples]
    cpus = [cpu for _, cpu in samples]
    print(
        f"{label:32s} median wall {statistics.median(walls):.3f} s (min {min(walls):.3f} s)"
        f"  median cpu {statistics.median(cpus):.3f} s"
    )


def main() -> None:
    bin_dir, run_dir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    governance = os.path.join(bin_dir, "dragon-governance")
    python = os.path.join(bin_dir, "python")
    out = os.path.join(tempfile.mkdtemp(), "rollout_decision.json")
    check = [governance, "check", run_dir, "--as-of", "2024-10-08", "--out", out]

    def env_with(cache: str) -> dict[str, str]:
        return dict(os.environ, DRAGON_GOVERNANCE_CACHE_DIR=cache)

    first = [_run(check, env_with(tempfile.mkdtemp())) for _ in range(max(3, runs // 3))]
    warm = env_with(tempfile.mkdtemp())
    _run(check, warm)
    _report("python -c pass", [_run([python, "-c", "pass"], warm) for _ in range(runs)])
    _report("dragon-governance --help", [_run([governance, "--help"], warm) for _ in range(runs)])
    _report("check, warm cache", [_run(check, warm) for _ in range(runs)])
    _report("check, first run (empty cache)", first)
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
