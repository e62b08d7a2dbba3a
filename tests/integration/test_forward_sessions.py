"""``dragon forward --sessions FILE``: the next session from the operator's list, the notice
when the known sessions end soon, the error (naming ``--sessions FILE``) when they have
ended, the list handed to dragon-governance in the governed modes, and never an import
of dragon-governance in mode ``off``.

Where the calendar's end matters, exchange-calendars is replaced by a hand-made
calendar ending at a chosen session, so nothing depends on the installed version.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from dragon_compat import sessions
from dragon_compat.cli import main
from tests.integration.builders import EVE_SESSION, NEXT_AFTER_EVE

PLAN = "forward_plan.json"


def _plan(run_dir: Path) -> dict:
    return json.loads((run_dir / PLAN).read_text(encoding="utf-8"))


def _session_file(tmp_path: Path, *days: date) -> Path:
    path = tmp_path / "xshg-sessions.txt"
    path.write_text("# operator's XSHG sessions\n" + "".join(f"{d}\n" for d in days), "utf-8")
    return path


def _calendar_ending(monkeypatch: pytest.MonkeyPatch, last: date, *, sessions_after_eve: int):
    """exchange-calendars replaced by the weekdays from a month before the eve to ``last``;
    checks the eve has ``sessions_after_eve`` of them after it."""
    days = [EVE_SESSION - timedelta(31) + timedelta(n) for n in range(400)]
    known = tuple(d for d in days if d.weekday() < 5 and d <= last)
    assert sum(d > EVE_SESSION for d in known) == sessions_after_eve
    monkeypatch.setattr(sessions, "calendar_sessions", lambda start: known)


def test_the_next_session_comes_from_the_list_when_given(run_copy: Path, tmp_path: Path):
    # the real calendar's next session is 2024-10-08; the list says 2024-10-09
    listed = _session_file(tmp_path, EVE_SESSION, date(2024, 10, 9), date(2024, 10, 10))
    assert main(["forward", str(run_copy), "--governance", "off", "--sessions", str(listed)]) == 0
    assert _plan(run_copy)["next_session"] == "2024-10-09"


def test_without_a_list_the_next_session_is_the_calendars(run_copy: Path):
    assert main(["forward", str(run_copy), "--governance", "off"]) == 0
    assert _plan(run_copy)["next_session"] == NEXT_AFTER_EVE.isoformat()


def test_a_calendar_that_has_ended_is_exit_2_naming_sessions_file_and_nothing_is_written(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    _calendar_ending(monkeypatch, EVE_SESSION, sessions_after_eve=0)
    assert main(["forward", str(run_copy), "--governance", "enforce"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the installed exchange-calendars knows XSHG sessions only up")
    assert "pip install -U exchange-calendars" in err
    assert "--sessions FILE" in err
    assert not (run_copy / PLAN).exists()
    assert not (run_copy / "rollout_decision.json").exists()  # found before governance ran


def test_after_the_calendars_end_the_list_keeps_the_evening_working(
    run_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _calendar_ending(monkeypatch, EVE_SESSION, sessions_after_eve=0)
    listed = _session_file(tmp_path, NEXT_AFTER_EVE, date(2024, 10, 9))
    assert main(["forward", str(run_copy), "--governance", "off", "--sessions", str(listed)]) == 0
    assert _plan(run_copy)["next_session"] == NEXT_AFTER_EVE.isoformat()


def test_a_calendar_ending_soon_gives_a_notice_on_stderr_and_the_plan(
    run_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    _calendar_ending(monkeypatch, date(2024, 10, 18), sessions_after_eve=14)
    assert main(["forward", str(run_copy), "--governance", "off"]) == 0
    captured = capsys.readouterr()
    notice = [line for line in captured.err.splitlines() if line.startswith("notice: ")]
    assert len(notice) == 1, captured.err
    assert "only up to 2024-10-18, 14 session(s) after 2024-09-30" in notice[0]
    assert "pip install -U exchange-calendars" in notice[0]
    assert "--sessions FILE" in notice[0]
    assert "notice" not in captured.out
    assert _plan(run_copy)["next_session"] == "2024-10-01"  # the hand-made calendar's


def test_no_notice_when_the_calendar_reaches_far_enough(
    run_copy: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["forward", str(run_copy), "--governance", "off"]) == 0
    assert "notice" not in capsys.readouterr().err


def test_a_bad_list_is_exit_2_naming_its_line_and_nothing_is_written(
    run_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    listed = tmp_path / "bad.txt"
    listed.write_text("2024-10-08\n2024-10-08\n", encoding="utf-8")
    assert main(["forward", str(run_copy), "--sessions", str(listed)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {listed}:2: ")
    assert not (run_copy / PLAN).exists()
    assert not (run_copy / "rollout_decision.json").exists()


@pytest.mark.parametrize("mode", ["enforce", "shadow"])
def test_governed_modes_hand_the_same_file_to_dragon_governance(
    run_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
):
    import dragon_governance

    listed = _session_file(tmp_path, EVE_SESSION, NEXT_AFTER_EVE)
    calls: list[dict[str, object]] = []
    real = dragon_governance.evaluate_run

    def spy(run_dir, **options):  # type: ignore[no-untyped-def]
        calls.append(dict(options))
        options.pop("sessions", None)  # evaluated here without it: the hand-over is tested
        return real(run_dir, **options)

    monkeypatch.setattr(dragon_governance, "evaluate_run", spy)
    assert main(["forward", str(run_copy), "--governance", mode, "--sessions", str(listed)]) == 0
    assert [call.get("sessions") for call in calls] == [listed]
    calls.clear()
    assert main(["forward", str(run_copy), "--governance", mode]) == 0
    builtin = dragon_governance.builtin_policy()  # resolved once: its keys shape the ledger
    assert calls == [{"as_of": EVE_SESSION, "policy": builtin}]  # no list, no `sessions` at all


def test_off_with_a_list_never_imports_dragon_governance(
    run_copy: Path, tmp_path: Path, python_without_governance
):
    listed = _session_file(tmp_path, EVE_SESSION, date(2024, 10, 9))
    done = python_without_governance(
        "from dragon_compat.cli import main\n"
        f"code = main(['forward', {str(run_copy)!r}, '--governance', 'off', "
        f"'--sessions', {str(listed)!r}])\n"
        "print('EXIT', code)\n"
        "print('ATTEMPTS', _blocker.attempts)\n"
    )
    assert done.returncode == 0, done.stderr
    assert "EXIT 0" in done.stdout
    assert "ATTEMPTS []" in done.stdout
    assert _plan(run_copy)["next_session"] == "2024-10-09"
