"""Rich consoles shared by the ``dragon`` commands.

Output goes to stdout, diagnostics to stderr. Colour and live progress only on a
terminal; ``NO_COLOR`` and pipes give plain text (rich honours both).
"""

from __future__ import annotations

from functools import cache

from rich.console import Console
from rich.text import Text


@cache
def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


@cache
def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=False)


def print_error(message: str) -> None:
    """Print a user error to stderr as ``error: <message>`` (plain when piped)."""
    line = Text("error: ", style="bold red")
    line.append(message)  # never parsed as markup: paths and rules may contain brackets
    stderr().print(line, soft_wrap=True)  # never break a file path across lines
