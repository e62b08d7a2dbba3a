"""The evaluation date: ``--as-of DATE`` or "now" in the exchange's time zone.

``--as-of DATE`` means "after DATE's close". Without it the evaluation date is
derived from the current time in the exchange's zone (Asia/Shanghai for XSHG): on
or after the 15:00 close it is today, before it yesterday — so a session whose
close has not passed does not count yet, and re-running later with
``--as-of <that date>`` reproduces the decision byte for byte.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dragon_governance.session_calendar import SessionCalendar


def resolve_as_of(as_of: date | None, now: datetime | None, calendar: SessionCalendar) -> date:
    """``as_of`` when given; else the date whose close is the latest one passed at ``now``.

    ``now`` defaults to the wall clock and must be timezone-aware. The comparison is
    ``local time >= close`` → today counts (strict ``<`` means not yet).
    """
    if as_of is not None:
        return as_of
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(calendar.timezone))
    if local.time() >= calendar.close:
        return local.date()
    return local.date() - timedelta(days=1)
