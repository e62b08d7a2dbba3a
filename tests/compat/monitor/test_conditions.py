"""The monitor's conditions (compat README, "Monitor"), one behaviour per test, hand-made."""

from __future__ import annotations

import pytest

from dragon_compat.monitor import CONDITIONS, RC1_MONITOR
from tests.compat.monitor.builders import (
    CAPITAL,
    fills,
    history,
    market,
    monitor_at,
    monitor_last,
    signals,
)
from tests.compat.monitor.builders import condition as status

# -- the table itself ---------------------------------------------------------------


def test_conditions_are_monitor_md_table_in_order():
    assert [(c.id, c.tier) for c in CONDITIONS] == [
        ("H1_DRAWDOWN", "hard"),
        ("W1_DRAWDOWN", "warning"),
        ("W2_RETURN_GAP_20D", "warning"),
        ("W3_HIT_RATE_20", "warning"),
        ("W4_IDLE", "warning"),
    ]


def test_rc1_thresholds_are_monitor_md_values():
    c = RC1_MONITOR
    assert (c.hard_drawdown, c.warning_drawdown) == (0.20, 0.10)
    assert (c.return_window_sessions, c.return_gap_floor) == (20, -0.05)
    assert (c.hit_rate_window_trades, c.hit_rate_min_trades, c.hit_rate_floor) == (20, 5, 0.35)
    assert c.idle_window_sessions == 10
    assert [(b.level, b.min_entry_jaccard, b.max_abs_return_gap) for b in c.divergence_bands] == [
        ("none", 0.8, 0.01),
        ("low", 0.6, 0.03),
        ("medium", 0.4, 0.06),
    ]
    assert c.divergence_fallback_level == "high"
    assert (c.control_aligned, c.control_drifting) == (0.9, 0.7)


def test_health_lists_every_condition_in_table_order_with_its_tier_and_threshold():
    health = monitor_last(market(3)).health
    assert [(c.id, c.tier, c.threshold) for c in health.conditions] == [
        ("H1_DRAWDOWN", "hard", 0.2),
        ("W1_DRAWDOWN", "warning", 0.1),
        ("W2_RETURN_GAP_20D", "warning", -0.05),
        ("W3_HIT_RATE_20", "warning", 0.35),
        ("W4_IDLE", "warning", 10),
    ]


# -- H1 / W1 drawdown ---------------------------------------------------------------


def test_h1_exactly_20_percent_drawdown_is_not_hard():
    h1 = status(monitor_last(market(2, candidate_equity=[CAPITAL, 800_000.0])), "H1_DRAWDOWN")
    assert (h1.active, h1.value, h1.streak) == (False, 0.2, 0)


def test_h1_drawdown_above_20_percent_is_hard():
    h1 = status(monitor_last(market(2, candidate_equity=[CAPITAL, 799_999.0])), "H1_DRAWDOWN")
    assert (h1.active, h1.value, h1.streak) == (True, 0.200001, 1)


def test_w1_exactly_10_percent_drawdown_is_not_active():
    w1 = status(monitor_last(market(2, candidate_equity=[CAPITAL, 900_000.0])), "W1_DRAWDOWN")
    assert (w1.active, w1.value) == (False, 0.1)


def test_w1_drawdown_above_10_percent_is_active():
    w1 = status(monitor_last(market(2, candidate_equity=[CAPITAL, 899_999.0])), "W1_DRAWDOWN")
    assert (w1.active, w1.value) == (True, 0.100001)


def test_drawdown_conditions_read_the_equity_tables_drawdown_column():
    tables = market(2, candidate_equity=[CAPITAL, CAPITAL], candidate_drawdown=[0.0, 0.25])
    artifacts = monitor_last(tables)
    assert status(artifacts, "H1_DRAWDOWN").active
    assert status(artifacts, "W1_DRAWDOWN").value == 0.25


# -- streaks ------------------------------------------------------------------------


