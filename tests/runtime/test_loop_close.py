"""The loop at the close: positions, then candidates, then expiry (docs/strategy.md, steps 3-5)."""

from __future__ import annotations

from collections.abc import Callable

from dragon_runtime.hooks import PositionView, SessionContext
from dragon_runtime.loop import LoopResult
from dragon_runtime.reasons import EventType
from tests.runtime.builders import (
    Bar,
    FakeHooks,
    bar,
    day,
    flat,
    rc1_exit,
    rows,
    run,
    up_bar,
)

A, B, C, D, E, F = (f"60000{i}.SH" for i in range(1, 7))
VETO, SKIP = EventType.VETO, EventType.SKIP
CLOSE = ("symbol", "event_type", "reason_code", "price", "shares")


def _held_from_day_one(
    *later: Bar | None,
    exit_fn: Callable[[SessionContext, PositionView], str | None] = rc1_exit,
    extra: dict[str, list[Bar | None]] | None = None,
) -> tuple[LoopResult, FakeHooks]:
    """A bought at 10.01 on day 1 (closing limit-up at 11.00), then ``later`` bars."""
    market: dict[str, list[Bar | None]] = {A: [flat(10.0), bar(10.0, 11.0, 9.9, 11.0), *later]}
    market.update(extra or {})
    hooks = FakeHooks(picks={0: [A]}, exit_fn=exit_fn)
    return run(market, hooks), hooks


def test_held_position_that_closes_limit_up_keeps_holding() -> None:
    result, _ = _held_from_day_one(up_bar(11.0))
    assert rows(result.events, *CLOSE, trade_date=day(1), phase="CLOSE") == [
        (A, "HOLD_POSITION", "CONTINUES_LIMIT_UP", 11.0, 19_900)
    ]


def test_suspended_position_holds_without_consulting_the_exit_rule() -> None:
    result, hooks = _held_from_day_one(None, up_bar(11.0), extra={B: [flat(5.0)] * 4})
    held = rows(result.events, *CLOSE, "board_height", "alpha_score", trade_date=day(2))
    assert held == [(A, "HOLD_POSITION", "SUSPENDED", None, 19_900, 2, None)]
    assert [(t, h) for t, _, h in hooks.exit_calls] == [(1, 1), (3, 2)]


def test_stop_loss_takes_priority_over_not_limit_up() -> None:
    # 9.30 <= 0.93 x 10.01 = 9.3093 and also not limit-up.
    result, _ = _held_from_day_one(bar(10.5, 10.5, 9.3, 9.3), flat(9.3))
    assert rows(result.events, "reason_code", trade_date=day(2), event_type="EXIT_SIGNAL") == [
        ("STOP_LOSS",)
    ]


def test_close_just_above_the_stop_is_not_a_stop_loss() -> None:
    result, _ = _held_from_day_one(bar(10.5, 10.5, 9.31, 9.31), flat(9.31))
    assert rows(result.events, "reason_code", trade_date=day(2), event_type="EXIT_SIGNAL") == [
        ("NOT_LIMIT_UP",)
    ]


def test_touching_the_limit_then_closing_below_is_board_broken() -> None:
    result, _ = _held_from_day_one(bar(11.2, 12.1, 11.0, 11.8), flat(11.8))
    assert rows(result.events, *CLOSE, trade_date=day(2), phase="CLOSE") == [
        (A, "EXIT_SIGNAL", "BOARD_BROKEN", 11.8, 19_900)
    ]


def test_closing_below_the_limit_is_not_limit_up() -> None:
    result, _ = _held_from_day_one(bar(11.2, 11.9, 11.0, 11.5), flat(11.5))
    assert rows(result.events, "reason_code", trade_date=day(2), event_type="EXIT_SIGNAL") == [
        ("NOT_LIMIT_UP",)
    ]


def _limit_up_run(count: int, start: float = 11.0) -> list[Bar | None]:
    bars: list[Bar | None] = []
    price = start
    for _ in range(count):
        limit_up = up_bar(price)
        bars.append(limit_up)
        price = limit_up.close
    return bars


def test_fifth_held_session_is_max_hold() -> None:
    result, hooks = _held_from_day_one(*_limit_up_run(5))
    assert [h for _, _, h in hooks.exit_calls] == [1, 2, 3, 4, 5]
    assert rows(result.events, "trade_date", "reason_code", event_type="EXIT_SIGNAL") == [
        (day(5), "MAX_HOLD")
    ]


def test_suspended_sessions_do_not_count_towards_max_hold() -> None:
    bars = _limit_up_run(5)
    result, _ = _held_from_day_one(bars[0], None, *bars[1:], extra={B: [flat(5.0)] * 8})
    assert rows(result.events, "trade_date", "reason_code", event_type="EXIT_SIGNAL") == [
        (day(6), "MAX_HOLD")
    ]


