"""``dragon-governance verify-ledger LEDGER [--key-file FILE]``.

Verifies every line of both kinds (decisions, reviews) and of both formats (0.1,
0.2): its model, hash and link, that a review names the pending rollback, and — with
a key (``--key-file`` or ``$DRAGON_LEDGER_KEY_FILE``) — every line's HMAC. Exit 0 with
the entry count, the head hash and whether the HMACs were checked; 3 naming the first
broken line; 2 for a missing ledger or key.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_key_file, add_ledger_argument


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Verify every line's hash and link (and, with a key, its HMAC); exit 0, or 3 "
        "naming the first broken line."
    )
    add_ledger_argument(parser)
    add_key_file(parser)


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK
    from dragon_governance.ledger import ledger_status
    from dragon_governance.ledger_key import resolve_key

    report = ledger_status(args.ledger, key=resolve_key(args.key_file))
    count = len(report.entries)
    if report.keyed:
        keyed = ", every line's hmac checked"
    elif report.hmac_lines:
        keyed = f"; {report.hmac_lines} lines carry an hmac, not checked (no key given)"
    else:
        keyed = ""
    print(f"ledger {args.ledger}: {count} entries, chain intact (head {report.head_hash}){keyed}")
    return EXIT_OK
