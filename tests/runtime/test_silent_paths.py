"""The no-silent-path checker catches each broken obligation, and only those."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dragon_runtime.canonical import equity_csv, events_csv, trades_csv
from dragon_runtime.loop import LoopResult
from dragon_runtime.silent_paths import SilentPathRule, Violation, check_no_silent_paths
from tests.runtime.builders import FakeHooks, bar, day, flat, run

A, B, C, D = "600001.SH", "600002.SH", "600003.SH", "600004.SH"
CAPITAL = 100_000_000
PICKS = {0: [A, B], 1: [C, A], 3: [C, D]}


def _result(branch: str = "test") -> LoopResult:
    market = {
        A: [flat(10.0), flat(10.0), flat(9.0), bar(8.5, 8.9, 8.2, 8.5)],  # exit blocked day 2
        B: [flat(20.0), flat(20.0), bar(20.4, 20.5, 20.0, 20.2), flat(20.2)],
        C: [flat(5.0), flat(5.0), flat(5.0), flat(5.0)],
        D: [flat(7.0), flat(7.0), flat(7.0), flat(7.0)],
    }
    hooks = FakeHooks(picks=PICKS, exits={(1, A): "NOT_LIMIT_UP", (3, B): "MAX_HOLD"})
    return run(market, hooks, branch=branch)


def _candidates() -> pd.DataFrame:
    pairs = [(pd.Timestamp(day(t)), s) for t, names in PICKS.items() for s in names]
    return pd.DataFrame(pairs, columns=["trade_date", "symbol"])


def _check(result: LoopResult, **overrides: pd.DataFrame) -> list[Violation]:
    tables = {"events": result.events, "trades": result.trades, "equity": result.equity}
    tables.update(overrides)
    return check_no_silent_paths(**tables, candidates=_candidates(), initial_capital_c=CAPITAL)


def _renumbered(events: pd.DataFrame) -> pd.DataFrame:
    events = events.reset_index(drop=True)
    events["seq"] = events.groupby(["trade_date", "phase"]).cumcount() + 1
    return events


def _rules(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(str(v.rule), v.trade_date, v.symbol) for v in violations}


def test_a_clean_run_has_no_violation() -> None:
    assert _check(_result()) == []


def test_the_fixture_exercises_every_obligation() -> None:
    kinds = set(_result().events["event_type"])
    assert {"ENTRY_FILLED", "EXIT_BLOCKED", "EXIT_FILLED", "EXIT_SIGNAL", "HOLD_POSITION",
            "ENTER_SIGNAL", "SKIP", "ORDER_EXPIRED"} <= kinds  # fmt: skip


def test_written_outputs_read_back_check_clean() -> None:
    result = _result()
    tables = {
        name: pd.read_csv(io.StringIO(render(frame)))
        for name, render, frame in (
            ("events", events_csv, result.events),
            ("trades", trades_csv, result.trades),
            ("equity", equity_csv, result.equity),
        )
    }
    assert check_no_silent_paths(**tables, initial_capital_c=CAPITAL) == []


def test_several_branches_are_checked_separately() -> None:
    one, two = _result("one"), _result("two")
    violations = check_no_silent_paths(
        pd.concat([one.events, two.events]),
        pd.concat([one.trades, two.trades]),
        pd.concat([one.equity, two.equity]),
        initial_capital_c=CAPITAL,
    )
    assert violations == []


def test_missing_event_of_a_held_position_is_caught() -> None:
    result = _result()
    ev = result.events
    drop = (ev["trade_date"] == day(1)) & (ev["symbol"] == B) & (ev["phase"] == "CLOSE")
    violations = _check(result, events=_renumbered(ev[~drop]))
    missing = [v for v in violations if v.rule == SilentPathRule.MISSING_EVENT]
    assert [(v.trade_date, v.symbol, v.message) for v in missing] == [
        (day(1), B, "held position has no event")
    ]


def test_duplicated_event_is_caught() -> None:
    result = _result()
    ev = result.events
    copy = ev[(ev["trade_date"] == day(0)) & (ev["symbol"] == A)]
    violations = _check(result, events=_renumbered(pd.concat([ev, copy]).sort_values(
        ["trade_date", "phase", "seq"], kind="stable")))  # fmt: skip
    assert _rules(violations) == {("duplicated_event", day(0), A)}


def test_unknown_reason_code_is_caught() -> None:
    result = _result()
    ev = result.events.copy()
    row = ev.index[(ev["event_type"] == "SKIP")][0]
    ev.loc[row, "reason_code"] = "MYSTERY"
    violations = _check(result, events=ev)
    assert [v.rule for v in violations] == [SilentPathRule.UNKNOWN_REASON]
    assert "'MYSTERY' is not in the runtime reason catalogue" in violations[0].message


def test_layer_differing_from_the_catalogue_is_caught() -> None:
    result = _result()
    ev = result.events.copy()
    ev.loc[ev.index[0], "reason_layer"] = "execution"
    assert [v.rule for v in _check(result, events=ev)] == [SilentPathRule.REASON_MISMATCH]


def test_sequence_gap_is_caught() -> None:
    result = _result()
    ev = result.events.copy()
    ev.loc[ev.index[-1], "seq"] = 99
    assert SilentPathRule.BAD_SEQUENCE in {v.rule for v in _check(result, events=ev)}


def test_fill_pair_without_a_trade_row_is_caught() -> None:
    result = _result()
    violations = _check(result, trades=result.trades.iloc[1:])
    assert _rules(violations) == {("unpaired_fill", day(3), A)}


def test_trade_row_without_a_fill_pair_is_caught() -> None:
    result = _result()
    extra = result.trades.iloc[[0]].assign(symbol=C)
    violations = _check(result, trades=pd.concat([result.trades, extra]))
    assert [v.rule for v in violations] == [SilentPathRule.ORPHAN_TRADE]


def test_trade_row_with_wrong_fees_is_caught() -> None:
    result = _result()
    trades = result.trades.copy()
    trades.loc[trades.index[0], "fees"] += 0.01
    violations = _check(result, trades=trades)
    assert [v.rule for v in violations] == [SilentPathRule.TRADE_MISMATCH]
    assert "fees" in violations[0].message


def test_equity_not_equal_to_cash_plus_market_value_is_caught() -> None:
    result = _result()
    equity = result.equity.copy()
    equity.loc[2, "equity"] += 0.01
    assert _rules(_check(result, equity=equity)) == {("equity_mismatch", day(2), "")}


def test_cash_differing_from_the_replayed_fills_is_caught() -> None:
    result = _result()
    equity = result.equity.copy()
    equity.loc[1, ["cash", "equity"]] += 1.00
    assert _rules(_check(result, equity=equity)) == {("cash_mismatch", day(1), "")}


def test_candidate_without_a_signal_is_caught() -> None:
    result = _result()
    ev = result.events
    drop = (ev["trade_date"] == day(1)) & (ev["symbol"] == A) & (ev["event_type"] == "SKIP")
    violations = _check(result, events=_renumbered(ev[~drop]))
    assert _rules(violations) == {("missing_event", day(1), A)}


def test_pending_order_without_expiry_is_caught() -> None:
    result = _result()
    ev = result.events
    violations = _check(result, events=ev[ev["event_type"] != "ORDER_EXPIRED"])
    assert _rules(violations) == {("missing_event", day(3), B), ("missing_event", day(3), D)}


def test_expiry_before_the_last_session_is_caught() -> None:
    result = _result()
    ev = result.events
    early = ev[ev["event_type"] == "ORDER_EXPIRED"].head(1).assign(trade_date=pd.Timestamp(day(1)))
    early["seq"] = 99
    violations = _check(result, events=_renumbered(pd.concat([ev, early]).sort_values(
        ["trade_date", "phase", "seq"], kind="stable")))  # fmt: skip
    assert ("unexpected_event", day(1), B) in _rules(violations)


def test_missing_equity_row_is_caught() -> None:
    result = _result()
    violations = _check(result, equity=result.equity.drop(index=2))
    assert ("missing_equity_row", day(2), "") in _rules(violations)


@pytest.mark.parametrize("rule", list(SilentPathRule))
def test_every_rule_has_a_stable_name(rule: SilentPathRule) -> None:
    assert str(rule) == rule.name.lower()
