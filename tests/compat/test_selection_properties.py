"""Invariants of the selection rule on random sessions (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.branches import BRANCHES, WEAK_PREDICATE_IDS
from dragon_compat.predicates import Outcome
from dragon_compat.selection import select
from dragon_runtime.reasons import PREDICATE_IDS, EventType, ReasonCode

SYMBOLS = [f"{600000 + i}.SH" for i in range(12)] + [f"{i:06d}.SZ" for i in range(1, 9)]


@st.composite
def sessions(draw):
    """One session's candidates with random keys, outcomes, holdings and free slots."""
    n = draw(st.integers(0, 10))
    symbols = draw(st.permutations(SYMBOLS))[:n]
    return {
        "symbols": symbols,
        "board_height": draw(st.lists(st.integers(2, 7), min_size=n, max_size=n)),
        "amount": draw(st.lists(st.sampled_from([5e7, 1e8, 2e8, 3e8]), min_size=n, max_size=n)),
        "alpha_score": draw(
            st.lists(st.sampled_from([2.1, 2.5, 3.3, 4.0, float("nan")]), min_size=n, max_size=n)
        ),
        "outcomes": np.array(
            draw(
                st.lists(
                    st.lists(
                        st.sampled_from([0, 0, 0, 1, 2]), min_size=12, max_size=12
                    ),  # mostly PASS
                    min_size=n,
                    max_size=n,
                )
            ),
            dtype=np.int8,
        ).reshape(n, 12),
        "held": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "free_slots": draw(st.integers(0, 5)),
        "branch": BRANCHES[draw(st.sampled_from(list(BRANCHES)))],
    }


def run(session, **changes):
    return select(**{**session, **changes})


@given(sessions())
def test_ranks_are_a_permutation_and_decisions_cover_every_candidate_once(session):
    decisions = run(session)
    n = len(session["symbols"])
    assert [d.rank for d in decisions] == list(range(1, n + 1))
    assert sorted(d.index for d in decisions) == list(range(n))


@given(sessions())
def test_entries_respect_free_slots_top_k_and_holdings(session):
    decisions = run(session)
    entries = [d for d in decisions if d.event_type is EventType.ENTER_SIGNAL]
    assert len(entries) <= session["free_slots"]
    top_k = session["branch"].top_k
    assert top_k is None or len(entries) <= top_k
    assert not any(session["held"][d.index] for d in entries)


@given(sessions())
def test_entries_are_the_best_ranked_eligible_candidates(session):
    decisions = run(session)
    eligible = [
        d
        for d in decisions
        if d.event_type is EventType.ENTER_SIGNAL
        or d.reason_code in (ReasonCode.NO_FREE_SLOT, ReasonCode.ALPHA_RANK_CUTOFF)
    ]
    entered = [d.event_type is EventType.ENTER_SIGNAL for d in eligible]
    assert entered == sorted(entered, reverse=True)  # every entry outranks every skip


@given(sessions(), st.data())
def test_weak_outcomes_outside_the_selective_vetoes_change_nothing(session, data):
    free = [
        PREDICATE_IDS.index(p)
        for p in WEAK_PREDICATE_IDS
        if p not in session["branch"].selective_vetoes
    ]
    shuffled = session["outcomes"].copy()
    for j in free:
        shuffled[:, j] = data.draw(
            st.lists(st.sampled_from(list(Outcome)), min_size=len(shuffled), max_size=len(shuffled))
        )
    assert run(session, outcomes=shuffled) == run(session)


@given(sessions())
def test_selective_unavailable_never_vetoes(session):
    outcomes = session["outcomes"].copy()
    for p in session["branch"].selective_vetoes:
        column = outcomes[:, PREDICATE_IDS.index(p)]
        column[column == Outcome.FAIL] = Outcome.PASS
    as_unavailable = outcomes.copy()
    for p in session["branch"].selective_vetoes:
        as_unavailable[:, PREDICATE_IDS.index(p)] = Outcome.UNAVAILABLE
    passing = outcomes.copy()
    for p in session["branch"].selective_vetoes:
        passing[:, PREDICATE_IDS.index(p)] = Outcome.PASS
    assert run(session, outcomes=as_unavailable) == run(session, outcomes=passing)


@given(sessions(), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_the_input_order(session, rng):
    n = len(session["symbols"])
    perm = list(range(n))
    rng.shuffle(perm)
    shuffled = {
        **session,
        **{k: [session[k][i] for i in perm] for k in ("symbols", "board_height", "amount")},
        "alpha_score": [session["alpha_score"][i] for i in perm],
        "held": [session["held"][i] for i in perm],
        "outcomes": session["outcomes"][perm].reshape(n, 12),
    }

    def by_symbol(s):
        return {s["symbols"][d.index]: (d.rank, d.event_type, d.reason_code) for d in select(**s)}

    assert by_symbol(shuffled) == by_symbol(session)


@given(sessions())
def test_one_more_free_slot_never_removes_an_entry(session):
    before = {d.index for d in run(session) if d.event_type is EventType.ENTER_SIGNAL}
    after = {
        d.index
        for d in run(session, free_slots=session["free_slots"] + 1)
        if d.event_type is EventType.ENTER_SIGNAL
    }
    assert before <= after
