"""Everything the ``dragon`` commands show a person: consoles, progress and tables.

The one presentation module of dragon-compat: commands compute values (through the
pipelines, the facade, the data and golden modules, none of which print) and hand
them here. Results go to stdout, diagnostics to stderr. Command modules import
this module inside ``run``, never at module level, so ``dragon --help`` does not
load rich.

What every command gets by printing through here:

- **not a terminal** (a pipe, a file, cron): plain text and lines never wrapped at
  a fixed width (the console is as wide as the longest line); no progress bar;
- **``NO_COLOR``** (set and non-empty, no-color.org): no escape sequence at all,
  not even bold/italic/dim, and no progress bar — also on a terminal;
- **a narrow terminal**: :func:`print_table` never cuts a word — names, symbols and
  reason codes print whole (columns are at least as wide as their longest word,
  ``no_wrap`` columns as their widest cell); a table too wide for the terminal is
  printed without borders, and if that is still too wide, as one block of
  ``header  value`` lines per row;
- **``--format tsv|md``**: :func:`print_tables` prints the same tables as TSV
  (header line, tab-separated rows) or Markdown; lines around them
  (:func:`print_note`) then go to stderr, so stdout holds only the tables;
- **``--json``**: :func:`print_json` prints exactly one JSON document;
- **a closed stdout**: a write raises ``BrokenPipeError`` (rich's own handler,
  which exits 1, is replaced), which :func:`dragon_compat.cli.main` turns into a
  quiet exit 141.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.measure import Measurement
from rich.padding import Padding
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from dragon_compat.cli_logging import NORMAL, logger, verbosity
from dragon_compat.streams import StdStream, write_stdout

if TYPE_CHECKING:
    import pandas as pd

    from dragon_compat.config import ProjectConfig, Resolved
    from dragon_compat.data.report import ValidationReport
    from dragon_compat.data.schema import Layout
    from dragon_compat.data.summary import BarsSummary
    from dragon_compat.golden import GoldenProblem
    from dragon_compat.pipelines.daily import DailyRun
    from dragon_compat.pipelines.forward import ForwardPlan
    from dragon_compat.pipelines.replay import Replay
    from dragon_compat.rundir import ForwardPlanDocument, PlanRollout
    from dragon_compat.sample.calibration import Comparison, Unit

__all__ = [
    "UNBOUNDED_WIDTH",
    "Console",
    "branch_summary_table",
    "daily_progress",
    "file_hashes_table",
    "forward_orders_table",
    "keep_words_whole",
    "make_console",
    "markdown_text",
    "monitor_line",
    "monitor_table",
    "no_color",
    "print_command",
    "print_config",
    "print_daily",
    "print_error",
    "print_forward",
    "print_golden_check",
    "print_golden_update",
    "print_governance_exit",
    "print_json",
    "print_note",
    "print_notice",
    "print_path",
    "print_replay",
    "print_run",
    "print_sample",
    "print_step",
    "print_table",
    "print_tables",
    "print_validation_findings",
    "print_validation_summary",
    "reconciliation_table",
    "replay_differences_table",
    "replay_summary_table",
    "replay_timeline_table",
    "stderr",
    "stdout",
    "tape_comparison_table",
    "tsv_text",
]


# --- shared with dragon_governance.render: keep both copies identical (a test compares) ---

UNBOUNDED_WIDTH = 1_000_000
"""The width of a console that is not a terminal: wide enough that no line wraps."""


def no_color() -> bool:
    """``NO_COLOR`` is set to a non-empty value (no-color.org): no styling at all."""
    return bool(os.environ.get("NO_COLOR"))


class _Console(Console):
    """A rich console whose closed pipe raises ``BrokenPipeError`` to the caller
    (rich's default exits with status 1, the status reserved for bugs)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


def make_console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr): styled only on a terminal without
    ``NO_COLOR``; as wide as the terminal, or unbounded when not a terminal."""
    console = _Console(
        file=StdStream("stderr" if stderr else "stdout"),  # type: ignore[arg-type]  # not an IO[str] subclass: writes in pieces, forwards the rest to sys.stdout|stderr
        stderr=stderr,
        highlight=False,
        soft_wrap=False,
        emoji=False,
        color_system=None if no_color() else "auto",
    )
    if not console.is_terminal:
        console.width = UNBOUNDED_WIDTH
    return console


def print_note(console: Console, message: str | Text, fmt: str = "text") -> None:
    """A line that accompanies a result: on ``console`` for ``text``; for ``tsv``,
    ``md`` and ``json`` a note on stderr (INFO, hidden by ``-q``) so stdout holds
    only the result. A ``str`` is plain text, never markup."""
    text = Text(message) if isinstance(message, str) else message
    if fmt == "text":
        console.print(text)
    else:
        logger().info("%s", text.plain)


def print_json(document: object) -> None:
    """Exactly one JSON document on stdout (sorted keys, two-space indent, UTF-8,
    one trailing newline). NaN and infinities are refused (they are not JSON)."""
    text = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    write_stdout(text + "\n")


# --- printing tables in every format ------------------------------------------------------


@cache
def _measuring_console() -> Console:
    return Console(file=io.StringIO(), width=UNBOUNDED_WIDTH, color_system=None, emoji=False)


def keep_words_whole(table: Table) -> Table:
    """Give each column of ``table`` a minimum width so rich never cuts a word.

    A ``no_wrap`` column (names, symbols, reason codes) is at least as wide as its
    widest cell, any other column as its longest word; a column with
    ``overflow="fold"`` (free text that may be folded) or an explicit ``min_width``
    is left alone. Returns ``table``.
    """
    console = _measuring_console()
    options = console.options
    for column in table.columns:
        if column.min_width is not None or column.overflow == "fold":
            continue
        cells = (column.header, *column.cells)
        widths = [Measurement.get(console, options, cell) for cell in cells]
        column.min_width = max(w.maximum if column.no_wrap else w.minimum for w in widths)
    return table


def _fits(console: Console, table: Table) -> bool:
    """Whether ``table`` fits ``console`` without cutting a word: its minimum width,
    a ``fold`` column counting only its ``min_width`` (rich folds the rest)."""
    folded = [column for column in table.columns if column.overflow == "fold"]
    saved = [column.max_width for column in folded]
    for column in folded:
        column.max_width = column.min_width or 1
    try:
        measuring = _measuring_console()
        return Measurement.get(measuring, measuring.options, table).minimum <= console.width
    finally:
        for column, max_width in zip(folded, saved, strict=True):
            column.max_width = max_width


def _compact(table: Table) -> Table:
    """``table`` without borders or padding: one space between columns, a rule
    under the header (mutates and returns ``table``)."""
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.padding = (0, 0, 0, 0)
    return table


def _stacked(table: Table, width: int) -> RenderableType:
    """``table`` as one block per row, a blank line between blocks: each non-empty
    cell beside its header (or, when headers are too wide for ``width``, below
    it); for a table without header the first cell heads the block. Used when the
    table cannot fit ``width`` even without borders, so no word is ever cut."""
    columns = table.columns
    headers = [_as_text(column.header, style="bold") for column in columns]
    beside = max((len(_plain(h)) for h in headers), default=0) <= width // 3
    parts: list[RenderableType] = []
    if table.title:
        parts.append(_as_text(table.title, style="bold"))
    for row in zip(*(list(column.cells) for column in columns), strict=True):
        if parts:
            parts.append(Text())
        fields = list(zip(headers, row, strict=True))
        if not table.show_header:
            parts.append(_as_text(row[0], style="bold"))
            fields = [(Text(), cell) for cell in row[1:]]
        fields = [(header, cell) for header, cell in fields if _plain(cell).strip()]
        if beside:
            block = Table.grid(padding=(0, 2, 0, 0))
            block.add_column(no_wrap=True)
            block.add_column(overflow="fold")
            for header, cell in fields:
                block.add_row(header, cell)
            parts.append(block)
        else:
            for header, cell in fields:
                parts.extend([header, Padding(cell, (0, 0, 0, 2), expand=False)])
    if table.caption:
        parts.extend([Text(), _as_text(table.caption, style="dim")])
    return Group(*parts)


def _as_text(value: RenderableType, *, style: str = "", suffix: str = "") -> RenderableType:
    if isinstance(value, str):
        value = Text.from_markup(value)
    if isinstance(value, Text):
        text = value.copy()
        text.stylize(style)
        text.append(suffix)
        return text
    return value


def _plain(cell: RenderableType) -> str:
    """The text a cell shows, without styling (lines joined by newlines)."""
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    if isinstance(cell, Text):
        return cell.plain
    console = _measuring_console()
    lines = console.render_lines(cell, console.options, pad=False)
    return "\n".join("".join(segment.text for segment in line).rstrip() for line in lines)


def _rows(table: Table) -> tuple[list[str], list[list[str]]]:
    header = [_plain(column.header) for column in table.columns]
    cells = [[_plain(cell) for cell in column.cells] for column in table.columns]
    return header, [list(row) for row in zip(*cells, strict=True)]


def tsv_text(table: Table) -> str:
    """``table`` as TSV: the header line, then one line per row; a tab or line
    break inside a cell becomes a space. No title, no caption, no trailing newline."""
    header, rows = _rows(table)

    def clean(cell: str) -> str:
        return " ".join(cell.replace("\t", " ").split())

    return "\n".join("\t".join(clean(cell) for cell in line) for line in [header, *rows])


def markdown_text(table: Table) -> str:
    """``table`` as a Markdown (GFM) table, preceded by its title in bold when it
    has one; ``|`` is escaped, a line break inside a cell becomes ``<br>``."""
    header, rows = _rows(table)

    def clean(cell: str) -> str:
        return "<br>".join(line.strip() for line in cell.splitlines()).replace("|", "\\|")

    align = ["---:" if column.justify == "right" else "---" for column in table.columns]
    lines = [f"| {' | '.join(clean(cell) for cell in line)} |" for line in [header, *rows]]
    lines.insert(1, f"|{'|'.join(align)}|")
    if table.title:
        lines[:0] = [f"**{clean(_plain(table.title))}**", ""]
    return "\n".join(lines)


def _print_title(console: Console, table: Table) -> None:
    """Print ``table``'s title as its own line and take it off the table: rich would
    wrap a title longer than the table to the table's width, cutting a path."""
    if table.title:
        console.print(_as_text(table.title, style="bold"), soft_wrap=True)
        table.title = None


