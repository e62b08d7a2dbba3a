"""One measured child process: wall, CPU, system seconds and peak RSS (standard library).

:func:`run_measured` starts a command and reaps it with ``os.wait4``, which hands
back the kernel's resource usage of exactly that child (and of any descendants it
waited for): ``ru_utime + ru_stime`` CPU seconds, ``ru_stime`` system seconds and
``ru_maxrss`` peak resident set size — what ``/usr/bin/time -v`` prints, without
the tool. Wall seconds run from just before the start to the reap, so they include
interpreter start-up and imports: the cost of one fresh process, as a user pays it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

_TAIL = 2_000


@dataclass(frozen=True)
class ProcessRun:
    """A finished child: ``seconds`` wall, ``cpu_seconds`` (user + system),
    ``sys_seconds``, ``peak_rss`` bytes, its exit code, the 1-minute load average just
    before it started, and the last characters of its stdout and stderr."""

    command: tuple[str, ...]
    seconds: float
    cpu_seconds: float
    sys_seconds: float
    peak_rss: int
    returncode: int
    load_average_1m: float
    stdout_tail: str
    stderr_tail: str

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "command": list(self.command)}


def run_measured(command: Sequence[str], env: Mapping[str, str] | None = None) -> ProcessRun:
    """Run ``command`` to completion (output captured) and measure it (module docstring)."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(list(command), stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        tails = []
        for stream in (out, err):
            stream.seek(max(stream.seek(0, os.SEEK_END) - _TAIL, 0))
            tails.append(stream.read().decode(errors="replace"))
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return ProcessRun(
        command=tuple(command),
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        sys_seconds=usage.ru_stime,
        peak_rss=peak,
        returncode=child.returncode,
        load_average_1m=load,
        stdout_tail=tails[0],
        stderr_tail=tails[1],
    )


def dragon_executable() -> str:
    """The ``dragon`` console script of this environment (beside this Python, else on
    PATH); ``FileNotFoundError`` when there is none."""
    beside = Path(sys.executable).with_name("dragon")
    if beside.exists():
        return str(beside)
    found = shutil.which("dragon")
    if found is None:
        raise FileNotFoundError("no `dragon` command next to this Python or on PATH")
    return found
