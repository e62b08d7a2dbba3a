"""``dragon forward RUN_DIR [--governance enforce|shadow|off] [--ledger FILE [--key-file FILE]]
[--policy FILE] [--sessions FILE] [--positions FILE --cash AMOUNT]``.

Writes ``RUN_DIR/forward_plan.json``: the active branch's orders for the next
session, each sized as the runtime will size it at the open (shares in whole lots,
estimated fill price, notional and fees, the next session's limits; an entry no lot
of which fits is marked unaffordable with the reason). ``enforce`` (default) follows
the rollout decision's recommended branch — with ``--ledger``, the active branch of
the ledger's rollout state (the fallback while a rollback awaits review; the plan
records the state and the ledger's head) —, ``shadow`` records the decision (and the
state) but keeps the candidate, ``off`` never imports dragon-governance. ``--positions FILE`` (the
desk's holdings, CSV or JSON) and ``--cash AMOUNT`` (CNY) size the plan for the
desk's real book instead of the branch's: the exits are the desk's holdings the
branch's exit rule sells, and the plan reconciles the desk's holdings with the
branch's. ``--sessions FILE`` (one ISO date per line) supplies the XSHG sessions from
its first date on, past the installed exchange-calendars' end; a notice on stderr
says when the known sessions end within 30 sessions. ``--format tsv|md`` prints the
tables alone on stdout; ``--json`` prints the plan document (byte for byte
``forward_plan.json``). Exit 0, 2 for a missing/incomplete run directory, a bad
positions file, a changed input, a missing governance extra, a bad session list, no
known next session, a symbolic link in the run directory or a failed write
(``cannot write PATH: REASON``), 3 for a broken ledger.
"""

from __future__ import annotations

import argparse

from dragon_compat.commands.output_args import add_output_arguments


def _cash(text: str) -> int:
    from dragon_compat.errors import DragonUserError
    from dragon_compat.plan.positions import parse_cash

    try:
        return parse_cash(text)
    except DragonUserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a complete `dragon daily` run")
    parser.add_argument(
        "--governance",
        choices=("enforce", "shadow", "off"),
        default="enforce",
        help="how the rollout decision is used (default: enforce)",
    )
    parser.add_argument(
        "--ledger",
        metavar="FILE",
        help="append the decision to this ledger (once per run); enforce then follows the "
        "ledger's rollout state (the fallback while a rollback awaits review)",
    )
    parser.add_argument(
        "--key-file",
        metavar="FILE",
        help="the ledger's HMAC key (default: $DRAGON_LEDGER_KEY_FILE; neither: unkeyed)",
    )
    parser.add_argument(
        "--policy", metavar="FILE", help="governance policy TOML (default: the run's, else rc1)"
    )
    parser.add_argument(
        "--positions",
        metavar="FILE",
        help="the desk's holdings (CSV or JSON: symbol, shares, entry_date, entry_price); "
        "needs --cash",
    )
    parser.add_argument(
        "--cash",
        type=_cash,
        metavar="AMOUNT",
        help="the desk's cash in CNY (alone: a desk that holds nothing)",
    )
    parser.add_argument(
        "--sessions",
        metavar="FILE",
        help="XSHG sessions, one ISO date per line, replacing exchange-calendars' from the "
        "file's first date on (for dates past the installed calendar's end)",
    )
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
        sessions=Path(args.sessions) if args.sessions else None,
        positions=Path(args.positions) if args.positions else None,
        cash_c=args.cash,
        key_file=Path(args.key_file) if args.key_file else None,
    )
    if args.json:
        from dragon_compat.cli_logging import logger
        from dragon_compat.render import print_json

        print_json(plan.document)
        logger().info("plan: %s", plan.path)
        return 0
    print_forward(stdout(), plan, args.format)
    return 0
