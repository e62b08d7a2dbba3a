"""The four RC1 branch configurations (docs/strategy.md, Branches) and the demo roles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dragon_compat.branches import (
    ALPHA_TOP_K,
    BRANCHES,
    DEMO_ROLES,
    WEAK_PREDICATE_IDS,
    BranchConfig,
    Ordering,
    branches_markdown,
    get_branch,
)
from dragon_compat.errors import DragonUserError
from dragon_runtime.reasons import ReasonCode


def test_branches_are_the_four_of_the_table_in_order():
    assert list(BRANCHES) == [
        "rc1_baseline",
        "alpha_first",
        "alpha_first_selective_veto",
        "strict_veto",
    ]


@pytest.mark.parametrize(
    ("name", "ordering", "top_k", "vetoes"),
    [
        ("rc1_baseline", Ordering.HEIGHT_FIRST, None, ()),
        ("alpha_first", Ordering.ALPHA_FIRST, 3, ()),
        (
            "alpha_first_selective_veto",
            Ordering.ALPHA_FIRST,
            3,
            ("W1_BROKEN_RATE", "W2_LIMIT_DOWNS"),
        ),
        (
            "strict_veto",
            Ordering.HEIGHT_FIRST,
            None,
            ("W1_BROKEN_RATE", "W2_LIMIT_DOWNS", "W3_HEIGHT_SPACE", "V1_TURNOVER_SPIKE"),
        ),
    ],
)
def test_branch_config_matches_the_table(name, ordering, top_k, vetoes):
    branch = BRANCHES[name]
    assert (branch.name, branch.ordering, branch.top_k) == (name, ordering, top_k)
    assert branch.selective_vetoes == vetoes


def test_alpha_top_k_is_three():
    assert ALPHA_TOP_K == 3


def test_weak_predicates_are_taken_from_the_catalogue_tiers():
    assert WEAK_PREDICATE_IDS == (
        ReasonCode.W1_BROKEN_RATE,
        ReasonCode.W2_LIMIT_DOWNS,
        ReasonCode.W3_HEIGHT_SPACE,
        ReasonCode.V1_TURNOVER_SPIKE,
    )


def test_branch_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BRANCHES["alpha_first"].top_k = 5
    with pytest.raises(TypeError):
        BRANCHES["new"] = BRANCHES["alpha_first"]


def test_a_strong_predicate_cannot_be_a_selective_veto():
    with pytest.raises(ValueError, match=r"S1_HEIGHT_CAP.*not weak"):
        BranchConfig("x", Ordering.HEIGHT_FIRST, None, (ReasonCode.S1_HEIGHT_CAP,))


def test_selective_vetoes_must_be_in_table_order():
    with pytest.raises(ValueError, match="table order"):
        BranchConfig(
            "x",
            Ordering.HEIGHT_FIRST,
            None,
            (ReasonCode.W2_LIMIT_DOWNS, ReasonCode.W1_BROKEN_RATE),
        )


@pytest.mark.parametrize("top_k", [0, -1, True])
def test_top_k_must_be_none_or_positive(top_k):
    with pytest.raises(ValueError, match="top_k"):
        BranchConfig("x", Ordering.ALPHA_FIRST, top_k)


def test_get_branch_returns_the_config():
    assert get_branch("strict_veto") is BRANCHES["strict_veto"]


def test_unknown_branch_is_a_user_error_naming_the_choices():
    with pytest.raises(DragonUserError, match=r"'alpha_last'.*rc1_baseline, alpha_first"):
        get_branch("alpha_last")


def test_demo_roles():
    assert DEMO_ROLES.candidate == "alpha_first"
    assert DEMO_ROLES.reference == "rc1_baseline"
    assert DEMO_ROLES.control == DEMO_ROLES.fallback == "alpha_first_selective_veto"
    assert {DEMO_ROLES.candidate, DEMO_ROLES.reference, DEMO_ROLES.control} <= set(BRANCHES)


def test_strategy_page_embeds_the_branch_table():
    readme = Path(__file__).parents[2] / "docs" / "strategy.md"
    assert branches_markdown() in readme.read_text(encoding="utf-8")
