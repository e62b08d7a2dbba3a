"""XSHG sessions from exchange-calendars, cached per user so the CLI starts fast.

``exchange_calendars`` is the source of truth, but importing it costs a pandas
import. The derived session list (every session of the calendar's full known
range, plus that range, the exchange's time zone and close) is therefore cached as
JSON in the user's cache directory, keyed by the exchange-calendars version:

- directory: ``$DRAGON_GOVERNANCE_CACHE_DIR``, else ``$XDG_CACHE_HOME/dragon-governance``,
  else ``~/.cache/dragon-governance``;
- file: ``xshg-sessions-<exchange-calendars version>.json``, written atomically;
- rebuilt (importing exchange_calendars) when missing, unreadable, for another
  version, or failing its integrity check (a sha256 over the session list).

The range is the calendar's *known* range: for XSHG, whose holidays are
precomputed, ``bound_min()`` to ``bound_max()`` (Dec 31 of the last year with
published holidays). A date outside it cannot be judged: G1 reports
``CALENDAR_OUT_OF_RANGE`` and exchange-calendars must be upgraded — or an operator's
sessions file (:mod:`dragon_governance.sessions_file`) extends it
(``load_calendar(sessions=PATH)``, ``SessionCalendar.with_sessions``). When the known
sessions end within ``END_NOTICE_SESSIONS`` sessions of the evaluation date,
``SessionCalendar.end_notice`` says so (G1's ``CALENDAR_ENDS_SOON``, a PASS).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import sys
import warnings
from dataclasses import dataclass, replace
from datetime import date, time
from functools import cache
from pathlib import Path

from dragon_governance.atomic_write import write_atomic
from dragon_governance.regular_file import Refusal, read_bytes
from dragon_governance.sessions_file import SessionsFile, read_sessions_file

CALENDAR_NAME = "XSHG"
CACHE_ENV = "DRAGON_GOVERNANCE_CACHE_DIR"
CACHE_FORMAT = "dragon-governance.sessions/1"
EXCHANGE_CALENDARS_DIST = "exchange-calendars"
_DIST_INFO_PREFIX = "exchange_calendars-"
_DIST_INFO_SUFFIX = ".dist-info"
#: The notice comes when the known sessions end this many sessions after the
#: evaluation date or sooner (``remaining <= END_NOTICE_SESSIONS``).
END_NOTICE_SESSIONS = 30
UPGRADE_HINT = "pip install -U exchange-calendars"
_CACHE_MAX_BYTES = 16 * 2**20


@dataclass(frozen=True)
class CalendarEnd:
    """The known sessions end soon: the last one and how many follow the evaluation date."""

    last_session: date
    remaining: int
    message: str


@dataclass(frozen=True)
class SessionCalendar:
    """The sessions of one exchange over the range its calendar knows.

    ``sessions`` are ISO ``YYYY-MM-DD`` strings in ascending order (ISO strings sort
    like the dates they name, so lookups bisect the strings directly). ``extension`` is
    the operator's sessions file whose sessions replaced the library's from its first
    date on (None: exchange-calendars alone).
    """

    name: str
    library_version: str
    first_day: date
    last_day: date
    timezone: str
    close: time
    sessions: tuple[str, ...]
    extension: SessionsFile | None = None

    @property
    def described(self) -> str:
        """Where the sessions come from, for messages (a sessions file by its sha256: a
        decision holds no path)."""
        library = f"exchange-calendars {self.library_version}"
        if self.extension is None:
            return library
        return f"{library} and the sessions file (sha256 {self.extension.sha256[:12]}...)"

    def with_sessions(self, file: SessionsFile) -> SessionCalendar:
        """This calendar with ``file``'s sessions replacing its own from the file's first date.

        The known range becomes ``min(first_day, file's first)`` .. the file's last
        session: past its last date the file is the authority, and it says nothing.
        """
        keep = self.sessions[: bisect.bisect_left(self.sessions, file.sessions[0])]
        return replace(
            self,
            first_day=min(self.first_day, file.first_session),
            last_day=file.last_session,
            sessions=keep + file.sessions,
            extension=file,
        )

    def next_session_after(self, day: date) -> date | None:
        """The first session ``> day``; None when the known sessions end on or before ``day``."""
        index = bisect.bisect_right(self.sessions, day.isoformat())
        return date.fromisoformat(self.sessions[index]) if index < len(self.sessions) else None

    def end_notice(self, day: date) -> CalendarEnd | None:
        """A notice when ``day`` is covered and at most ``END_NOTICE_SESSIONS`` sessions follow it.

        ``remaining`` = #sessions s with ``day < s <= last session``. None when ``day`` is
        outside the known range (that is ``CALENDAR_OUT_OF_RANGE``, not a notice) or the
        end is further away.
        """
        if not self.covers(day) or not self.sessions:
            return None
        last = date.fromisoformat(self.sessions[-1])
        remaining = self.count_sessions(after=day, upto=last)
        if remaining > END_NOTICE_SESSIONS:
            return None
        if self.extension is None:
            remedy = f"upgrade it before then ({UPGRADE_HINT}) or give --sessions FILE"
        else:
            remedy = (
                "add the sessions that follow to the sessions file, or upgrade "
                f"exchange-calendars ({UPGRADE_HINT})"
            )
        message = (
            f"the {self.name} sessions known to {self.described} end on {last.isoformat()}, "
            f"{remaining} session(s) after {day.isoformat()}: {remedy}"
        )
        return CalendarEnd(last_session=last, remaining=remaining, message=message)

    def covers(self, day: date) -> bool:
        """True when ``first_day <= day <= last_day``."""
        return self.first_day <= day <= self.last_day

    def is_session(self, day: date) -> bool:
        """True when ``day`` is a session (False outside the known range)."""
        key = day.isoformat()
        index = bisect.bisect_left(self.sessions, key)
        return index < len(self.sessions) and self.sessions[index] == key

    def latest_session_on_or_before(self, day: date) -> date | None:
        """The latest session ``<= day``; None when ``day`` is not covered or precedes them all."""
        if not self.covers(day):
            return None
        index = bisect.bisect_right(self.sessions, day.isoformat())
        return date.fromisoformat(self.sessions[index - 1]) if index else None

    def count_sessions(self, after: date, upto: date) -> int:
        """The number of sessions ``s`` with ``after < s <= upto`` (0 when ``after >= upto``)."""
        if after >= upto:
            return 0
        low = bisect.bisect_right(self.sessions, after.isoformat())
        high = bisect.bisect_right(self.sessions, upto.isoformat())
        return high - low


@cache
def exchange_calendars_version() -> str:
    """The installed exchange-calendars version, without importing it.

    Read from the name of the first ``exchange_calendars-<version>.dist-info``
    directory on ``sys.path`` (what the import system would find first); falls back
    to ``importlib.metadata`` (slower: it parses the METADATA file) for other layouts.
    """
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(_DIST_INFO_PREFIX) and name.endswith(_DIST_INFO_SUFFIX):
                return name[len(_DIST_INFO_PREFIX) : -len(_DIST_INFO_SUFFIX)]
    from importlib import metadata

    return metadata.version(EXCHANGE_CALENDARS_DIST)


def cache_directory() -> Path:
    """Where the session cache lives (see the module docstring for the order)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "dragon-governance"


def cache_file(directory: Path, version: str) -> Path:
    """The cache file for one exchange-calendars version."""
    return directory / f"{CALENDAR_NAME.lower()}-sessions-{version}.json"


def _sessions_digest(sessions: tuple[str, ...] | list[str]) -> str:
    return hashlib.sha256("\n".join(sessions).encode("ascii")).hexdigest()


def _to_document(calendar: SessionCalendar) -> dict[str, object]:
    return {
        "format": CACHE_FORMAT,
        "calendar": calendar.name,
        "exchange_calendars": calendar.library_version,
        "first_day": calendar.first_day.isoformat(),
        "last_day": calendar.last_day.isoformat(),
        "timezone": calendar.timezone,
        "close": calendar.close.isoformat(timespec="minutes"),
        "sessions_sha256": _sessions_digest(calendar.sessions),
        "sessions": list(calendar.sessions),
    }


def _from_document(document: object, version: str) -> SessionCalendar | None:
    """The calendar a cache document holds, or None when it is stale or damaged."""
    if not isinstance(document, dict):
        return None
    try:
        sessions = tuple(document["sessions"])
        calendar = SessionCalendar(
            name=CALENDAR_NAME,
            library_version=version,
            first_day=date.fromisoformat(document["first_day"]),
            last_day=date.fromisoformat(document["last_day"]),
            timezone=str(document["timezone"]),
            close=time.fromisoformat(document["close"]),
            sessions=sessions,
        )
        fresh = (
            document["format"] == CACHE_FORMAT
            and document["calendar"] == CALENDAR_NAME
            and document["exchange_calendars"] == version
        )
        intact = (
            bool(sessions)
            and document["sessions_sha256"] == _sessions_digest(sessions)
            and calendar.first_day.isoformat() <= sessions[0]
            and sessions[-1] <= calendar.last_day.isoformat()
        )
    except (KeyError, TypeError, ValueError, UnicodeEncodeError):
        return None
    return calendar if fresh and intact else None


def build_calendar(version: str) -> SessionCalendar:
    """Derive the session list from exchange_calendars (imports it: ~0.6 s and up).

    Deprecation noise that exchange_calendars triggers inside pandas is silenced: it
    concerns the library's internals, not the sessions derived here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import exchange_calendars as xcals

        default = xcals.get_calendar(CALENDAR_NAME)
        calendar_class = type(default)
        start = calendar_class.bound_min() or default.first_session
        end = calendar_class.bound_max() or default.last_session
        full = xcals.get_calendar(CALENDAR_NAME, start=start, end=end)
    sessions = tuple(full.sessions.strftime("%Y-%m-%d").tolist())
    close = full.close_times[-1][1]
    return SessionCalendar(
        name=CALENDAR_NAME,
        library_version=version,
        first_day=start.date(),
        last_day=end.date(),
        timezone=str(full.tz),
        close=time(close.hour, close.minute),
        sessions=sessions,
    )


def _read_cache(path: Path, version: str) -> SessionCalendar | None:
    try:
        document = json.loads(read_bytes(path, limit=_CACHE_MAX_BYTES))
    except (Refusal, ValueError, RecursionError):
        return None
    return _from_document(document, version)


def _write_cache(path: Path, calendar: SessionCalendar) -> None:
    data = json.dumps(_to_document(calendar), separators=(",", ":")).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as err:
        import logging

        logging.getLogger(__name__).warning(
            "cannot write the session cache %s: %s (continuing without it)", path, err
        )


@cache
def _load(directory: Path, version: str) -> SessionCalendar:
    path = cache_file(directory, version)
    calendar = _read_cache(path, version)
    if calendar is None:
        calendar = build_calendar(version)
        _write_cache(path, calendar)
    return calendar


def load_calendar(
    directory: Path | None = None, *, sessions: str | os.PathLike[str] | None = None
) -> SessionCalendar:
    """The XSHG calendar from the cache in ``directory`` (default ``cache_directory()``).

    Builds and writes the cache when it is missing or stale. Memoized per process
    for a given directory and exchange-calendars version. ``sessions``: a sessions
    file whose sessions replace the library's from its first date on (read every call;
    ``SessionsFileError``, exit 2, when it breaks its format).
    """
    calendar = _load((directory or cache_directory()).absolute(), exchange_calendars_version())
    if sessions is None:
        return calendar
    return calendar.with_sessions(read_sessions_file(sessions))
