"""User-facing errors: values with an exit code, never tracebacks.

Anything the user can fix (a bad file, a bad date, a bad flag) is raised as a
:class:`DragonUserError`; the CLI prints its message and exits with its code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
"""A bug: the traceback is printed for the report."""
EXIT_USER = 2
EXIT_CELLS_FAILED = 4
"""``dragon sweep``: the sweep ran to the end, but at least one cell failed (its row in
the table has status ``failed`` and the error)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as a shell reports a process the signal ended."""
EXIT_BROKEN_PIPE = 141
"""stdout was closed early (``dragon … | head``): 128 + SIGPIPE, the status a shell
reports for coreutils ended the same way; nothing more is printed."""


class DragonUserError(Exception):
    """An error the user can fix; ``str(err)`` names the file, field/row and rule."""

    exit_code: int = EXIT_USER

    def __init__(self, message: str, *, exit_code: int = EXIT_USER) -> None:
        super().__init__(message)
        self.exit_code = exit_code
