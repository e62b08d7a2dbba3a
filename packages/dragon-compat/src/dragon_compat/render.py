"""Everything the ``dragon`` commands show a person: consoles, progress and tables.

The one presentation module of dragon-compat: commands compute values (through the
pipelines, the facade, the data and golden modules, none of which print) and hand
them here. Output goes to stdout, diagnostics to stderr. Colour and live progress
only on a terminal; ``NO_COLOR`` and pipes give plain text (rich honours both).
Command modules import this module inside ``run``, never at module level, so
``dragon --help`` does not load rich.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    import pandas as pd

    from dragon_compat.data.report import ValidationReport
    from dragon_compat.data.schema import Layout
    from dragon_compat.data.summary import BarsSummary
    from dragon_compat.golden import GoldenProblem
    from dragon_compat.pipelines.daily import DailyRun
    from dragon_compat.pipelines.forward import ForwardPlan
    from dragon_compat.sample.calibration import Comparison, Unit

__all__ = [
    "branch_summary_table",
    "daily_progress",
    "file_hashes_table",
    "monitor_table",
    "print_command",
    "print_daily",
    "print_error",
    "print_forward",
    "print_golden_check",
    "print_golden_update",
    "print_governance_exit",
    "print_notice",
    "print_path",
    "print_run",
    "print_sample",
    "print_step",
    "print_validation_findings",
    "print_validation_summary",
    "stderr",
    "stdout",
    "tape_comparison_table",
]


# --- consoles ---------------------------------------------------------------------------


@cache
def stdout() -> Console:
    """The console for results (one per process)."""
    return Console(highlight=False, soft_wrap=False)


@cache
def stderr() -> Console:
    """The console for diagnostics (one per process)."""
    return Console(stderr=True, highlight=False, soft_wrap=False)


def print_error(message: str) -> None:
    """Print a user error to stderr as ``error: <message>`` (plain when piped)."""
    line = Text("error: ", style="bold red")
    line.append(message)  # never parsed as markup: paths and rules may contain brackets
    stderr().print(line, soft_wrap=True)  # never break a file path across lines


def print_notice(message: str) -> None:
    """Print a notice (nothing failed, but act soon) to stderr as ``notice: <message>``."""
    line = Text("notice: ", style="bold yellow")
    line.append(message)  # never parsed as markup
    stderr().print(line, soft_wrap=True)


# --- tables -----------------------------------------------------------------------------


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


def _value(value: object, float_format: str = ".6g") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return format(value, float_format)
    return str(value)


def monitor_table(daily: DailyRun) -> Table:
    """The candidate's monitor conditions at the run's session."""
    health = daily.monitor.health
    table = Table(title=f"monitor: {health.branch} at {health.as_of}", title_justify="left")
    for column in ("condition", "tier", "active", "value", "threshold", "streak"):
        table.add_column(
            column, justify="right" if column in {"value", "threshold", "streak"} else "left"
        )
    for condition in health.conditions:
        active = Text("ACTIVE", style="bold red" if condition.tier == "hard" else "bold yellow")
        table.add_row(
            condition.id,
            condition.tier,
            active if condition.active else Text("no", style="green"),
            _value(condition.value),
            _value(condition.threshold),
            str(condition.streak),
        )
    divergence, control = daily.monitor.divergence, daily.monitor.refined_control
    table.caption = (
        f"divergence vs {divergence.reference_branch}: level {divergence.level} "
        f"(entry jaccard {divergence.entry_jaccard:.3f}, return gap {divergence.return_gap:+.4f}); "
        f"control {control.control_branch}: {control.status} "
        f"(alignment {control.alignment_ratio:.3f})"
    )
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


# --- dragon run / sample / validate / golden --------------------------------------------


def print_run(
    console: Console,
    branch: str,
    summary: Mapping[str, Any],
    hashes: Mapping[str, str],
    *,
    input_label: str,
    out: Path,
) -> None:
    """``dragon run``: the branch summary, then the files written with their hashes."""
    console.print(branch_summary_table({branch: summary}, title=f"{input_label}"))
    console.print(file_hashes_table(hashes, title=f"written to {out}"))


def print_sample(console: Console, path: Path, bars: pd.DataFrame, seed: int) -> None:
    """``dragon sample``: one line naming the file, its rows, symbols and sessions."""
    first, last = bars["trade_date"].iloc[0].date(), bars["trade_date"].iloc[-1].date()
    console.print(
        f"{path}: {len(bars)} rows, {bars['symbol'].nunique()} symbols, "
        f"{bars['trade_date'].nunique()} sessions {first} .. {last} (seed {seed})",
        markup=False,
    )


def print_validation_findings(console: Console, report: ValidationReport, max_errors: int) -> None:
    """``dragon validate`` of an invalid file: the findings (at most ``max_errors``;
    0 or less lists all), what each broken rule requires, and the count on stderr."""
    limit = None if max_errors <= 0 else max_errors
    total = report.error_count
    console.print(Text(f"{report.source}: {report.layout.value} layout, {report.rows} data rows"))
    table = Table(caption="rows are 1-based data rows of the file named (header not counted)")
    for header in ("row", "column", "rule", "value"):
        table.add_column(header, justify="right" if header == "row" else "left")
    for error in report.errors(limit):
        where = "—" if error.row is None else str(error.row)
        if error.source != report.source:
            where = f"{where} (side table {error.source})"
        table.add_row(Text(where), Text(error.column), Text(error.rule.value), Text(error.value))
    console.print(table)
    if limit is not None and total > limit:
        console.print(Text(f"... and {total - limit} more (use --max-errors 0 to list all)"))
    for rule in sorted({violation.rule for violation in report.violations}):
        console.print(Text(f"{rule.value}: {rule.description}"))
    print_error(f"{report.source}: {total} validation error{'s' if total != 1 else ''}")


def print_validation_summary(
    console: Console, path: str, layout: Layout, summary: BarsSummary
) -> None:
    """``dragon validate`` of a valid file: its layout and a table of what it holds."""
    boards = ", ".join(f"{board} {count}" for board, count in summary.symbols_by_board.items())
    console.print(Text(f"{path}: valid ({layout.value} layout)"))
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("value")
    for label, value in (
        ("rows", f"{summary.rows}"),
        ("symbols", f"{summary.symbols} ({summary.st_symbols} ST at some point)"),
        ("sessions", f"{summary.sessions}"),
        ("date range", f"{summary.first_session} .. {summary.last_session}"),
        ("boards", boards),
        (
            "suspensions",
            f"{summary.missing_rows} missing rows + {summary.zero_volume_rows} zero-volume rows "
            f"over {summary.suspended_symbols} symbols",
        ),
        ("listed late / ended early", f"{summary.started_late} / {summary.ended_early} symbols"),
        ("turnover_rate missing", f"{summary.turnover_missing} rows"),
    ):
        table.add_row(Text(label), Text(value))
    console.print(table)


def print_golden_check(
    console: Console, directory: Path, problems: Sequence[GoldenProblem]
) -> None:
    """``dragon golden check``: "golden holds", or a table of every file that differs."""
    if not problems:
        console.print(Text(f"golden holds: {directory}", style="bold green"))
        return
    table = Table(title=Text(f"golden does NOT hold: {directory}", style="bold red"))
    table.add_column("file")
    table.add_column("problem", style="red")
    table.add_column("first difference / detail", overflow="fold")
    for problem in problems:
        table.add_row(problem.path, problem.problem, problem.detail)
    console.print(table)


def print_golden_update(console: Console, directory: Path, changed: Sequence[str]) -> None:
    """``dragon golden update``: the files that changed (or that none did)."""
    console.print(Text(f"golden updated: {directory}", style="bold"))
    for name in changed:
        console.print(f"  changed {name}")
    if not changed:
        console.print("  no file changed; the reason was still recorded in CHANGELOG.md")


# --- dragon daily / forward / demo ------------------------------------------------------


@contextmanager
def daily_progress(console: Console) -> Iterator[Callable[[str], None]]:
    """A step reporter for the daily run: a progress bar over its steps (load,
    features, one per branch, monitor, manifest) on a terminal, silent when piped.
    Each call names the step that starts now and completes the previous one."""
    if not console.is_terminal:
        yield lambda _label: None
        return
    from dragon_compat.pipelines.daily import DAILY_STEPS

    with Progress(
        TextColumn("[bold]{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=DAILY_STEPS)
        started = False

        def step(label: str) -> None:
            nonlocal started
            progress.update(task, description=label, advance=1 if started else 0)
            started = True

        yield step
        progress.update(task, completed=DAILY_STEPS)


def print_daily(console: Console, daily: DailyRun, input_label: str) -> None:
    """Branch summary, monitor conditions and where the artifacts are."""
    from dragon_compat.rundir import MANIFEST_FILE

    roles = daily.roles
    summaries = {name: result.summary for name, result in daily.results.items()}
    console.print(
        branch_summary_table(
            summaries, title=f"daily run {daily.as_of.isoformat()} on {escape(input_label)}"
        )
    )
    console.print(
        Text(
            f"candidate {roles.candidate} · reference {roles.reference} · control {roles.control}",
            style="dim",
        )
    )
    console.print(monitor_table(daily))
    console.print(
        Text.assemble(
            ("artifacts: ", "bold"),
            str(daily.run_dir),
            f"  ({len(daily.manifest.outputs)} outputs, manifest {MANIFEST_FILE})",
        ),
        soft_wrap=True,  # a path people copy: never broken across lines
    )


def print_forward(console: Console, plan: ForwardPlan) -> None:
    """The forward plan: mode, decision, active branch and the next session's orders;
    the plan's notice (the known sessions end soon), if any, on stderr."""
    from dragon_compat.rundir import SCORE_DECIMALS

    doc = plan.plan
    governance = doc.governance
    lines = [
        Text.assemble(("mode ", "dim"), (str(doc.mode), "bold")),
        Text.assemble(("active branch ", "dim"), (doc.active_branch, "bold cyan")),
    ]
    if governance is not None:
        style = {"PROCEED": "green", "HOLD": "yellow"}.get(governance.decision, "red")
        lines.insert(
            1,
            Text.assemble(
                ("decision ", "dim"),
                (governance.decision, f"bold {style}"),
                ("  id ", "dim"),
                governance.decision_id[:16] + "…",
            ),
        )
    orders = Table(title=f"orders for {doc.next_session.isoformat()}", title_justify="left")
    for column in ("side", "symbol", "rank", "board", "alpha", "reason"):
        orders.add_column(column)
    for entry in doc.orders.entries:
        orders.add_row(
            "BUY",
            entry.symbol,
            str(entry.rank),
            str(entry.board_height),
            _value(entry.alpha_score, f".{SCORE_DECIMALS}f"),
            "SELECTED",
        )
    for exit_ in doc.orders.exits:
        orders.add_row("SELL", exit_.symbol, "", "", "", exit_.reason)
    if not doc.orders.entries and not doc.orders.exits:
        orders.add_row("—", "no orders", "", "", "", "")
    console.print(
        Panel(
            Group(*lines, orders),
            title=f"forward plan after {doc.as_of.isoformat()}",
            expand=False,
        )
    )
    print_path(console, "plan: ", plan.path)
    if plan.notice is not None:
        print_notice(plan.notice)


