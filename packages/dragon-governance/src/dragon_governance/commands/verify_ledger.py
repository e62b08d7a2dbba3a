"""``dragon-governance verify-ledger LEDGER``.

Verifies every line's hash and link: exit 0 with the entry count and the head
hash, 3 naming the first broken line, 2 for a missing ledger.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_ledger_argument


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Verify every line's hash and link; exit 0, or 3 naming the first broken line."
    )
    add_ledger_argument(parser)


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK
    from dragon_governance.ledger import GENESIS_HASH, verify_ledger

    entries = verify_ledger(args.ledger)
    head = entries[-1].hash if entries else GENESIS_HASH
    print(f"ledger {args.ledger}: {len(entries)} entries, chain intact (head {head})")
    return EXIT_OK
