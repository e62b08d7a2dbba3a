"""``dragon-governance history LEDGER [--json]``.

Lists a ledger's entries (a rich table; ``--format tsv|md`` with full decision ids;
or with ``--json`` one JSON list), verifying the chain: exit 0, or 3 after listing
the valid lines before the first broken one; 2 for a missing ledger.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_ledger_argument, add_output_arguments


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "List a ledger's entries (verifying the chain; exit 3 when broken)."
    add_ledger_argument(parser)
    add_output_arguments(parser, json_what="print the entries as one JSON list")


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK, IntegrityError
    from dragon_governance.ledger import read_ledger

    report = read_ledger(args.ledger)
    if args.json:
        import json

        from dragon_governance.streams import write_stdout

        entries = [entry.model_dump(mode="json") for entry in report.entries]
        write_stdout(json.dumps(entries, indent=2, sort_keys=True) + "\n")
    else:
        from dragon_governance.render import ledger_table, make_console, print_tables

        full_ids = args.format != "text"
        table = ledger_table(report.entries, f"Ledger {args.ledger}", full_ids=full_ids)
        print_tables(make_console(), [table], args.format)
    if report.broken is not None:
        raise IntegrityError(
            f"ledger {args.ledger} is broken at line {report.broken.line}: "
            f"{report.broken.problem} (entries shown: the valid lines before it)"
        )
    return EXIT_OK
