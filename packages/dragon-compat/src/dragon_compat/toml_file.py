"""Reading a user's TOML file (``dragon.toml``, a branch file, a sweep grid) with the
errors every such file shares.

:func:`read_toml_text` gives the file's text and :func:`parse_toml` its document; each
raises :class:`DragonUserError` (exit 2) naming the file and what is wrong: missing (when
the caller names it), unreadable, not UTF-8, not valid TOML. Only the standard library is
imported, ``tomllib`` when a document is parsed, so the CLI's start-up stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dragon_compat.errors import DragonUserError


def read_toml_text(path: Path, what: str, *, missing: str | None = None) -> str:
    """The UTF-8 text of the file ``path``, which is ``what`` in messages (``"cannot
    read {what}"``). ``missing`` is the message after ``"{path}: "`` for a file that does
    not exist; None reports that as any other read error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        if missing is None:
            raise DragonUserError(f"{path}: cannot read {what} ({err.strerror})") from None
        raise DragonUserError(f"{path}: {missing}") from None
    except OSError as err:
        raise DragonUserError(f"{path}: cannot read {what} ({err.strerror})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DragonUserError(f"{path}: not UTF-8 text ({err.reason})") from None


def parse_toml(path: Path, text: str) -> dict[str, Any]:
    """The TOML document ``text`` read from ``path`` (named in the error)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DragonUserError(f"{path}: not valid TOML ({err})") from None
