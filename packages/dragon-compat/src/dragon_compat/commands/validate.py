"""``dragon validate --data FILE [--side-table FILE ...]``: check a bars file.

Exit 0 with a short summary (symbols, sessions, date range, boards, suspensions)
when every rule of rc1-strategy.md §1/§9 holds; exit 2 with a table of findings
(row, column, rule, value) otherwise, or with a one-line error when the file
cannot be read as a table.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import add_market_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, bundled_default=False)
    parser.add_argument(
        "--max-errors",
        type=int,
        default=100,
        metavar="N",
        help="list at most N findings (default 100; 0 lists all)",
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat.data.load import validate_file
    from dragon_compat.data.summary import summarize_bars
    from dragon_compat.errors import EXIT_OK, EXIT_USER
    from dragon_compat.render import print_validation_findings, print_validation_summary, stdout

    result = validate_file(args.data, side_table=args.side_table)
    if result.bars is None:
        print_validation_findings(stdout(), result.report, args.max_errors)
        return EXIT_USER
    summary = summarize_bars(result.bars)
    print_validation_summary(stdout(), args.data, result.report.layout, summary)
    return EXIT_OK
