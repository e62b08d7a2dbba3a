"""The loop at the open: pending exits, then pending entries (docs/strategy.md, steps 1-2)."""

from __future__ import annotations

from dragon_runtime.loop import LoopConfig
from dragon_runtime.portfolio import Portfolio, Sizing
from tests.runtime.builders import (
    FakeHooks,
    bar,
    day,
    flat,
    rows,
    run,
    sessions,
)

A, B, C, D, E, F = (f"60000{i}.SH" for i in range(1, 7))
EVENT = ("trade_date", "phase", "seq", "symbol", "event_type", "reason_code", "price", "shares")


def test_entry_fills_at_the_open_plus_slippage_and_whole_lots() -> None:
    market = {A: [flat(10.0), bar(10.0, 10.5, 9.9, 10.5), flat(10.5)]}
    result = run(market, FakeHooks(picks={0: [A]}))
    # target 200,000.00 / (10.01 x 100) = 199.8 lots -> 199 lots.
    assert rows(result.events, *EVENT, phase="OPEN") == [
        (day(1), "OPEN", 1, A, "ENTRY_FILLED", "FILLED", 10.01, 19_900)
    ]


def test_entry_at_or_above_the_up_limit_fills_at_the_limit_when_the_board_opened() -> None:
    # pre_close 10.00 -> up 11.00; opens at 11.00 but trades down to 10.80.
    market = {A: [flat(10.0), bar(11.0, 11.0, 10.8, 11.0), flat(11.0)]}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, "event_type", "price", "shares", phase="OPEN") == [
        ("ENTRY_FILLED", 11.0, 18_100)
    ]


def test_sealed_limit_up_blocks_the_entry_at_the_open_price() -> None:
    market = {A: [flat(10.0), flat(11.0), flat(11.0)]}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, *EVENT, phase="OPEN") == [
        (day(1), "OPEN", 1, A, "ENTRY_BLOCKED", "LIMIT_UP_SEALED", 11.0, None)
    ]


def test_blocked_entry_is_dropped_not_retried() -> None:
    market = {A: [flat(10.0), flat(11.0), bar(11.0, 11.5, 10.9, 11.2), flat(11.2)]}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, "trade_date", "event_type", phase="OPEN") == [
        (day(1), "ENTRY_BLOCKED")
    ]
    assert result.trades.empty
    assert rows(result.equity, "positions") == [(0,), (0,), (0,), (0,)]


def test_suspension_without_a_row_cancels_the_entry_with_an_empty_price() -> None:
    market = {A: [flat(10.0), None, flat(10.0)], B: [flat(5.0)] * 3}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, *EVENT, phase="OPEN") == [
        (day(1), "OPEN", 1, A, "ENTRY_CANCELLED", "SUSPENDED", None, None)
    ]


def test_zero_volume_row_cancels_the_entry_as_suspended() -> None:
    market = {A: [flat(10.0), flat(10.0, volume=0), flat(10.0)]}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.events, "event_type", "reason_code", "price", phase="OPEN") == [
        ("ENTRY_CANCELLED", "SUSPENDED", None)
    ]


def test_no_free_slot_at_the_open_cancels_the_entry_when_the_exit_is_blocked() -> None:
    five = [A, B, C, D, E]
    market = {s: [flat(10.0), flat(10.0), flat(10.0), flat(10.0)] for s in five}
    market[A] = [flat(10.0), flat(10.0), flat(9.0), flat(9.0)]  # sealed limit-down on day 2
    market[F] = [flat(10.0), flat(10.0), bar(10.2, 10.5, 10.1, 10.3), flat(10.3)]
    hooks = FakeHooks(picks={0: five, 1: [F]}, exits={(1, A): "NOT_LIMIT_UP"})
    result = run(market, hooks)
    assert hooks.books[1].free_slots == 1  # 5 - 5 held + 1 exit signalled
    assert rows(result.events, "seq", "symbol", "event_type", "reason_code", "price",
                trade_date=day(2), phase="OPEN") == [
        (1, A, "EXIT_BLOCKED", "LIMIT_DOWN_SEALED", 9.0),
        (2, F, "ENTRY_CANCELLED", "NO_FREE_SLOT", 10.2),
    ]  # fmt: skip


def test_entry_fills_into_the_slot_freed_by_an_exit_at_the_same_open() -> None:
    five = [A, B, C, D, E]
    market = {s: [flat(10.0)] * 4 for s in [*five, F]}
    hooks = FakeHooks(picks={0: five, 1: [F]}, exits={(1, A): "NOT_LIMIT_UP"})
    result = run(market, hooks)
    assert rows(result.events, "symbol", "event_type", trade_date=day(2), phase="OPEN") == [
        (A, "EXIT_FILLED"),
        (F, "ENTRY_FILLED"),
    ]


