"""``dragon validate --data FILE [--side-table FILE ...]``: check a bars file.

Findings are ERRORs (the file cannot be used) or WARNINGs (usable; a row is
suspicious or a cell is treated as unreported). Exit 0 when there is no ERROR: the
warnings (if any, summarised per rule and symbol when numerous), then a short summary
(symbols, sessions, date range, boards, suspensions); exit 2 with the table of
findings (severity, row, column, rule, value as written) when there is an ERROR —
or any WARNING under ``--strict`` — or with a one-line error when the file cannot be
read as a table. ``--format tsv|md`` prints the table alone on stdout;
``--json`` prints :func:`dragon_compat.cli_json.validation_document` (also for an
invalid file, still exit 2).
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import add_market_arguments
from dragon_compat.commands.output_args import add_output_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, bundled_default=False)
    parser.add_argument(
        "--max-errors",
        type=int,
        default=100,
        metavar="N",
        help="list at most N findings (default 100; 0 lists all)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat every WARNING as an ERROR (exit 2 on any finding)",
    )
    add_output_arguments(parser, json_document="the findings, and the summary of a valid file")


def run(args: argparse.Namespace) -> int:
    from dragon_compat.cli_logging import step
    from dragon_compat.commands.market_args import require_data
    from dragon_compat.data.load import validate_file
    from dragon_compat.data.summary import summarize_bars
    from dragon_compat.errors import EXIT_OK, EXIT_USER
    from dragon_compat.render import print_validation_findings, print_validation_summary, stdout

    args.data = require_data(args.data)
    with step(f"read and validate {args.data}"):
        result = validate_file(args.data, side_table=args.side_table)
    report = result.report.strict() if args.strict else result.report
    summary = None
    if result.bars is not None and report.ok:
        with step("summarize"):
            summary = summarize_bars(result.bars)
    if args.json:
        from dragon_compat.cli_json import validation_document
        from dragon_compat.render import print_error, print_json

        print_json(validation_document(report, summary, max_errors=args.max_errors))
        if summary is None:
            count = report.error_count
            print_error(f"{args.data}: {count} validation error{'s' if count != 1 else ''}")
        return EXIT_OK if summary is not None else EXIT_USER
    if report.violations:
        print_validation_findings(stdout(), report, args.max_errors, args.format)
    if summary is None:
        return EXIT_USER
    print_validation_summary(stdout(), args.data, report.layout, summary, args.format)
    return EXIT_OK
