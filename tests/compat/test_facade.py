"""The DragonRuleEngine facade: its pinned public surface, and overridable hooks."""

from __future__ import annotations

import inspect
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from dragon_compat import dragon_strategy
from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.errors import DragonUserError
from dragon_runtime import EventType, HookError, ReasonCode, SessionContext, Signal, Verdict
from tests.compat.builders import LIMIT_UP, make_bars, path

# --- the pinned RC1 surface (the runtime README, Outputs; changing it is a breaking change) ---

RC1_EVENT_COLUMNS = [
    "branch", "trade_date", "phase", "seq", "symbol", "event_type", "reason_code",
    "reason_layer", "reason_family", "reason_tier", "price", "shares", "board_height",
    "alpha_score", "rank", "predicates",
]  # fmt: skip
RC1_TRADE_COLUMNS = [
    "branch", "trade_id", "symbol", "entry_date", "entry_price", "exit_date", "exit_price",
    "shares", "fees", "net_pnl", "return_pct", "hold_sessions", "exit_reason",
]  # fmt: skip
RC1_EQUITY_COLUMNS = [
    "branch", "trade_date", "cash", "market_value", "equity", "positions", "drawdown",
]  # fmt: skip
RC1_SUMMARY_KEYS = [
    "branch", "sessions", "trades", "win_rate", "total_return", "max_drawdown",
    "event_counts", "rc1_schema_version",
]  # fmt: skip

PUBLIC_NAMES = [
    "BRANCH_NAMES", "EQUITY_COLUMNS", "EVENT_COLUMNS", "SUMMARY_KEYS", "TRADE_COLUMNS",
    "DragonRuleEngine", "LoopResult", "PreparedMarket",
]  # fmt: skip

ENGINE_SIGNATURES = {
    "__init__": "(self, *, loop_config: 'LoopConfig | None' = None, "
    "exit_policy: 'ExitPolicy' = ExitPolicy(stop_loss_percent=93, max_hold_sessions=5)) "
    "-> 'None'",
    "prepare": "(self, bars: 'pd.DataFrame') -> 'PreparedMarket'",
    "run": "(self, bars: 'pd.DataFrame | None' = None, "
    "branch: 'str | BranchConfig' = 'rc1_baseline', *, "
    "market: 'PreparedMarket | None' = None) -> 'LoopResult'",
    "run_all": "(self, bars: 'pd.DataFrame | None' = None, "
    "branches: 'Iterable[str | BranchConfig]' = ('rc1_baseline', 'alpha_first', "
    "'alpha_first_selective_veto', 'strict_veto'), *, "
    "market: 'PreparedMarket | None' = None) -> 'dict[str, LoopResult]'",
    "write": "(result: 'LoopResult', directory: 'str | Path') -> 'dict[str, str]'",
    "candidates": "(self, ctx: 'SessionContext', market: 'PreparedMarket') -> 'np.ndarray'",
    "evaluate_predicates": "(self, ctx: 'SessionContext', candidates: 'np.ndarray', "
    "market: 'PreparedMarket') -> 'list[Verdict]'",
    "select": "(self, ctx: 'SessionContext', candidates: 'np.ndarray', "
    "verdicts: 'Sequence[Verdict]', book: 'Book', market: 'PreparedMarket') "
    "-> 'list[Signal]'",
    "exit_rule": "(self, ctx: 'SessionContext', position: 'PositionView', "
    "market: 'PreparedMarket') -> 'str | None'",
}


def test_module_exports_exactly_the_pinned_names():
    assert sorted(dragon_strategy.__all__) == sorted(PUBLIC_NAMES)


def test_public_methods_are_exactly_the_pinned_ones():
    public = {n for n, _ in inspect.getmembers(DragonRuleEngine) if not n.startswith("_")}
    assert public == set(ENGINE_SIGNATURES) - {"__init__"}


@pytest.mark.parametrize("name", sorted(ENGINE_SIGNATURES))
def test_method_signature_is_pinned(name):
    assert str(inspect.signature(getattr(DragonRuleEngine, name))) == ENGINE_SIGNATURES[name]


