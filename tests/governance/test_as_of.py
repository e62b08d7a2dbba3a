"""The evaluation date: explicit, or now in Asia/Shanghai relative to the 15:00 close."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from dragon_governance.as_of import resolve_as_of
from dragon_governance.session_calendar import load_calendar

SHANGHAI = timezone(timedelta(hours=8))


def test_an_explicit_as_of_wins_over_now():
    now = datetime(2024, 10, 8, 10, 0, tzinfo=SHANGHAI)
    assert resolve_as_of(date(2024, 10, 5), now, load_calendar()) == date(2024, 10, 5)


def test_before_the_close_today_does_not_count_yet():
    now = datetime(2024, 10, 8, 14, 59, 59, tzinfo=SHANGHAI)
    as_of = resolve_as_of(None, now, load_calendar())
    assert as_of == date(2024, 10, 7)
    assert load_calendar().latest_session_on_or_before(as_of) == date(2024, 9, 30)


def test_at_the_close_today_counts():
    now = datetime(2024, 10, 8, 15, 0, tzinfo=SHANGHAI)
    assert resolve_as_of(None, now, load_calendar()) == date(2024, 10, 8)


def test_now_in_utc_is_converted_to_shanghai():
    assert resolve_as_of(None, datetime(2024, 10, 8, 7, 0, tzinfo=UTC), load_calendar()) == date(
        2024, 10, 8
    )
    assert resolve_as_of(None, datetime(2024, 10, 8, 6, 59, tzinfo=UTC), load_calendar()) == date(
        2024, 10, 7
    )


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        resolve_as_of(None, datetime(2024, 10, 8, 16, 0), load_calendar())
