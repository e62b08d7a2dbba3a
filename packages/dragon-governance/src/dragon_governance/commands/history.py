"""``dragon-governance history LEDGER [--json]``.

Lists a ledger's entries (a rich table, or with ``--json`` a JSON list), verifying
the chain: exit 0, or 3 after listing the valid lines before the first broken one;
2 for a missing ledger.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_json, add_ledger_argument


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = "List a ledger's entries (verifying the chain; exit 3 when broken)."
    add_ledger_argument(parser)
    add_json(parser, what="print the entries as JSON")


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK, IntegrityError
    from dragon_governance.ledger import read_ledger

    report = read_ledger(args.ledger)
    if args.json:
        import json

        entries = [entry.model_dump(mode="json") for entry in report.entries]
        print(json.dumps(entries, indent=2, sort_keys=True))
    else:
        from dragon_governance.render import ledger_table, make_console

        make_console().print(ledger_table(report.entries, f"Ledger {args.ledger}"))
    if report.broken is not None:
        raise IntegrityError(
            f"ledger {args.ledger} is broken at line {report.broken.line}: "
            f"{report.broken.problem} (entries shown: the valid lines before it)"
        )
    return EXIT_OK
