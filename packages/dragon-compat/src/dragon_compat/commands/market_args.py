"""The market-input arguments shared by ``dragon run``, ``dragon daily`` and ``dragon demo``.

One definition, so every command that reads bars accepts the same ``--data`` and
``--side-table`` (and, where the command runs a day, ``--as-of``) with the same meaning.
Standard library only: command modules are imported for ``dragon --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt

__all__ = ["add_market_arguments", "iso_date"]


def iso_date(text: str) -> dt.date:
    """argparse type for ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date YYYY-MM-DD") from None


def add_market_arguments(parser: argparse.ArgumentParser, *, as_of: bool = False) -> None:
    """Add ``--data FILE``, ``--side-table FILE`` (repeatable) and, with ``as_of``,
    ``--as-of DATE`` to ``parser``."""
    parser.add_argument(
        "--data", metavar="FILE", help="bars file (default: the bundled sample market)"
    )
    parser.add_argument(
        "--side-table", action="append", metavar="FILE", help="side table(s) for the bars"
    )
    if as_of:
        parser.add_argument(
            "--as-of",
            type=iso_date,
            metavar="DATE",
            help="run for the data's latest session on or before DATE (default: its last)",
        )