def print_step(console: Console, title: str) -> None:
    """``dragon demo``: a rule introducing one step (``title`` is plain text)."""
    console.print(Rule(f"[bold]{escape(title)}[/]"))


def print_command(console: Console, shown: str) -> None:
    """``dragon demo``: the command line a step runs, flushed before the child writes."""
    console.print(Text(f"$ {shown}", style="dim"), soft_wrap=True)
    console.file.flush()


def print_governance_exit(console: Console, code: int, meaning: str | None) -> None:
    """``dragon demo``: the exit of ``dragon-governance check``; ``meaning`` None: it failed."""
    if meaning is None:
        console.print(f"dragon-governance check failed with exit {code}", style="red")
    else:
        console.print(f"exit {code} = {meaning}", style="dim")


def print_path(console: Console, label: str, path: Path) -> None:
    """A path people copy, after a bold label: printed as text (never parsed as
    markup) and never wrapped."""
    console.print(Text.assemble((label, "bold"), str(path)), soft_wrap=True)


def print_report_written(console: Console, path: Path) -> None:
    """One line naming the report page written and its size (never wrapped: people copy it)."""
    size = path.stat().st_size / 1e6
    console.print(
        Text.assemble(("report: ", "bold"), str(path.resolve()), f"  ({size:.1f} MB)"),
        soft_wrap=True,
    )


def print_report_step(console: Console, path: Path | None) -> None:
    """``dragon demo``'s report step: the page written, or why there is none."""
    if path is None:
        from dragon_compat.report import REPORT_EXTRA_HINT

        console.print(f"no HTML report: it needs plotly ({REPORT_EXTRA_HINT})", markup=False)
        return
    print_report_written(console, path)