def print_table(console: Console, table: Table, fmt: str = "text") -> None:
    """Print one table as ``fmt`` (``text``, ``tsv`` or ``md``; see the module doc)."""
    print_tables(console, [table], fmt)


def print_tables(console: Console, tables: Iterable[Table], fmt: str = "text") -> None:
    """Print tables as ``fmt``: ``text`` through rich, each table whole or stacked
    (:func:`keep_words_whole`); ``tsv`` and ``md`` as plain text, one blank line
    between tables (a TSV consumer reads up to the first empty line for the first)."""
    if fmt == "text":
        for table in tables:
            keep_words_whole(table)
            if _fits(console, table) or _fits(console, _compact(table)):
                _print_title(console, table)
                console.print(table)
            else:
                console.print(_stacked(table, console.width))
        return
    render = tsv_text if fmt == "tsv" else markdown_text
    console.file.write("\n\n".join(render(table) for table in tables) + "\n")
    console.file.flush()  # the console's file writes in pieces (StdStream)


# --- end of the shared block -------------------------------------------------------------


# --- this package's consoles ------------------------------------------------------------


@cache
def stdout() -> Console:
    """The console for results (one per process)."""
    return make_console()


@cache
def stderr() -> Console:
    """The console for diagnostics (one per process)."""
    return make_console(stderr=True)


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
    table.add_column("branch", style="bold", no_wrap=True)
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


