"""The session window of a synthetic market: real Shanghai (XSHG) sessions.

Sessions come from ``exchange_calendars`` (calendar ``XSHG``), read from a fixed
start, 2005-01-04, so the window never depends on today's date. Past sessions are
settled history, so the window is the same under every exchange_calendars release
that knows them.

Default window: centred on 2023-08-28 (the stamp-duty cut: every sample of two or
more sessions has sessions before it and from it on) and ending no later than
2023-12-29; longer samples end there and reach back (2,500 sessions start in 2013,
spanning the 2020-08-24 ChiNext reform too).
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache
from typing import Final

import numpy as np

from dragon_runtime import STAMP_DUTY_CUT_DATE

CALENDAR_NAME: Final = "XSHG"
CALENDAR_START: Final = dt.date(2005, 1, 4)
DEFAULT_LAST_END: Final = dt.date(2023, 12, 29)
"""The latest session a default window ends on."""


@cache
def _sessions_until(end: dt.date) -> np.ndarray:
    import exchange_calendars as xcals

    with warnings.catch_warnings():  # the library's own pandas deprecation notices
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        calendar = xcals.get_calendar(
            CALENDAR_NAME, start=CALENDAR_START.isoformat(), end=end.isoformat()
        )
    return calendar.sessions.to_numpy(dtype="datetime64[ns]")


def xshg_sessions(end: dt.date) -> np.ndarray:
    """XSHG sessions from 2005-01-04 through ``end`` (``datetime64[ns]``, ascending).

    Raises ValueError when ``end`` is before 2005 or past the calendar's last
    known session.
    """
    if end < CALENDAR_START:
        raise ValueError(f"end {end} is before the calendar start {CALENDAR_START}")
    try:
        return _sessions_until(end)
    except ValueError as err:  # exchange_calendars: dates beyond its recorded holidays
        raise ValueError(f"no XSHG calendar through {end}: {err}") from None


def session_window(sessions: int, end: dt.date | None = None) -> np.ndarray:
    """The window's XSHG sessions (``datetime64[ns]``, ascending).

    ``end`` None: the default window (module docstring). Otherwise the ``sessions``
    sessions ending at the last session on or before ``end``. Raises ValueError when
    the calendar has too few sessions.
    """
    if sessions < 1:
        raise ValueError(f"sessions must be >= 1, not {sessions}")
    calendar = xshg_sessions(DEFAULT_LAST_END if end is None else end)
    if end is None:
        cut = int(np.searchsorted(calendar, np.datetime64(STAMP_DUTY_CUT_DATE, "ns")))
        last = min(cut + (sessions - 1) // 2, len(calendar) - 1)
    else:
        last = len(calendar) - 1
    first = last - sessions + 1
    if first < 0:
        raise ValueError(
            f"only {last + 1} XSHG sessions from {CALENDAR_START} to "
            f"{np.datetime_as_string(calendar[last], 'D')}; cannot fit {sessions}"
        )
    return calendar[first : last + 1]
