"""The next XSHG session of a plan: from exchange-calendars, or from the operator's
session list (``dragon forward --sessions FILE``).

The installed exchange-calendars knows XSHG sessions only up to the last year it
ships (4.13.2: 2026-12-31). An operator can bridge the gap with a session list, in
the format dragon-governance's ``--sessions`` reads too: UTF-8 text, one ISO
``YYYY-MM-DD`` per line, blank lines and lines starting with ``#`` ignored, dates
strictly increasing, at most :data:`MAX_SESSION_LINES` lines. Its sessions
**replace** the calendar's from the file's first date on (and extend past the
calendar's end); before that date the calendar's sessions stand.

:func:`next_session` returns the session after ``as_of`` and, when the sessions it
knows end within :data:`CALENDAR_NOTICE_SESSIONS` sessions after ``as_of``, a notice
saying which source ends when and what to do (``pip install -U exchange-calendars``,
or ``--sessions FILE``). When they have ended it raises :class:`DragonUserError`
saying the same. Nothing here imports dragon-governance.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dragon_compat.errors import DragonUserError

__all__ = [
    "CALENDAR_NOTICE_SESSIONS",
    "MAX_SESSION_BYTES",
    "MAX_SESSION_LINES",
    "UPGRADE_HINT",
    "NextSession",
    "SessionList",
    "calendar_sessions",
    "next_session",
    "read_sessions",
]

MAX_SESSION_LINES: Final = 10_000
"""Most lines a session list may have (comments and blank lines included)."""
CALENDAR_NOTICE_SESSIONS: Final = 30
"""A plan gets a notice when the known sessions end this many sessions after its as-of
or sooner."""
UPGRADE_HINT: Final = "pip install -U exchange-calendars"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_LEAD = dt.timedelta(days=31)
"""The calendar is built from a month before ``as_of``: its default start (today minus
20 years) would make older runs unplannable, on a boundary that moves daily."""
MAX_SESSION_BYTES: Final = 1 << 20
"""Most bytes a session list may have (far above 10,000 dated lines)."""
_SESSIONS_HINT = "--sessions FILE (one ISO date per line)"


@dataclass(frozen=True)
class SessionList:
    """An operator's session list: its file, its sessions (strictly increasing, at
    least one) and the sha256 of its bytes."""

    path: Path
    days: tuple[dt.date, ...]
    sha256: str


@dataclass(frozen=True)
class NextSession:
    """The session after a plan's as-of, and the notice to print (or None)."""

    day: dt.date
    notice: str | None


def _parse_line(path: Path, number: int, text: str) -> dt.date | None:
    line = text.strip()
    if not line or line.startswith("#"):
        return None
    try:
        if not _ISO_DATE.fullmatch(line):
            raise ValueError
        return dt.date.fromisoformat(line)
    except ValueError:
        raise DragonUserError(
            f"{path}:{number}: {line[:40]!r} is not an ISO date YYYY-MM-DD"
        ) from None


def _read_capped(path: Path) -> bytes:
    """The bytes of the regular file ``path``, at most :data:`MAX_SESSION_BYTES`.

    Opened non-blocking and checked on the open descriptor, so a FIFO or a device (which
    would block or never end) is refused without reading.
    """
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise DragonUserError(f"{path}: not a regular file (a session list is a text file)")
            raw = stream.read(MAX_SESSION_BYTES + 1)
    except OSError as err:
        raise DragonUserError(
            f"{path}: cannot read the session list ({err.strerror or err})"
        ) from None
    if len(raw) > MAX_SESSION_BYTES:
        raise DragonUserError(
            f"{path}: larger than {MAX_SESSION_BYTES:,} bytes; not a session list"
        )
    return raw


