"""``dragon golden check`` / ``dragon golden update --reason TEXT``.

Golden is the RC1 regression guard of the Dragon *repository*: ``golden/rc1/``
holds a pinned input market, the four branches' expected outputs and their
``HASHES.json``. ``check`` recomputes the four RC1 branches on the golden input and
compares every output with ``HASHES.json``; it names each file that differs with
its first differing row, and runs the no-silent-path checker. Exit 0 when golden
holds, 3 when it does not, 2 for a usage error (no golden directory).
``update`` recomputes golden from its own pinned input (``--input FILE``: from that
market, which becomes the new input) and appends the reason to
``golden/rc1/CHANGELOG.md``. Golden never reads the bundled sample.

The golden directory is ``--golden-dir DIR``, else ``$DRAGON_GOLDEN_DIR``, else
``golden/rc1`` in the working directory or a parent (a repository checkout). A pip
install has no golden directory of its own: outside a checkout the command says
what golden is and how to point it at one, and exits 2.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

GOLDEN_DIR_ENV = "DRAGON_GOLDEN_DIR"
"""Environment variable naming the golden directory (``--golden-dir`` wins)."""

_PURPOSE = (
    "Golden freezes RC1 byte for byte: a directory (golden/rc1 in the Dragon repository) "
    "holding a pinned input market, the four branches' expected outputs and their "
    "HASHES.json. `check` recomputes every branch and compares; `update` moves golden "
    "deliberately, with a reason."
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"{_PURPOSE} The directory is --golden-dir DIR, else ${GOLDEN_DIR_ENV}, else "
        "golden/rc1 in the working directory or a parent."
    )
    parser.add_argument(
        "--golden-dir",
        metavar="DIR",
        help=f"golden directory (default: ${GOLDEN_DIR_ENV}, else golden/rc1 in the "
        "working directory or a parent)",
    )
    sub = parser.add_subparsers(dest="golden_action", metavar="ACTION", required=True)
    sub.add_parser("check", help="recompute and compare with HASHES.json (exit 0 or 3)")
    update = sub.add_parser("update", help="rewrite golden deliberately, with a reason")
    update.add_argument("--reason", required=True, metavar="TEXT", help="why golden changes")
    update.add_argument(
        "--input", metavar="FILE", help="re-pin golden on this market (default: its own input)"
    )


def run(args: argparse.Namespace) -> int:
    from dragon_compat import golden
    from dragon_compat.render import print_golden_check, print_golden_update, stdout

    if args.golden_action == "update":
        directory = _given_dir(args) or _default_update_dir()
        new_input = Path(args.input) if args.input else None
        changed = golden.update(directory, args.reason, new_input=new_input)
        print_golden_update(stdout(), directory, changed)
        return 0
    directory = _checked_dir(_given_dir(args), _source(args)) or _found_dir()
    problems = golden.check(directory)
    print_golden_check(stdout(), directory, problems)
    return golden.EXIT_GOLDEN_DIFFERS if problems else 0


def _given_dir(args: argparse.Namespace) -> Path | None:
    given = args.golden_dir or os.environ.get(GOLDEN_DIR_ENV)
    return Path(given) if given else None


def _source(args: argparse.Namespace) -> str:
    return "--golden-dir" if args.golden_dir else GOLDEN_DIR_ENV


def _checked_dir(directory: Path | None, source: str) -> Path | None:
    """``directory`` when it holds a ``HASHES.json``; a user error otherwise."""
    from dragon_compat.errors import DragonUserError
    from dragon_compat.golden import HASHES_FILE

    if directory is None or (directory / HASHES_FILE).is_file():
        return directory
    raise DragonUserError(
        f"{directory}: not a golden directory (no {HASHES_FILE}; given by {source}). "
        f"{_PURPOSE} Point it at a checkout's golden/rc1."
    )


def _found_dir() -> Path:
    from dragon_compat import golden
    from dragon_compat.errors import DragonUserError

    try:
        return golden.find_golden_dir()
    except DragonUserError as err:
        raise DragonUserError(
            f"{err}. {_PURPOSE} A pip install ships no golden directory: run from a clone "
            f"of the Dragon repository, or pass --golden-dir DIR (or set {GOLDEN_DIR_ENV}=DIR) "
            "to a clone's golden/rc1."
        ) from None


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
