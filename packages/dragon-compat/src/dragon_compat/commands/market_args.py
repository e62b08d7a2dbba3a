"""The market-input arguments shared by every ``dragon`` command that reads bars.

One definition, so ``validate``, ``run``, ``daily`` and ``demo`` accept the same
``--data`` and ``--side-table`` (and, where the command runs a day, ``--as-of``)
with the same meaning, and every date flag (``--as-of``, ``sample --end``) parses
with :func:`iso_date`. Standard library only: command modules are imported for
``dragon --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt

__all__ = ["add_market_arguments", "iso_date"]

_BARS_FILE = "bars file: .csv, .csv.gz, .parquet or .pq"


def iso_date(text: str) -> dt.date:
    """argparse type for ``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date YYYY-MM-DD") from None


def add_market_arguments(
    parser: argparse.ArgumentParser, *, as_of: bool = False, bundled_default: bool = True
) -> None:
    """Add ``--data FILE``, ``--side-table FILE`` (repeatable) and, with ``as_of``,
    ``--as-of DATE`` to ``parser``.

    With ``bundled_default`` (commands that run a market) ``--data`` is optional and
    None means the bundled sample; without it (``validate``) ``--data`` is required.
    """
    default = " (default: the bundled sample market)" if bundled_default else ""
    parser.add_argument(
        "--data", required=not bundled_default, metavar="FILE", help=f"{_BARS_FILE}{default}"
    )
    parser.add_argument(
        "--side-table",
        action="append",
        metavar="FILE",
        help="per-symbol or per-(trade_date, symbol) columns the bars lack; repeatable",
    )
    if as_of:
        parser.add_argument(
            "--as-of",
            type=iso_date,
            metavar="DATE",
            help="run for the data's latest session on or before DATE (default: its last)",
        )