def file_hashes_table(hashes: Mapping[str, str], *, title: str, full: bool = False) -> Table:
    """Written files with their sha256 (shortened for reading unless ``full``; the
    files themselves hold the full hash)."""
    table = Table(title=title, title_justify="left")
    table.add_column("file", no_wrap=True)
    table.add_column("sha256", style="dim", no_wrap=True)
    for name, digest in hashes.items():
        table.add_row(name, digest if full else f"{digest[:16]}…")
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
        numeric = column in {"value", "threshold", "streak"}
        table.add_column(column, justify="right" if numeric else "left", no_wrap=not numeric)
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
    return table


def monitor_line(daily: DailyRun) -> str:
    """The divergence and control verdicts of the run, in one line of plain text."""
    divergence, control = daily.monitor.divergence, daily.monitor.refined_control
    return (
        f"divergence vs {divergence.reference_branch}: level {divergence.level} "
        f"(entry jaccard {divergence.entry_jaccard:.3f}, return gap {divergence.return_gap:+.4f}); "
        f"control {control.control_branch}: {control.status} "
        f"(alignment {control.alignment_ratio:.3f})"
    )


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
    table.add_column("statistic", overflow="fold")
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
    fmt: str = "text",
) -> None:
    """``dragon run``: the branch summary, then the files written with their hashes
    (in full for ``tsv``/``md``)."""
    print_tables(
        console,
        [
            branch_summary_table({branch: summary}, title=escape(input_label)),
            file_hashes_table(hashes, title=escape(f"written to {out}"), full=fmt != "text"),
        ],
        fmt,
    )