def test_streak_counts_consecutive_active_sessions_ending_at_as_of():
    equity = [CAPITAL, 850_000.0, 850_000.0, 850_000.0]
    w1 = status(monitor_last(market(4, candidate_equity=equity)), "W1_DRAWDOWN")
    assert (w1.active, w1.streak) == (True, 3)


def test_streak_resets_after_one_clean_session():
    equity = [CAPITAL, 850_000.0, 850_000.0, CAPITAL, 850_000.0]
    artifacts = monitor_last(market(5, candidate_equity=equity))
    assert history(artifacts, "W1_DRAWDOWN") == [False, True, True, False, True]
    assert status(artifacts, "W1_DRAWDOWN").streak == 1


def test_streak_is_zero_when_inactive_at_as_of():
    equity = [CAPITAL, 850_000.0, 850_000.0, CAPITAL]
    w1 = status(monitor_last(market(4, candidate_equity=equity)), "W1_DRAWDOWN")
    assert (w1.active, w1.streak) == (False, 0)


# -- W2 return gap ------------------------------------------------------------------


def _drop_on_last(count: int, last: float) -> list[float]:
    return [CAPITAL] * (count - 1) + [last]


def test_w2_gap_of_exactly_minus_5_points_is_not_active():
    w2 = status(
        monitor_last(market(21, candidate_equity=_drop_on_last(21, 950_000.0))), "W2_RETURN_GAP_20D"
    )
    assert (w2.active, w2.value) == (False, -0.05)


def test_w2_gap_beyond_minus_5_points_is_active():
    w2 = status(
        monitor_last(market(21, candidate_equity=_drop_on_last(21, 949_999.0))), "W2_RETURN_GAP_20D"
    )
    assert (w2.active, w2.value) == (True, -0.050001)


def test_w2_is_candidate_minus_reference_return():
    tables = market(21, reference_equity=_drop_on_last(21, 1_060_000.0))
    w2 = status(monitor_last(tables), "W2_RETURN_GAP_20D")
    assert (w2.active, w2.value) == (True, -0.06)


def test_w2_return_runs_from_the_close_20_sessions_earlier():
    equity = [CAPITAL] + [900_000.0] * 21  # the loss happens on session 1
    artifacts = monitor_last(market(22, candidate_equity=equity))
    gap = history(artifacts, "W2_RETURN_GAP_20D")
    assert gap[20] is True  # session 20 measures from session 0: −10%
    assert gap[21] is False  # session 21 measures from session 1: flat
    assert status(artifacts, "W2_RETURN_GAP_20D").value == 0.0


def test_w2_with_short_history_measures_from_the_first_session():
    tables = market(5, candidate_equity=_drop_on_last(5, 940_000.0))
    w2 = status(monitor_last(tables), "W2_RETURN_GAP_20D")
    assert (w2.active, w2.value) == (True, -0.06)


def test_w2_is_zero_on_the_first_session():
    w2 = status(monitor_last(market(1)), "W2_RETURN_GAP_20D")
    assert (w2.active, w2.value) == (False, 0.0)


# -- W3 hit rate --------------------------------------------------------------------


