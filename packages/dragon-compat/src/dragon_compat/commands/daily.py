"""``dragon daily [--data FILE] [--as-of DATE] --out RUN_DIR [--force]``.

Validates the data, truncates it at the as-of session (default: the data's last),
runs all four branches (features computed once), writes each branch's RC1 files
under ``RUN_DIR/branches/<branch>/``, the monitor artifacts and — last —
``daily_manifest.json``. A progress bar shows on a terminal (stderr); piped output
is quiet (``-v`` logs each step with its duration). ``--format tsv|md`` prints the
tables alone on stdout; ``--json`` prints
:func:`dragon_compat.cli_json.daily_document`.
With ``--report FILE`` it then writes the run's HTML report (``dragon report``;
needs the ``report`` extra, checked before the run starts). Exit 0, or 2 for bad
data, an as-of outside the data, a run directory that holds another run
(``--force`` overwrites it), or ``--report`` without the extra.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import add_market_arguments
from dragon_compat.commands.output_args import add_output_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, as_of=True)
    parser.add_argument("--out", required=True, metavar="RUN_DIR", help="run directory")
    parser.add_argument(
        "--force", action="store_true", help="overwrite a run directory that holds another run"
    )
    parser.add_argument(
        "--report", metavar="FILE.html", help="also write the run's HTML report (`dragon report`)"
    )
    add_output_arguments(parser, json_document="the run: branch summaries, monitor, roles")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_compat.pipelines.daily import run_daily
    from dragon_compat.render import daily_progress, print_daily, print_note, stdout

    if args.report is not None:
        from dragon_compat.report import check_out_path, require_plotly

        require_plotly()  # before the run, not after it
        if Path(args.report).parent.resolve() != Path(args.out).resolve():
            check_out_path(Path(args.report))  # inside RUN_DIR: the run creates the folder
    console = stdout()
    with daily_progress() as progress:
        progress("load and validate data")
        from dragon_compat.market_input import load_market

        market = load_market(args.data, side_table=args.side_table)
        daily = run_daily(
            market, Path(args.out), as_of=args.as_of, force=args.force, progress=progress
        )
    fmt = "json" if args.json else args.format
    if args.json:
        from dragon_compat.cli_json import daily_document
        from dragon_compat.render import print_json

        print_json(daily_document(daily, input_label=market.label))
    else:
        print_daily(console, daily, market.label, fmt)
    if args.report is not None:
        from dragon_compat.render import print_report_written
        from dragon_compat.report.build import build_report, write_report

        written = write_report(build_report(daily.run_dir), Path(args.report))
        if fmt == "text":
            print_report_written(console, written)
        else:
            print_note(console, f"report: {written.resolve()}", fmt)
    return 0