def read_sessions(path: Path) -> SessionList:
    """Read and check a session list (format in the module docstring).

    Raises :class:`DragonUserError` naming the file (and the line) for an unreadable or
    non-UTF-8 file, a file that is not a regular file or larger than
    :data:`MAX_SESSION_BYTES`, more than :data:`MAX_SESSION_LINES` lines, a line that is not an
    ISO date, a date not after the one before it, and a file with no date at all.
    """
    raw = _read_capped(path)
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise DragonUserError(f"{path}: not UTF-8 text ({err.reason})") from None
    if len(lines) > MAX_SESSION_LINES:
        raise DragonUserError(
            f"{path}: {len(lines):,} lines; a session list has at most {MAX_SESSION_LINES:,}"
        )
    days: list[dt.date] = []
    for number, text in enumerate(lines, start=1):
        day = _parse_line(path, number, text)
        if day is None:
            continue
        if days and day <= days[-1]:
            raise DragonUserError(
                f"{path}:{number}: {day.isoformat()} does not come after "
                f"{days[-1].isoformat()}; dates must be strictly increasing"
            )
        days.append(day)
    if not days:
        raise DragonUserError(f"{path}: lists no session (one ISO date per line)")
    return SessionList(path=path, days=tuple(days), sha256=hashlib.sha256(raw).hexdigest())


def calendar_sessions(start: dt.date) -> tuple[dt.date, ...]:
    """The XSHG sessions exchange-calendars knows from ``start`` (or, when ``start`` lies
    past its end, from a month before its end) to its last one.

    Raises :class:`DragonUserError` when ``start`` lies before the first year it records.
    """
    import exchange_calendars as xcals
    import pandas as pd
    from exchange_calendars.exchange_calendar_xshg import XSHGExchangeCalendar

    begin = min(pd.Timestamp(start), XSHGExchangeCalendar.bound_max() - pd.Timedelta(_LEAD))
    try:
        calendar = xcals.get_calendar("XSHG", start=begin)
    except ValueError as err:  # before the first year exchange-calendars records
        raise DragonUserError(f"no XSHG calendar from {start.isoformat()}: {err}") from None
    return tuple(calendar.sessions.date)


def _calendar_ended(last: dt.date, as_of: dt.date) -> DragonUserError:
    return DragonUserError(
        f"the installed exchange-calendars knows XSHG sessions only up to "
        f"{last.isoformat()}, so the session after {as_of.isoformat()} is unknown: "
        f"upgrade it ({UPGRADE_HINT}) or give {_SESSIONS_HINT}"
    )


def _known_sessions(
    as_of: dt.date, sessions: SessionList | None
) -> tuple[Sequence[dt.date], str | None]:
    """The sessions known around ``as_of`` — the calendar's before the list's first date,
    then the list's — and the list's path when there is one (None: the calendar alone)."""
    if sessions is not None and as_of >= sessions.days[0]:
        return sessions.days, str(sessions.path)
    calendar = calendar_sessions(as_of - _LEAD)
    if sessions is None:
        return calendar, None
    before = calendar[: bisect.bisect_left(calendar, sessions.days[0])]
    return (*before, *sessions.days), str(sessions.path)


def next_session(as_of: dt.date, sessions: SessionList | None = None) -> NextSession:
    """The XSHG session after ``as_of`` (see the module docstring), with its notice.

    Raises :class:`DragonUserError` when no known session comes after ``as_of``, naming
    what to upgrade or extend.
    """
    known, listed = _known_sessions(as_of, sessions)
    later = known[bisect.bisect_right(known, as_of) :]
    if not later:
        if listed is None:
            raise _calendar_ended(known[-1] if known else as_of, as_of)
        raise DragonUserError(
            f"{listed}: lists sessions only up to {known[-1].isoformat()}, so the session "
            f"after {as_of.isoformat()} is unknown: add the sessions that follow"
        )
    notice = None
    if len(later) <= CALENDAR_NOTICE_SESSIONS:
        notice = _ending_notice(later[-1], len(later), as_of, listed)
    return NextSession(day=later[0], notice=notice)


def _ending_notice(last: dt.date, remaining: int, as_of: dt.date, listed: str | None) -> str:
    source = (
        f"the installed exchange-calendars knows XSHG sessions only up to {last.isoformat()}"
        if listed is None
        else f"{listed} lists sessions only up to {last.isoformat()}"
    )
    remedy = (
        f"upgrade it ({UPGRADE_HINT}) or give {_SESSIONS_HINT}"
        if listed is None
        else f"add the sessions that follow, or upgrade exchange-calendars ({UPGRADE_HINT})"
    )
    return f"{source}, {remaining} session(s) after {as_of.isoformat()}; before then, {remedy}"
