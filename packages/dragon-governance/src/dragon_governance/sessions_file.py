"""An operator's session list (``--sessions FILE``, policy key ``sessions_file``).

The installed exchange-calendars knows XSHG sessions only up to the last year it
ships (4.13.2: 2026-12-31). A sessions file bridges the gap until upstream ships the
next year. Format (shared with ``dragon forward --sessions FILE``):

- UTF-8 text; lines as ``str.splitlines`` splits them; at most ``MAX_LINES`` lines
  (comments and blank lines included) and ``MAX_BYTES`` bytes; a regular file;
- each line is stripped of surrounding whitespace; an empty line or one starting with
  ``#`` is ignored; every other line is exactly one ISO ``YYYY-MM-DD`` date;
- dates strictly increasing; at least one.

Its sessions **replace** the calendar's from the file's first date on (and extend past
the calendar's end): see ``SessionCalendar.with_sessions``. The decision records the
file by its sha256 (of the bytes), never by its path.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from dragon_governance.errors import GovernanceUserError
from dragon_governance.regular_file import Refusal, read_bytes

MAX_LINES: Final = 10_000
"""Most lines a sessions file may have (comments and blank lines included)."""
MAX_BYTES: Final = 1 << 20
"""Most bytes a sessions file may have (far above 10,000 dated lines)."""
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_FORMAT = "one ISO date YYYY-MM-DD per line; blank lines and lines starting with '#' ignored"


class SessionsFileError(GovernanceUserError):
    """A sessions file is unreadable or breaks a rule of its format (exit 2)."""


@dataclass(frozen=True)
class SessionsFile:
    """A validated sessions file: where it was read, its sha256, its sessions.

    ``sessions`` are ISO strings, strictly increasing, at least one.
    """

    path: Path
    sha256: str
    sessions: tuple[str, ...]

    @property
    def first_session(self) -> date:
        return date.fromisoformat(self.sessions[0])

    @property
    def last_session(self) -> date:
        return date.fromisoformat(self.sessions[-1])


def _session(origin: str, number: int, text: str) -> str | None:
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    if _ISO_DATE.fullmatch(line):
        try:
            return date.fromisoformat(line).isoformat()
        except ValueError:
            pass
    raise SessionsFileError(
        f"sessions file {origin}: line {number}: {line[:40]!r} is not a date YYYY-MM-DD ({_FORMAT})"
    )


def parse_sessions(data: bytes, path: Path) -> SessionsFile:
    """Validate the bytes of a sessions file; ``SessionsFileError`` naming line and rule."""
    origin = str(path)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise SessionsFileError(
            f"sessions file {origin}: not UTF-8 (byte {err.start}: {err.reason})"
        ) from None
    if len(lines) > MAX_LINES:
        raise SessionsFileError(
            f"sessions file {origin}: {len(lines):,} lines, more than the {MAX_LINES:,} allowed"
        )
    sessions: list[str] = []
    previous_line = 0
    for number, text in enumerate(lines, start=1):
        session = _session(origin, number, text)
        if session is None:
            continue
        if sessions and session <= sessions[-1]:
            raise SessionsFileError(
                f"sessions file {origin}: line {number}: {session} does not come after "
                f"{sessions[-1]} (line {previous_line}): dates must be strictly increasing"
            )
        sessions.append(session)
        previous_line = number
    if not sessions:
        raise SessionsFileError(f"sessions file {origin}: lists no session ({_FORMAT})")
    return SessionsFile(
        path=path, sha256=hashlib.sha256(data).hexdigest(), sessions=tuple(sessions)
    )


def read_sessions_file(path: str | os.PathLike[str]) -> SessionsFile:
    """Read and validate a sessions file (format in the module docstring).

    ``SessionsFileError`` (exit 2) naming the file — and the line and rule — when it
    is missing, not a regular file (a FIFO is refused without blocking), larger than
    ``MAX_BYTES``, not UTF-8, longer than ``MAX_LINES`` lines, holds a line that is not
    a date or a date not after the previous one, or lists no session.
    """
    source = Path(path)
    try:
        data = read_bytes(source, limit=MAX_BYTES)
    except Refusal as refusal:
        raise SessionsFileError(f"sessions file {source}: {refusal.detail}") from None
    return parse_sessions(data, source)
