"""An operator's sessions file (issue 9, class 10, second half): ``--sessions FILE``,
the policy key ``sessions_file`` and ``evaluate_run(sessions=...)``.

Format: UTF-8, one ISO date per line, blank and ``#`` lines ignored, strictly
increasing, at most 10,000 lines. Its sessions replace the library's from its first
date on and extend past the library's end, so the evening keeps working on
2027-01-04 before upstream ships 2027. The decision records it by sha256 (and span),
never by path; without a sessions file the decision has no such key at all.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from dragon_governance import evaluate_run, load_calendar, read_decision, read_sessions_file
from dragon_governance.outcomes import Gate
from dragon_governance.policy import builtin_policy_bytes, load_policy
from dragon_governance.sessions_file import MAX_LINES, SessionsFileError, parse_sessions
from tests.governance.builders import AS_OF, RunDir, calendar_of, codes, sha256, weekdays
from tests.governance.hostile import run_check, run_cli

DEC_2026 = calendar_of(weekdays(date(2026, 12, 1), 23))  # ends Thursday 2026-12-31
JAN_2027 = (
    "# SSE 2027 (operator's list until exchange-calendars ships it)\n2027-01-04\n2027-01-05\n"
)


def _write(tmp_path: Path, text: str | bytes, name: str = "sessions.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# --- the format -----------------------------------------------------------------------


def test_comments_blank_lines_crlf_and_surrounding_spaces_are_allowed(tmp_path: Path):
    path = _write(tmp_path, "# header\r\n\r\n 2027-01-04 \r\n\t# more\n2027-01-05\n")
    file = read_sessions_file(path)
    assert file.sessions == ("2027-01-04", "2027-01-05")
    assert file.sha256 == sha256(path.read_bytes())


@pytest.mark.parametrize(
    ("text", "line", "rule"),
    [
        ("2027-01-04\n2027-13-01\n", 2, "is not a date YYYY-MM-DD"),
        ("2027-01-04\n2027-1-5\n", 2, "is not a date YYYY-MM-DD"),
        ("2027-01-04 2027-01-05\n", 1, "is not a date YYYY-MM-DD"),
        ("2027-01-05\n# x\n2027-01-04\n", 3, "dates must be strictly increasing"),
        ("2027-01-04\n2027-01-04\n", 2, "dates must be strictly increasing"),
        ("\ufeff2027-01-04\n", 1, "is not a date YYYY-MM-DD"),
    ],
)
def test_a_broken_rule_is_exit_2_naming_file_line_and_rule(
    run: RunDir, tmp_path: Path, text: str, line: int, rule: str
):
    path = _write(tmp_path, text)
    code, stderr = run_cli(
        "check", str(run.build()), "--as-of", "2024-10-08", "--sessions", str(path)
    )
    assert code == 2
    assert f"sessions file {path}: line {line}: " in stderr and rule in stderr
    assert not (run.root / "rollout_decision.json").exists()


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("# nothing but comments\n\n", "lists no session"),
        ("2027-01-04\n" + "\n" * MAX_LINES, f"more than the {MAX_LINES:,} allowed"),
        (b"2027-01-04\n\xff\n", "not UTF-8"),
    ],
)
def test_a_file_level_rule_is_exit_2_naming_the_file(tmp_path: Path, content, rule: str):
    path = _write(tmp_path, content)
    with pytest.raises(SessionsFileError, match=rule) as err:
        read_sessions_file(path)
    assert str(path) in err.value.message and err.value.exit_code == 2


def test_exactly_10000_lines_are_allowed(tmp_path: Path):
    path = _write(tmp_path, "2027-01-04\n" + "#\n" * (MAX_LINES - 1))
    assert read_sessions_file(path).sessions == ("2027-01-04",)


@pytest.mark.parametrize("kind", ["missing", "fifo", "dev_zero"])
def test_a_sessions_file_that_cannot_be_read_is_exit_2_without_blocking(
    run: RunDir, tmp_path: Path, kind: str
):
    path = tmp_path / "sessions.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    code, stderr = run_cli(
        "check", str(run.build()), "--as-of", "2024-10-08", "--sessions", str(path)
    )
    assert code == 2 and f"sessions file {path}: " in stderr


# --- what it does to the calendar ------------------------------------------------------


def test_its_sessions_replace_the_calendar_from_its_first_date_on():
    library = calendar_of(weekdays(date(2024, 9, 23), 20))
    file = parse_sessions(b"2024-10-08\n2024-10-10\n", Path("inline.txt"))
    merged = library.with_sessions(file)
    assert merged.is_session(date(2024, 9, 30))  # before the file: the library's
    assert not merged.is_session(date(2024, 10, 9))  # from its first date: the file's
    assert merged.is_session(date(2024, 10, 10))
    assert merged.last_day == date(2024, 10, 10)
    assert not merged.covers(date(2024, 10, 11))


def test_it_extends_past_the_library_end_so_2027_01_04_can_be_judged(run: RunDir, tmp_path: Path):
    root = run.for_session(date(2027, 1, 4)).build()
    without = evaluate_run(root, as_of=date(2027, 1, 4), calendar=DEC_2026)
    assert "CALENDAR_OUT_OF_RANGE" in codes(without, Gate.FRESHNESS_ALIGNMENT)
    path = _write(tmp_path, JAN_2027)
    with_file = evaluate_run(root, as_of=date(2027, 1, 4), calendar=DEC_2026, sessions=path)
    assert with_file.expected_session == date(2027, 1, 4)
    assert "CALENDAR_OUT_OF_RANGE" not in codes(with_file, Gate.FRESHNESS_ALIGNMENT)
    assert with_file.decision.value == "PROCEED"


def test_the_installed_calendar_is_extended_by_check_sessions(run: RunDir, tmp_path: Path):
    library = load_calendar()
    beyond = weekdays(library.last_day + timedelta(days=5), 3)
    path = _write(tmp_path, "".join(f"{day.isoformat()}\n" for day in beyond))
    root = run.for_session(beyond[1]).build()
    assert run_check(root, as_of=beyond[1].isoformat()).reasons("CALENDAR_OUT_OF_RANGE")
    checked = run_check(root, "--sessions", str(path), as_of=beyond[1].isoformat())
    assert checked.verdict == "PROCEED", checked.decision
    assert checked.decision["sessions_file"] == {
        "sha256": sha256(path.read_bytes()),
        "first_session": beyond[0].isoformat(),
        "last_session": beyond[-1].isoformat(),
        "sessions": 3,
    }
    assert "notice:" in checked.stderr  # one session left in the file: time to extend it


def test_load_calendar_with_sessions_names_the_next_session_for_the_pipelines(tmp_path: Path):
    library = load_calendar()
    beyond = weekdays(library.last_day + timedelta(days=5), 2)
    path = _write(tmp_path, "".join(f"{day.isoformat()}\n" for day in beyond))
    last = date.fromisoformat(library.sessions[-1])
    assert library.next_session_after(last) is None
    assert load_calendar(sessions=path).next_session_after(last) == beyond[0]
    assert load_calendar(sessions=path).next_session_after(beyond[-1]) is None


# --- how the decision records it ------------------------------------------------------


def test_without_a_sessions_file_the_decision_has_no_sessions_key(run: RunDir):
    decision = evaluate_run(run.build(), as_of=AS_OF)
    assert decision.sessions_file is None
    assert "sessions_file" not in json.loads(decision.file_bytes())


def test_the_record_is_by_sha256_not_by_path(run: RunDir, tmp_path: Path):
    root = run.build()
    text = "2024-09-30\n2024-10-08\n2024-10-09\n"
    first = evaluate_run(root, as_of=AS_OF, sessions=_write(tmp_path, text, "a.txt"))
    second = evaluate_run(root, as_of=AS_OF, sessions=_write(tmp_path, text, "b.txt"))
    assert first.file_bytes() == second.file_bytes()
    assert str(tmp_path) not in first.file_bytes().decode()
    changed = evaluate_run(root, as_of=AS_OF, sessions=_write(tmp_path, text + "#\n", "c.txt"))
    assert changed.decision_id != first.decision_id


def test_a_decision_with_a_sessions_record_verifies_its_id(run: RunDir, tmp_path: Path):
    path = _write(tmp_path, "2024-10-08\n2024-10-09\n")
    checked = run_check(run.build(), "--sessions", str(path))
    decision_file = run.root.parent / "run.decision.json"
    assert read_decision(decision_file).decision_id == checked.decision["decision_id"]


# --- the policy key ---------------------------------------------------------------------


def _policy_with(tmp_path: Path, sessions_file: str) -> Path:
    text = builtin_policy_bytes().decode() + f'sessions_file = "{sessions_file}"\n'
    return _write(tmp_path, text, "policy.toml")


def test_the_policy_key_is_relative_to_the_policy_file(run: RunDir, tmp_path: Path):
    (tmp_path / "calendars").mkdir()
    path = _write(tmp_path / "calendars", "2024-10-08\n2024-10-09\n")
    policy = _policy_with(tmp_path, "calendars/sessions.txt")
    assert load_policy(policy).sessions_path == path
    decision = evaluate_run(run.build(), as_of=AS_OF, policy=policy)
    assert decision.sessions_file is not None
    assert decision.sessions_file.sha256 == sha256(path.read_bytes())
    assert "sessions_file" not in decision.policy.values


def test_the_command_line_file_overrides_the_policy_key(run: RunDir, tmp_path: Path):
    _write(tmp_path, "2024-10-08\n", "policy-sessions.txt")
    policy = _policy_with(tmp_path, "policy-sessions.txt")
    cli_file = _write(tmp_path, "2024-09-30\n2024-10-08\n2024-10-09\n", "cli.txt")
    checked = run_check(run.build(), "--policy", str(policy), "--sessions", str(cli_file))
    assert checked.decision["sessions_file"]["sha256"] == sha256(cli_file.read_bytes())


def test_a_policy_naming_a_missing_sessions_file_is_exit_2(run: RunDir, tmp_path: Path):
    policy = _policy_with(tmp_path, "nowhere.txt")
    code, stderr = run_cli(
        "check", str(run.build()), "--as-of", "2024-10-08", "--policy", str(policy)
    )
    assert code == 2 and f"sessions file {tmp_path / 'nowhere.txt'}: not found" in stderr
