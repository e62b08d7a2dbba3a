"""XSHG sessions from exchange-calendars, through the per-user cache."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

from dragon_governance.session_calendar import (
    CACHE_ENV,
    SessionCalendar,
    _sessions_digest,
    _to_document,
    cache_directory,
    cache_file,
    exchange_calendars_version,
    load_calendar,
)


@pytest.fixture(scope="module")
def xshg(session_cache_dir: Path) -> SessionCalendar:
    return load_calendar(session_cache_dir)


def _fake_calendar(sessions: tuple[str, ...], last_day: date) -> SessionCalendar:
    return SessionCalendar(
        name="XSHG",
        library_version=exchange_calendars_version(),
        first_day=date(2024, 1, 1),
        last_day=last_day,
        timezone="Asia/Shanghai",
        close=load_calendar().close,
        sessions=sessions,
    )


def test_national_day_2024_closes_the_market_from_october_1_to_7(xshg: SessionCalendar):
    assert xshg.is_session(date(2024, 9, 30)) and xshg.is_session(date(2024, 10, 8))
    assert not any(xshg.is_session(date(2024, 10, day)) for day in range(1, 8))


def test_expected_session_inside_the_holiday_is_the_last_one_before_it(xshg: SessionCalendar):
    assert xshg.latest_session_on_or_before(date(2024, 10, 5)) == date(2024, 9, 30)


def test_expected_session_on_a_session_is_that_session(xshg: SessionCalendar):
    assert xshg.latest_session_on_or_before(date(2024, 10, 8)) == date(2024, 10, 8)


def test_sessions_are_counted_across_the_holiday(xshg: SessionCalendar):
    assert xshg.count_sessions(after=date(2024, 9, 30), upto=date(2024, 10, 8)) == 1
    assert xshg.count_sessions(after=date(2024, 9, 27), upto=date(2024, 10, 8)) == 2
    assert xshg.count_sessions(after=date(2024, 10, 8), upto=date(2024, 10, 8)) == 0


def test_a_saturday_is_not_a_session(xshg: SessionCalendar):
    assert not xshg.is_session(date(2024, 10, 12))


def test_the_close_is_15_00_asia_shanghai(xshg: SessionCalendar):
    assert (xshg.timezone, xshg.close.isoformat()) == ("Asia/Shanghai", "15:00:00")


def test_the_cache_covers_the_calendars_full_known_range(xshg: SessionCalendar):
    with warnings.catch_warnings():  # pandas deprecations inside exchange_calendars
        warnings.simplefilter("ignore")
        import exchange_calendars as xcals

        calendar_class = type(xcals.get_calendar("XSHG"))
    assert xshg.first_day == calendar_class.bound_min().date()
    assert xshg.last_day == calendar_class.bound_max().date()
    assert xshg.sessions[0] >= xshg.first_day.isoformat()
    assert xshg.sessions[-1] <= xshg.last_day.isoformat()


def test_beyond_the_known_range_there_is_no_expected_session(xshg: SessionCalendar):
    beyond = date(xshg.last_day.year + 1, 6, 1)
    assert not xshg.covers(beyond)
    assert xshg.latest_session_on_or_before(beyond) is None


def test_the_cache_file_is_keyed_by_the_exchange_calendars_version(session_cache_dir: Path):
    load_calendar(session_cache_dir)
    path = cache_file(session_cache_dir, exchange_calendars_version())
    assert exchange_calendars_version() in path.name
    document = json.loads(path.read_text())
    assert document["exchange_calendars"] == exchange_calendars_version()


def test_a_warm_cache_is_read_instead_of_exchange_calendars(tmp_path: Path):
    fake = _fake_calendar(("2024-01-02", "2024-01-03"), date(2024, 12, 31))
    cache_file(tmp_path, fake.library_version).write_text(json.dumps(_to_document(fake)))
    assert load_calendar(tmp_path).sessions == ("2024-01-02", "2024-01-03")


def test_a_cache_for_another_version_is_rebuilt(tmp_path: Path, xshg: SessionCalendar):
    stale = _to_document(_fake_calendar(("2024-01-02",), date(2024, 12, 31)))
    stale["exchange_calendars"] = "0.0.1"
    path = cache_file(tmp_path, exchange_calendars_version())
    path.write_text(json.dumps(stale))
    assert load_calendar(tmp_path).sessions == xshg.sessions
    assert json.loads(path.read_text())["exchange_calendars"] == exchange_calendars_version()


def test_a_damaged_cache_is_rebuilt(tmp_path: Path, xshg: SessionCalendar):
    path = cache_file(tmp_path, exchange_calendars_version())
    path.write_text('{"format": "dragon-governance.sessions/1", "sessions": [')
    assert load_calendar(tmp_path).sessions == xshg.sessions
    assert json.loads(path.read_text())["sessions"] == list(xshg.sessions)


def test_an_edited_session_list_fails_its_digest_and_is_rebuilt(
    tmp_path: Path, xshg: SessionCalendar
):
    document = _to_document(_fake_calendar(("2024-01-02", "2024-01-03"), date(2024, 12, 31)))
    document["sessions"] = ["2024-01-02"]
    cache_file(tmp_path, exchange_calendars_version()).write_text(json.dumps(document))
    assert load_calendar(tmp_path).sessions == xshg.sessions


def test_the_digest_covers_every_session():
    assert _sessions_digest(("2024-01-02",)) != _sessions_digest(("2024-01-03",))


def test_an_unwritable_cache_directory_still_gives_the_calendar(
    tmp_path: Path, xshg: SessionCalendar
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    assert load_calendar(blocker / "cache").sessions == xshg.sessions


def test_the_cache_directory_honours_the_override(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(CACHE_ENV, "/somewhere/cache")
    assert cache_directory() == Path("/somewhere/cache")


def test_the_cache_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert cache_directory() == Path("/xdg/dragon-governance")


def test_the_cache_directory_defaults_to_home(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_directory() == Path.home() / ".cache" / "dragon-governance"


def test_a_warm_cache_never_imports_exchange_calendars_or_pandas(session_cache_dir: Path):
    load_calendar(session_cache_dir)
    code = (
        "import sys; from dragon_governance.session_calendar import load_calendar; "
        f"load_calendar(__import__('pathlib').Path({str(session_cache_dir)!r})); "
        "print(sorted(m for m in ('exchange_calendars', 'pandas') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_fast_version_lookup_agrees_with_the_package_metadata():
    from importlib import metadata

    assert exchange_calendars_version() == metadata.version("exchange-calendars")
