"""The next session of a plan: an operator's session list (``--sessions FILE``) and
exchange-calendars, the notice when the known sessions end soon, the error when they
have ended.

The calendar is replaced by a hand-made one (weekdays up to a chosen last session), so
no test depends on the year the installed exchange-calendars ends.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from dragon_compat import sessions
from dragon_compat.errors import DragonUserError
from dragon_compat.sessions import (
    CALENDAR_NOTICE_SESSIONS,
    MAX_SESSION_LINES,
    next_session,
    read_sessions,
)

CALENDAR_END = date(2026, 12, 31)


def _weekdays(first: date, last: date) -> tuple[date, ...]:
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return tuple(day for day in days if day.weekday() < 5)


@pytest.fixture
def calendar(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """exchange-calendars replaced by weekdays up to :data:`CALENDAR_END` (the starts it
    was asked for are recorded)."""
    asked: list[date] = []

    def fake(start: date) -> tuple[date, ...]:
        asked.append(start)
        return _weekdays(min(start, CALENDAR_END - timedelta(31)), CALENDAR_END)

    monkeypatch.setattr(sessions, "calendar_sessions", fake)
    return asked


def _session_file(tmp_path: Path, *lines: str, name: str = "sessions.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


# --- the file ----------------------------------------------------------------------------


def test_a_session_list_ignores_comments_and_blank_lines_and_records_its_sha256(
    tmp_path: Path,
):
    path = _session_file(tmp_path, "# XSHG 2027", "", "2027-01-04", "  ", "2027-01-05")
    listed = read_sessions(path)
    assert listed.days == (date(2027, 1, 4), date(2027, 1, 5))
    assert listed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert listed.path == path


def test_windows_line_ends_are_accepted(tmp_path: Path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"2027-01-04\r\n2027-01-05\r\n")
    assert read_sessions(path).days == (date(2027, 1, 4), date(2027, 1, 5))


@pytest.mark.parametrize("line", ["2027-1-4", "20270104", "2027-W01-1", "2027-02-30", "tomorrow"])
def test_a_line_that_is_not_an_iso_date_is_an_error_naming_file_and_line(tmp_path: Path, line: str):
    path = _session_file(tmp_path, "2027-01-04", "# next", line)
    with pytest.raises(DragonUserError, match=rf"^{path}:3: .* is not an ISO date YYYY-MM-DD"):
        read_sessions(path)


@pytest.mark.parametrize("second", ["2027-01-04", "2027-01-01"], ids=["repeated", "earlier"])
def test_dates_must_strictly_increase(tmp_path: Path, second: str):
    path = _session_file(tmp_path, "2027-01-04", second)
    with pytest.raises(DragonUserError, match=rf"^{path}:2: .* strictly increasing"):
        read_sessions(path)


def test_a_list_without_a_date_is_an_error(tmp_path: Path):
    path = _session_file(tmp_path, "# nothing yet", "")
    with pytest.raises(DragonUserError, match="lists no session"):
        read_sessions(path)


def test_more_than_the_line_cap_is_an_error(tmp_path: Path):
    path = _session_file(tmp_path, *(["#"] * (MAX_SESSION_LINES + 1)))
    with pytest.raises(DragonUserError, match=r"10,001 lines; a session list has at most 10,000"):
        read_sessions(path)


def test_exactly_the_line_cap_is_accepted(tmp_path: Path):
    path = _session_file(tmp_path, *(["#"] * (MAX_SESSION_LINES - 1)), "2027-01-04")
    assert read_sessions(path).days == (date(2027, 1, 4),)


def test_text_that_is_not_utf8_is_an_error(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"# s\xe9ances\n2027-01-04\n")
    with pytest.raises(DragonUserError, match="not UTF-8"):
        read_sessions(path)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path):
    with pytest.raises(DragonUserError, match=rf"^{tmp_path / 'nope.txt'}: cannot read"):
        read_sessions(tmp_path / "nope.txt")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            read_sessions(fifo)
        except DragonUserError as err:
            outcome.append(err)
        else:
            outcome.append(None)

    reader = threading.Thread(target=attempt, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # unblock the reader so the suite can go on, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO as a session list blocked")
    assert "not a regular file" in str(outcome[0])


def test_an_over_size_file_is_refused(tmp_path: Path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"#" * (sessions.MAX_SESSION_BYTES + 1))
    with pytest.raises(DragonUserError, match="larger than"):
        read_sessions(path)


# --- the next session --------------------------------------------------------------------


def test_without_a_list_the_next_session_is_the_calendars(calendar: list[date]):
    assert next_session(date(2026, 6, 5)).day == date(2026, 6, 8)  # Friday -> Monday
    assert next_session(date(2026, 6, 6)).day == date(2026, 6, 8)  # a Saturday as-of


def test_the_list_replaces_the_calendar_from_its_first_date_on(
    calendar: list[date], tmp_path: Path
):
    # the calendar has 2026-06-08 (a Monday); the list, starting before it, does not
    listed = read_sessions(_session_file(tmp_path, "2026-06-01", "2026-06-05", "2026-06-09"))
    assert next_session(date(2026, 6, 5), listed).day == date(2026, 6, 9)
    assert calendar == []  # the as-of lies inside the list: the calendar is never built


def test_before_the_list_the_calendar_stands(calendar: list[date], tmp_path: Path):
    listed = read_sessions(_session_file(tmp_path, "2026-06-10", "2026-06-12"))
    assert next_session(date(2026, 6, 5), listed).day == date(2026, 6, 8)
    assert next_session(date(2026, 6, 9), listed).day == date(2026, 6, 10)


def test_the_list_extends_past_the_calendars_end(calendar: list[date], tmp_path: Path):
    listed = read_sessions(_session_file(tmp_path, "2027-01-04", "2027-01-05"))
    assert next_session(CALENDAR_END, listed).day == date(2027, 1, 4)
    assert next_session(date(2027, 1, 4), listed).day == date(2027, 1, 5)


def test_a_calendar_that_has_ended_is_an_error_naming_the_upgrade_and_sessions_file(
    calendar: list[date],
):
    for as_of in (CALENDAR_END, date(2027, 1, 4)):
        with pytest.raises(DragonUserError) as caught:
            next_session(as_of)
        message = str(caught.value)
        assert "only up to 2026-12-31" in message
        assert "pip install -U exchange-calendars" in message
        assert "--sessions FILE" in message


def test_a_list_that_has_ended_is_an_error_naming_it(calendar: list[date], tmp_path: Path):
    path = _session_file(tmp_path, "2027-01-04", "2027-01-05")
    with pytest.raises(DragonUserError, match=rf"^{path}: lists sessions only up to 2027-01-05"):
        next_session(date(2027, 1, 5), read_sessions(path))


def _as_of_with_remaining(count: int) -> date:
    """The calendar session with exactly ``count`` sessions after it."""
    days = _weekdays(date(2026, 10, 1), CALENDAR_END)
    return days[-count - 1]


def test_a_notice_when_the_calendar_ends_within_the_notice_window(calendar: list[date]):
    as_of = _as_of_with_remaining(CALENDAR_NOTICE_SESSIONS)
    notice = next_session(as_of).notice
    assert notice is not None
    assert f"only up to 2026-12-31, {CALENDAR_NOTICE_SESSIONS} session(s) after" in notice
    assert "pip install -U exchange-calendars" in notice
    assert "--sessions FILE" in notice


def test_no_notice_when_the_calendar_ends_later(calendar: list[date]):
    assert CALENDAR_NOTICE_SESSIONS == 30
    assert next_session(_as_of_with_remaining(CALENDAR_NOTICE_SESSIONS + 1)).notice is None


def test_the_notice_names_the_list_when_the_list_ends_soon(calendar: list[date], tmp_path: Path):
    path = _session_file(tmp_path, "2027-01-04", "2027-01-05", "2027-01-06")
    notice = next_session(CALENDAR_END, read_sessions(path)).notice
    assert notice is not None
    assert notice.startswith(f"{path} lists sessions only up to 2027-01-06, 3 session(s)")


def test_no_notice_when_the_list_reaches_far_enough(calendar: list[date], tmp_path: Path):
    days = _weekdays(date(2027, 1, 4), date(2027, 3, 31))
    path = _session_file(tmp_path, *(day.isoformat() for day in days))
    assert next_session(CALENDAR_END, read_sessions(path)).notice is None


# --- the installed calendar --------------------------------------------------------------


def test_the_installed_calendar_past_its_end_gives_its_last_sessions_not_an_error():
    known = sessions.calendar_sessions(date(2100, 1, 1))
    assert known
    assert known[-1] < date(2100, 1, 1)
    with pytest.raises(DragonUserError, match="--sessions FILE"):
        next_session(date(2100, 1, 1))
