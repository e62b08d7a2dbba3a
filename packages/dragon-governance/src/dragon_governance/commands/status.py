"""``dragon-governance status LEDGER [--json | --format text|tsv|md] [--key-file FILE]``.

The rollout state the ledger's lines imply (:mod:`dragon_governance.rollout_state`):
the state, the active branch and since which session, the pending rollback with its
failing gates, and the latest entries with the state after each. Verifies the chain
first (with a key, every HMAC). Exit 0 (whatever the state); 3 for a broken ledger; 2
for a missing ledger or key. An empty ledger has no state (``state`` null).
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import (
    add_key_file,
    add_ledger_argument,
    add_output_arguments,
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Show the rollout state a ledger implies: state, active branch, since when, the "
        "pending rollback and the latest entries."
    )
    add_ledger_argument(parser)
    add_output_arguments(parser, json_what="print the status as one JSON document")
    add_key_file(parser)


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK
    from dragon_governance.ledger import ledger_status
    from dragon_governance.ledger_key import resolve_key

    report = ledger_status(args.ledger, key=resolve_key(args.key_file))
    if args.json:
        import json

        from dragon_governance.streams import write_stdout

        document = {"ledger": args.ledger, **report.status.to_document()}
        write_stdout(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        from dragon_governance.render import make_console, print_tables, status_tables

        tables = status_tables(report.status, f"Rollout state of {args.ledger}")
        print_tables(make_console(), tables, args.format)
    return EXIT_OK
