"""Extraction parity (compat README, "Golden guardrails"): the runtime-driven facade and the plain
reference loop produce byte-identical RC1 files.

``tests/compat/reference_loop.py`` re-implements RC1 from its rules without
importing dragon_runtime; if the extraction changed any behaviour — an order, a
rounding, a tie — some market below makes the bytes differ.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from dragon_compat.dragon_strategy import BRANCH_NAMES, DragonRuleEngine
from dragon_runtime.canonical import render_branch_outputs
from tests.compat.market_strategies import normalized_bars, random_market
from tests.compat.reference_loop import reference_run


def engine_bytes(bars, branch, engine=None, market=None):
    result = (engine or DragonRuleEngine()).run(bars, branch, market=market)
    texts = render_branch_outputs(
        events=result.events, trades=result.trades, equity=result.equity, summary=result.summary
    )
    return {name: text.encode("utf-8") for name, text in texts.items()}


def assert_same_bytes(bars, branch, engine=None, market=None):
    mine = engine_bytes(bars, branch, engine, market)
    reference = reference_run(bars, branch)
    assert mine.keys() == reference.keys()
    for name in mine:
        if mine[name] != reference[name]:
            ours, theirs = mine[name].decode().splitlines(), reference[name].decode().splitlines()
            row = next(
                (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                min(len(ours), len(theirs)),
            )
            pytest.fail(
                f"{branch}/{name} differs at row {row}:\n"
                f"  runtime:   {ours[row] if row < len(ours) else '<end>'}\n"
                f"  reference: {theirs[row] if row < len(theirs) else '<end>'}"
            )


@settings(max_examples=60)
@given(bars=normalized_bars(max_symbols=8))
def test_parity_on_small_random_markets(bars):
    engine = DragonRuleEngine()
    market = engine.prepare(bars)
    for branch in BRANCH_NAMES:
        assert_same_bytes(bars, branch, engine, market)


@settings(max_examples=15)
@given(bars=normalized_bars(min_symbols=10, max_symbols=16, min_sessions=15, max_sessions=30))
def test_parity_on_crowded_random_markets(bars):
    engine = DragonRuleEngine()
    market = engine.prepare(bars)
    for branch in BRANCH_NAMES:
        assert_same_bytes(bars, branch, engine, market)


@pytest.mark.parametrize("branch", BRANCH_NAMES)
def test_parity_on_a_seeded_market_of_120_symbols(branch):
    bars = random_market(11, n_symbols=120, n_sessions=120)
    assert_same_bytes(bars, branch)
