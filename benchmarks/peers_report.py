"""The peers benchmark's rows, targets, rich table and JSON.

Targets (issue 12), as ratios within one run of ``peers.py``:

==============================================================  =========
Dragon's fresh one-branch process wall ÷ vectorbt's (warm)      ≤ 0.5
Dragon's bars/s ÷ backtrader's bars/s (backtrader engine only)  ≥ 200
==============================================================  =========

Both targets take the peer's *most favourable* number: vectorbt with its numba
cache already filled (the cold process, which compiles first, is shown beside it);
backtrader's rate over ``cerebro.run`` alone (its process also reads Parquet and
builds feeds). Dragon's numbers are always its whole fresh process, imports and
writing the branch's output files included. bars/s is input rows per second: the
market's rows for Dragon and vectorbt, the fed rows for backtrader; "× Dragon" is a
row's seconds over Dragon's process seconds (how many times longer the peer took);
on the last three rows that column holds the ratio the row names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GIB = 1 << 30
VECTORBT_RATIO_TARGET = 0.5
BACKTRADER_SPEEDUP_TARGET = 200.0
PASS, MISS = "PASS", "MISS"


@dataclass(frozen=True)
class Row:
    """One table row; a row with ``target`` compares ``ratio`` with it (``at_most``:
    ``ratio ≤ target`` passes, else ``ratio ≥ target``)."""

    key: str
    label: str
    seconds: float | None = None
    cpu_seconds: float | None = None
    sys_seconds: float | None = None
    peak_rss: int | None = None
    bars: int | None = None
    ratio: float | None = None
    target: float | None = None
    at_most: bool = True

    @property
    def bars_per_second(self) -> float | None:
        if self.bars is None or not self.seconds:
            return None
        return self.bars / self.seconds

    @property
    def status(self) -> str | None:
        if self.target is None or self.ratio is None:
            return None
        met = self.ratio <= self.target if self.at_most else self.ratio >= self.target
        return PASS if met else MISS

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "bars_per_second": self.bars_per_second, "status": self.status}


def _segment(result: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    for segment in result["segments"]:
        if segment["name"] == name:
            return segment
    raise KeyError(f"worker result has no {name!r} segment")


def build_rows(best: Mapping[str, Any], market_rows: int) -> list[Row]:
    """Every table row, in print order (module docstring): the four fresh processes,
    backtrader's engine time and its extrapolation, then the targets."""
    dragon_s = best["dragon"]["process"]["seconds"]

    def process(key: str, label: str, bars: int) -> Row:
        run = best[key]["process"]
        return Row(
            key=key,
            label=label,
            seconds=run["seconds"],
            cpu_seconds=run["cpu_seconds"],
            sys_seconds=run["sys_seconds"],
            peak_rss=run["peak_rss"],
            bars=bars,
            ratio=run["seconds"] / dragon_s,
        )

    bt = best["backtrader"]
    engine = _segment(bt, "run")
    bt_rate = bt["bars"] / engine["seconds"]
    dragon = process("dragon", "Dragon: `dragon run`, one branch", market_rows)
    cold = process("vectorbt_cold", "vectorbt, numba cache cold", market_rows)
    warm = process("vectorbt_warm", "vectorbt, numba cache warm", market_rows)
    extrapolated = market_rows / bt_rate
    return [
        dragon,
        cold,
        warm,
        process("backtrader", f"backtrader, first {bt['symbols_fed']} symbols",
                bt["bars"]),
        Row("backtrader_engine", "backtrader: cerebro.run only", seconds=engine["seconds"],
            cpu_seconds=engine["cpu_seconds"], sys_seconds=engine["sys_seconds"],
            bars=bt["bars"], ratio=engine["seconds"] / dragon_s),
        Row("backtrader_extrapolated", "backtrader: run only, extrapolated",
            seconds=extrapolated, bars=market_rows, ratio=extrapolated / dragon_s),
        Row("vs_vectorbt_cold", "Dragon wall ÷ vectorbt cold wall",
            ratio=dragon_s / cold.seconds),
        Row("vs_vectorbt", "Dragon wall ÷ vectorbt warm wall", ratio=dragon_s / warm.seconds,
            target=VECTORBT_RATIO_TARGET),
        Row("vs_backtrader", "Dragon bars/s ÷ backtrader bars/s (run only)",
            ratio=(dragon.bars_per_second or 0.0) / bt_rate, target=BACKTRADER_SPEEDUP_TARGET,
            at_most=False),
    ]  # fmt: skip


def missed(rows: Sequence[Row]) -> list[Row]:
    """Rows whose target is missed."""
    return [r for r in rows if r.status == MISS]


def _number(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _rate(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value / 1e6:.2f} M" if value >= 1e5 else f"{value:,.0f}"


def _memory(value: int | None) -> str:
    return "" if value is None else f"{value / GIB:.2f} GiB"


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return ""
    return f"{row.ratio:,.0f}×" if row.ratio >= 100 else f"{row.ratio:.2f}×"


def _target(row: Row) -> str:
    if row.target is None:
        return ""
    return f"{'≤' if row.at_most else '≥'} {row.target:g}×"


def print_table(rows: Sequence[Row], title: str, notes: Sequence[str]) -> None:
    """Print the rows as a rich table, then the notes and a verdict line."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=False, width=max(Console().width, 150))
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("peer", no_wrap=True)
    for name in ("wall s", "cpu s", "sys s", "peak RSS", "bars", "bars/s", "× Dragon"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for r in rows:
        status = Text(r.status or "", style={PASS: "green", MISS: "bold red"}.get(r.status or ""))
        table.add_row(
            Text(r.label, style="bold" if r.key == "dragon" or r.target else ""),
            _number(r.seconds),
            _number(r.cpu_seconds),
            _number(r.sys_seconds),
            _memory(r.peak_rss),
            "" if r.bars is None else f"{r.bars:,}",
            _rate(r.bars_per_second),
            _ratio(r),
            _target(r),
            status,
        )
    console.print(table)
    for note in notes:
        console.print(Text(note))
    misses = missed(rows)
    if misses:
        listed = "; ".join(f"{r.label}: {_ratio(r)} vs {_target(r)}" for r in misses)
        targets = sum(r.target is not None for r in rows)
        verdict = Text(f"MISS {len(misses)} of {targets} targets — {listed}", style="bold red")
    else:
        verdict = Text("PASS every target", style="bold green")
    console.print(verdict)


def write_json(path: Path, rows: Sequence[Row], facts: Mapping[str, Any]) -> None:
    """The machine-readable results: ``rows`` (as printed) plus ``facts``."""
    payload = {
        **facts,
        "rows": [r.as_json() for r in rows],
        "missed": [r.key for r in missed(rows)],
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
