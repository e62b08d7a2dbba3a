"""Shell completion scripts for ``dragon``, generated from its parser by shtab.

Standard library at import; shtab is imported inside :func:`completion_script`, so
only ``dragon completion`` loads it.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["completion_script"]


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The ``shell`` (``bash`` or ``zsh``) completion script of ``parser``: every
    subcommand and option; values named ``…DIR`` complete directories, values named
    ``…FILE…``, ``LEDGER`` or ``…JSON`` complete files."""
    import shtab

    _mark_paths(parser, shtab)
    script: str = shtab.complete(parser, shell=shell)
    return script if script.endswith("\n") else script + "\n"


def _mark_paths(parser: argparse.ArgumentParser, shtab: Any) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _mark_paths(child, shtab)
            continue
        metavar = action.metavar if isinstance(action.metavar, str) else ""
        if "DIR" in metavar:
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]  # shtab reads `complete`, which argparse.Action does not declare
        elif "FILE" in metavar or "LEDGER" in metavar or "JSON" in metavar:
            action.complete = shtab.FILE  # type: ignore[attr-defined]  # shtab reads `complete`, which argparse.Action does not declare
