"""The benchmark's targets, its table rows, and how they are printed and saved.

Targets are the issue's, as ratios within one benchmark run (so a busy machine
slows both sides of each comparison), except the per-step budgets kept from
earlier issues; every comparison is ``≤`` (a value equal to its target passes):

==============================================  ==========================
load Parquet (``load_bars``)                    ≤ 1.5 × the floor's read
whole-market CSV load (``load_bars``)           ≤ 4 × the Parquet load
features (``featurize``)                        ≤ 6 s
each branch loop                                ≤ 1.5 s
WHOLE four-branch run with outputs              ≤ 4 × FLOOR
fresh one-branch ``dragon run`` process         ≤ 3 × FLOOR
peak RSS of the whole-run process               ≤ 2 GiB
250-session replay (load → write)               ≤ 2 × the WHOLE run
sample replay of every session (process)        ≤ 3 × the sample ``dragon daily``
==============================================  ==========================

"cpu s" is the process's CPU time (user + system, every thread) in the step: on
a busy machine it moves far less than wall seconds, so compare it with "seconds"
before blaming the code for a slow step. "sys s" is its kernel part — on the
reference VM mostly page faults on memory the process touches for the first
time — and "sys share" is sys ÷ cpu: a step that allocates fresh memory shows a
high share.

rows/s is bars rows per second for every input step (the market's rows; the CSV
copy's rows for the CSV load) and output rows (events + trades + equity of all
branches) per second for writing outputs. "× floor" is a step's seconds over the
FLOOR seconds measured in the same benchmark run (for the ratio rows: the ratio
the target names).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench_workers import (
    FEATURES,
    FLOOR_PASS,
    FLOOR_READ,
    LIMITS,
    LOAD_CSV,
    LOAD_PARQUET,
    LOOP_PREFIX,
    PANEL,
    PREDICATES,
    PREPARE_SEGMENTS,
    REPLAY,
    WRITE,
)

GIB = 1 << 30
LOAD_TO_FLOOR_READ_TARGET = 1.5
WHOLE_CSV_TO_PARQUET_TARGET = 4.0
FEATURES_TARGET_S = 6.0
LOOP_TARGET_S = 1.5
WHOLE_TO_FLOOR_TARGET = 4.0
DRAGON_RUN_TO_FLOOR_TARGET = 3.0
PEAK_RSS_TARGET = 2 * GIB
REPLAY_TO_WHOLE_TARGET = 2.0
"""A 250-session replay of the bench market ≤ 2× one whole four-branch run."""
SAMPLE_REPLAY_TO_DAILY_TARGET = 3.0
"""A replay of every session of the bundled sample ≤ 3× one ``dragon daily`` of it."""

PASS, MISS = "PASS", "MISS"


@dataclass(frozen=True)
class Row:
    """One table row. ``target`` is compared with ``measure`` (``seconds``,
    ``peak_rss`` or ``ratio``); rows without a target are informational."""

    step: str
    label: str
    seconds: float | None = None
    cpu_seconds: float | None = None
    sys_seconds: float | None = None
    rows: int | None = None
    peak_rss: int | None = None
    ratio: float | None = None
    target: float | None = None
    measure: str = "seconds"
    of: str = "FLOOR"
    """What a ``ratio`` target is a multiple of (the FLOOR, unless the row says)."""

    @property
    def sys_share(self) -> float | None:
        if self.sys_seconds is None or not self.cpu_seconds:
            return None
        return self.sys_seconds / self.cpu_seconds

    @property
    def rows_per_second(self) -> float | None:
        if self.rows is None or not self.seconds:
            return None
        return self.rows / self.seconds

    @property
    def status(self) -> str | None:
        if self.target is None:
            return None
        value = getattr(self, self.measure)
        return PASS if value is not None and value <= self.target else MISS

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "rows_per_second": self.rows_per_second,
            "sys_share": self.sys_share,
            "status": self.status,
        }


def _segments(result: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {segment["name"]: segment for segment in result["segments"]}


def _span(segments: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Back-to-back segments taken together, as one segment."""
    parts = list(segments)
    return {
        "seconds": sum(s["seconds"] for s in parts),
        "cpu_seconds": sum(s["cpu_seconds"] for s in parts),
        "sys_seconds": sum(s["sys_seconds"] for s in parts),
        "rows": max(s["rows"] for s in parts),
        "peak_rss": max(s["peak_rss"] for s in parts),
    }


