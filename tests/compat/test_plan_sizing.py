"""Sizing a plan's orders with the runtime's rules: lots, fees, slots, cash, limits."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_compat.plan.close import EntrySignal
from dragon_compat.plan.sizing import (
    Limits,
    SizingBook,
    exit_proceeds_c,
    next_limits,
    price_exit,
    size_entries,
)
from dragon_compat.rundir import BookSource

DAY = dt.date(2024, 3, 4)
BEFORE_CUT, AFTER_CUT = dt.date(2023, 8, 25), dt.date(2023, 8, 28)


def _signal(symbol: str, close_c: int, rank: int = 1) -> EntrySignal:
    return EntrySignal(symbol, rank, 2, 1.5, close_c, "S1_HEIGHT_CAP=P")


def _book(
    equity_c: int = 100_000_000,
    cash_c: int | None = None,
    held: frozenset[str] = frozenset(),
    selling: frozenset[str] = frozenset(),
    max_positions: int = 5,
) -> SizingBook:
    cash = equity_c if cash_c is None else cash_c
    return SizingBook(BookSource.DESK, equity_c, cash, max_positions, held, selling)


def _size(signals, book: SizingBook, cash_c: int | None = None, day: dt.date = DAY):
    limits = {s.symbol: next_limits(s.symbol, s.close_c, False, day) for s in signals}
    return size_entries(signals, limits, book, book.cash_c if cash_c is None else cash_c, day)


# --- next-session limits -------------------------------------------------------------------


def test_next_limits_take_the_close_as_pre_close_and_the_board_percent():
    assert next_limits("600001.SH", 1000, False, DAY) == Limits(1100, 900)
    assert next_limits("600001.SH", 1000, True, DAY) == Limits(1050, 950)
    assert next_limits("300750.SZ", 1000, False, DAY) == Limits(1200, 800)
    assert next_limits("688001.SH", 1000, True, DAY) == Limits(1200, 800)
    assert next_limits("920001.BJ", 2_197_000, False, DAY) == Limits(2_856_100, 1_537_900)


def test_chinext_limits_follow_the_reform_date_of_the_next_session():
    assert next_limits("300750.SZ", 1000, False, dt.date(2020, 8, 21)) == Limits(1100, 900)
    assert next_limits("300750.SZ", 1000, False, dt.date(2020, 8, 24)) == Limits(1200, 800)


def test_limits_round_half_up_to_the_cent():
    # 10.35 x 1.1 = 11.385 -> 11.39; x 0.9 = 9.315 -> 9.32
    assert next_limits("600001.SH", 1035, False, DAY) == Limits(1139, 932)


# --- entries ---------------------------------------------------------------------------------


def test_an_entry_takes_whole_lots_toward_its_slot_with_the_buy_slippage():
    (order,) = _size([_signal("600001.SH", 968)], _book())
    # fill = 9.68 x 1.0005 = 9.68484 -> 9.68; target = 1,000,000 / 5 = 200,000 -> 206 lots
    assert (order.price_estimate, order.shares, order.notional) == (9.68, 20_600, 199_408.0)
    assert order.fees_estimate == 51.85  # 0.025 % + 0.001 % of 199,408.00, no stamp duty
    assert order.affordable and order.reason is None and order.detail is None


def test_a_small_order_pays_the_minimum_commission():
    (order,) = _size([_signal("600001.SH", 968)], _book(equity_c=500_000))
    assert (order.shares, order.notional) == (100, 968.0)
    assert order.fees_estimate == 5.01  # 5 CNY minimum + 0.001 % transfer fee


def test_a_lot_above_the_slot_target_is_unaffordable_naming_lot_and_target():
    (order,) = _size([_signal("920001.BJ", 2_056_955)], _book())
    assert not order.affordable
    assert (order.shares, order.notional, order.fees_estimate) == (0, 0.0, 0.0)
    assert order.reason == "INSUFFICIENT_CASH"
    assert order.price_estimate == 20_579.83  # 20,569.55 x 1.0005, rounded half-up
    assert order.detail == (
        "one lot (100 × 20,579.83) is 2,057,983.00 CNY, more than the entry's target "
        "200,000.00 CNY (the smaller of the cash left and equity / 5)"
    )


def test_a_lot_within_the_target_but_not_within_cash_with_fees_is_unaffordable():
    book = _book(equity_c=100_000_000, cash_c=97_000)  # 970.00 CNY cash, a large book
    (order,) = _size([_signal("600001.SH", 968)], book)
    assert order.reason == "INSUFFICIENT_CASH"
    assert order.detail == "one lot with fees is 973.01 CNY, more than the 970.00 CNY left"


def test_cash_limits_the_later_entries_in_rank_order():
    book = _book(equity_c=100_000_000, cash_c=30_000_000)  # 300,000 cash, 200,000 slots
    signals = [_signal("600001.SH", 1000, 1), _signal("600002.SH", 1000, 2)]
    first, second = _size(signals, book)
    assert first.shares == 19_900  # 200,000 / 10.01 -> 199 lots
    spent = first.notional + first.fees_estimate
    assert second.shares == int((300_000 - spent) // (100 * 10.01)) * 100
    assert second.notional + second.fees_estimate <= 300_000 - spent


def test_entries_beyond_the_free_slots_have_no_free_slot():
    held = frozenset({"000001.SZ", "000002.SZ", "000003.SZ", "000004.SZ"})
    signals = [_signal("600001.SH", 1000, 1), _signal("600002.SH", 1000, 2)]
    first, second = _size(signals, _book(held=held))
    assert first.affordable
    assert (second.affordable, second.reason) == (False, "NO_FREE_SLOT")
    assert second.detail == "all 5 slots are taken after the exits"


def test_a_slot_freed_by_an_exit_is_free_for_an_entry():
    held = frozenset({"000001.SZ", "000002.SZ", "000003.SZ", "000004.SZ", "000005.SZ"})
    book = _book(held=held, selling=frozenset({"000005.SZ"}))
    assert book.free_slots == 1
    assert _size([_signal("600001.SH", 1000)], book)[0].affordable


def test_an_entry_the_book_already_holds_is_already_held():
    book = _book(held=frozenset({"600001.SH"}))
    (order,) = _size([_signal("600001.SH", 1000)], book)
    assert (order.affordable, order.reason) == (False, "ALREADY_HELD")
    assert order.detail == "the desk book already holds 600001.SH"


def test_a_buy_estimate_is_clamped_to_the_next_up_limit():
    limits = {"600001.SH": Limits(1000, 800)}  # a close already at the next up limit
    (order,) = size_entries([_signal("600001.SH", 1000)], limits, _book(), 100_000_000, DAY)
    assert order.price_estimate == 10.0


@settings(max_examples=200, derandomize=True)
@given(
    closes=st.lists(st.integers(100, 3_000_000), min_size=1, max_size=8),
    equity=st.integers(1, 10**10),
    cash_share=st.floats(0, 1),
)
def test_entries_never_spend_more_than_the_cash_and_buy_only_whole_lots(
    closes: list[int], equity: int, cash_share: float
):
    cash = int(equity * cash_share)
    signals = [_signal(f"60{i:04d}.SH", c, i + 1) for i, c in enumerate(closes)]
    orders = _size(signals, _book(equity_c=equity, cash_c=cash))
    spent = sum(round((o.notional + o.fees_estimate) * 100) for o in orders)
    assert spent <= cash
    for order in orders:
        assert order.shares % 100 == 0
        assert order.affordable == (order.shares > 0)
        assert round(order.notional * 100) <= equity // 5
        assert round(order.notional * 100) == order.shares * round(order.price_estimate * 100)
    assert sum(o.affordable for o in orders) <= 5


# --- exits -----------------------------------------------------------------------------------


def test_an_exit_is_priced_with_the_sell_slippage_and_stamp_duty():
    limits = next_limits("600001.SH", 1250, False, DAY)
    order = price_exit("600001.SH", 16_500, "NOT_LIMIT_UP", 1250, limits=limits, next_session=DAY)
    # fill = 12.50 x 0.9995 = 12.49375 -> 12.49
    assert (order.price_estimate, order.notional) == (12.49, 206_085.0)
    # commission 51.52 + transfer 2.06 + stamp duty 0.05 % 103.04 = 156.62
    assert order.fees_estimate == 156.62
    assert (order.limit_down, order.limit_up) == (11.25, 13.75)
    assert exit_proceeds_c([order]) == 20_608_500 - 15_662


def test_stamp_duty_on_a_sale_halves_on_2023_08_28():
    limits = Limits(None, None)
    before = price_exit("600001.SH", 10_000, "STOP_LOSS", 1000, limits=limits,
                        next_session=BEFORE_CUT)  # fmt: skip
    after = price_exit("600001.SH", 10_000, "STOP_LOSS", 1000, limits=limits,
                       next_session=AFTER_CUT)  # fmt: skip
    assert before.fees_estimate - after.fees_estimate == 50.0  # 0.05 % of 100,000.00
    assert before.limit_up is None and before.limit_down is None


def test_a_sell_estimate_is_clamped_to_the_next_down_limit():
    order = price_exit(
        "600001.SH", 100, "STOP_LOSS", 1000, limits=Limits(1100, 1000), next_session=DAY
    )
    assert order.price_estimate == 10.0
