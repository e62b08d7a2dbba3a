"""The arguments shared by the ``dragon-governance`` commands, each defined once.

``RUN_DIR``, ``--as-of``, ``--policy``, ``--sessions``, ``--json``, ``--ledger`` (the option of
``check`` and the positional of ``history``/``verify-ledger``) and ``--exit-zero``
with the exit code it maps. Standard library only: command modules are imported
for ``dragon-governance --help``.
"""

from __future__ import annotations

import argparse
import re
from datetime import date

from dragon_governance.errors import EXIT_OK

__all__ = [
    "add_as_of",
    "add_exit_zero",
    "add_json",
    "add_ledger_argument",
    "add_ledger_option",
    "add_policy",
    "add_run_dir",
    "add_sessions",
    "decision_exit",
    "iso_date",
]

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


def add_json(parser: argparse.ArgumentParser, *, what: str) -> None:
    """``--json`` (``args.json``); ``what`` completes the help text."""
    parser.add_argument("--json", action="store_true", help=what)


def add_ledger_option(parser: argparse.ArgumentParser) -> None:
    """``--ledger FILE`` (``args.ledger``: a path string, or None): append to this ledger."""
    parser.add_argument(
        "--ledger", metavar="FILE", help="append the decision to this hash-chained ledger"
    )


def add_ledger_argument(parser: argparse.ArgumentParser) -> None:
    """The positional ``LEDGER`` (``args.ledger``, a path string) of a command that reads it."""
    parser.add_argument("ledger", metavar="LEDGER")


def add_exit_zero(parser: argparse.ArgumentParser) -> None:
    """``--exit-zero`` (``args.exit_zero``); see :func:`decision_exit`."""
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 for HOLD and ROLLBACK_REVIEW_REQUIRED"
    )


def decision_exit(code: int, exit_zero: bool) -> int:
    """A decision's exit code (0, 10 or 20), or 0 under ``--exit-zero``."""
    return EXIT_OK if exit_zero else code
