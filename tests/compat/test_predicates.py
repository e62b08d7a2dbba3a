"""The twelve RC1 predicates (docs/strategy.md): PASS / FAIL / UNAVAILABLE, weak-family
isolation and the recorded predicates string."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dragon_compat import predicates as pred
from dragon_compat.features import compute_features
from dragon_compat.predicates import (
    PREDICATE_BY_ID,
    PREDICATES,
    Outcome,
    Predicate,
    evaluate,
    predicates_markdown,
    predicates_strings,
)
from dragon_runtime.reasons import PREDICATE_IDS, REASON_CATALOGUE, Family, Tier
from tests.compat.builders import LIMIT_UP, at, make_bars, path

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNAVAILABLE

#: Every input column at a value that passes all twelve predicates.
PASSING = {
    "board_height": 3,
    "is_one_word": False,
    "is_st": False,
    "days_listed": 250,
    "is_sector_leader": True,
    "sector_limit_ups": 3.0,
    "amount": 2e8,
    "turnover_rate": 8.0,
    "broken_rate": 0.2,
    "market_limit_downs": 4,
    "max_height": 4,
    "turnover_ma5": 5.0,
}


def rows(**columns):
    """A one-column-per-input frame: PASSING values, overridden by lists in ``columns``."""
    n = max((len(v) for v in columns.values()), default=1)
    data = {name: [value] * n for name, value in PASSING.items()}
    data.update(columns)
    return pd.DataFrame(data)


def outcome_of(predicate_id, **columns):
    return PREDICATE_BY_ID[predicate_id].evaluate(rows(**columns)).tolist()


# (predicate, {column: values}, expected outcomes) — boundaries on both sides and NaN.
CASES = [
    ("S1_HEIGHT_CAP", {"board_height": [5, 6, 2]}, [P, F, P]),
    ("S2_NOT_ONE_WORD", {"is_one_word": [False, True]}, [P, F]),
    ("S3_NOT_ST", {"is_st": [False, True]}, [P, F]),
    ("S4_SEASONED", {"days_listed": [60, 59, 1_000_000]}, [P, F, P]),
    ("L1_SECTOR_LEADER", {"is_sector_leader": [True, False]}, [P, F]),
    ("L2_SECTOR_HEAT", {"sector_limit_ups": [2.0, 1.0, math.nan]}, [P, F, U]),
    ("Q1_MIN_AMOUNT", {"amount": [1e8, 99_999_999.99, math.nan]}, [P, F, U]),
    ("Q2_TURNOVER_BAND", {"turnover_rate": [3.0, 35.0, 2.99, 35.01, math.nan]}, [P, P, F, F, U]),
    ("W1_BROKEN_RATE", {"broken_rate": [0.35, 0.3501, 0.0, math.nan]}, [P, F, P, U]),
    ("W2_LIMIT_DOWNS", {"market_limit_downs": [15, 16]}, [P, F]),
    ("W3_HEIGHT_SPACE", {"max_height": [3, 2]}, [P, F]),
    (
        "V1_TURNOVER_SPIKE",
        {"turnover_rate": [10.0, 10.01, 10.0, math.nan], "turnover_ma5": [4.0, 4.0, math.nan, 4.0]},
        [P, F, U, U],
    ),
]


@pytest.mark.parametrize(("predicate_id", "columns", "expected"), CASES, ids=[c[0] for c in CASES])
def test_predicate_passes_fails_and_is_unavailable_on_nan(predicate_id, columns, expected):
    assert outcome_of(predicate_id, **columns) == expected


def test_every_predicate_has_a_case():
    assert [case[0] for case in CASES] == list(PREDICATE_IDS)


def test_predicates_follow_the_runtime_catalogue_table_order():
    assert tuple(p.id for p in PREDICATES) == PREDICATE_IDS


def test_families_and_tiers_come_from_the_runtime_catalogue():
    for p in PREDICATES:
        assert (p.family, p.tier) == (REASON_CATALOGUE[p.id].family, REASON_CATALOGUE[p.id].tier)
    assert [p.tier for p in PREDICATES] == [Tier.STRONG] * 8 + [Tier.WEAK] * 4
    assert PREDICATE_BY_ID["V1_TURNOVER_SPIKE"].family is Family.VOLUME_DIVERGENCE


def test_sector_leader_is_unavailable_when_the_sector_is_unknown():
    unknown = {"is_sector_leader": [True, False], "sector_limit_ups": [math.nan] * 2}
    assert outcome_of("L1_SECTOR_LEADER", **unknown) == [U, U]


def test_object_columns_with_none_are_unavailable_on_those_rows():
    columns = {"is_st": pd.Series([False, None, True], dtype=object)}
    assert outcome_of("S3_NOT_ST", **columns) == [P, U, F]


def test_pandas_nullable_columns_with_na_are_unavailable_on_those_rows():
    columns = {"is_one_word": pd.Series([False, pd.NA, True], dtype="boolean")}
    assert outcome_of("S2_NOT_ONE_WORD", **columns) == [P, U, F]


def test_evaluate_returns_an_int8_matrix_in_predicate_order():
    matrix = evaluate(rows(board_height=[3, 7], is_st=[False, True]))
    assert matrix.dtype == np.int8 and matrix.shape == (2, 12)
    assert matrix[0].tolist() == [P] * 12
    assert matrix[1].tolist() == [F, P, F] + [P] * 9


def test_evaluate_accepts_a_mapping_of_arrays():
    data = {name: np.array([value, value]) for name, value in PASSING.items()}
    assert evaluate(data).tolist() == [[P] * 12] * 2


def test_evaluate_on_features_of_a_real_market():
    bars = make_bars(
        path("600001.SH", [10.0, LIMIT_UP, LIMIT_UP], amount=5e7),
        path("000002.SZ", [5.0, LIMIT_UP, LIMIT_UP], is_st=True, turnover_rate=[4, 4, 40.0]),
    )
    frame = bars.join(compute_features(bars))
    candidates = frame[frame["is_candidate"]]
    matrix = evaluate(candidates)
    by_symbol = dict(zip(candidates["symbol"].astype(str), matrix.tolist(), strict=True))
    # L1: 000002.SZ has the larger amount; Q1: 600001.SH trades 5e7 < 1e8;
    # Q2: 000002.SZ turns over 40 %; W3: max height is 2; V1: no turnover history.
    assert by_symbol["600001.SH"] == [P, P, P, P, F, P, F, P, P, P, F, U]
    assert by_symbol["000002.SZ"] == [P, P, F, P, P, P, P, F, P, P, F, U]
    assert at(frame, "600001.SH", 2).is_candidate


# --- isolation -----------------------------------------------------------------------


def _raising(*_):
    raise ZeroDivisionError("boom")


def _replace(predicate_id, rule):
    return tuple(
        Predicate(p.id, p.inputs, rule, p.passes_when) if p.id == predicate_id else p
        for p in PREDICATES
    )


def test_a_weak_predicate_that_raises_is_unavailable_and_changes_nothing_else():
    frame = rows(board_height=[3, 7], broken_rate=[0.9, 0.1])
    baseline = evaluate(frame)
    broken = evaluate(frame, predicates=_replace("W1_BROKEN_RATE", _raising))
    w1 = PREDICATE_IDS.index("W1_BROKEN_RATE")
    assert broken[:, w1].tolist() == [U, U]
    others = [j for j in range(12) if j != w1]
    assert np.array_equal(broken[:, others], baseline[:, others])


def test_a_strong_predicate_that_raises_is_unavailable_only_for_itself():
    frame = rows(is_st=[True, False])
    broken = evaluate(frame, predicates=_replace("S1_HEIGHT_CAP", _raising))
    assert broken[:, 0].tolist() == [U, U]
    assert broken[:, 2].tolist() == [F, P]


def test_a_raising_predicate_is_logged_with_its_id(caplog):
    with caplog.at_level(logging.WARNING, logger="dragon_compat.predicates"):
        evaluate(rows(), predicates=_replace("V1_TURNOVER_SPIKE", _raising))
    assert "V1_TURNOVER_SPIKE" in caplog.text and "ZeroDivisionError" in caplog.text


def test_a_rule_returning_the_wrong_shape_is_unavailable():
    five = _replace("W2_LIMIT_DOWNS", lambda downs: np.array([True] * 5))
    outcome = evaluate(rows(), predicates=five)
    assert outcome[0, PREDICATE_IDS.index("W2_LIMIT_DOWNS")] == U


def test_a_missing_input_column_makes_only_its_predicates_unavailable():
    frame = rows().drop(columns=["turnover_ma5"])
    outcome = evaluate(frame)[0].tolist()
    assert outcome == [P] * 11 + [U]


def test_predicates_are_evaluated_with_their_thresholds():
    assert (pred.HEIGHT_CAP, pred.SEASONED_MIN_DAYS, pred.SECTOR_HEAT_MIN) == (5, 60, 2)
    assert (pred.MIN_AMOUNT_CNY, pred.TURNOVER_BAND) == (1e8, (3.0, 35.0))
    assert (pred.BROKEN_RATE_MAX, pred.LIMIT_DOWNS_MAX, pred.HEIGHT_SPACE_MIN) == (0.35, 15, 3)
    assert pred.TURNOVER_SPIKE_MULTIPLE == 2.5


# --- the recorded string ---------------------------------------------------------------


def test_predicates_string_lists_all_twelve_full_ids_in_table_order():
    matrix = np.array([[P] * 11 + [U]], dtype=np.int8)
    assert predicates_strings(matrix).tolist() == [
        "S1_HEIGHT_CAP=P;S2_NOT_ONE_WORD=P;S3_NOT_ST=P;S4_SEASONED=P;L1_SECTOR_LEADER=P;"
        "L2_SECTOR_HEAT=P;Q1_MIN_AMOUNT=P;Q2_TURNOVER_BAND=P;W1_BROKEN_RATE=P;"
        "W2_LIMIT_DOWNS=P;W3_HEIGHT_SPACE=P;V1_TURNOVER_SPIKE=U"
    ]


def test_predicates_strings_are_row_aligned():
    matrix = np.array([[F] + [P] * 11, [P] * 12, [F] + [P] * 11], dtype=np.int8)
    texts = predicates_strings(matrix)
    assert texts[0] == texts[2] != texts[1]
    assert texts[0].startswith("S1_HEIGHT_CAP=F;S2_NOT_ONE_WORD=P")


def test_predicates_strings_of_no_rows_is_empty():
    assert predicates_strings(np.zeros((0, 12), dtype=np.int8)).shape == (0,)


def test_predicates_strings_reject_a_matrix_of_the_wrong_width():
    with pytest.raises(ValueError, match="12 predicates"):
        predicates_strings(np.zeros((1, 11), dtype=np.int8))


def test_predicates_strings_reject_an_unknown_code():
    with pytest.raises(ValueError, match="not PASS, FAIL or UNAVAILABLE"):
        predicates_strings(np.full((1, 12), 3, dtype=np.int8))


def test_strategy_page_embeds_the_predicate_table():
    readme = Path(__file__).parents[2] / "docs" / "strategy.md"
    assert predicates_markdown() in readme.read_text(encoding="utf-8")
