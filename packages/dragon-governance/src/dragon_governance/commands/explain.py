"""``dragon-governance explain DECISION_JSON [--json] [--exit-zero]``.

Reads a ``rollout_decision.json``, verifies its ``decision_id`` and shows it (the
rich table and panel, or with ``--json`` the file's bytes). Exit code as for
``check``; 3 for an edited file, 2 for one that is missing or not a decision.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_exit_zero, add_json, decision_exit


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Render a rollout_decision.json; exit code as for check."
    parser.add_argument("decision_json", metavar="DECISION_JSON")
    add_json(parser, what="print the decision JSON")
    add_exit_zero(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from dragon_governance.decision import read_decision

    decision = read_decision(args.decision_json)
    if args.json:
        sys.stdout.buffer.write(decision.file_bytes())
        sys.stdout.flush()
    else:
        from dragon_governance.render import make_console, print_decision

        print_decision(make_console(), decision, None)
    return decision_exit(decision.exit_code, args.exit_zero)
