"""divergence.json and refined_control.json (compat README, "Monitor"): Jaccard, windows, levels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragon_compat.monitor import RC1_MONITOR
from dragon_compat.monitor.divergence import control_status, divergence_level, jaccard
from tests.compat.monitor.builders import (
    CAPITAL,
    CONTROL,
    REFERENCE,
    fills,
    market,
    monitor_at,
    monitor_last,
    signals,
)
from tests.compat.monitor.builders import condition as status

SYMBOLS = [f"60000{i}.SH" for i in range(10)]

# -- level boundaries (inclusive, at the published 6-decimal precision) -----------


@pytest.mark.parametrize(
    ("entry_jaccard", "return_gap", "level"),
    [
        (1.0, 0.0, "none"),
        (0.8, 0.01, "none"),
        (0.8, -0.01, "none"),
        (0.799999, 0.0, "low"),
        (1.0, 0.010001, "low"),
        (0.6, 0.03, "low"),
        (0.6, -0.03, "low"),
        (0.599999, 0.0, "medium"),
        (1.0, 0.030001, "medium"),
        (0.4, 0.06, "medium"),
        (0.4, -0.06, "medium"),
        (0.399999, 0.0, "high"),
        (1.0, 0.060001, "high"),
        (1.0, -0.060001, "high"),
        (0.0, 0.0, "high"),
    ],
)
def test_divergence_level_boundaries_are_inclusive(entry_jaccard, return_gap, level):
    assert divergence_level(entry_jaccard, return_gap, RC1_MONITOR) == level


def test_divergence_level_compares_the_published_gap():
    # 0.95 − 1 is −0.05000000000000004 in binary floating point; published as −0.05
    assert divergence_level(1.0, (0.95 - 1.0) + 0.04, RC1_MONITOR) == "none"


@pytest.mark.parametrize(
    ("alignment_ratio", "status_name"),
    [
        (1.0, "aligned"),
        (0.9, "aligned"),
        (0.899999, "drifting"),
        (0.7, "drifting"),
        (0.699999, "misaligned"),
        (0.0, "misaligned"),
    ],
)
def test_control_status_boundaries_are_inclusive(alignment_ratio, status_name):
    assert control_status(alignment_ratio, RC1_MONITOR) == status_name


def test_jaccard_of_two_empty_sets_is_one():
    assert jaccard(frozenset(), frozenset()) == 1.0


def test_jaccard_is_shared_over_union():
    left = {("2024-01-02", "600000.SH"), ("2024-01-03", "600001.SH")}
    right = {("2024-01-03", "600001.SH"), ("2024-01-04", "600002.SH")}
    assert jaccard(left, right) == pytest.approx(1 / 3)


@given(
    st.frozensets(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]))),
    st.frozensets(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]))),
)
def test_jaccard_is_symmetric_bounded_and_one_only_for_equal_sets(left, right):
    value = jaccard(left, right)
    assert value == jaccard(right, left)
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == (left == right)


# -- divergence.json end to end ----------------------------------------------------


def test_divergence_with_no_fills_anywhere_is_jaccard_one_and_level_none():
    divergence = monitor_last(market(5)).divergence
    assert (divergence.entry_jaccard, divergence.return_gap, divergence.level) == (1.0, 0.0, "none")


def test_divergence_names_candidate_and_reference():
    divergence = monitor_last(market(3)).divergence
    assert (divergence.candidate_branch, divergence.reference_branch, divergence.as_of) == (
        "alpha_first",
        REFERENCE,
        "2024-01-04",
    )


def test_divergence_four_of_five_shared_fills_is_level_none():
    shared = [(i, SYMBOLS[i], "ENTRY_FILLED") for i in range(4)]
    tables = market(6, candidate_events=shared, reference_events=[*shared, *fills([4])])
    divergence = monitor_last(tables).divergence
    assert (divergence.entry_jaccard, divergence.level) == (0.8, "none")


def test_divergence_three_of_five_shared_fills_is_level_low():
    shared = [(i, SYMBOLS[i], "ENTRY_FILLED") for i in range(3)]
    tables = market(6, candidate_events=shared, reference_events=[*shared, *fills([3, 4])])
    divergence = monitor_last(tables).divergence
    assert (divergence.entry_jaccard, divergence.level) == (0.6, "low")


def test_divergence_two_of_five_shared_fills_is_level_medium():
    shared = [(i, SYMBOLS[i], "ENTRY_FILLED") for i in range(2)]
    tables = market(6, candidate_events=shared, reference_events=[*shared, *fills([2, 3, 4])])
    divergence = monitor_last(tables).divergence
    assert (divergence.entry_jaccard, divergence.level) == (0.4, "medium")


def test_divergence_one_of_five_shared_fills_is_level_high():
    shared = [(0, SYMBOLS[0], "ENTRY_FILLED")]
    tables = market(6, candidate_events=shared, reference_events=[*shared, *fills([1, 2, 3, 4])])
    divergence = monitor_last(tables).divergence
    assert (divergence.entry_jaccard, divergence.level) == (0.2, "high")


def test_divergence_pairs_are_session_and_symbol():
    tables = market(4, candidate_events=fills([1]), reference_events=fills([2]))
    assert monitor_last(tables).divergence.entry_jaccard == 0.0


def test_divergence_looks_at_the_last_20_sessions_only():
    # session 0 falls out of the 20-session window that ends at session 20
    tables = market(21, candidate_events=fills([0, 5]), reference_events=fills([5]))
    assert monitor_last(tables).divergence.entry_jaccard == 1.0


def test_divergence_counts_the_first_session_of_the_window():
    tables = market(21, candidate_events=fills([1, 5]), reference_events=fills([5]))
    assert monitor_last(tables).divergence.entry_jaccard == 0.5


def test_divergence_ignores_fills_after_as_of():
    tables = market(8, candidate_events=fills([2, 7]), reference_events=fills([2]))
    assert monitor_at(tables, 6).divergence.entry_jaccard == 1.0


def test_divergence_return_gap_is_the_w2_value():
    tables = market(21, candidate_equity=[CAPITAL] * 20 + [980_000.0])
    artifacts = monitor_last(tables)
    assert artifacts.divergence.return_gap == status(artifacts, "W2_RETURN_GAP_20D").value == -0.02
    assert artifacts.divergence.level == "low"


def test_divergence_gap_of_exactly_one_point_is_level_none():
    tables = market(21, reference_equity=[CAPITAL] * 20 + [1_010_000.0])
    divergence = monitor_last(tables).divergence
    assert (divergence.return_gap, divergence.level) == (-0.01, "none")


def test_divergence_gap_beyond_six_points_is_high_even_with_identical_fills():
    tables = market(
        21,
        candidate_equity=[CAPITAL] * 20 + [939_999.0],
        candidate_events=fills([3]),
        reference_events=fills([3]),
    )
    divergence = monitor_last(tables).divergence
    assert (divergence.entry_jaccard, divergence.return_gap, divergence.level) == (
        1.0,
        -0.060001,
        "high",
    )


# -- refined_control.json end to end -----------------------------------------------


def _signals(count: int) -> list[tuple[int, str, str]]:
    """ENTER_SIGNAL of SYMBOLS[i] on session i, for i < count."""
    return signals([(i, SYMBOLS[i]) for i in range(count)])


def test_refined_control_with_no_signals_anywhere_is_aligned():
    control = monitor_last(market(5)).refined_control
    assert (control.alignment_ratio, control.status) == (1.0, "aligned")
    assert (control.candidate_branch, control.control_branch) == ("alpha_first", CONTROL)


def test_refined_control_nine_of_ten_shared_signals_is_aligned():
    tables = market(10, candidate_events=_signals(9), control_events=_signals(10))
    control = monitor_last(tables).refined_control
    assert (control.alignment_ratio, control.status) == (0.9, "aligned")


def test_refined_control_seven_of_ten_shared_signals_is_drifting():
    tables = market(10, candidate_events=_signals(7), control_events=_signals(10))
    control = monitor_last(tables).refined_control
    assert (control.alignment_ratio, control.status) == (0.7, "drifting")


def test_refined_control_six_of_ten_shared_signals_is_misaligned():
    tables = market(10, candidate_events=_signals(6), control_events=_signals(10))
    control = monitor_last(tables).refined_control
    assert (control.alignment_ratio, control.status) == (0.6, "misaligned")


def test_refined_control_compares_enter_signals_not_fills():
    tables = market(
        6,
        candidate_events=signals([(1, SYMBOLS[1])]) + fills([2]),
        control_events=signals([(1, SYMBOLS[1])]),
    )
    assert monitor_last(tables).refined_control.alignment_ratio == 1.0


def test_refined_control_looks_at_the_last_20_sessions_only():
    tables = market(
        21,
        candidate_events=signals([(0, SYMBOLS[0]), (4, SYMBOLS[4])]),
        control_events=signals([(4, SYMBOLS[4])]),
    )
    assert monitor_last(tables).refined_control.alignment_ratio == 1.0
