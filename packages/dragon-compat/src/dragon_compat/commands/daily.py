"""``dragon daily [--data FILE] [--as-of DATE] [--branches FILE] [--candidate B
--reference B --control B] [--policy FILE] [--out RUN_DIR] [--force]``.

Validates the data, truncates it at the as-of session (default: the data's last),
runs the run's branches (RC1's four, or a branch file's; features computed once),
writes each branch's RC1 files under ``RUN_DIR/branches/<branch>/``, the monitor
artifacts and — last — ``daily_manifest.json``. The roles default to RC1's demo
roles and must name three different branches of the run; ``--policy`` records the
governance policy the run is governed by (``dragon forward`` uses it). ``RUN_DIR`` is
``--out``, else dragon.toml's ``run_dir`` pattern with ``{as_of}`` the run's session.
A progress bar shows on a terminal (stderr); piped output is quiet (``-v`` logs each
step with its duration). ``--format tsv|md`` prints the tables alone on stdout;
``--json`` prints :func:`dragon_compat.cli_json.daily_document`. With ``--report
FILE`` it then writes the run's HTML report (``dragon report``; needs the ``report``
extra, checked before the run starts). Exit 0, or 2 for bad data, a bad branch file
or role, an as-of outside the data, a run directory that holds another run or the
same run with other inputs (``--force`` overwrites it), or ``--report`` without the
extra.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from dragon_compat.commands.market_args import add_branch_arguments, add_market_arguments
from dragon_compat.commands.output_args import add_output_arguments

if TYPE_CHECKING:
    from dragon_compat.market_input import MarketInput


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser, as_of=True)
    add_branch_arguments(parser, roles=True)
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="the governance policy TOML the run is governed by (recorded; default rc1)",
    )
    parser.add_argument(
        "--out", metavar="RUN_DIR", help="run directory (default: dragon.toml's run_dir)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite a run directory that holds another run"
    )
    parser.add_argument(
        "--report", metavar="FILE.html", help="also write the run's HTML report (`dragon report`)"
    )
    add_output_arguments(parser, json_document="the run: branch summaries, monitor, roles")


def _run_dir(args: argparse.Namespace, market: MarketInput) -> Path:
    """``--out``, else the configured pattern at the run's session."""
    from dragon_compat.config import run_dir_for
    from dragon_compat.errors import DragonUserError
    from dragon_compat.pipelines.daily import truncate_at

    if args.out is not None:
        return Path(args.out)
    pattern = getattr(args, "run_dir_pattern", None)
    if pattern is None:
        raise DragonUserError(
            "no run directory: give --out RUN_DIR (or set run_dir in dragon.toml)"
        )
    _, session = truncate_at(market.bars, args.as_of, source=market.label)
    return run_dir_for(pattern, session.isoformat())


def run(args: argparse.Namespace) -> int:
    from dragon_compat.branch_file import branch_set, resolve_roles
    from dragon_compat.pipelines.daily import check_policy, daily_steps, run_daily
    from dragon_compat.render import daily_progress, print_daily, print_note, stdout

    branches = branch_set(args.branches)
    roles = resolve_roles(
        branches, candidate=args.candidate, reference=args.reference, control=args.control
    )
    policy = Path(args.policy) if args.policy else None
    if policy is not None:
        check_policy(policy, branches)  # before loading anything
    if args.report is not None:
        from dragon_compat.report import check_out_path, require_plotly

        require_plotly()  # before the run, not after it
        if args.out is None or Path(args.report).parent.resolve() != Path(args.out).resolve():
            check_out_path(Path(args.report))  # inside RUN_DIR: the run creates the folder
    console = stdout()
    with daily_progress(daily_steps(len(branches))) as progress:
        progress("load and validate data")
        from dragon_compat.market_input import load_market

        market = load_market(args.data, side_table=args.side_table)
        daily = run_daily(
            market,
            _run_dir(args, market),
            as_of=args.as_of,
            force=args.force,
            roles=roles,
            branches=branches,
            policy=policy,
            progress=progress,
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