def test_no_affordable_lot_cancels_the_entry_for_insufficient_cash() -> None:
    # capital 5,000.00 -> target 1,000.00 < one lot of 20.01.
    market = {A: [flat(20.0), flat(20.0), flat(20.0)]}
    result = run(market, FakeHooks(picks={0: [A]}), config=LoopConfig(initial_capital_c=500_000))
    assert rows(result.events, *EVENT, phase="OPEN") == [
        (day(1), "OPEN", 1, A, "ENTRY_CANCELLED", "INSUFFICIENT_CASH", 20.0, None)
    ]


def test_entries_are_processed_in_rank_order_with_their_signal_rank() -> None:
    market = {s: [flat(10.0)] * 3 for s in (A, B, C)}
    result = run(market, FakeHooks(picks={0: [C, A, B]}))
    assert rows(result.events, "seq", "symbol", "rank", phase="OPEN") == [
        (1, C, 1),
        (2, A, 2),
        (3, B, 3),
    ]


def test_exit_fills_at_the_next_open_minus_slippage() -> None:
    market = {A: [flat(10.0), flat(10.0), bar(10.2, 10.3, 10.0, 10.1)]}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    # 10.20 x 0.9995 = 10.1949 -> 10.19
    assert rows(result.events, *EVENT, trade_date=day(2), phase="OPEN") == [
        (day(2), "OPEN", 1, A, "EXIT_FILLED", "NOT_LIMIT_UP", 10.19, 19_900)
    ]


def test_exit_below_the_down_limit_fills_at_the_down_limit() -> None:
    # published down limit 10.00 on day 2 while the open is 9.90 (not sealed: high 10.30).
    market = {A: [flat(10.0), flat(10.5), bar(9.9, 10.3, 9.8, 10.1)]}
    result = run(
        market,
        FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}),
        published={(2, A): (11.55, 10.0)},
    )
    assert rows(result.events, "event_type", "price", trade_date=day(2), phase="OPEN") == [
        ("EXIT_FILLED", 10.0)
    ]


def test_sealed_limit_down_blocks_the_exit_and_it_is_retried() -> None:
    market = {A: [flat(10.0), flat(10.0), flat(9.0), bar(8.5, 8.9, 8.2, 8.5)]}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "trade_date", "event_type", "reason_code", "price", "shares",
                phase="OPEN", symbol=A)[1:] == [
        (day(2), "EXIT_BLOCKED", "LIMIT_DOWN_SEALED", 9.0, 19_900),
        (day(3), "EXIT_FILLED", "NOT_LIMIT_UP", 8.5, 19_900),
    ]  # fmt: skip


def test_suspension_defers_the_exit_and_it_is_retried() -> None:
    market = {A: [flat(10.0), flat(10.0), None, bar(10.4, 10.5, 10.3, 10.4)], B: [flat(5.0)] * 4}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "trade_date", "event_type", "reason_code", "price", "shares",
                phase="OPEN")[1:] == [
        (day(2), "EXIT_DEFERRED", "SUSPENDED", None, 19_900),
        (day(3), "EXIT_FILLED", "NOT_LIMIT_UP", 10.39, 19_900),
    ]  # fmt: skip


def test_zero_volume_row_defers_the_exit() -> None:
    market = {A: [flat(10.0), flat(10.0), flat(10.0, volume=0), flat(10.0)]}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "event_type", trade_date=day(2), phase="OPEN") == [
        ("EXIT_DEFERRED",)
    ]


def test_pending_exits_are_processed_by_symbol_before_entries() -> None:
    market = {s: [flat(10.0)] * 4 for s in (A, B, C)}
    hooks = FakeHooks(
        picks={0: [B, A], 1: [C]}, exits={(1, A): "NOT_LIMIT_UP", (1, B): "NOT_LIMIT_UP"}
    )
    result = run(market, hooks)
    assert rows(result.events, "seq", "symbol", "event_type", trade_date=day(2), phase="OPEN") == [
        (1, A, "EXIT_FILLED"),
        (2, B, "EXIT_FILLED"),
        (3, C, "ENTRY_FILLED"),
    ]


def test_t_plus_one_a_position_bought_today_exits_no_earlier_than_next_open() -> None:
    market = {A: [flat(10.0), flat(10.0), flat(10.0)]}
    result = run(market, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))
    assert rows(result.events, "trade_date", "phase", "event_type", symbol=A) == [
        (day(0), "CLOSE", "ENTER_SIGNAL"),
        (day(1), "OPEN", "ENTRY_FILLED"),
        (day(1), "CLOSE", "EXIT_SIGNAL"),
        (day(2), "OPEN", "EXIT_FILLED"),
    ]


def test_portfolio_refuses_to_sell_on_the_entry_session() -> None:
    book = Portfolio(100_000_000, 5)
    date = sessions(1)[0]
    book.buy(0, name=A, session=3, trade_date=date, fill_c=1000, sizing=Sizing(100, 100_000, 500))
    try:
        book.sell(0, 3, date, 1000, "NOT_LIMIT_UP")
    except ValueError as error:
        assert "T+1" in str(error)
    else:
        raise AssertionError("selling on the entry session must fail")
