"""Wall time and peak resident memory of consecutive steps inside one process.

A :class:`Meter` cuts the process's work into back-to-back *segments*:
``switch(name)`` ends the running segment and starts the next, so segments tile
the measured interval with no gap and their seconds add up to the whole.

Peak RSS per segment: on Linux the kernel's high-water mark (``VmHWM`` in
``/proc/self/status``, the same counter ``getrusage().ru_maxrss`` reports) can be
reset by writing ``5`` to ``/proc/self/clear_refs``. The meter resets it at every
switch, so a segment's peak is the largest RSS reached *during that segment*, and
the process peak is the largest segment peak. Where the reset is not allowed the
meter falls back to ``ru_maxrss`` read at the end of each segment — the peak of
the process *so far* — and says so (``peak_is_cumulative``).

With a profile directory, each segment also runs under its own
:class:`cProfile.Profile`; its statistics are written to
``<dir>/<NN>-<segment>.pstats`` and a text summary (top functions by own time and
by cumulative time) to ``<dir>/<NN>-<segment>.txt``. Profiling slows Python-heavy
code several-fold, so profiled timings are only for finding where time goes.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import resource
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_RESET_HIGH_WATER_MARK = "5"
_PROFILE_LINES = 25


@dataclass(frozen=True)
class Segment:
    """One measured step: ``seconds`` of wall time, ``cpu_seconds`` of process CPU
    time (user + system, all threads) and its ``sys_seconds`` part (kernel time:
    mostly page faults on freshly touched memory), ``rows`` it processed, the peak
    and the final resident set size in bytes."""

    name: str
    seconds: float
    cpu_seconds: float
    sys_seconds: float
    rows: int
    peak_rss: int
    end_rss: int

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def _status_bytes(field: str) -> int | None:
    """A ``kB`` field of ``/proc/self/status`` in bytes; None where it is unavailable."""
    try:
        text = _STATUS.read_text()
    except OSError:
        return None
    match = re.search(rf"^{field}:\s+(\d+)\s+kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def _ru_maxrss_bytes() -> int:
    """``getrusage`` peak RSS in bytes (kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _reset_high_water_mark() -> bool:
    """Reset the kernel's peak-RSS counter; False where that is not allowed."""
    try:
        _CLEAR_REFS.write_text(_RESET_HIGH_WATER_MARK)
    except OSError:
        return False
    return True


def current_rss() -> int:
    """Resident set size now, in bytes (the peak so far where /proc is missing)."""
    rss = _status_bytes("VmRSS")
    return rss if rss is not None else _ru_maxrss_bytes()


class Meter:
    """Back-to-back segments of one process; see the module docstring."""

    def __init__(self, profile_dir: Path | None = None) -> None:
        self.segments: list[Segment] = []
        self.peak_is_cumulative = not _reset_high_water_mark()
        self._profile_dir = profile_dir
        self._profiler: cProfile.Profile | None = None
        self._name: str | None = None
        self._rows = 0
        self._start = 0.0
        self._cpu_start = (0.0, 0.0)

    def switch(self, name: str | None, rows: int = 0) -> None:
        """End the running segment (if any) and start ``name`` (None: just stop).

        ``rows`` is what the new segment processes (for its rows/s).
        """
        now, cpu = time.perf_counter(), os.times()
        if self._profiler is not None:
            self._profiler.disable()
        if self._name is not None:
            self.segments.append(
                Segment(
                    name=self._name,
                    seconds=now - self._start,
                    cpu_seconds=cpu.user + cpu.system - sum(self._cpu_start),
                    sys_seconds=cpu.system - self._cpu_start[1],
                    rows=self._rows,
                    peak_rss=self._peak(),
                    end_rss=current_rss(),
                )
            )
            self._dump_profile()
        self._name, self._rows = name, rows
        if name is None:
            return
        if not self.peak_is_cumulative:
            _reset_high_water_mark()
        if self._profile_dir is not None:
            self._profiler = cProfile.Profile()
            self._profiler.enable()
        times = os.times()
        self._start, self._cpu_start = time.perf_counter(), (times.user, times.system)

    def count(self, rows: int) -> None:
        """Set the running segment's row count (when known only after it started)."""
        self._rows = rows

    def _peak(self) -> int:
        high_water_mark = _status_bytes("VmHWM")
        return high_water_mark if high_water_mark is not None else _ru_maxrss_bytes()

    def _dump_profile(self) -> None:
        if self._profiler is None or self._profile_dir is None or self._name is None:
            return
        stem = f"{len(self.segments):02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', self._name)}"
        self._profile_dir.mkdir(parents=True, exist_ok=True)
        self._profiler.dump_stats(self._profile_dir / f"{stem}.pstats")
        text = io.StringIO()
        stats = pstats.Stats(self._profiler, stream=text)
        for order in ("tottime", "cumulative"):
            text.write(f"==== {self._name}: top {_PROFILE_LINES} by {order}\n")
            stats.sort_stats(order).print_stats(_PROFILE_LINES)
        (self._profile_dir / f"{stem}.txt").write_text(text.getvalue())
        self._profiler = None