def test_rc1_column_lists_are_pinned():
    assert list(dragon_strategy.EVENT_COLUMNS) == RC1_EVENT_COLUMNS
    assert list(dragon_strategy.TRADE_COLUMNS) == RC1_TRADE_COLUMNS
    assert list(dragon_strategy.EQUITY_COLUMNS) == RC1_EQUITY_COLUMNS
    assert list(dragon_strategy.SUMMARY_KEYS) == RC1_SUMMARY_KEYS


def test_branch_names_are_the_four_rc1_branches_in_table_order():
    assert dragon_strategy.BRANCH_NAMES == (
        "rc1_baseline",
        "alpha_first",
        "alpha_first_selective_veto",
        "strict_veto",
    )


# --- behaviour on a hand-made market ---------------------------------------------------
# A and B chain limit-ups in one sector (A trades more, so A leads); on session 2 both
# are candidates with height 2: A is selected, B vetoed (not the leader). A is bought
# at session 3's open, continues limit-up at its close, and closes flat on session 4.


@pytest.fixture(scope="module")
def market():
    steps = [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 12.0, 12.0]
    return make_bars(
        path("600001.SH", steps, amount=5e8),
        path("600002.SH", steps, amount=3e8),
    )


def _events(result, symbol, event_type=None):
    events = result.events
    rows = events[events["symbol"].astype(str) == symbol]
    if event_type is not None:
        rows = rows[rows["event_type"].astype(str) == event_type]
    return rows


def _day(frame, i):
    return pd.Timestamp(sorted(frame["trade_date"].unique())[i]).date()


def test_run_returns_the_rc1_tables_with_their_columns(market):
    result = DragonRuleEngine().run(market, "rc1_baseline")
    assert list(result.events.columns) == RC1_EVENT_COLUMNS
    assert list(result.trades.columns) == RC1_TRADE_COLUMNS
    assert list(result.equity.columns) == RC1_EQUITY_COLUMNS
    assert sorted(result.summary) == sorted(RC1_SUMMARY_KEYS)


def test_the_sector_leader_is_selected_and_the_follower_vetoed(market):
    result = DragonRuleEngine().run(market, "rc1_baseline")
    signals = result.events[result.events["event_type"].astype(str).isin(["ENTER_SIGNAL", "VETO"])]
    first = signals[signals["trade_date"].astype(str) == str(_day(market, 2))]
    decided = {str(r.symbol): (str(r.event_type), str(r.reason_code)) for r in first.itertuples()}
    assert decided == {
        "600001.SH": ("ENTER_SIGNAL", "SELECTED"),
        "600002.SH": ("VETO", "L1_SECTOR_LEADER"),
    }


def test_the_default_exit_rule_sells_a_position_that_stops_rising(market):
    result = DragonRuleEngine().run(market, "rc1_baseline")
    exits = _events(result, "600001.SH", "EXIT_SIGNAL")
    assert [str(r) for r in exits["reason_code"]] == ["NOT_LIMIT_UP"]
    assert len(result.trades) == 1


class HoldForever(DragonRuleEngine):
    """A subclass overriding one hook: never exit."""

    def exit_rule(self, ctx, position, market):
        return None


def test_a_subclass_overriding_exit_rule_changes_only_the_exits(market):
    base = DragonRuleEngine().run(market, "rc1_baseline")
    held = HoldForever().run(market, "rc1_baseline")
    assert _events(held, "600001.SH", "EXIT_SIGNAL").empty
    holds = _events(held, "600001.SH", "HOLD_POSITION")
    assert {str(r) for r in holds["reason_code"]} == {"CONTINUES_LIMIT_UP"}
    assert held.trades.empty
    signal_types = ["ENTER_SIGNAL", "VETO", "SKIP", "ENTRY_FILLED"]
    same = base.events[base.events["event_type"].astype(str).isin(signal_types)]
    other = held.events[held.events["event_type"].astype(str).isin(signal_types)]
    pd.testing.assert_frame_equal(same.reset_index(drop=True), other.reset_index(drop=True))


