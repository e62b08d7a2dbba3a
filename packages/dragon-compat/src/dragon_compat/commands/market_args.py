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

__all__ = ["add_branch_arguments", "add_market_arguments", "iso_date", "require_data"]

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

    With ``bundled_default`` (commands that run a market) None means the bundled
    sample; without it (``validate``) a file must come from ``--data`` or the
    configuration (:func:`require_data`). Either may come from ``dragon.toml``.
    """
    default = "the bundled sample market" if bundled_default else "none"
    parser.add_argument(
        "--data", metavar="FILE", help=f"{_BARS_FILE} (default: dragon.toml's data, else {default})"
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


def require_data(data: str | None) -> str:
    """``--data``'s value, or a :class:`DragonUserError` saying where to give it."""
    if data is None:
        from dragon_compat.errors import DragonUserError

        raise DragonUserError("no bars file: give --data FILE (or set data in dragon.toml)")
    return data


def add_branch_arguments(parser: argparse.ArgumentParser, *, roles: bool) -> None:
    """Add ``--branches FILE`` and, with ``roles``, ``--candidate``, ``--reference``
    and ``--control`` (each a branch name of the run)."""
    parser.add_argument(
        "--branches",
        metavar="FILE",
        help="a branch file (TOML [[branch]] tables) the run's branches come from "
        "(default: RC1's four)",
    )
    if roles:
        for role, default in (
            ("candidate", "alpha_first"),
            ("reference", "rc1_baseline"),
            ("control", "alpha_first_selective_veto"),
        ):
            parser.add_argument(
                f"--{role}", metavar="BRANCH", help=f"the run's {role} branch (default {default})"
            )
