"""Rich renderings shared by the ``dragon`` commands (tables people read)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:
    from dragon_compat.sample.calibration import Comparison, Unit

__all__ = ["branch_summary_table", "file_hashes_table", "tape_comparison_table"]


def _percent(value: Any) -> str:
    return f"{float(value) * 100:+.2f}%" if value is not None else ""


def branch_summary_table(summaries: Mapping[str, Mapping[str, Any]], *, title: str) -> Table:
    """One row per branch: total return, max drawdown, trades, win rate, sessions."""
    table = Table(title=title, title_justify="left")
    table.add_column("branch", style="bold")
    table.add_column("total return", justify="right")
    table.add_column("max drawdown", justify="right")
    table.add_column("trades", justify="right")
    table.add_column("win rate", justify="right")
    table.add_column("sessions", justify="right")
    for branch, summary in summaries.items():
        total = float(summary["total_return"])
        style = "green" if total > 0 else "red" if total < 0 else ""
        table.add_row(
            branch,
            f"[{style}]{_percent(total)}[/]" if style else _percent(total),
            f"{float(summary['max_drawdown']) * 100:.2f}%",
            str(summary["trades"]),
            f"{float(summary['win_rate']) * 100:.1f}%",
            str(summary["sessions"]),
        )
    return table


def file_hashes_table(hashes: Mapping[str, str], *, title: str) -> Table:
    """Written files with their sha256 (shortened for reading; files hold the full hash)."""
    table = Table(title=title, title_justify="left")
    table.add_column("file")
    table.add_column("sha256", style="dim")
    for name, digest in hashes.items():
        table.add_row(name, f"{digest[:16]}…")
    return table


def _statistic(value: float, unit: Unit) -> str:
    if math.isnan(value):  # nothing to measure (e.g. no limit-up close at all)
        return "—"
    if unit == "CNY":
        return f"{value:,.2f}"
    if unit == "percent":
        return f"{value * 100:.2f} %"
    return f"{value:g}"


def tape_comparison_table(
    comparisons: Sequence[Comparison], *, reference: str, sample: str, title: str
) -> Table:
    """One row per statistic: the reference's value, the sample's, the tolerance, and
    whether the sample is within it (``yes`` / ``NO``)."""
    table = Table(title=title, title_justify="left")
    table.add_column("statistic")
    table.add_column(reference, justify="right")
    table.add_column(sample, justify="right")
    table.add_column("tolerance", justify="right")
    table.add_column("within")
    for c in comparisons:
        unit = c.statistic.unit
        table.add_row(
            c.statistic.label,
            _statistic(c.reference, unit),
            _statistic(c.sample, unit),
            c.statistic.tolerance.describe(unit),
            "[green]yes[/]" if c.within else "[bold red]NO[/]",
        )
    return table