def print_sample(console: Console, path: Path, bars: pd.DataFrame, seed: int) -> None:
    """``dragon sample``: one line naming the file, its rows, symbols and sessions."""
    first, last = bars["trade_date"].iloc[0].date(), bars["trade_date"].iloc[-1].date()
    console.print(
        f"{path}: {len(bars)} rows, {bars['symbol'].nunique()} symbols, "
        f"{bars['trade_date'].nunique()} sessions {first} .. {last} (seed {seed})",
        markup=False,
    )


def print_validation_findings(
    console: Console, report: ValidationReport, max_errors: int, fmt: str = "text"
) -> None:
    """``dragon validate``'s findings: ERRORs then WARNINGs (at most ``max_errors``
    lines; 0 or less lists all), a line per symbol where a rule is collapsed or a
    warning numerous, what each rule requires and what to do, and the counts on
    stderr when there are errors."""
    from dragon_compat.data.report import Severity

    limit = None if max_errors <= 0 else max_errors
    lines = report.listing(Severity.ERROR) + report.listing(Severity.WARNING)
    headline = f"{report.source}: {report.layout.value} layout, {report.rows} data rows"
    print_note(console, headline, fmt)
    table = Table(caption="rows are 1-based data rows of the file named (header not counted)")
    table.add_column("severity", no_wrap=True)
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("symbol", no_wrap=True)
    table.add_column("column", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("value")  # as the file wrote it: a symbol, a price, a date
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("note")
    shown = lines if limit is None else lines[:limit]
    for line in shown:
        where = "—" if line.row is None else str(line.row)
        if line.source != report.source:
            where = f"{where} (side table {line.source})"
        count = "" if line.count == 1 else str(line.count)
        examples = ", ".join(str(r) for r in line.examples[1:])
        note = line.note if not examples else f"{line.note}; also rows {examples}".lstrip("; ")
        table.add_row(
            Text(line.severity.value),
            Text(where),
            Text(line.symbol),
            Text(line.column),
            Text(line.rule.value),
            Text(line.value),
            Text(count),
            Text(note),
        )
    print_table(console, table, fmt)
    if limit is not None and len(lines) > limit:
        more = f"... and {len(lines) - limit} more lines (--max-errors 0 lists all)"
        print_note(console, more, fmt)
    for rule in sorted({line.rule for line in lines}):
        hint = f" — {rule.hint}" if rule.hint else ""
        print_note(console, f"{rule.value} ({rule.severity.value}): {rule.description}{hint}", fmt)
    print_note(console, quality_line(report), fmt)
    if not report.ok:
        total = report.error_count
        print_error(f"{report.source}: {total} validation error{'s' if total != 1 else ''}")


def quality_line(report: ValidationReport) -> str:
    """One line: errors and warnings, with the count of each rule broken."""
    from dragon_compat.data.report import Severity

    return quality_text(
        {rule.value: n for rule, n in report.rule_counts(Severity.ERROR).items()},
        {rule.value: n for rule, n in report.rule_counts(Severity.WARNING).items()},
    )


def quality_text(errors: Mapping[str, int], warnings: Mapping[str, int]) -> str:
    """``data quality: 0 errors; 2 warnings (TURNOVER_OUT_OF_RANGE 1, …)``."""
    parts = []
    for name, counts in (("error", errors), ("warning", warnings)):
        total = sum(counts.values())
        label = f"{total} {name}{'s' if total != 1 else ''}"
        detail = ", ".join(f"{rule} {n}" for rule, n in counts.items())
        parts.append(f"{label} ({detail})" if detail else label)
    return f"data quality: {'; '.join(parts)}"


def print_validation_summary(
    console: Console, path: str, layout: Layout, summary: BarsSummary, fmt: str = "text"
) -> None:
    """``dragon validate`` of a valid file: its layout and a table of what it holds."""
    boards = ", ".join(f"{board} {count}" for board, count in summary.symbols_by_board.items())
    print_note(console, f"{path}: valid ({layout.value} layout)", fmt)
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
    print_table(console, table, fmt)


def print_golden_check(
    console: Console, directory: Path, problems: Sequence[GoldenProblem]
) -> None:
    """``dragon golden check``: "golden holds", or a table of every file that differs."""
    if not problems:
        console.print(Text(f"golden holds: {directory}", style="bold green"), soft_wrap=True)
        return
    table = Table(title=Text(f"golden does NOT hold: {directory}", style="bold red"))
    table.add_column("file", no_wrap=True)
    table.add_column("problem", style="red", overflow="fold")
    table.add_column("first difference / detail", overflow="fold")
    for problem in problems:
        table.add_row(Text(problem.path), Text(problem.problem), Text(problem.detail))
    print_table(console, table)


def print_golden_update(console: Console, directory: Path, changed: Sequence[str]) -> None:
    """``dragon golden update``: the files that changed (or that none did)."""
    console.print(Text(f"golden updated: {directory}", style="bold"), soft_wrap=True)
    for name in changed:
        console.print(Text(f"  changed {name}"), soft_wrap=True)
    if not changed:
        console.print("  no file changed; the reason was still recorded in CHANGELOG.md")


# --- live progress on stderr ------------------------------------------------------------


def _shows_live(console: Console) -> bool:
    """A live progress bar shows on ``console`` only when it is a terminal, ``NO_COLOR``
    is unset and the verbosity is the default (not ``-q``, not ``-v``)."""
    return console.is_terminal and not no_color() and verbosity() == NORMAL


def _live_bar(console: Console, description: str) -> Progress:
    """A transient bar on ``console``: the task's text (``description``, a rich
    format), the bar, done/total and the time elapsed."""
    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


# --- dragon daily / forward / demo ------------------------------------------------------


@contextmanager
def daily_progress(steps: int | None = None) -> Iterator[Callable[[str], None]]:
    """A step reporter for the daily run (load, features, one per branch, monitor,
    manifest: ``steps`` of them, default RC1's four branches). Each call names the step
    that starts now and ends the previous one.

    Every finished step is logged with its duration (seen with ``-v``). A transient
    progress bar shows on stderr only when stderr is a terminal, ``NO_COLOR`` is
    unset and the verbosity is the default (not ``-q``, not ``-v``).
    """
    console = stderr()
    started: list[tuple[str, float]] = []

    def log_previous() -> None:
        if started:
            label, began = started[-1]
            logger().debug("%s: %.3f s", label, time.perf_counter() - began)

    def note(label: str) -> None:
        log_previous()
        started.append((label, time.perf_counter()))

    if not _shows_live(console):
        yield note
        log_previous()
        return
    from dragon_compat.pipelines.daily import DAILY_STEPS

    total = DAILY_STEPS if steps is None else steps
    with _live_bar(console, "[bold]{task.description:<40}") as progress:
        task = progress.add_task("starting", total=total)

        def step(label: str) -> None:
            progress.update(task, description=label, advance=1 if started else 0)
            note(label)

        yield step
        progress.update(task, completed=total)
    log_previous()


def print_daily(console: Console, daily: DailyRun, input_label: str, fmt: str = "text") -> None:
    """Branch summary, monitor conditions and where the artifacts are."""
    from dragon_compat.rundir import MANIFEST_FILE

    roles = daily.roles
    summaries = {name: result.summary for name, result in daily.results.items()}
    summary = branch_summary_table(
        summaries, title=f"daily run {daily.as_of.isoformat()} on {escape(input_label)}"
    )
    monitor = monitor_table(daily)
    roles_line = Text(
        f"candidate {roles.candidate} · reference {roles.reference} · control {roles.control}",
        style="dim",
    )
    if fmt == "text":
        print_table(console, summary)
        console.print(roles_line)
        print_table(console, monitor)
    else:
        print_tables(console, [summary, monitor], fmt)
        print_note(console, roles_line, fmt)
    print_note(console, monitor_line(daily), fmt)
    quality = daily.manifest.data_quality
    if quality is not None:
        from dragon_compat.data.report import Rule, Severity

        by_rule = {rule: n for rule, n in quality.rules.items() if rule in Rule.__members__}
        errors = {r: n for r, n in by_rule.items() if Rule[r].severity is Severity.ERROR}
        warnings = {r: n for r, n in by_rule.items() if r not in errors}
        print_note(console, quality_text(errors, warnings), fmt)
    artifacts = Text.assemble(
        ("artifacts: ", "bold"),
        str(daily.run_dir),
        f"  ({len(daily.manifest.outputs)} outputs, manifest {MANIFEST_FILE})",
    )
    if fmt == "text":
        console.print(artifacts, soft_wrap=True)  # a path people copy: never broken
    else:
        print_note(console, artifacts, fmt)


def _cny(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _limits(down: float | None, up: float | None) -> str:
    return "no limit" if down is None or up is None else f"{_cny(down)}–{_cny(up)}"


def _book_line(doc: ForwardPlanDocument) -> Text:
    book = doc.book
    whose = f"branch {doc.active_branch}" if book.source == "branch" else "desk"
    from_exits = book.cash_for_entries - book.cash
    return Text.assemble(
        ("book ", "dim"),
        (whose, "bold"),
        f"  equity {_cny(book.equity)} · cash {_cny(book.cash)}",
        f" (+{_cny(from_exits)} from exits)" if from_exits else "",
        f" · {book.held} held, {book.selling} selling · {book.free_slots} of "
        f"{book.max_positions} slots free · up to {_cny(book.slot_target)} per entry",
    )


def forward_orders_table(doc: ForwardPlanDocument, fmt: str = "text") -> Table:
    """The plan's orders: exits (SELL) then entries (BUY), as the open fills them, each
    with shares, the estimated fill price, notional and the next session's limits; an
    entry that cannot be bought is ``BUY ✗`` with the runtime's reason code."""
    orders = Table(title=f"orders for {doc.next_session.isoformat()}", title_justify="left")
    for column in ("side", "symbol", "shares", "price", "notional", "limits", "rank", "reason"):
        left = column in {"side", "symbol", "reason"}
        orders.add_column(column, justify="left" if left else "right", no_wrap=True)
    for exit_ in doc.orders.exits:
        orders.add_row(
            "SELL",
            exit_.symbol,
            f"{exit_.shares:,}",
            _cny(exit_.price_estimate),
            _cny(exit_.notional),
            _limits(exit_.limit_down, exit_.limit_up),
            "",
            exit_.reason,
        )
    for entry in doc.orders.entries:
        orders.add_row(
            Text("BUY") if entry.affordable else Text("BUY ✗", style="red"),
            entry.symbol,
            f"{entry.shares:,}",
            _cny(entry.price_estimate),
            _cny(entry.notional),
            _limits(entry.limit_down, entry.limit_up),
            str(entry.rank),
            entry.reason or "SELECTED",
        )
    if not doc.orders.entries and not doc.orders.exits and fmt == "text":
        orders.add_row("—", "no orders", *[""] * 6)
    return orders


def reconciliation_table(doc: ForwardPlanDocument) -> Table | None:
    """The desk's holdings beside the active branch's positions (None without a desk)."""
    rec = doc.reconciliation
    if rec is None:
        return None
    table = Table(title=f"desk vs branch {doc.active_branch}", title_justify="left")
    for column in ("symbol", "desk shares", "branch shares", "desk action", "held by"):
        table.add_column(column, justify="right" if "shares" in column else "left", no_wrap=True)
    branch = {h.symbol: h.shares for h in rec.branch_only} | {
        h.symbol: h.branch_shares for h in rec.in_both
    }
    desk = {h.symbol: h for h in rec.holdings}
    for symbol in sorted(set(desk) | set(branch)):
        holding = desk.get(symbol)
        action = "—" if holding is None else f"{holding.action} {holding.reason}"
        held_by = "both" if holding and symbol in branch else "desk" if holding else "branch"
        table.add_row(
            symbol,
            "—" if holding is None else f"{holding.shares:,}",
            f"{branch[symbol]:,}" if symbol in branch else "—",
            action,
            held_by,
        )
    return table


def _rollout_line(rollout: PlanRollout, mode: object) -> Text:
    """The ledger's rollout state as the plan recorded it (shadow: shown, not followed)."""
    pending = rollout.pending_rollback
    state_style = "green" if rollout.state == "CANDIDATE_ACTIVE" else "red"
    if rollout.state == "HELD":
        state_style = "yellow"
    return Text.assemble(
        ("rollout state ", "dim"),
        (rollout.state, f"bold {state_style}"),
        (" since ", "dim"),
        rollout.since.isoformat(),
        ("  state's branch ", "dim"),
        rollout.active_branch,
        (f"  (review pending for the rollback of {pending.as_of})" if pending else "", "red"),
        ("  (shadow: recorded, not followed)" if str(mode) == "shadow" else "", "dim"),
        ("  ledger head ", "dim"),
        rollout.head_hash[:12] + "…",
    )


def print_forward(console: Console, plan: ForwardPlan, fmt: str = "text") -> None:
    """The forward plan: mode, decision, active branch, the book, the next session's
    orders (sized), why an entry cannot be bought, and the desk's reconciliation."""
    doc = plan.plan
    governance = doc.governance
    lines = [
        Text.assemble(
            (f"forward plan after {doc.as_of.isoformat()}", "bold"),
            ("  mode ", "dim"),
            (str(doc.mode), "bold"),
        ),
        Text.assemble(("active branch ", "dim"), (doc.active_branch, "bold cyan")),
        _book_line(doc),
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
        if governance.rollout is not None:
            lines.insert(2, _rollout_line(governance.rollout, doc.mode))
    for line in lines:
        print_note(console, line, fmt)
    tables = [forward_orders_table(doc, fmt)]
    reconciliation = reconciliation_table(doc)
    if reconciliation is not None:
        tables.append(reconciliation)
    print_tables(console, tables, fmt)
    print_note(
        console,
        Text(
            f"price: the estimated fill if the stock opens at its {doc.as_of.isoformat()} "
            "close; the fill is at the open. Amounts in CNY.",
            style="dim",
        ),
        fmt,
    )
    for entry in doc.orders.entries:
        if not entry.affordable:
            print_note(
                console,
                Text.assemble(("✗ ", "red"), f"{entry.symbol}: {entry.reason} — {entry.detail}"),
                fmt,
            )
    if fmt == "text":
        print_path(console, "plan: ", plan.path)
    else:
        print_note(console, f"plan: {plan.path}", fmt)
    if plan.notice is not None:
        print_notice(plan.notice)


def print_config(console: Console, config: ProjectConfig, resolved: Sequence[Resolved]) -> None:
    """``dragon config show``: the configuration file used, then each setting's value
    (or its default, in words) and where it came from."""
    where = (
        "none (no --config, no DRAGON_CONFIG, no dragon.toml in the working directory)"
        if config.path is None
        else f"{config.path} ({config.found_by})"
    )
    console.print(Text.assemble(("configuration: ", "bold"), where), soft_wrap=True)
    table = Table()
    for column in ("setting", "value", "from"):
        table.add_column(column, no_wrap=True)
    for item in resolved:
        if item.value is None:
            value = Text(item.setting.default, style="dim")
        elif isinstance(item.value, tuple):
            value = Text(", ".join(item.value) or "none")
        else:
            value = Text(item.value)
        table.add_row(Text(item.setting.key), value, Text(item.source))
    print_table(console, table)


def print_step(console: Console, title: str) -> None:
    """``dragon demo``: a rule introducing one step (``title`` is plain text); a
    short plain line when not a terminal (a rule would fill the unbounded width)."""
    if console.is_terminal:
        console.print(Rule(f"[bold]{escape(title)}[/]"))
    else:
        console.print(Text(f"── {title} ──"), soft_wrap=True)


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


_SUMMARY_ROWS = (
    ("sessions", "sessions"),
    ("rollbacks", "rollbacks"),
    ("mean sessions to rollback", "mean_sessions_to_rollback"),
    ("flips", "flips"),
    ("final state", "final_state"),
    ("final active branch", "final_active_branch"),
)


def replay_summary_table(replay: Replay) -> Table:
    """The policies side by side: sessions per decision and per state, rollbacks, flips."""
    summaries = {name: replay.policy_summary(name) for name in replay.policies}
    table = Table(
        title=f"replay {replay.first.isoformat()} .. {replay.last.isoformat()}",
        title_justify="left",
    )
    table.add_column("", style="bold", no_wrap=True)
    for name in replay.policies:
        table.add_column(name, justify="right", no_wrap=True)
    decisions = sorted({k for s in summaries.values() for k in s["sessions_per_decision"]})
    states = sorted({k for s in summaries.values() for k in s["sessions_per_state"]})
    for label, key in _SUMMARY_ROWS[:1]:
        table.add_row(label, *(_value(summaries[n][key]) for n in replay.policies))
    for decision in decisions:
        table.add_row(
            decision,
            *(str(summaries[n]["sessions_per_decision"].get(decision, 0)) for n in replay.policies),
        )
    for state in states:
        table.add_row(
            state,
            *(str(summaries[n]["sessions_per_state"].get(state, 0)) for n in replay.policies),
        )
    for label, key in _SUMMARY_ROWS[1:]:
        table.add_row(label, *(_value(summaries[n][key]) for n in replay.policies))
    return table


def replay_timeline_table(replay: Replay, policy: str) -> Table:
    """One policy's decisions as runs of equal (decision, state, active branch)."""
    table = Table(title=f"timeline under {policy}", title_justify="left")
    for column in ("from", "to", "sessions", "decision", "state", "active branch"):
        table.add_column(column, no_wrap=True, justify="right" if column == "sessions" else "left")
    rows = replay.rows[policy]
    start = 0
    for index in range(1, len(rows) + 1):
        if index < len(rows) and _run_key(rows[index]) == _run_key(rows[start]):
            continue
        first, last = rows[start], rows[index - 1]
        table.add_row(
            first.session.isoformat(),
            last.session.isoformat(),
            str(index - start),
            first.decision,
            first.state,
            first.active_branch,
        )
        start = index
    return table


def _run_key(row: Any) -> tuple[str, str, str]:
    return row.decision, row.state, row.active_branch


def replay_differences_table(replay: Replay) -> Table:
    """The sessions where the policies' decisions differ, one column per policy."""
    table = Table(title="sessions where the policies differ", title_justify="left")
    table.add_column("session", no_wrap=True)
    for name in replay.policies:
        table.add_column(name, no_wrap=True)
    for day, decisions in replay.differences():
        table.add_row(day.isoformat(), *decisions)
    return table


def print_replay(console: Console, replay: Replay, input_label: str, fmt: str = "text") -> None:
    """The replay's summary (policies side by side), each policy's timeline, the
    differences between policies, and where the files are."""
    tables = [replay_summary_table(replay)]
    tables += [replay_timeline_table(replay, name) for name in replay.policies]
    if len(replay.policies) > 1:
        tables.append(replay_differences_table(replay))
    print_tables(console, tables, fmt)
    roles = replay.roles
    print_note(
        console,
        Text(
            f"{input_label} · candidate {roles.candidate} · reference {roles.reference} · "
            f"control {roles.control}",
            style="dim",
        ),
        fmt,
    )
    if fmt == "text":
        print_path(console, "replay: ", replay.out_dir)
    else:
        print_note(console, f"replay: {replay.out_dir}", fmt)


# --- dragon sweep -----------------------------------------------------------------------


@contextmanager
def sweep_progress(total: int) -> Iterator[Callable[[str, str], None]]:
    """A reporter of a sweep's cells: call it with ``(event, label)``, event one of
    ``skipped`` (finished before), ``queued``, ``done``, ``failed``. A live line on
    stderr shows cells done, in flight (running or waiting for a worker) and failed
    when stderr is a terminal (``NO_COLOR`` unset, default verbosity); each failed
    cell is logged at once (a warning), each finished one with ``-v``."""
    console = stderr()
    counts = {"skipped": 0, "queued": 0, "done": 0, "failed": 0}

    def count(event: str, label: str) -> None:
        counts[event] += 1
        if event == "failed":
            logger().warning("cell failed: %s", label)
        elif event == "done":
            logger().debug("cell done: %s", label)

    def describe() -> str:
        finished = counts["done"] + counts["failed"]
        in_flight = counts["queued"] - finished
        return (
            f"cells: {counts['done']} done, {in_flight} in flight, {counts['failed']} failed, "
            f"{counts['skipped']} finished before"
        )

    if not _shows_live(console):
        yield count
        return
    with _live_bar(console, "[bold]{task.description}") as progress:
        task = progress.add_task(describe(), total=total)

        def live(event: str, label: str) -> None:
            count(event, label)
            if event != "queued":
                progress.update(task, advance=1)
            progress.update(task, description=describe())

        yield live


SWEEP_SHOWN_COLUMNS = (
    "universe",
    "window_start",
    "window_end",
    "branch",
    "status",
    "total_return",
    "max_drawdown",
    "sharpe",
    "trades",
    "final_equity",
)
"""The result columns ``dragon sweep`` prints (the table file has them all)."""


def sweep_table(rows: Sequence[Mapping[str, Any]], *, title: str) -> Table:
    """The cells' main results, one line per cell, in grid order."""
    table = keep_words_whole(Table(title=title, box=box.SIMPLE_HEAVY))
    for name in SWEEP_SHOWN_COLUMNS:
        numeric = name in ("total_return", "max_drawdown", "sharpe", "trades", "final_equity")
        table.add_column(name, justify="right" if numeric else "left")
    for row in rows:
        cells: list[str] = []
        for name in SWEEP_SHOWN_COLUMNS:
            value = row.get(name)
            if value is None:
                cells.append("n/a" if row.get("status") == "ok" else "—")
            elif name == "total_return":
                cells.append(_percent(value))
            elif name == "max_drawdown":
                cells.append(f"{float(value) * 100:.2f}%")
            elif name == "final_equity":
                cells.append(f"{value:,.2f}")
            elif isinstance(value, float):
                cells.append(f"{value:.3f}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    return table


def print_sweep(
    console: Console,
    rows: Sequence[Mapping[str, Any]],
    *,
    ran: int,
    skipped: int,
    table_path: Path,
    fmt: str = "text",
) -> None:
    """The cells' results, each failed cell's error, and where the table is."""
    failed = [row for row in rows if row.get("status") == "failed"]
    title = f"{len(rows)} cells: {ran} run, {skipped} finished before, {len(failed)} failed"
    print_table(console, sweep_table(rows, title=title), fmt)
    for row in failed:
        what = f"{row['universe']} {row['window_start']}..{row['window_end']} {row['branch']}"
        print_note(console, f"failed: {what}: {row.get('error')}", fmt)
    print_note(console, f"results: {table_path}", fmt)