def build_rows(
    best: Mapping[str, Mapping[str, Any]],
    *,
    csv_facts: Mapping[str, Any],
    whole_csv_facts: Mapping[str, Any] | None,
    market_rows: int,
) -> list[Row]:
    """Every table row, in print order (see the module docstring for the targets).

    ``best`` holds the kept measurement of each kind: ``floor``, ``pipeline``,
    ``csv`` (workers), ``dragon_run`` (a measured process) and, when measured,
    ``csv_whole``, ``replay`` (a worker) with ``sample_daily`` and ``sample_replay``
    (measured processes).
    """
    f, p, c = _segments(best["floor"]), _segments(best["pipeline"]), _segments(best["csv"])
    floor = _span([f[FLOOR_READ], f[FLOOR_PASS]])
    floor_s = floor["seconds"]

    def row(step: str, label: str, segment: Mapping[str, Any], **kw: Any) -> Row:
        kw.setdefault("ratio", segment["seconds"] / floor_s)
        return _process_row(step, label, segment, rows=segment["rows"], **kw)

    csv_label = "load CSV (load_bars)"
    if csv_facts["rows"] < market_rows:
        csv_label += f", first {csv_facts['sessions']:,} sessions only"
    loops = [name for name in p if name.startswith(LOOP_PREFIX)]
    prepare = _span(p[name] for name in PREPARE_SEGMENTS)
    whole = _span(p[name] for name in [LOAD_PARQUET, *PREPARE_SEGMENTS, *loops, WRITE])
    whole["rows"] = market_rows
    load = p[LOAD_PARQUET]
    rows = [
        row("floor_read", "floor: read 6 Parquet columns", f[FLOOR_READ]),
        row("floor_pass", "floor: one numpy pass (limits, heights)", f[FLOOR_PASS]),
        row("floor", "FLOOR (read + pass)", floor),
        row("load_parquet", "load Parquet (load_bars) ÷ floor read", load,
            ratio=load["seconds"] / f[FLOOR_READ]["seconds"],
            target=LOAD_TO_FLOOR_READ_TARGET, measure="ratio", of="floor read"),
        row("load_csv", csv_label, c[LOAD_CSV]),
    ]  # fmt: skip
    if "csv_whole" in best and whole_csv_facts is not None:
        w = _segments(best["csv_whole"])[LOAD_CSV]
        rows.append(
            row("load_csv_whole", "load CSV, whole market ÷ load Parquet", w,
                ratio=w["seconds"] / load["seconds"],
                target=WHOLE_CSV_TO_PARQUET_TARGET, measure="ratio", of="Parquet")
        )  # fmt: skip
    rows += [
        row("limits", "prepare: limits (annotate)", p[LIMITS]),
        row("features", "prepare: features (featurize)", p[FEATURES],
            target=FEATURES_TARGET_S),
        row("panel", "prepare: panel (build_panel)", p[PANEL]),
        row("predicates", "prepare: predicates (evaluate_candidates)", p[PREDICATES]),
        row("prepare", "prepare total", prepare),
        *(
            row(name, f"loop {name.removeprefix(LOOP_PREFIX)}", p[name], target=LOOP_TARGET_S)
            for name in loops
        ),
        row("write", "write outputs (4 branches, output rows)", p[WRITE]),
        row("whole", "WHOLE four-branch run (load → write)", whole,
            target=WHOLE_TO_FLOOR_TARGET, measure="ratio"),
    ]  # fmt: skip
    if "dragon_run" in best:
        process = best["dragon_run"]["process"]
        rows.append(
            _process_row("dragon_run", "fresh `dragon run` process, one branch", process,
                         rows=market_rows, ratio=process["seconds"] / floor_s,
                         target=DRAGON_RUN_TO_FLOOR_TARGET, measure="ratio")
        )  # fmt: skip
    rows.append(
        Row("peak_rss", "peak RSS of the whole-run process", peak_rss=whole["peak_rss"],
            target=PEAK_RSS_TARGET, measure="peak_rss")
    )  # fmt: skip
    if "replay" in best:
        rows += _replay_rows(best, whole, floor_s)
    return rows