class NoCandidates(DragonRuleEngine):
    def candidates(self, ctx, market):
        return np.zeros(0, dtype=np.int64)


def test_a_subclass_returning_no_candidates_never_trades(market):
    result = NoCandidates().run(market, "rc1_baseline")
    assert result.events.empty
    assert result.trades.empty
    assert (result.equity["equity"] == 1_000_000).all()


class EverythingEnters(DragonRuleEngine):
    """A broken override: signals ENTER for vetoed candidates too."""

    def select(self, ctx, candidates, verdicts, book, market):
        return [
            Signal(int(s), i + 1, EventType.ENTER_SIGNAL, ReasonCode.SELECTED, v.predicates)
            for i, (s, v) in enumerate(zip(candidates, verdicts, strict=True))
        ]


def test_an_override_that_breaks_the_protocol_is_named_in_a_hook_error(market):
    with pytest.raises(HookError, match="select"):
        EverythingEnters().run(market, "rc1_baseline")


def test_an_unknown_branch_is_a_user_error_listing_the_known_ones(market):
    with pytest.raises(DragonUserError, match="alpha_first_selective_veto"):
        DragonRuleEngine().run(market, "no_such_branch")


def test_prepare_once_then_run_all_equals_separate_runs(market):
    engine = DragonRuleEngine()
    together = engine.run_all(market)
    for branch, result in together.items():
        alone = engine.run(market, branch)
        pd.testing.assert_frame_equal(result.events, alone.events)
        assert result.summary == alone.summary


# --- the run's branch is resolved once and bound for the run ----------------------------


def test_a_run_resolves_its_branch_once_not_every_session(market, monkeypatch):
    calls = []
    real = dragon_strategy.get_branch

    def counting(name):
        calls.append(name)
        return real(name)

    monkeypatch.setattr(dragon_strategy, "get_branch", counting)
    result = DragonRuleEngine().run(market, "strict_veto")
    assert len(_events(result, "600002.SH", "VETO")) >= 1  # hooks ran on candidates
    assert calls == ["strict_veto"]


def test_concurrent_runs_of_different_branches_each_see_their_own(market):
    engine = DragonRuleEngine()
    prepared = engine.prepare(market)
    names = dragon_strategy.BRANCH_NAMES
    alone = {name: engine.run(branch=name, market=prepared) for name in names}
    codes = {name: alone[name].events["reason_code"].astype(str).tolist() for name in names}
    assert codes["strict_veto"] != codes["rc1_baseline"]  # a leaked binding would show
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [
            (name, pool.submit(engine.run, branch=name, market=prepared)) for name in names * 3
        ]
    for name, future in futures:
        pd.testing.assert_frame_equal(future.result().events, alone[name].events)


def test_a_hook_called_outside_a_run_resolves_the_branch_by_name(market):
    engine = DragonRuleEngine()
    prepared = engine.prepare(market)
    session = 2
    date = prepared.panel.dates[session]
    candidates = engine.candidates(
        SessionContext(session, date, prepared.panel, "rc1_baseline", False), prepared
    )
    assert len(candidates) == 2
    unknown = SessionContext(session, date, prepared.panel, "no_such_branch", False)
    with pytest.raises(DragonUserError, match="no_such_branch"):
        engine.evaluate_predicates(unknown, candidates, prepared)


class PlainStringOutcomes(DragonRuleEngine):
    """Verdict outcomes spelled as plain strings, as the runtime's types allow."""

    def evaluate_predicates(self, ctx, candidates, market):
        return [
            Verdict(v.predicates, None if v.outcome is None else tuple(map(str, v.outcome)))
            for v in super().evaluate_predicates(ctx, candidates, market)
        ]


def test_plain_string_verdict_outcomes_select_exactly_as_the_enums_do(market):
    base = DragonRuleEngine().run(market, "rc1_baseline")
    plain = PlainStringOutcomes().run(market, "rc1_baseline")
    assert len(_events(base, "600002.SH", "VETO")) == 2  # outcomes did reach select
    pd.testing.assert_frame_equal(base.events, plain.events)
