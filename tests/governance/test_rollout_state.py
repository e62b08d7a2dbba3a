"""The rollout state: a pure function of ledger lines (hand-made ledgers + properties)."""

from __future__ import annotations

import itertools
from datetime import date
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_governance.ledger import inspect_ledger
from dragon_governance.rollout_state import INITIAL, RolloutState, advance, derive_state, steps
from tests.governance.ledgers import CANDIDATE, FALLBACK, build

PENDING = RolloutState.ROLLED_BACK_PENDING_REVIEW


def _status(*codes: str, requires_review: bool = True):
    return derive_state(build(codes, requires_review=requires_review).entries)


def test_an_empty_ledger_has_no_state():
    status = derive_state([])
    assert (status.state, status.active_branch, status.since) == (None, None, None)


def test_proceed_makes_the_candidate_active():
    status = _status("P")
    assert (status.state, status.active_branch) == (RolloutState.CANDIDATE_ACTIVE, CANDIDATE)


def test_the_latest_hold_is_held_with_the_candidate_active():
    status = _status("P", "H")
    assert (status.state, status.active_branch) == (RolloutState.HELD, CANDIDATE)
    assert status.since == date(2023, 8, 23)


def test_a_rollback_waits_for_review_with_its_failing_gates():
    status = _status("P", "R")
    assert (status.state, status.active_branch) == (PENDING, FALLBACK)
    assert status.pending is not None
    assert (status.pending.seq, status.pending.as_of) == (2, date(2023, 8, 23))
    assert [(g.gate, g.codes) for g in status.pending.failing_gates] == [
        ("G2", ["HARD_CONDITION_ACTIVE"])
    ]


def test_a_proceed_after_a_rollback_keeps_the_fallback_until_a_review():
    status = _status("R", "P", "P", "H")
    assert (status.state, status.active_branch, status.since) == (
        PENDING,
        FALLBACK,
        date(2023, 8, 22),
    )
    assert [step.note for step in status.recent[1:]] == [
        "gates pass; review pending",
        "gates pass; review pending",
        "gates warn; review pending",
    ]
    assert status.pending is not None and status.pending.seq == 1


def test_a_resume_review_returns_to_what_the_latest_decision_gives():
    assert _status("R", "P", "resume").state is RolloutState.CANDIDATE_ACTIVE
    assert _status("R", "P", "resume").active_branch == CANDIDATE
    assert _status("R", "H", "resume").state is RolloutState.HELD
    resumed_on_failing_gates = _status("R", "resume")
    assert (resumed_on_failing_gates.state, resumed_on_failing_gates.active_branch) == (
        RolloutState.ROLLED_BACK,
        FALLBACK,
    )
    assert _status("R", "resume", "P").state is RolloutState.CANDIDATE_ACTIVE


def test_a_resume_is_effective_from_the_latest_session():
    status = _status("R", "P", "resume")
    assert (status.since, status.since_seq) == (date(2023, 8, 23), 3)


def test_a_rollback_after_a_resume_needs_a_new_review():
    status = _status("R", "P", "resume", "R", "P")
    assert status.state is PENDING and status.pending is not None
    assert status.pending.seq == 4


def test_a_retired_candidate_stays_retired_until_another_is_named():
    retired = _status("R", "retire", "P", "H", "R")
    assert (retired.state, retired.active_branch) == (RolloutState.RETIRED, FALLBACK)
    assert retired.retired_candidate == CANDIDATE
    assert retired.since == date(2023, 8, 22)
    other = _status("R", "retire", "P", "N:P")
    assert (other.state, other.active_branch) == (RolloutState.CANDIDATE_ACTIVE, "other")


def test_without_rollback_requires_review_the_next_proceed_returns_the_candidate():
    rolled = _status("P", "R", requires_review=False)
    assert (rolled.state, rolled.active_branch, rolled.pending) == (
        RolloutState.ROLLED_BACK,
        FALLBACK,
        None,
    )
    assert _status("P", "R", "P", requires_review=False).active_branch == CANDIDATE


def test_a_review_with_nothing_pending_changes_nothing():
    builder = build(["R", "resume"])
    review = builder.entries[-1]
    status = derive_state(builder.entries)
    assert advance(status, review).state is status.state


def test_steps_give_the_state_after_every_entry():
    timeline = steps(build(["P", "R", "P", "resume", "H"]).entries)
    assert [step.state for step in timeline] == [
        RolloutState.CANDIDATE_ACTIVE,
        PENDING,
        PENDING,
        RolloutState.CANDIDATE_ACTIVE,
        RolloutState.HELD,
    ]
    assert [step.active_branch for step in timeline] == [
        CANDIDATE,
        FALLBACK,
        FALLBACK,
        CANDIDATE,
        CANDIDATE,
    ]


_CODE = st.sampled_from(["P", "H", "R", "N:P", "N:R"])


@st.composite
def _codes(draw: st.DrawFn) -> list[str]:
    """A valid history: decisions, and a review only right after a pending rollback."""
    codes: list[str] = []
    for _ in range(draw(st.integers(0, 14))):
        if derive_state(build(codes).entries).state is PENDING and draw(st.booleans()):
            codes.append(draw(st.sampled_from(["resume", "retire"])))
        else:
            codes.append(draw(_CODE))
    return codes


@settings(max_examples=60, deadline=None)
@given(_codes())
def test_folding_advance_equals_derive_state(codes: list[str]):
    entries = build(codes).entries
    assert reduce(advance, entries, INITIAL) == derive_state(entries)


@settings(max_examples=60, deadline=None)
@given(_codes())
def test_the_state_depends_only_on_the_lines(codes: list[str]):
    data = build(codes).data()
    first = inspect_ledger(data, _path())
    again = inspect_ledger(bytes(data), _path())
    assert first.intact and first.status == again.status == derive_state(first.entries)


@settings(max_examples=60, deadline=None)
@given(_codes())
def test_the_fallback_stays_active_while_a_rollback_is_pending(codes: list[str]):
    for step in steps(build(codes).entries):
        if step.state in (PENDING, RolloutState.RETIRED, RolloutState.ROLLED_BACK):
            assert step.active_branch == FALLBACK
        else:
            assert step.active_branch != FALLBACK


@settings(max_examples=60, deadline=None)
@given(_codes())
def test_only_a_review_ends_a_pending_rollback(codes: list[str]):
    timeline = steps(build(codes).entries)
    for before, after in itertools.pairwise(timeline):
        if before.state is PENDING and after.state is not PENDING:
            assert after.kind == "review"


def _path():
    from pathlib import Path

    return Path("hand-made.jsonl")
