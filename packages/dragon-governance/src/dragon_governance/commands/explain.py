"""``dragon-governance explain DECISION_JSON [--json] [--exit-zero]``.

Reads a ``rollout_decision.json``, verifies its ``decision_id`` and shows it (the
rich table and panel, ``--format tsv|md`` one row per reason and the decision's
fields, or with ``--json`` the file's bytes). Exit code as for
``check``; 3 for an edited file, 2 for one that is missing or not a decision.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_exit_zero, add_output_arguments, decision_exit


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "Render a rollout_decision.json; exit code as for check."
    parser.add_argument("decision_json", metavar="DECISION_JSON")
    add_output_arguments(parser, json_what="print the decision JSON")
    add_exit_zero(parser)


def run(args: argparse.Namespace) -> int:
    from dragon_governance.decision import read_decision

    decision = read_decision(args.decision_json)
    if args.json:
        from dragon_governance.streams import write_stdout_bytes

        write_stdout_bytes(decision.file_bytes())
    else:
        from dragon_governance.render import make_console, print_decision

        print_decision(make_console(), decision, None, args.format)
    return decision_exit(decision.exit_code, args.exit_zero)
