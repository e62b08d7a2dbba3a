"""``dragon-governance review LEDGER --verdict resume|retire --by NAME --reason TEXT
[--key-file FILE]``.

Appends a review of the pending rollback to the ledger's hash chain (keyed with the
key, when the ledger is keyed): ``resume`` lets the candidate become active again as
the latest decision allows; ``retire`` keeps the fallback active until a manifest
names another candidate. Prints the rollback it reviewed and the state after. Exit 0;
2 when no rollback is pending review (nothing is written), for a blank ``--by`` or
``--reason``, or a missing key; 3 for a broken ledger.
"""

from __future__ import annotations

import argparse

from dragon_governance.commands.args import add_key_file, add_ledger_argument
from dragon_governance.outcomes import VERDICTS


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Record a review of the pending rollback (resume or retire the candidate) in the "
        "ledger; exit 2 when nothing is pending."
    )
    add_ledger_argument(parser)
    parser.add_argument(
        "--verdict",
        required=True,
        choices=VERDICTS,
        help="resume: the candidate may be active again; retire: keep the fallback until "
        "a manifest names another candidate",
    )
    parser.add_argument("--by", required=True, metavar="NAME", help="who reviewed")
    parser.add_argument("--reason", required=True, metavar="TEXT", help="why, in words")
    add_key_file(parser)


def run(args: argparse.Namespace) -> int:
    from dragon_governance.errors import EXIT_OK
    from dragon_governance.ledger import append_review
    from dragon_governance.ledger_entries import ReviewEntry
    from dragon_governance.ledger_key import resolve_key

    done = append_review(
        args.ledger,
        verdict=args.verdict,
        by=args.by,
        reason=args.reason,
        key=resolve_key(args.key_file),
    )
    entry = done.entry
    assert isinstance(entry, ReviewEntry)
    reviewed = entry.reviewed
    status = done.status
    print(
        f"ledger {args.ledger}: review seq {entry.seq} ({entry.verdict} by {entry.by}) of the "
        f"rollback of seq {reviewed.seq} ({reviewed.as_of}, decision {reviewed.decision_id}); "
        f"state {status.state}, active branch {status.active_branch}"
    )
    return EXIT_OK
