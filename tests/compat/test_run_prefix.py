"""A run cut at a session is the longer run's prefix plus that session's END_OF_DATA
expiries: ``BranchPrefixes`` of one long run gives, byte for byte, the four files of the
run of the market cut at each session (what ``dragon replay`` relies on), and the
monitor of one reduced set of tables gives each session's monitor artifacts."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_compat.monitor import BranchTables, compute_monitor, monitor_at, monitor_inputs
from dragon_compat.pipelines.daily import truncate_at
from dragon_compat.run_prefix import BranchPrefixes
from dragon_runtime import LoopResult, render_branch_outputs
from tests.compat.builders import LIMIT_UP, SUSPENDED, make_bars, path
from tests.compat.market_strategies import normalized_bars

ENGINE = DragonRuleEngine()


def _run(bars: pd.DataFrame, branch: str) -> LoopResult:
    return ENGINE.run(branch=branch, market=ENGINE.prepare(bars))


def _files(result: LoopResult) -> dict[str, bytes]:
    texts = render_branch_outputs(
        events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
    )
    return {name: text.encode() for name, text in texts.items()}


def _cut(bars: pd.DataFrame, day: np.datetime64) -> pd.DataFrame:
    cut, _ = truncate_at(bars, day.astype(object), source="test")
    return cut


def _assert_prefixes(bars: pd.DataFrame, branch: str) -> int:
    """Every session's derived files equal the cut run's; returns the expiry rows seen."""
    prefixes = BranchPrefixes(
        _run(bars, branch), initial_capital_c=ENGINE.loop_config.initial_capital_c
    )
    digests = list(prefixes.digests())
    expiries = 0
    for k, day in enumerate(prefixes.sessions):
        expected = _files(_run(_cut(bars, day), branch))
        derived = prefixes.files(k)
        assert derived == expected, f"{branch} cut at {day}"
        assert digests[k] == {n: hashlib.sha256(b).hexdigest() for n, b in derived.items()}
        expiries += derived["events.csv"].count(b",ORDER_EXPIRED,END_OF_DATA,")
    return expiries


def _relay_market() -> pd.DataFrame:
    """Two-board relays, a suspension while an exit is pending, and a late listing."""
    return make_bars(
        path(
            "600001.SH",
            [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 10.9, SUSPENDED, SUSPENDED, 10.5, 10.4, 10.3],
        ),
        path(
            "600002.SH",
            [8.0, LIMIT_UP, LIMIT_UP, 9.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 10.0, SUSPENDED, 9.9],
            sector="chips",
        ),
        path(
            "000003.SZ",
            [None, None, None, 5.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 5.5, 5.4, 5.6],
            sector="chips",
        ),
        path(
            "600004.SH",
            [20.0, 20.1, LIMIT_UP, LIMIT_UP, SUSPENDED, LIMIT_UP, 24.0, 23.0, 22.0, 21.0],
        ),
    )


def test_every_cut_of_a_relay_market_is_the_long_run_prefix_plus_its_expiries():
    expiries = sum(_assert_prefixes(_relay_market(), branch) for branch in BRANCH_NAMES)
    assert expiries > 0  # the market does leave orders pending at some closes


def test_the_long_run_own_expiries_are_derived_like_any_other_session():
    bars = _relay_market()
    result = _run(bars, "rc1_baseline")
    prefixes = BranchPrefixes(result, initial_capital_c=ENGINE.loop_config.initial_capital_c)
    assert prefixes.files(prefixes.sessions.size - 1) == _files(result)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bars=normalized_bars(max_symbols=5, max_sessions=14))
def test_every_cut_of_a_drawn_market_is_the_long_run_prefix_plus_its_expiries(bars):
    for branch in ("rc1_baseline", "alpha_first"):
        _assert_prefixes(bars, branch)


def test_the_monitor_of_each_session_from_one_set_of_inputs_is_the_cut_run_monitor():
    bars = _relay_market()
    results = {branch: _run(bars, branch) for branch in BRANCH_NAMES}
    tables = {n: BranchTables(r.events, r.trades, r.equity) for n, r in results.items()}
    days = results["alpha_first"].equity["trade_date"].dt.date.tolist()
    inputs = monitor_inputs(tables, upto=days[-1])
    for day in days:
        cut = {branch: _run(_cut(bars, np.datetime64(day, "D")), branch) for branch in BRANCH_NAMES}
        expected = compute_monitor(
            {n: BranchTables(r.events, r.trades, r.equity) for n, r in cut.items()}, as_of=day
        )
        assert monitor_at(inputs, day).files() == expected.files()
