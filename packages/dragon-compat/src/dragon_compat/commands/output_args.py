"""The output arguments every ``dragon`` command shares, each defined once.

- ``-q/--quiet`` and ``-v/--verbose`` (:func:`add_verbosity`, which
  :mod:`dragon_compat.cli` applies to the top-level parser and every subcommand, so
  both ``dragon -v run …`` and ``dragon run … -v`` work);
- ``--format text|tsv|md`` for a command that prints tables (:func:`add_format`);
- ``--json`` for a command that prints one JSON document (:func:`add_json`);
  :func:`add_output_arguments` adds both as mutually exclusive options.

Standard library only: command modules are imported for ``dragon --help``.
"""

from __future__ import annotations

import argparse

__all__ = [
    "FORMATS",
    "add_format",
    "add_json",
    "add_output_arguments",
    "add_verbosity",
    "verbosity_of",
]

FORMATS = ("text", "tsv", "md")
"""``text``: rich tables (plain when not a terminal); ``tsv``: a header line and one
tab-separated line per row; ``md``: a Markdown table."""


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


def add_format(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    """``--format text|tsv|md`` (``args.format``, default ``text``)."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="how tables are printed: text (default), tsv (tab-separated, header first) "
        "or md (Markdown)",
    )


def add_json(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup, *, what: str
) -> None:
    """``--json`` (``args.json``); ``what`` names the document it prints."""
    parser.add_argument(
        "--json",
        action="store_true",
        help=f"print one JSON document on stdout ({what}); notes go to stderr",
    )


def add_output_arguments(parser: argparse.ArgumentParser, *, json_document: str) -> None:
    """``--format`` and ``--json`` as mutually exclusive options."""
    group = parser.add_mutually_exclusive_group()
    add_format(group)
    add_json(group, what=json_document)
