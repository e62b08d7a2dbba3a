"""The branch selection rule (docs/strategy.md, From verdicts to signals) on hand-made sessions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dragon_compat.branches import BRANCHES, BranchConfig, Ordering
from dragon_compat.predicates import Outcome
from dragon_compat.selection import CandidateDecision, as_screened, rank_order, screen, select
from dragon_runtime.reasons import PREDICATE_IDS, EventType, ReasonCode

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNAVAILABLE
BASELINE, ALPHA = BRANCHES["rc1_baseline"], BRANCHES["alpha_first"]
SELECTIVE, STRICT = BRANCHES["alpha_first_selective_veto"], BRANCHES["strict_veto"]
ENTER = (EventType.ENTER_SIGNAL, ReasonCode.SELECTED)


def veto(code):
    return (EventType.VETO, ReasonCode(code))


def skip(code):
    return (EventType.SKIP, ReasonCode(code))


def cand(symbol, height=2, amount=2e8, alpha=2.5, held=False, **outcomes):
    """A candidate; predicate outcomes default to PASS, override as ``W1_BROKEN_RATE=F``."""
    row = [outcomes.get(pid, P) for pid in PREDICATE_IDS]
    unknown = set(outcomes) - set(PREDICATE_IDS)
    assert not unknown, unknown
    return {
        "symbol": symbol,
        "height": height,
        "amount": amount,
        "alpha": alpha,
        "held": held,
        "row": row,
    }


def decide_all(cands, branch, free_slots=5):
    """``{symbol: (rank, event_type, reason_code)}`` plus the decisions themselves."""
    decisions = select(
        symbols=[c["symbol"] for c in cands],
        board_height=[c["height"] for c in cands],
        amount=[c["amount"] for c in cands],
        alpha_score=[c["alpha"] for c in cands],
        outcomes=np.array([c["row"] for c in cands], dtype=np.int8).reshape(len(cands), 12),
        held=[c["held"] for c in cands],
        free_slots=free_slots,
        branch=branch,
    )
    return {cands[d.index]["symbol"]: (d.rank, (d.event_type, d.reason_code)) for d in decisions}


def outcomes_of(cands, branch, free_slots=5):
    return {s: outcome for s, (_, outcome) in decide_all(cands, branch, free_slots).items()}


def ranks_of(cands, branch):
    by_rank = sorted(decide_all(cands, branch).items(), key=lambda item: item[1][0])
    return [symbol for symbol, _ in by_rank]


# --- ordering ------------------------------------------------------------------------


def test_baseline_orders_by_height_then_amount_then_symbol():
    cands = [
        cand("600003.SH", height=2, amount=5e8),
        cand("600002.SH", height=3, amount=1e8),
        cand("600001.SH", height=2, amount=5e8),
        cand("000009.SZ", height=2, amount=9e8, alpha=99.0),
    ]
    assert ranks_of(cands, BASELINE) == ["600002.SH", "000009.SZ", "600001.SH", "600003.SH"]


def test_alpha_branches_order_by_alpha_then_the_baseline_keys():
    cands = [
        cand("600001.SH", height=4, alpha=4.3),
        cand("600002.SH", height=2, alpha=5.0),
        cand("600004.SH", height=3, amount=1e8, alpha=4.3),
        cand("600003.SH", height=3, amount=3e8, alpha=4.3),
    ]
    expected = ["600002.SH", "600001.SH", "600003.SH", "600004.SH"]
    assert ranks_of(cands, ALPHA) == ranks_of(cands, SELECTIVE) == expected


def test_strict_veto_orders_like_the_baseline():
    cands = [cand("600001.SH", height=2, alpha=9.0), cand("600002.SH", height=3, alpha=1.0)]
    assert ranks_of(cands, STRICT) == ["600002.SH", "600001.SH"]


def test_a_nan_alpha_score_ranks_last():
    cands = [cand("600001.SH", height=5, alpha=math.nan), cand("600002.SH", alpha=2.1)]
    assert ranks_of(cands, ALPHA) == ["600002.SH", "600001.SH"]


def test_ranks_cover_every_candidate_whatever_its_outcome():
    cands = [
        cand("600001.SH", height=5, S3_NOT_ST=F),
        cand("600002.SH", height=4, Q1_MIN_AMOUNT=U),
        cand("600003.SH", height=3, held=True),
        cand("600004.SH", height=2),
    ]
    result = decide_all(cands, BASELINE)
    assert [result[s][0] for s in ("600001.SH", "600002.SH", "600003.SH", "600004.SH")] == [
        1,
        2,
        3,
        4,
    ]


def test_decisions_come_in_rank_order_and_point_back_to_their_input():
    decisions = select(
        symbols=["600001.SH", "600002.SH"],
        board_height=[2, 3],
        amount=[2e8, 2e8],
        alpha_score=[2.2, 3.2],
        outcomes=np.zeros((2, 12), dtype=np.int8),
        held=[False, False],
        free_slots=5,
        branch=BASELINE,
    )
    assert decisions == (
        CandidateDecision(1, 1, EventType.ENTER_SIGNAL, ReasonCode.SELECTED),
        CandidateDecision(0, 2, EventType.ENTER_SIGNAL, ReasonCode.SELECTED),
    )


def test_rank_order_of_no_candidates_is_empty():
    assert rank_order([], [], [], [], Ordering.ALPHA_FIRST).tolist() == []


# --- vetoes ------------------------------------------------------------------------------


def test_first_strong_fail_in_table_order_vetoes():
    cands = [cand("600001.SH", Q1_MIN_AMOUNT=F, S3_NOT_ST=F, L2_SECTOR_HEAT=F)]
    assert outcomes_of(cands, BASELINE) == {"600001.SH": veto("S3_NOT_ST")}


def test_weak_fail_never_vetoes_a_branch_without_selective_vetoes():
    cands = [cand("600001.SH", W1_BROKEN_RATE=F, W2_LIMIT_DOWNS=F, V1_TURNOVER_SPIKE=F)]
    assert outcomes_of(cands, BASELINE) == {"600001.SH": ENTER}
    assert outcomes_of(cands, ALPHA) == {"600001.SH": ENTER}


def test_selective_weak_fail_vetoes():
    assert outcomes_of([cand("600001.SH", W2_LIMIT_DOWNS=F)], SELECTIVE) == {
        "600001.SH": veto("W2_LIMIT_DOWNS")
    }


def test_weak_fail_outside_the_selective_set_does_not_veto():
    cands = [cand("600001.SH", W3_HEIGHT_SPACE=F, V1_TURNOVER_SPIKE=F)]
    assert outcomes_of(cands, SELECTIVE) == {"600001.SH": ENTER}


def test_first_selective_fail_in_table_order_vetoes():
    cands = [cand("600001.SH", V1_TURNOVER_SPIKE=F, W3_HEIGHT_SPACE=F)]
    assert outcomes_of(cands, STRICT) == {"600001.SH": veto("W3_HEIGHT_SPACE")}


def test_strong_fail_takes_precedence_over_a_selective_weak_fail():
    cands = [cand("600001.SH", W1_BROKEN_RATE=F, Q2_TURNOVER_BAND=F)]
    assert outcomes_of(cands, STRICT) == {"600001.SH": veto("Q2_TURNOVER_BAND")}


def test_selective_weak_unavailable_does_not_veto():
    cands = [cand("600001.SH", W1_BROKEN_RATE=U, W2_LIMIT_DOWNS=U)]
    assert outcomes_of(cands, SELECTIVE) == {"600001.SH": ENTER}


def test_weak_unavailable_never_skips():
    cands = [cand("600001.SH", W1_BROKEN_RATE=U, W3_HEIGHT_SPACE=U, V1_TURNOVER_SPIKE=U)]
    assert outcomes_of(cands, STRICT) == {"600001.SH": ENTER}


# --- skips -------------------------------------------------------------------------------


def test_strong_unavailable_is_data_missing():
    assert outcomes_of([cand("600001.SH", L1_SECTOR_LEADER=U)], BASELINE) == {
        "600001.SH": skip("DATA_MISSING")
    }


def test_a_later_strong_fail_vetoes_before_an_earlier_unavailable():
    cands = [cand("600001.SH", S1_HEIGHT_CAP=U, Q1_MIN_AMOUNT=F)]
    assert outcomes_of(cands, BASELINE) == {"600001.SH": veto("Q1_MIN_AMOUNT")}


def test_a_selective_weak_fail_vetoes_before_strong_unavailable():
    cands = [cand("600001.SH", S4_SEASONED=U, W1_BROKEN_RATE=F)]
    assert outcomes_of(cands, SELECTIVE) == {"600001.SH": veto("W1_BROKEN_RATE")}


def test_held_symbol_is_already_held():
    assert outcomes_of([cand("600001.SH", held=True)], BASELINE) == {
        "600001.SH": skip("ALREADY_HELD")
    }


def test_veto_and_data_missing_take_precedence_over_already_held():
    cands = [
        cand("600001.SH", held=True, S2_NOT_ONE_WORD=F),
        cand("600002.SH", held=True, Q2_TURNOVER_BAND=U),
    ]
    assert outcomes_of(cands, BASELINE) == {
        "600001.SH": veto("S2_NOT_ONE_WORD"),
        "600002.SH": skip("DATA_MISSING"),
    }


def test_alpha_cutoff_counts_only_candidates_still_eligible():
    cands = [
        cand("600001.SH", alpha=9.0, S3_NOT_ST=F),
        cand("600002.SH", alpha=8.0, held=True),
        cand("600003.SH", alpha=7.0, Q1_MIN_AMOUNT=U),
        cand("600004.SH", alpha=6.0),
        cand("600005.SH", alpha=5.0),
        cand("600006.SH", alpha=4.0),
        cand("600007.SH", alpha=3.0),
        cand("600008.SH", alpha=2.0, S3_NOT_ST=F),
    ]
    assert outcomes_of(cands, ALPHA) == {
        "600001.SH": veto("S3_NOT_ST"),
        "600002.SH": skip("ALREADY_HELD"),
        "600003.SH": skip("DATA_MISSING"),
        "600004.SH": ENTER,
        "600005.SH": ENTER,
        "600006.SH": ENTER,
        "600007.SH": skip("ALPHA_RANK_CUTOFF"),
        "600008.SH": veto("S3_NOT_ST"),
    }


def test_alpha_cutoff_takes_precedence_over_no_free_slot():
    cands = [cand(f"60000{i}.SH", alpha=9.0 - i) for i in range(1, 6)]
    assert outcomes_of(cands, ALPHA, free_slots=1) == {
        "600001.SH": ENTER,
        "600002.SH": skip("NO_FREE_SLOT"),
        "600003.SH": skip("NO_FREE_SLOT"),
        "600004.SH": skip("ALPHA_RANK_CUTOFF"),
        "600005.SH": skip("ALPHA_RANK_CUTOFF"),
    }


def test_no_free_slot_once_the_free_slots_are_taken():
    cands = [cand(f"60000{i}.SH", height=9 - i) for i in range(1, 8)]
    result = outcomes_of(cands, BASELINE, free_slots=5)
    assert [result[f"60000{i}.SH"] for i in range(1, 8)] == [ENTER] * 5 + [skip("NO_FREE_SLOT")] * 2


def test_zero_free_slots_enters_nobody():
    result = outcomes_of([cand("600001.SH"), cand("600002.SH")], BASELINE, free_slots=0)
    assert set(result.values()) == {skip("NO_FREE_SLOT")}


def test_baseline_has_no_rank_cutoff():
    cands = [cand(f"60000{i}.SH", height=9 - i) for i in range(1, 6)]
    assert set(outcomes_of(cands, BASELINE).values()) == {ENTER}


def test_vetoed_candidates_take_no_slot():
    cands = [cand("600001.SH", height=5, S3_NOT_ST=F), cand("600002.SH", height=4)]
    assert outcomes_of(cands, BASELINE, free_slots=1)["600002.SH"] == ENTER


# --- screen and input checks ----------------------------------------------------------


def test_screen_gives_the_predicate_verdicts_alone():
    matrix = np.zeros((3, 12), dtype=np.int8)
    matrix[0, PREDICATE_IDS.index("S4_SEASONED")] = F
    matrix[1, PREDICATE_IDS.index("Q1_MIN_AMOUNT")] = U
    matrix[2, PREDICATE_IDS.index("W1_BROKEN_RATE")] = F
    assert screen(matrix, SELECTIVE) == (
        veto("S4_SEASONED"),
        skip("DATA_MISSING"),
        veto("W1_BROKEN_RATE"),
    )
    assert screen(matrix, ALPHA)[2] is None


def test_custom_branch_with_its_own_selective_veto():
    branch = BranchConfig("v1_only", Ordering.HEIGHT_FIRST, None, (ReasonCode.V1_TURNOVER_SPIKE,))
    assert outcomes_of([cand("600001.SH", V1_TURNOVER_SPIKE=F)], branch) == {
        "600001.SH": veto("V1_TURNOVER_SPIKE")
    }


def test_negative_free_slots_are_rejected():
    with pytest.raises(ValueError, match="free_slots"):
        outcomes_of([cand("600001.SH")], BASELINE, free_slots=-1)


def test_a_repeated_symbol_is_rejected():
    with pytest.raises(ValueError, match="more than once"):
        outcomes_of([cand("600001.SH"), cand("600001.SH")], BASELINE)


def test_misaligned_inputs_are_rejected():
    with pytest.raises(ValueError, match="differ in shape"):
        rank_order(["600001.SH"], [2, 3], [1e8], [2.0], Ordering.HEIGHT_FIRST)


# --- a runtime verdict's outcome, typed back -------------------------------------------


def test_as_screened_names_plain_spellings_by_their_enum_members():
    screened = as_screened(("VETO", "L1_SECTOR_LEADER"))
    assert screened == veto("L1_SECTOR_LEADER")
    assert type(screened[0]) is EventType and type(screened[1]) is ReasonCode


def test_as_screened_passes_members_and_none_through_unchanged():
    outcome = skip("DATA_MISSING")
    assert as_screened(outcome)[1] is ReasonCode.DATA_MISSING
    assert as_screened(None) is None


def test_as_screened_refuses_a_code_outside_the_catalogue():
    with pytest.raises(ValueError, match="NOT_A_CODE"):
        as_screened((EventType.VETO, "NOT_A_CODE"))
