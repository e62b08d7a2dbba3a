"""``dragon golden check`` / ``dragon golden update --reason TEXT``.

``check`` recomputes the four RC1 branches on the golden input and compares every
output with ``golden/rc1/HASHES.json``; it names each file that differs with its
first differing row, and runs the no-silent-path checker. Exit 0 when golden
holds, 3 when it does not, 2 for a usage error (no golden directory).
``update`` recomputes golden from its own pinned input (``--input FILE``: from that
market, which becomes the new input) and appends the reason to
``golden/rc1/CHANGELOG.md``. Golden never reads the bundled sample.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--golden-dir",
        metavar="DIR",
        help="golden directory (default: golden/rc1 in the working directory or a parent)",
    )
    sub = parser.add_subparsers(dest="golden_action", metavar="ACTION", required=True)
    sub.add_parser("check", help="recompute and compare with HASHES.json (exit 0 or 3)")
    update = sub.add_parser("update", help="rewrite golden deliberately, with a reason")
    update.add_argument("--reason", required=True, metavar="TEXT", help="why golden changes")
    update.add_argument(
        "--input", metavar="FILE", help="re-pin golden on this market (default: its own input)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dragon_compat import golden
    from dragon_compat.render import print_golden_check, print_golden_update, stdout

    if args.golden_action == "update":
        directory = Path(args.golden_dir) if args.golden_dir else _default_update_dir()
        new_input = Path(args.input) if args.input else None
        changed = golden.update(directory, args.reason, new_input=new_input)
        print_golden_update(stdout(), directory, changed)
        return 0
    directory = Path(args.golden_dir) if args.golden_dir else golden.find_golden_dir()
    problems = golden.check(directory)
    print_golden_check(stdout(), directory, problems)
    return golden.EXIT_GOLDEN_DIFFERS if problems else 0


def _default_update_dir() -> Path:
    from dragon_compat import golden
    from dragon_compat.errors import DragonUserError

    try:
        return golden.find_golden_dir()
    except DragonUserError:
        raise DragonUserError(
            "no golden/rc1 found from here; to create golden pass --golden-dir golden/rc1 "
            "and --input FILE"
        ) from None
