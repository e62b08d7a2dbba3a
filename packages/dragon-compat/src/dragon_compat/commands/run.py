"""``dragon run [--data FILE] [--branches FILE] --branch NAME --out DIR``: one branch,
the RC1 files.

Writes ``events.csv``, ``trades.csv``, ``equity.csv`` and ``summary.json`` of the
branch canonically into DIR (runtime README, "Outputs"), all four or none (a failed write —
a full disk, read-only storage — is exit 2, ``cannot write PATH: REASON``, and leaves
DIR's previous files as they were), and prints the branch summary.
Without ``--data`` the sample market bundled with dragon-compat is used; the branch
is one of RC1's four, or of a branch file given with ``--branches``.
``--format tsv|md`` prints the tables (hashes in full) alone on stdout; ``--json``
prints :func:`dragon_compat.cli_json.run_document`.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.market_args import add_branch_arguments, add_market_arguments
from dragon_compat.commands.output_args import add_output_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    add_market_arguments(parser)
    add_branch_arguments(parser, roles=False)
    parser.add_argument(
        "--branch",
        required=True,
        metavar="NAME",
        help="rc1_baseline, alpha_first, alpha_first_selective_veto, strict_veto, or a "
        "branch of --branches",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    add_output_arguments(parser, json_document="the branch summary and the files written")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_compat.branch_file import branch_set, pick_branch
    from dragon_compat.cli_logging import step
    from dragon_compat.dragon_strategy import DragonRuleEngine
    from dragon_compat.market_input import load_market
    from dragon_compat.render import print_run, stdout
    from dragon_compat.writes import write_files
    from dragon_runtime import render_branch_outputs

    config = pick_branch(branch_set(args.branches), args.branch)  # before any loading
    branch = config.name
    with step("load and validate data"):
        market = load_market(args.data, side_table=args.side_table)
    with step(f"run {branch}"):
        result = DragonRuleEngine().run(market.bars, config)
    out = Path(args.out)
    with step(f"write {out}"):
        texts = render_branch_outputs(
            events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
        )
        hashes = write_files(out, texts)
    if args.json:
        from dragon_compat.cli_json import run_document
        from dragon_compat.render import print_json

        print_json(run_document(branch, result.summary, hashes, input_label=market.label, out=out))
        return 0
    print_run(
        stdout(), branch, result.summary, hashes, input_label=market.label, out=out, fmt=args.format
    )
    return 0