def test_w3_four_closed_trades_are_too_few_even_if_all_lost():
    tables = market(6, candidate_trades=[(i, -100.0) for i in range(1, 5)])
    w3 = status(monitor_last(tables), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (False, None)


def test_w3_five_closed_trades_with_one_win_is_active():
    closed = [(1, 500.0)] + [(i, -100.0) for i in range(2, 6)]
    w3 = status(monitor_last(market(6, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (True, 0.2)


def test_w3_exactly_35_percent_won_is_not_active():
    closed = [(1, 500.0)] * 7 + [(2, -100.0)] * 13
    w3 = status(monitor_last(market(3, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (False, 0.35)


def test_w3_below_35_percent_won_is_active():
    closed = [(1, 500.0)] * 6 + [(2, -100.0)] * 14
    w3 = status(monitor_last(market(3, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (True, 0.3)


def test_w3_looks_only_at_the_last_20_closed_trades():
    closed = [(1, -100.0)] * 5 + [(2, 500.0)] * 7 + [(3, -100.0)] * 13
    w3 = status(monitor_last(market(4, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (False, 0.35)  # 7/25 = 0.28 would be active


def test_w3_orders_closed_trades_by_exit_session_not_trade_id():
    # trade 00001 (a loss) exits last; trade 00002 (a win) exits first and is the one left out
    closed = [(10, -100.0), (3, 500.0)] + [(5, 500.0)] * 6 + [(5, -100.0)] * 13
    w3 = status(monitor_last(market(11, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (True, 0.3)


def test_w3_zero_net_pnl_is_not_a_win():
    closed = [(1, 500.0), (1, 0.0)] + [(2, -100.0)] * 3
    w3 = status(monitor_last(market(3, candidate_trades=closed)), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (True, 0.2)


def test_w3_counts_a_trade_from_its_exit_session():
    tables = market(8, candidate_trades=[(i, -100.0) for i in range(2, 7)])
    assert history(monitor_last(tables), "W3_HIT_RATE_20") == [False] * 6 + [True, True]


def test_w3_ignores_trades_that_close_after_as_of():
    tables = market(8, candidate_trades=[(i, -100.0) for i in range(2, 7)])
    w3 = status(monitor_at(tables, 5), "W3_HIT_RATE_20")
    assert (w3.active, w3.value) == (False, None)


# -- W4 idle ------------------------------------------------------------------------


def test_w4_exactly_10_idle_sessions_is_active():
    w4 = status(monitor_last(market(13, candidate_events=fills([2]))), "W4_IDLE")
    assert (w4.active, w4.value, w4.streak) == (True, 10, 1)


def test_w4_nine_idle_sessions_is_not_active():
    w4 = status(monitor_last(market(12, candidate_events=fills([2]))), "W4_IDLE")
    assert (w4.active, w4.value) == (False, 9)


def test_w4_fewer_than_10_sessions_of_history_is_not_idle():
    w4 = status(monitor_last(market(9)), "W4_IDLE")
    assert (w4.active, w4.value) == (False, 9)


def test_w4_ten_sessions_without_any_fill_is_idle():
    w4 = status(monitor_last(market(10)), "W4_IDLE")
    assert (w4.active, w4.value, w4.streak) == (True, 10, 1)


def test_w4_a_fill_inside_the_window_clears_it():
    w4 = status(monitor_last(market(13, candidate_events=fills([2, 9]))), "W4_IDLE")
    assert (w4.active, w4.value) == (False, 3)


def test_w4_only_entry_filled_counts_as_activity():
    events = [(8, "600001.SH", "ENTRY_BLOCKED"), (9, "600002.SH", "ENTRY_CANCELLED")]
    events += signals([(10, "600003.SH")])
    w4 = status(monitor_last(market(13, candidate_events=fills([2]) + events)), "W4_IDLE")
    assert (w4.active, w4.value) == (True, 10)


def test_w4_streak_starts_at_the_tenth_idle_session():
    artifacts = monitor_last(market(15, candidate_events=fills([0])))
    assert history(artifacts, "W4_IDLE") == [False] * 10 + [True] * 5
    assert status(artifacts, "W4_IDLE").streak == 5


def test_w4_ignores_the_reference_branchs_fills():
    w4 = status(monitor_last(market(12, reference_events=fills([10]))), "W4_IDLE")
    assert (w4.active, w4.value) == (True, 12)


@pytest.mark.parametrize("index", [0, 5, 12])
def test_conditions_on_a_quiet_flat_history_are_clean_but_for_idleness(index):
    artifacts = monitor_at(market(13, candidate_events=fills([0])), index)
    active = {c.id: c.active for c in artifacts.health.conditions}
    assert active == {
        "H1_DRAWDOWN": False,
        "W1_DRAWDOWN": False,
        "W2_RETURN_GAP_20D": False,
        "W3_HIT_RATE_20": False,
        "W4_IDLE": index >= 10,
    }
