"""A notice before the calendar ends (issue 9, class 10, first half).

exchange-calendars 4.13.2 knows XSHG sessions only through 2026-12-31; from
2027-01-01 every check without ``--as-of`` would FAIL ``CALENDAR_OUT_OF_RANGE`` with
no warning beforehand. Now, when at most 30 known sessions follow the evaluation
date, G1 records a PASS ``CALENDAR_ENDS_SOON`` (value = the last known session,
threshold = 30) — the decision does not change — and ``check`` prints a notice on
stderr naming what to upgrade.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dragon_governance import evaluate_run, load_calendar
from dragon_governance.outcomes import Gate
from dragon_governance.reasons import CATALOGUE
from dragon_governance.session_calendar import END_NOTICE_SESSIONS
from tests.governance.builders import AS_OF, SESSIONS, RunDir, calendar_of, codes, gate, weekdays
from tests.governance.hostile import run_check


def _calendar_with(remaining: int):
    """The sessions up to AS_OF, then ``remaining`` weekday sessions after it."""
    return calendar_of(SESSIONS + weekdays(AS_OF + timedelta(days=1), remaining))


def test_the_notice_is_a_pass_reason_with_its_own_code():
    assert CATALOGUE["CALENDAR_ENDS_SOON"].status.value == "PASS"
    assert CATALOGUE["CALENDAR_ENDS_SOON"].gates == (Gate.FRESHNESS_ALIGNMENT,)
    assert END_NOTICE_SESSIONS == 30


@pytest.mark.parametrize(("remaining", "notice"), [(0, True), (1, True), (30, True), (31, False)])
def test_a_notice_when_at_most_30_sessions_follow_the_as_of(
    run: RunDir, remaining: int, notice: bool
):
    decision = evaluate_run(run.build(), as_of=AS_OF, calendar=_calendar_with(remaining))
    assert ("CALENDAR_ENDS_SOON" in codes(decision, Gate.FRESHNESS_ALIGNMENT)) is notice


def test_the_notice_records_the_last_session_and_the_threshold(run: RunDir):
    calendar = _calendar_with(12)
    decision = evaluate_run(run.build(), as_of=AS_OF, calendar=calendar)
    (reason,) = [
        r
        for r in gate(decision, Gate.FRESHNESS_ALIGNMENT).reasons
        if r.code == "CALENDAR_ENDS_SOON"
    ]
    assert (reason.source, reason.field) == ("calendar", "last_session")
    assert (reason.value, reason.threshold) == (calendar.sessions[-1], 30)
    assert "12 session(s) after 2024-10-08" in reason.message
    assert "pip install -U exchange-calendars" in reason.message


def test_the_notice_does_not_change_the_decision(run: RunDir):
    root = run.build()
    near = evaluate_run(root, as_of=AS_OF, calendar=_calendar_with(5))
    far = evaluate_run(root, as_of=AS_OF, calendar=_calendar_with(40))
    assert near.decision == far.decision
    assert [g.status for g in near.gates] == [g.status for g in far.gates]
    assert near.recommended_branch == far.recommended_branch


def test_no_notice_once_the_as_of_is_past_the_end(run: RunDir):
    calendar = calendar_of(SESSIONS[:-1])  # ends 2024-09-30, before the as-of
    decision = evaluate_run(run.build(), as_of=AS_OF, calendar=calendar)
    g1 = codes(decision, Gate.FRESHNESS_ALIGNMENT)
    assert "CALENDAR_OUT_OF_RANGE" in g1 and "CALENDAR_ENDS_SOON" not in g1


def _near_the_installed_end(sessions_before_end: int) -> date:
    calendar = load_calendar()
    return date.fromisoformat(calendar.sessions[-1 - sessions_before_end])


def test_the_installed_calendar_gives_the_notice_near_its_end(run: RunDir):
    day = _near_the_installed_end(10)
    decision = evaluate_run(run.for_session(day).build(), as_of=day)
    (reason,) = [
        r
        for r in gate(decision, Gate.FRESHNESS_ALIGNMENT).reasons
        if r.code == "CALENDAR_ENDS_SOON"
    ]
    assert reason.value == load_calendar().sessions[-1]
    assert decision.decision.value == "PROCEED"


def test_check_prints_the_notice_on_stderr_naming_the_package(run: RunDir):
    day = _near_the_installed_end(3)
    checked = run_check(run.for_session(day).build(), as_of=day.isoformat())
    assert checked.code == 0
    (line,) = [text for text in checked.stderr.splitlines() if text.startswith("notice: ")]
    assert "pip install -U exchange-calendars" in line
    assert load_calendar().sessions[-1] in line


def test_check_prints_no_notice_far_from_the_end(run: RunDir):
    checked = run_check(run.build())
    assert "notice:" not in checked.stderr
    assert checked.reasons("CALENDAR_ENDS_SOON") == []
