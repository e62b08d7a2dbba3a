"""``dragon forward RUN_DIR [--governance enforce|shadow|off] [--ledger FILE]``.

Writes ``RUN_DIR/forward_plan.json``: the active branch's orders for the next
session. ``enforce`` (default) follows the rollout decision's recommended branch,
``shadow`` records the decision but keeps the candidate, ``off`` never imports
dragon-governance. ``--format tsv|md`` prints the orders table alone on stdout;
``--json`` prints the plan document (byte for byte ``forward_plan.json``). Exit 0,
2 for a missing/incomplete run directory or a missing governance extra, 3 for a
broken ledger.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.output_args import add_output_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a complete `dragon daily` run")
    parser.add_argument(
        "--governance",
        choices=("enforce", "shadow", "off"),
        default="enforce",
        help="how the rollout decision is used (default: enforce)",
    )
    parser.add_argument("--ledger", metavar="FILE", help="append the decision to this ledger")
    parser.add_argument("--policy", metavar="FILE", help="governance policy TOML (default rc1)")
    add_output_arguments(parser, json_document="the plan, as written to forward_plan.json")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_compat.pipelines.forward import GovernanceMode, run_forward
    from dragon_compat.render import print_forward, stdout

    plan = run_forward(
        Path(args.run_dir),
        GovernanceMode(args.governance),
        ledger=Path(args.ledger) if args.ledger else None,
        policy=Path(args.policy) if args.policy else None,
    )
    if args.json:
        from dragon_compat.cli_logging import logger
        from dragon_compat.render import print_json

        print_json(plan.document)
        logger().info("plan: %s", plan.path)
        return 0
    print_forward(stdout(), plan, args.format)
    return 0