def test_trade_hold_sessions_count_trading_sessions_entry_to_exit() -> None:
    result, _ = _held_from_day_one(
        up_bar(11.0), None, bar(12.0, 12.2, 11.9, 12.0), flat(12.0), extra={B: [flat(5.0)] * 6}
    )
    # entry day 1, held day 2, suspended day 3, NOT_LIMIT_UP day 4, exit day 5.
    assert rows(result.trades, "entry_date", "exit_date", "hold_sessions", "exit_reason") == [
        (day(1), day(5), 4, "NOT_LIMIT_UP")
    ]


def test_enter_signal_records_close_rank_predicates_and_values() -> None:
    market = {A: [flat(10.0), flat(10.0)], B: [flat(20.0), flat(20.0)]}
    result = run(market, FakeHooks(picks={0: [B, A]}), heights={A: [3, 3], B: [4, 4]})
    assert rows(
        result.events, "seq", "symbol", "event_type", "reason_code", "reason_layer",
        "reason_family", "reason_tier", "price", "shares", "board_height", "alpha_score",
        "rank", "predicates", trade_date=day(0),
    ) == [
        (1, B, "ENTER_SIGNAL", "SELECTED", "signal", "selection", "none", 20.0, None, 4, 4.5, 1,
         "S1_HEIGHT_CAP=P"),
        (2, A, "ENTER_SIGNAL", "SELECTED", "signal", "selection", "none", 10.0, None, 3, 3.5, 2,
         "S1_HEIGHT_CAP=P"),
    ]  # fmt: skip


def test_strong_veto_is_recorded_with_its_family_and_creates_no_order() -> None:
    market = {A: [flat(10.0), flat(10.0)]}
    hooks = FakeHooks(picks={0: [A]}, outcomes={(0, A): (VETO, "S3_NOT_ST")})
    result = run(market, hooks)
    assert rows(result.events, "event_type", "reason_code", "reason_family", "reason_tier") == [
        ("VETO", "S3_NOT_ST", "structure", "strong")
    ]


def test_weak_selective_veto_is_recorded_as_weak_sentiment() -> None:
    market = {A: [flat(10.0), flat(10.0)]}
    hooks = FakeHooks(picks={0: [A]}, outcomes={(0, A): (VETO, "W1_BROKEN_RATE")})
    result = run(market, hooks)
    assert rows(result.events, "event_type", "reason_code", "reason_family", "reason_tier") == [
        ("VETO", "W1_BROKEN_RATE", "sentiment", "weak")
    ]


def test_data_missing_skip_is_recorded_in_the_data_family() -> None:
    market = {A: [flat(10.0), flat(10.0)]}
    hooks = FakeHooks(picks={0: [A]}, outcomes={(0, A): (SKIP, "DATA_MISSING")})
    result = run(market, hooks)
    assert rows(result.events, "event_type", "reason_code", "reason_family", "rank") == [
        ("SKIP", "DATA_MISSING", "data", 1)
    ]


def test_alpha_rank_cutoff_skip_creates_no_order() -> None:
    market = {A: [flat(10.0), flat(10.0)], B: [flat(10.0), flat(10.0)]}
    hooks = FakeHooks(picks={0: [A, B]}, outcomes={(0, B): (SKIP, "ALPHA_RANK_CUTOFF")})
    result = run(market, hooks)
    assert rows(result.events, "symbol", "event_type", "reason_code", trade_date=day(0)) == [
        (A, "ENTER_SIGNAL", "SELECTED"),
        (B, "SKIP", "ALPHA_RANK_CUTOFF"),
    ]
    assert rows(result.events, "symbol", phase="OPEN") == [(A,)]


def test_held_candidate_is_skipped_as_already_held_even_with_a_pending_exit() -> None:
    market = {A: [flat(10.0), flat(10.0), flat(9.0), flat(9.0)]}
    hooks = FakeHooks(picks={0: [A], 1: [A], 2: [A]}, exits={(1, A): "NOT_LIMIT_UP"})
    result = run(market, hooks)
    assert rows(result.events, "trade_date", "reason_code", event_type="SKIP") == [
        (day(1), "ALREADY_HELD"),
        (day(2), "ALREADY_HELD"),
    ]


def test_candidates_beyond_the_free_slots_are_skipped_no_free_slot() -> None:
    six = [A, B, C, D, E, F]
    market = {s: [flat(10.0), flat(10.0)] for s in six}
    result = run(market, FakeHooks(picks={0: six}))
    assert rows(result.events, "symbol", "event_type", "reason_code", "rank", trade_date=day(0))[
        -1
    ] == (F, "SKIP", "NO_FREE_SLOT", 6)
    assert len(rows(result.events, "symbol", event_type="ENTER_SIGNAL")) == 5


