"""How the CLI tests run a console script the ways people do: on a terminal of a
given width, in a pipe whose reader goes away early, and from cron.

Standard library only; both the compat/integration and the governance tests use it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ESC = b"\x1b["
"""The start of every ANSI control sequence (colour, bold, cursor moves)."""

_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")

#: variables that would make rich colour or size output as on a terminal
TERMINAL_ENV = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES")


def script(name: str) -> list[str]:
    """The console script ``name`` beside this interpreter (``python -m`` if absent)."""
    beside = Path(sys.executable).with_name(name)
    if beside.exists():
        return [str(beside)]
    module = {"dragon": "dragon_compat", "dragon-governance": "dragon_governance"}[name]
    return [sys.executable, "-m", module]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment minus terminal overrides, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_ENV}
    env.update(extra or {})
    return env


def in_terminal(
    command: Sequence[str],
    *,
    columns: int = 120,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[int, bytes]:
    """Run ``command`` with stdout and stderr on a pseudo-terminal ``columns`` wide
    (``COLUMNS``; TERM xterm-256color); return (exit code, everything it wrote)."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env=clean_env({"TERM": "xterm-256color", "COLUMNS": str(columns), **(env or {})}),
        cwd=cwd,
    )
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=300), output


def plain(output: bytes) -> str:
    """Terminal output without its ANSI sequences, line ends normalized."""
    return _ANSI.sub(b"", output).decode("utf-8").replace("\r\n", "\n")


def read_one_line_then_close(
    command: Sequence[str], *, env: Mapping[str, str] | None = None
) -> tuple[int, bytes, bytes]:
    """Run ``command`` with stdout into a pipe whose reader takes one line and then
    closes it (what ``| head -1`` does); return (exit code, that line, stderr)."""
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(env),
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read()
    return process.wait(timeout=300), first, errors


def cron_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """What cron gives a job: PATH, HOME, SHELL and LOGNAME only (no TERM, no locale)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(home),
        "SHELL": "/bin/sh",
        "LOGNAME": "cron",
    }
    env.update(extra or {})
    return env
