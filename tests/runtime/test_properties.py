"""Invariants of the loop on random small markets (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_runtime.canonical import render_branch_outputs
from dragon_runtime.loop import LoopConfig, LoopResult
from dragon_runtime.market import limit_prices_cents
from dragon_runtime.reasons import EXIT_REASONS, PREDICATE_IDS, EventType
from dragon_runtime.silent_paths import check_no_silent_paths
from tests.runtime.builders import Bar, FakeHooks, make_panel, run, sessions

SYMBOLS = [f"60000{i}.SH" for i in range(1, 5)]
SKIP_CODES = ["DATA_MISSING", "ALPHA_RANK_CUTOFF"]


@dataclass
class Case:
    market: dict[str, list[Bar | None]]
    hooks: FakeHooks
    config: LoopConfig


@st.composite
def bars_of(draw: st.DrawFn, count: int, always_listed: bool) -> list[Bar | None]:
    pre = draw(st.integers(300, 5_000))
    out: list[Bar | None] = []
    for _ in range(count):
        kind = draw(st.sampled_from(["row"] * 5 + ["zero"] + ([] if always_listed else ["none"])))
        if kind == "none":
            out.append(None)
            continue
        up, down = (int(x[0]) for x in limit_prices_cents([pre], [10]))
        price = st.one_of(st.just(up), st.just(down), st.integers(down, up))
        open_, close = draw(price), draw(price)
        high = draw(st.integers(max(open_, close), up))
        low = draw(st.integers(down, min(open_, close)))
        volume = 0.0 if kind == "zero" else 1_000_000.0
        out.append(Bar(open_ / 100, high / 100, low / 100, close / 100, volume, pre / 100))
        pre = close
    return out


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n_symbols = draw(st.integers(2, 4))
    n_sessions = draw(st.integers(3, 8))
    names = SYMBOLS[:n_symbols]
    market = {s: draw(bars_of(n_sessions, always_listed=i == 0)) for i, s in enumerate(names)}
    picks: dict[int, list[str]] = {}
    outcomes: dict[tuple[int, str], tuple[EventType, str]] = {}
    exits: dict[tuple[int, str], str] = {}
    for t in range(n_sessions):
        tradable = [s for s in names if market[s][t] is not None and market[s][t].volume > 0]
        chosen = draw(st.permutations(tradable).map(lambda p: p[: len(p)]))
        picks[t] = chosen[: draw(st.integers(0, len(chosen)))]
        for s in picks[t]:
            outcome = draw(st.sampled_from([None, None, "veto", "skip"]))
            if outcome == "veto":
                outcomes[(t, s)] = (EventType.VETO, draw(st.sampled_from(PREDICATE_IDS)))
            elif outcome == "skip":
                outcomes[(t, s)] = (EventType.SKIP, draw(st.sampled_from(SKIP_CODES)))
        for s in names:
            if draw(st.booleans()):
                exits[(t, s)] = draw(st.sampled_from(EXIT_REASONS))
    config = LoopConfig(
        initial_capital_c=draw(st.sampled_from([200_000, 3_000_000, 100_000_000])),
        max_positions=draw(st.integers(1, 5)),
    )
    return Case(market, FakeHooks(picks=picks, outcomes=outcomes, exits=exits), config)


def _run(case: Case) -> LoopResult:
    hooks = FakeHooks(picks=case.hooks.picks, outcomes=case.hooks.outcomes, exits=case.hooks.exits)
    return run(case.market, hooks, config=case.config)


def _candidates(case: Case) -> pd.DataFrame:
    days = sessions(len(next(iter(case.market.values()))))
    pairs = [(pd.Timestamp(days[t]), s) for t, names in case.hooks.picks.items() for s in names]
    return pd.DataFrame(pairs, columns=["trade_date", "symbol"])


PROPERTY = settings(max_examples=40)


@PROPERTY
@given(cases())
def test_cash_never_goes_negative(case: Case) -> None:
    assert (_run(case).equity["cash"] >= 0).all()


@PROPERTY
@given(cases())
def test_positions_never_exceed_the_cap(case: Case) -> None:
    assert (_run(case).equity["positions"] <= case.config.max_positions).all()


@PROPERTY
@given(cases())
def test_every_filled_entry_ends_in_a_trade_row_or_an_open_position(case: Case) -> None:
    result = _run(case)
    filled = int((result.events["event_type"] == "ENTRY_FILLED").sum())
    still_open = int(result.equity["positions"].iloc[-1])
    assert filled == len(result.trades) + still_open


@PROPERTY
@given(cases())
def test_equity_is_cash_plus_market_value_to_the_cent(case: Case) -> None:
    equity = _run(case).equity
    cents = {c: np.rint(equity[c].to_numpy() * 100).astype(np.int64) for c in
             ("cash", "market_value", "equity")}  # fmt: skip
    assert np.array_equal(cents["cash"] + cents["market_value"], cents["equity"])


@PROPERTY
@given(cases())
def test_no_silent_path_on_random_markets(case: Case) -> None:
    result = _run(case)
    violations = check_no_silent_paths(
        result.events,
        result.trades,
        result.equity,
        candidates=_candidates(case),
        initial_capital_c=case.config.initial_capital_c,
    )
    assert violations == []


@PROPERTY
@given(cases())
def test_fills_never_cross_the_daily_limits(case: Case) -> None:
    result = _run(case)
    panel = make_panel(case.market)
    days = [d.isoformat() for d in panel.dates]
    for record in result.events[result.events["event_type"].str.endswith("_FILLED")].itertuples():
        t = days.index(record.trade_date.date().isoformat())
        n = panel.symbol_index(record.symbol)
        price_c = round(record.price * 100)
        if record.event_type == "ENTRY_FILLED":
            assert price_c <= panel.up_limit_c[t, n]
        else:
            assert price_c >= panel.down_limit_c[t, n]


@PROPERTY
@given(cases())
def test_outputs_are_byte_identical_across_runs(case: Case) -> None:
    first, second = _run(case), _run(case)
    texts = [
        render_branch_outputs(events=r.events, trades=r.trades, equity=r.equity, summary=r.summary)
        for r in (first, second)
    ]
    assert texts[0] == texts[1]
