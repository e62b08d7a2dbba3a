"""What ``dragon --version`` reports: the Dragon distributions and the calendar.

Read from installed metadata (:mod:`importlib.metadata`) only, never by importing
the packages, so ``--version`` costs no pandas, rich or exchange-calendars import.
Standard library only.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

__all__ = ["DISTRIBUTIONS", "REPORTED", "VersionAction", "installed_version", "version_report"]

DISTRIBUTIONS = ("dragon-compat", "dragon-governance", "dragon-runtime")
"""The three Dragon distributions (a daily manifest records their versions)."""

REPORTED = (*DISTRIBUTIONS, "exchange-calendars")
"""What ``--version`` lists: the Dragon distributions and the session calendar."""

NOT_INSTALLED = "not installed"


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None when it is not installed."""
    from importlib import metadata  # not at import: --help must not pay for it

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def version_report(first: str, names: Sequence[str] = REPORTED) -> str:
    """One ``NAME VERSION`` line per distribution (``NAME not installed`` when
    absent), ``first`` (the CLI's own distribution) on the first line."""
    ordered = [first, *(name for name in names if name != first)]
    return "\n".join(f"{name} {installed_version(name) or NOT_INSTALLED}" for name in ordered)


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_report` to stdout and exit 0.

    Unlike argparse's own version action the report is computed when the flag is
    used, not when the parser is built, so ``--help`` reads no metadata.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        self.distribution = kwargs.pop("distribution")
        kwargs.setdefault("help", "list the installed Dragon distributions and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        import sys

        sys.stdout.write(version_report(self.distribution) + "\n")
        parser.exit()
