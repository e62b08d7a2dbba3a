"""User-facing errors: values with an exit code, never tracebacks.

Anything the user can fix (a bad file, a bad date, a bad flag) is raised as a
:class:`DragonUserError`; the CLI prints its message and exits with its code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USER = 2


class DragonUserError(Exception):
    """An error the user can fix; ``str(err)`` names the file, field/row and rule."""

    exit_code: int = EXIT_USER

    def __init__(self, message: str, *, exit_code: int = EXIT_USER) -> None:
        super().__init__(message)
        self.exit_code = exit_code
