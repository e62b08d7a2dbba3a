"""The arguments shared by the ``dragon-governance`` commands, each defined once.

``RUN_DIR``, ``--as-of``, ``--policy``, ``--sessions``, ``--json``, ``--format text|tsv|md`` (a
command that prints tables: :func:`add_output_arguments` adds it with ``--json``),
``-q``/``-v`` (:func:`add_verbosity`; :mod:`dragon_governance.cli` gives them to
every command), ``--ledger`` (the option of ``check`` and the positional of
``history``/``verify-ledger``/``review``/``status``), ``--key-file`` and
``--exit-zero`` with the exit code it maps.
Standard library only: command modules are imported for ``dragon-governance --help``.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

from dragon_governance.errors import EXIT_OK

__all__ = [
    "FORMATS",
    "add_as_of",
    "add_exit_zero",
    "add_format",
    "add_json",
    "add_key_file",
    "add_ledger_argument",
    "add_ledger_option",
    "add_output_arguments",
    "add_policy",
    "add_run_dir",
    "add_sessions",
    "add_verbosity",
    "decision_exit",
    "iso_date",
    "verbosity_of",
]

FORMATS = ("text", "tsv", "md")
"""``text``: rich tables (plain when not a terminal); ``tsv``: a header line and one
tab-separated line per row; ``md``: a Markdown table."""

_Container = argparse.ArgumentParser | argparse._MutuallyExclusiveGroup

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(text: str) -> date:
    """argparse type for exactly ``YYYY-MM-DD`` (no other ISO 8601 spelling)."""
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")


def add_run_dir(parser: argparse.ArgumentParser) -> None:
    """The positional ``RUN_DIR`` (``args.run_dir``, a string)."""
    parser.add_argument("run_dir", metavar="RUN_DIR", help="the daily run directory")


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """``--as-of DATE`` (``args.as_of``: a date, or None for "now in the exchange's zone")."""
    parser.add_argument(
        "--as-of",
        type=iso_date,
        metavar="DATE",
        help="evaluate after DATE's close (YYYY-MM-DD); default: now in Asia/Shanghai, "
        "the previous day before the 15:00 close",
    )


def add_policy(parser: argparse.ArgumentParser) -> None:
    """``--policy FILE`` (``args.policy``: a path string, or None for the built-in policy)."""
    parser.add_argument(
        "--policy", metavar="FILE", help="policy TOML (default: the built-in rc1-default)"
    )


def add_sessions(parser: argparse.ArgumentParser) -> None:
    """``--sessions FILE`` (``args.sessions``: a path string, or None for the policy's or none)."""
    parser.add_argument(
        "--sessions",
        metavar="FILE",
        help="XSHG sessions, one YYYY-MM-DD per line, replacing exchange-calendars' from the "
        "file's first date on (default: the policy's sessions_file, if any)",
    )


def add_json(parser: _Container, *, what: str) -> None:
    """``--json`` (``args.json``); ``what`` completes the help text."""
    parser.add_argument("--json", action="store_true", help=what)


def add_format(parser: _Container) -> None:
    """``--format text|tsv|md`` (``args.format``, default ``text``)."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how tables are printed: text (default), tsv (tab-separated, header first) "
        "or md (Markdown)",
    )


def add_output_arguments(parser: argparse.ArgumentParser, *, json_what: str) -> None:
    """``--format`` and ``--json`` (help ``json_what``) as mutually exclusive options."""
    group = parser.add_mutually_exclusive_group()
    add_format(group)
    add_json(group, what=json_what)


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """``-q/--quiet`` and ``-v/--verbose`` (mutually exclusive) on ``parser``.

    Their default is SUPPRESS, so the flag given on a subcommand does not reset the
    one given before it; read the result with :func:`verbosity_of`.
    """
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=argparse.SUPPRESS,
        help="print only results and errors (no notes on stderr)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=argparse.SUPPRESS,
        help="also log each step with its duration to stderr",
    )


def verbosity_of(args: argparse.Namespace) -> int:
    """-1 for ``--quiet``, 1 for ``--verbose``, 0 otherwise."""
    return int(getattr(args, "verbosity", 0))


def add_ledger_option(parser: argparse.ArgumentParser) -> None:
    """``--ledger FILE`` (``args.ledger``: a path string, or None): append to this ledger."""
    parser.add_argument(
        "--ledger", metavar="FILE", help="append the decision to this hash-chained ledger"
    )


def add_ledger_argument(parser: argparse.ArgumentParser) -> None:
    """The positional ``LEDGER`` (``args.ledger``, a path string) of a command that reads it."""
    parser.add_argument("ledger", metavar="LEDGER")


def add_key_file(parser: argparse.ArgumentParser) -> None:
    """``--key-file FILE`` (``args.key_file``: a path string, or None for
    ``$DRAGON_LEDGER_KEY_FILE`` or no key): the key of a keyed ledger."""
    parser.add_argument(
        "--key-file",
        metavar="FILE",
        help="the ledger's HMAC key (default: $DRAGON_LEDGER_KEY_FILE; neither: unkeyed)",
    )


def add_exit_zero(parser: argparse.ArgumentParser) -> None:
    """``--exit-zero`` (``args.exit_zero``); see :func:`decision_exit`."""
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 for HOLD and ROLLBACK_REVIEW_REQUIRED"
    )


def decision_exit(code: int, exit_zero: bool) -> int:
    """A decision's exit code (0, 10 or 20), or 0 under ``--exit-zero``."""
    return EXIT_OK if exit_zero else code