def _process_row(step: str, label: str, run: Mapping[str, Any], **kw: Any) -> Row:
    """A row from a measurement's seconds, CPU and system seconds and peak RSS — a
    process measured from outside (:mod:`bench_process`) or a worker's segment."""
    return Row(
        step=step,
        label=label,
        seconds=run["seconds"],
        cpu_seconds=run["cpu_seconds"],
        sys_seconds=run["sys_seconds"],
        peak_rss=run["peak_rss"],
        **kw,
    )


def _replay_rows(
    best: Mapping[str, Mapping[str, Any]], whole: Mapping[str, Any], floor_s: float
) -> list[Row]:
    """The replay rows: the bench market's replay (load → write, against the WHOLE
    four-branch run) and the bundled sample's replay (against its daily run), each pair
    of the same kind (in-process segments; fresh processes, start → exit)."""
    r = _segments(best["replay"])
    measured = _span([r[LOAD_PARQUET], r[REPLAY]])
    sessions = best["replay"]["replayed_sessions"]
    daily, every = best["sample_daily"]["process"], best["sample_replay"]["process"]
    return [
        Row("replay", f"REPLAY of the last {sessions} sessions (load → write)",
            seconds=measured["seconds"], cpu_seconds=measured["cpu_seconds"],
            sys_seconds=measured["sys_seconds"], rows=measured["rows"],
            peak_rss=measured["peak_rss"], ratio=measured["seconds"] / floor_s),
        Row("replay_to_whole", f"replay {sessions} ÷ WHOLE four-branch run",
            ratio=measured["seconds"] / whole["seconds"], target=REPLAY_TO_WHOLE_TARGET,
            measure="ratio", of="WHOLE"),
        _process_row("sample_daily", "sample: `dragon daily` (fresh process)", daily),
        _process_row("sample_replay", "sample: `dragon replay` of every session", every),
        Row("sample_replay_to_daily", "sample replay ÷ sample daily",
            ratio=every["seconds"] / daily["seconds"], target=SAMPLE_REPLAY_TO_DAILY_TARGET,
            measure="ratio", of="sample daily"),
    ]  # fmt: skip


def missed(rows: Sequence[Row]) -> list[Row]:
    """Rows whose target is missed."""
    return [r for r in rows if r.status == MISS]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _rate(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1e6:.2f} M" if value >= 1e5 else f"{value:,.0f}"


def _memory(value: float | None) -> str:
    return "" if value is None else f"{value / GIB:.2f} GiB"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}×"


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    if row.measure == "peak_rss":
        return f"≤ {_memory(row.target)}"
    if row.measure == "ratio":
        return f"≤ {row.target:g}× {row.of}"
    return f"≤ {row.target:g} s"


def print_table(rows: Sequence[Row], title: str, notes: Sequence[str]) -> None:
    """Print the rows as a rich table, then the notes and a clear verdict line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=False, width=max(Console().width, 152))
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("step", no_wrap=True)
    for name in ("seconds", "cpu s", "sys s", "sys share", "rows/s", "peak RSS", "× floor"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for r in rows:
        status = Text(r.status or "", style={PASS: "green", MISS: "bold red"}.get(r.status or ""))
        table.add_row(
            Text(r.label, style="bold" if r.label.isupper() or r.step == "whole" else ""),
            _seconds(r.seconds),
            _seconds(r.cpu_seconds),
            _seconds(r.sys_seconds),
            _share(r.sys_share),
            _rate(r.rows_per_second),
            _memory(r.peak_rss),
            _ratio(r.ratio),
            _target(r),
            status,
        )
    console.print(table)
    for note in notes:
        console.print(Text(note))
    misses = missed(rows)
    if misses:
        listed = "; ".join(f"{r.label}: {_actual(r)} vs {_target(r)}" for r in misses)
        verdict = Text(f"MISS {len(misses)} of {sum(r.target is not None for r in rows)} "
                       f"targets — {listed}", style="bold red")  # fmt: skip
    else:
        verdict = Text("PASS every target", style="bold green")
    console.print(verdict)


def _actual(row: Row) -> str:
    if row.measure == "peak_rss":
        return _memory(row.peak_rss)
    if row.measure == "ratio":
        return _ratio(row.ratio)
    return f"{_seconds(row.seconds)} s"


def write_json(path: Path, rows: Sequence[Row], facts: Mapping[str, Any]) -> None:
    """The machine-readable results: ``rows`` (as printed) plus ``facts``."""
    payload = {
        **facts,
        "rows": [r.as_json() for r in rows],
        "missed": [r.step for r in missed(rows)],
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
