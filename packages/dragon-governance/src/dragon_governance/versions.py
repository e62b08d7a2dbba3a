"""What ``dragon-governance --version`` reports: the Dragon distributions and the
session calendar.

Read from installed metadata (:mod:`importlib.metadata`) only, never by importing
the packages, so ``--version`` costs no pydantic, rich or exchange-calendars
import. Standard library only. (The ``dragon`` CLI has the same report in
``dragon_compat.versions``; governance imports neither compat nor runtime.)
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

__all__ = ["REPORTED", "VersionAction", "installed_version", "version_report"]

REPORTED = ("dragon-governance", "dragon-compat", "dragon-runtime", "exchange-calendars")
"""What ``--version`` lists: the three Dragon distributions and the session calendar."""

NOT_INSTALLED = "not installed"


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None when it is not installed."""
    from importlib import metadata  # not at import: --help must not pay for it

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def version_report(names: Sequence[str] = REPORTED) -> str:
    """One ``NAME VERSION`` line per distribution (``NAME not installed`` when absent)."""
    return "\n".join(f"{name} {installed_version(name) or NOT_INSTALLED}" for name in names)


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_report` to stdout and exit 0 (computed
    when the flag is used, so ``--help`` reads no metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
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

        sys.stdout.write(version_report() + "\n")
        parser.exit()
