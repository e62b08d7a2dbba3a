"""Cash, fees, equity, drawdown and summary reconcile to the cent (worked by hand)."""

from __future__ import annotations

from dragon_runtime.loop import LoopConfig, LoopResult
from dragon_runtime.payloads import RC1_SCHEMA_VERSION, SUMMARY_KEYS
from dragon_runtime.portfolio import size_entry
from tests.runtime.builders import FakeHooks, bar, day, flat, rows, run, sessions

A, B = "600001.SH", "600002.SH"
ROUND_TRIP = {A: [flat(10.0), flat(10.0), bar(10.2, 10.3, 10.0, 10.1)]}
# Entry day 1: 19,900 x 10.01 = 199,199.00; fees 49.80 + 1.99 -> 51.79 (half-up of 51.79174).
# Exit day 2: 19,900 x 10.19 = 202,781.00; fees 50.70 + 2.03 + 101.39 -> 154.11.


def _round_trip() -> LoopResult:
    return run(ROUND_TRIP, FakeHooks(picks={0: [A]}, exits={(1, A): "NOT_LIMIT_UP"}))


def test_entry_debits_value_plus_fees_to_the_cent() -> None:
    result = _round_trip()
    assert rows(result.equity, "trade_date", "cash", "market_value", "equity", "positions")[:2] == [
        (day(0), 1_000_000.00, 0.0, 1_000_000.00, 0),
        (day(1), 800_749.21, 199_000.00, 999_749.21, 1),
    ]


def test_exit_credits_value_minus_fees_and_books_the_trade() -> None:
    result = _round_trip()
    assert rows(result.equity, "cash", "market_value", "equity", "positions")[2] == (
        1_003_376.10, 0.0, 1_003_376.10, 0,
    )  # fmt: skip
    assert rows(
        result.trades, "branch", "trade_id", "symbol", "entry_date", "entry_price", "exit_date",
        "exit_price", "shares", "fees", "net_pnl", "hold_sessions", "exit_reason",
    ) == [
        ("test", "test-00001", A, day(1), 10.01, day(2), 10.19, 19_900, 205.90, 3_376.10, 2,
         "NOT_LIMIT_UP"),
    ]  # fmt: skip


def test_return_pct_is_net_pnl_over_entry_cost_including_fees() -> None:
    result = _round_trip()
    assert result.trades["return_pct"].tolist() == [337_610 / 19_925_079]


def test_drawdown_is_from_the_running_peak_of_marked_equity() -> None:
    result = _round_trip()
    assert result.equity["drawdown"].tolist() == [0.0, 25_079 / 100_000_000, 0.0]


def test_summary_reports_counts_rates_and_schema_version() -> None:
    summary = _round_trip().summary
    assert tuple(summary) == SUMMARY_KEYS
    assert summary == {
        "branch": "test",
        "sessions": 3,
        "trades": 1,
        "win_rate": 1.0,
        "total_return": 0.003376,
        "max_drawdown": 0.000251,
        "event_counts": {
            "ENTER_SIGNAL": 1,
            "ENTRY_FILLED": 1,
            "EXIT_FILLED": 1,
            "EXIT_SIGNAL": 1,
        },
        "rc1_schema_version": RC1_SCHEMA_VERSION,
    }


def test_summary_of_a_run_without_trades_has_zero_win_rate() -> None:
    result = run({A: [flat(10.0)] * 2}, FakeHooks())
    assert (result.summary["trades"], result.summary["win_rate"]) == (0, 0.0)
    assert result.summary["event_counts"] == {}


def test_suspended_holding_is_marked_at_its_last_close() -> None:
    market = {A: [flat(10.0), bar(10.0, 10.6, 9.9, 10.5), None, flat(10.5)], B: [flat(5.0)] * 4}
    result = run(market, FakeHooks(picks={0: [A]}))
    assert rows(result.equity, "market_value", "positions")[1:3] == [
        (19_900 * 10.5, 1),
        (19_900 * 10.5, 1),
    ]


def test_entry_target_is_prior_close_equity_over_max_positions() -> None:
    # Day 2 entry for B: equity at day-1 close 999,749.21 // 5 = 199,949.84 -> 99 lots of 20.01.
    market = {A: [flat(10.0)] * 3, B: [flat(20.0)] * 3}
    result = run(market, FakeHooks(picks={0: [A], 1: [B]}))
    assert rows(result.events, "symbol", "shares", event_type="ENTRY_FILLED") == [
        (A, 19_900),
        (B, 9_900),
    ]


def test_capital_and_slot_count_come_from_the_config() -> None:
    market = {A: [flat(10.0)] * 2, B: [flat(10.0)] * 2}
    config = LoopConfig(initial_capital_c=10_000_000, max_positions=1)
    result = run(market, FakeHooks(picks={0: [A, B]}), config=config)
    assert rows(result.events, "symbol", "event_type", "reason_code", trade_date=day(0)) == [
        (A, "ENTER_SIGNAL", "SELECTED"),
        (B, "SKIP", "NO_FREE_SLOT"),
    ]
    assert rows(result.events, "shares", event_type="ENTRY_FILLED") == [(9_900,)]


def test_sizing_floors_to_whole_lots() -> None:
    sizing = size_entry(100_000_000, 20_000_000, 1001, sessions(1)[0])
    assert (sizing.shares, sizing.value_c) == (19_900, 19_919_900)


def test_sizing_steps_down_a_lot_when_fees_exceed_cash() -> None:
    # 100 lots of 10.00 cost 100,000.00 + 26.00 fees > 100,000.00 cash -> 99 lots.
    sizing = size_entry(10_000_000, 10_000_000, 1000, sessions(1)[0])
    assert (sizing.shares, sizing.value_c, sizing.fees_c) == (9_900, 9_900_000, 2_574)


def test_sizing_returns_zero_shares_when_no_lot_is_affordable() -> None:
    assert size_entry(100_000, 100_000, 2001, sessions(1)[0]).shares == 0
