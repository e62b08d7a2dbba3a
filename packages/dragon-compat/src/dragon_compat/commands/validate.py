"""``dragon validate --data FILE [--side-table FILE ...]``: check a bars file.

Exit 0 with a short summary (symbols, sessions, date range, boards, suspensions)
when every rule of rc1-strategy.md §1/§9 holds; exit 2 with a table of findings
(row, column, rule, value) otherwise, or with a one-line error when the file
cannot be read as a table.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dragon_compat.data.load import ValidationResult
    from dragon_compat.data.report import ValidationReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", required=True, metavar="FILE", help="bars file: .csv, .csv.gz, .parquet or .pq"
    )
    parser.add_argument(
        "--side-table",
        action="append",
        metavar="FILE",
        help="per-symbol or per-(trade_date, symbol) columns the bars lack; repeatable",
    )
    parser.add_argument(
        "--max-errors",
        type=int,
        default=100,
        metavar="N",
        help="list at most N findings (default 100; 0 lists all)",
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat.data.load import validate_file
    from dragon_compat.errors import EXIT_OK, EXIT_USER

    result = validate_file(args.data, side_table=args.side_table)
    if result.bars is None:
        _print_findings(result.report, args.max_errors)
        return EXIT_USER
    _print_summary(args.data, result)
    return EXIT_OK


def _print_findings(report: ValidationReport, max_errors: int) -> None:
    from rich.table import Table
    from rich.text import Text

    from dragon_compat.console import print_error, stdout

    limit = None if max_errors <= 0 else max_errors
    total = report.error_count
    stdout().print(Text(f"{report.source}: {report.layout.value} layout, {report.rows} data rows"))
    table = Table(caption="rows are 1-based data rows of the file named (header not counted)")
    for header in ("row", "column", "rule", "value"):
        table.add_column(header, justify="right" if header == "row" else "left")
    for error in report.errors(limit):
        where = "—" if error.row is None else str(error.row)
        if error.source != report.source:
            where = f"{where} (side table {error.source})"
        table.add_row(Text(where), Text(error.column), Text(error.rule.value), Text(error.value))
    stdout().print(table)
    if limit is not None and total > limit:
        stdout().print(Text(f"... and {total - limit} more (use --max-errors 0 to list all)"))
    for rule in sorted({violation.rule for violation in report.violations}):
        stdout().print(Text(f"{rule.value}: {rule.description}"))
    print_error(f"{report.source}: {total} validation error{'s' if total != 1 else ''}")


def _print_summary(path: str, result: ValidationResult) -> None:
    from rich.table import Table
    from rich.text import Text

    from dragon_compat.console import stdout
    from dragon_compat.data.summary import summarize_bars

    assert result.bars is not None
    summary = summarize_bars(result.bars)
    boards = ", ".join(f"{board} {count}" for board, count in summary.symbols_by_board.items())
    stdout().print(Text(f"{path}: valid ({result.report.layout.value} layout)"))
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
    stdout().print(table)