def test_free_slots_count_exits_signalled_at_this_close() -> None:
    five = [A, B, C, D, E]
    market = {s: [flat(10.0)] * 3 for s in [*five, F]}
    hooks = FakeHooks(picks={0: five, 1: [F]}, exits={(1, A): "NOT_LIMIT_UP", (1, B): "MAX_HOLD"})
    run(market, hooks)
    assert hooks.books[0].free_slots == 5
    assert hooks.books[1].free_slots == 2
    assert hooks.books[1].held == frozenset(range(5))


def test_close_events_list_positions_by_symbol_then_candidates_by_rank() -> None:
    market = {s: [flat(10.0)] * 3 for s in (A, B, C)}
    result = run(market, FakeHooks(picks={0: [B, A], 1: [C, A]}))
    assert rows(result.events, "seq", "symbol", "event_type", trade_date=day(1),
                phase="CLOSE") == [
        (1, A, "HOLD_POSITION"), (2, B, "HOLD_POSITION"), (3, C, "ENTER_SIGNAL"), (4, A, "SKIP"),
    ]  # fmt: skip


def test_sticky_exit_repeats_its_original_reason_without_the_exit_rule() -> None:
    # NOT_LIMIT_UP on day 1; sealed limit-down on day 2 (a stop-loss close, ignored).
    market = {A: [flat(10.0), flat(10.0), flat(9.0), bar(8.5, 8.9, 8.2, 8.5)]}
    hooks = FakeHooks(picks={0: [A]}, exit_fn=rc1_exit)
    result = run(market, hooks)
    assert rows(result.events, "trade_date", "event_type", "reason_code", "price",
                phase="CLOSE", symbol=A)[1:] == [
        (day(1), "EXIT_SIGNAL", "NOT_LIMIT_UP", 10.0),
        (day(2), "EXIT_SIGNAL", "NOT_LIMIT_UP", 9.0),
    ]  # fmt: skip
    assert [t for t, _, _ in hooks.exit_calls] == [1]
    assert rows(result.trades, "exit_date", "exit_price", "exit_reason") == [
        (day(3), 8.5, "NOT_LIMIT_UP")
    ]


def test_sticky_exit_suspended_at_the_close_holds_and_stays_pending() -> None:
    market = {A: [flat(10.0), flat(10.0), None, flat(10.0)], B: [flat(5.0)] * 4}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "trade_date", "phase", "event_type", "reason_code",
                symbol=A)[3:] == [
        (day(2), "OPEN", "EXIT_DEFERRED", "SUSPENDED"),
        (day(2), "CLOSE", "HOLD_POSITION", "SUSPENDED"),
        (day(3), "OPEN", "EXIT_FILLED", "NOT_LIMIT_UP"),
    ]  # fmt: skip


def test_open_events_copy_values_from_the_signal_that_created_the_order() -> None:
    market = {A: [flat(10.0), flat(10.0), flat(10.0)]}
    hooks = FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"})
    result = run(market, hooks, heights={A: [2, 3, 7]})
    assert rows(result.events, "event_type", "board_height", "alpha_score") == [
        ("ENTER_SIGNAL", 2, 2.5),
        ("ENTRY_FILLED", 2, 2.5),
        ("EXIT_SIGNAL", 3, 3.5),
        ("EXIT_FILLED", 3, 3.5),
    ]


def test_pending_orders_expire_after_the_last_session_exits_first() -> None:
    market = {s: [flat(10.0)] * 3 for s in (A, B, C)}
    hooks = FakeHooks(picks={0: [B], 2: [C, A]}, exits={(2, B): "MAX_HOLD"})
    result = run(market, hooks)
    assert rows(result.events, "seq", "symbol", "event_type", "reason_code", "reason_layer",
                "price", "shares", "rank", trade_date=day(2), phase="CLOSE") == [
        (1, B, "EXIT_SIGNAL", "MAX_HOLD", "position", 10.0, 19_900, None),
        (2, C, "ENTER_SIGNAL", "SELECTED", "signal", 10.0, None, 1),
        (3, A, "ENTER_SIGNAL", "SELECTED", "signal", 10.0, None, 2),
        (4, B, "ORDER_EXPIRED", "END_OF_DATA", "lifecycle", 10.0, 19_900, None),
        (5, C, "ORDER_EXPIRED", "END_OF_DATA", "lifecycle", 10.0, None, 1),
        (6, A, "ORDER_EXPIRED", "END_OF_DATA", "lifecycle", 10.0, None, 2),
    ]  # fmt: skip


def test_expiring_suspended_exit_has_an_empty_price() -> None:
    market = {A: [flat(10.0), flat(10.0), None], B: [flat(5.0)] * 3}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "symbol", "price", "shares", event_type="ORDER_EXPIRED") == [
        (A, None, 19_900)
    ]


def test_open_positions_at_the_end_get_no_event_and_no_trade() -> None:
    market = {A: [flat(10.0)] * 3}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, "event_type", trade_date=day(2)) == [("HOLD_POSITION",)]
    assert result.trades.empty
    assert rows(result.equity, "positions")[-1] == (1,)
