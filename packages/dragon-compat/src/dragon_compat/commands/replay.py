"""``dragon replay [--data FILE] [--side-table FILE]… [--branches FILE] [--candidate B
--reference B --control B] --from D1 --to D2 --out DIR [--policy FILE]… [--force]
[--json]``.

Every session's rollout decision over ``[D1, D2]`` in one pass: the features and the
run's branches are computed once over the data up to D2, each session's run is derived
from that one run (never recomputed) and judged in-process by dragon-governance under
each ``--policy`` (default the built-in rc1-default). Writes ``decisions.csv``, one
replay ledger per policy, ``summary.json`` and, with two or more policies,
``differences.csv`` into DIR (:mod:`dragon_compat.replaydir`), and prints the summary
(policies side by side) and, with several policies, the sessions where they differ.
``--json`` prints ``summary.json``'s document. With ``--report FILE`` it then writes
the HTML report (``dragon report``) of the last session's run with the replay's
decision and state timeline. Needs the ``governance`` extra (and ``report`` for
``--report``). Exit 0, or 2 for a missing extra, bad data, a span outside the data or
without a session, a bad policy or branch file, DIR holding something else
(``--force`` writes into it) or a failed write.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from dragon_compat.commands.market_args import add_branch_arguments, add_market_arguments, iso_date
from dragon_compat.commands.output_args import add_output_arguments

if TYPE_CHECKING:
    from dragon_compat.pipelines.replay import Replay


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser)
    add_branch_arguments(parser, roles=True)
    parser.add_argument(
        "--from",
        dest="first",
        type=iso_date,
        required=True,
        metavar="D1",
        help="the first session to replay (the data's first session on or after D1)",
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=iso_date,
        required=True,
        metavar="D2",
        help="the last session to replay (the data's last session on or before D2)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the replay directory")
    parser.add_argument(
        "--policy",
        action="append",
        metavar="FILE",
        help="a governance policy TOML to judge every session by; repeatable "
        "(default: the built-in rc1-default)",
    )
    parser.add_argument(
        "--force", action="store_true", help="write into a DIR that holds something else"
    )
    parser.add_argument(
        "--report",
        metavar="FILE.html",
        help="also write the HTML report of the last session's run with the replay's "
        "decision and state timeline (first policy; needs the report extra)",
    )
    add_output_arguments(parser, json_document="summary.json: the per-policy summaries")


def run(args: argparse.Namespace) -> int:
    from dragon_compat.branch_file import branch_set, resolve_roles
    from dragon_compat.pipelines.replay import load_policies, require_governance, run_replay
    from dragon_compat.render import daily_progress, print_json, print_replay, stdout

    governance = require_governance()  # before loading anything
    branches = branch_set(args.branches)
    roles = resolve_roles(
        branches, candidate=args.candidate, reference=args.reference, control=args.control
    )
    policies = load_policies(governance, [Path(p) for p in args.policy or ()])
    if args.report is not None:
        from dragon_compat.report import check_out_path, require_plotly

        require_plotly()  # before the replay, not after it
        if Path(args.report).parent.resolve() != Path(args.out).resolve():
            check_out_path(Path(args.report))  # inside DIR: the replay creates the folder
    with daily_progress() as progress:
        progress("load and validate data")
        from dragon_compat.market_input import load_market

        market = load_market(args.data, side_table=args.side_table)
        replay = run_replay(
            market,
            Path(args.out),
            first=args.first,
            last=args.last,
            policies=policies,
            roles=roles,
            branches=branches,
            force=args.force,
            progress=progress,
        )
    if args.json:
        print_json(replay.summary)
    else:
        print_replay(stdout(), replay, market.label, args.format)
    if args.report is not None:
        _write_report(replay, Path(args.report), "json" if args.json else args.format)
    return 0


def _write_report(replay: Replay, out: Path, fmt: str) -> None:
    """The last session's run and the first policy's timeline, as one HTML page."""
    from dragon_compat.render import print_note, print_report_written, stdout
    from dragon_compat.replay_summary import row_cells
    from dragon_compat.replaydir import DECISION_COLUMNS
    from dragon_compat.report.build import build_from_files, write_report
    from dragon_compat.report.timeline import replay_records
    from dragon_compat.rundir import DECISION_FILE

    span = replay.require_span()
    files = {**span.run_files(), DECISION_FILE: span.evaluations[-1].decisions[0].file_bytes()}
    rows = replay.rows[replay.policies[0]]
    cells = [dict(zip(DECISION_COLUMNS, row_cells(row), strict=True)) for row in rows]
    timeline = replay_records(cells)
    written = write_report(build_from_files(files, timeline=timeline), out)
    if fmt == "text":
        print_report_written(stdout(), written)
    else:
        print_note(stdout(), f"report: {written.resolve()}", fmt)
