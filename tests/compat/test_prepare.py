"""dragon_compat.prepare: the four named steps and their composition, on a hand-made market."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dragon_compat import dragon_strategy, prepare
from dragon_compat.dragon_strategy import DragonRuleEngine
from dragon_compat.predicates import evaluate, predicates_strings
from dragon_runtime import LIMIT_ANNOTATION_COLUMNS
from tests.compat.builders import LIMIT_UP, SUSPENDED, make_bars, path

# Session 2: A and B (one sector) are candidates at height 2; session 3: A and B at 3,
# C (other sector) at 2; C is suspended on session 4 and limit-up again on 5 (height 3,
# carried over the suspension).
STEPS_AB = [10.0, LIMIT_UP, LIMIT_UP, LIMIT_UP, 12.0, 12.0]
STEPS_C = [8.0, 8.0, LIMIT_UP, LIMIT_UP, SUSPENDED, LIMIT_UP]


@pytest.fixture(scope="module")
def bars() -> pd.DataFrame:
    return make_bars(
        path("600001.SH", STEPS_AB, amount=5e8),
        path("600002.SH", STEPS_AB, amount=3e8),
        path("000003.SZ", STEPS_C, sector="CHIPS"),
    )


def _chained(bars: pd.DataFrame) -> prepare.PreparedMarket:
    annotated = prepare.annotate(bars)
    features = prepare.featurize(annotated)
    panel = prepare.build_panel(annotated, features)
    candidates = prepare.evaluate_candidates(annotated, features, panel)
    return prepare.assemble(annotated, features, panel, candidates)


def test_the_facade_exports_the_prepare_modules_market_type():
    assert dragon_strategy.PreparedMarket is prepare.PreparedMarket


def _assert_same_market(one: prepare.PreparedMarket, other: prepare.PreparedMarket) -> None:
    pd.testing.assert_frame_equal(one.bars, other.bars)
    pd.testing.assert_frame_equal(one.features, other.features)
    for name in ("candidate_rows", "session_bounds", "outcomes", "predicate_texts"):
        np.testing.assert_array_equal(getattr(one, name), getattr(other, name), err_msg=name)
    np.testing.assert_array_equal(one.panel.close_c, other.panel.close_c)
    assert sorted(one.hook_columns) == sorted(other.hook_columns)


def test_prepare_market_is_exactly_the_named_steps_chained(bars):
    # the benchmark times the steps one by one; this keeps them the whole of prepare
    market = prepare.prepare_market(bars)
    _assert_same_market(market, _chained(bars))
    assert sorted(market.hook_columns) == sorted(prepare.HOOK_COLUMNS)


def test_the_engine_prepare_delegates_to_prepare_market(bars):
    _assert_same_market(DragonRuleEngine().prepare(bars), prepare.prepare_market(bars))


def test_step_one_appends_the_runtime_limit_columns(bars):
    annotated = prepare.annotate(bars)
    assert list(annotated.columns) == [*bars.columns, *LIMIT_ANNOTATION_COLUMNS]


def test_the_panel_carries_board_height_over_a_suspension(bars):
    annotated = prepare.annotate(bars)
    panel = prepare.build_panel(annotated, prepare.featurize(annotated))
    c = panel.symbol_index("000003.SZ")
    heights = panel.annotation("board_height")[:, c].tolist()
    assert heights == [0, 0, 1, 2, 2, 3]
    assert np.isnan(panel.annotation("alpha_score")[4, c])  # suspended: no alpha


def test_candidates_are_grouped_by_session_with_their_own_predicates(bars):
    annotated = prepare.annotate(bars)
    features = prepare.featurize(annotated)
    panel = prepare.build_panel(annotated, features)
    result = prepare.evaluate_candidates(annotated, features, panel)
    per_session = [
        sorted(str(s) for s in annotated["symbol"].to_numpy()[result.rows[lo:hi]])
        for lo, hi in zip(result.session_bounds[:-1], result.session_bounds[1:], strict=True)
    ]
    assert per_session == [
        [], [], ["600001.SH", "600002.SH"],
        ["000003.SZ", "600001.SH", "600002.SH"], [], ["000003.SZ"],
    ]  # fmt: skip
    assert result.outcomes.shape == (len(result.rows), 12)
    np.testing.assert_array_equal(result.texts, predicates_strings(result.outcomes))


def test_evaluate_rows_evaluates_any_rows_in_the_order_given(bars):
    annotated = prepare.annotate(bars)
    features = prepare.featurize(annotated)
    rows = np.flatnonzero(features["is_candidate"].to_numpy())[::-1]
    outcomes, texts = prepare.evaluate_rows(annotated, features, rows)
    np.testing.assert_array_equal(
        outcomes, evaluate(pd.concat([annotated, features], axis=1).iloc[rows])
    )
    np.testing.assert_array_equal(texts, predicates_strings(outcomes))


def test_a_market_without_candidates_prepares_empty_outcomes():
    flat = make_bars(path("600001.SH", [10.0, 10.1, 10.2]))
    market = prepare.prepare_market(flat)
    assert market.candidate_rows.size == 0
    assert market.outcomes.shape == (0, 12)
    assert market.session_bounds.tolist() == [0, 0, 0, 0]
