"""The reason catalogue: event types, codes, families, tiers, enrichment, README copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_runtime.reasons import (
    EVENT_CATALOGUE,
    EXIT_REASONS,
    PREDICATE_IDS,
    REASON_CATALOGUE,
    EventType,
    Family,
    Layer,
    LayeredReason,
    Phase,
    ReasonCode,
    Tier,
    UnknownReasonError,
    catalogue_markdown,
    enrich,
)

README = Path(__file__).resolve().parents[2] / "packages" / "dragon-runtime" / "README.md"

# docs/strategy.md, The session loop: every event type, its phase and layer.
SPEC_EVENTS = {
    "EXIT_DEFERRED": ("OPEN", "execution"),
    "EXIT_BLOCKED": ("OPEN", "execution"),
    "EXIT_FILLED": ("OPEN", "execution"),
    "ENTRY_CANCELLED": ("OPEN", "execution"),
    "ENTRY_BLOCKED": ("OPEN", "execution"),
    "ENTRY_FILLED": ("OPEN", "execution"),
    "EXIT_SIGNAL": ("CLOSE", "position"),
    "HOLD_POSITION": ("CLOSE", "position"),
    "ENTER_SIGNAL": ("CLOSE", "signal"),
    "VETO": ("CLOSE", "signal"),
    "SKIP": ("CLOSE", "signal"),
    "ORDER_EXPIRED": ("CLOSE", "lifecycle"),
}

# docs/strategy.md, Candidates and predicates, in table order.
SPEC_PREDICATES = [
    ("S1_HEIGHT_CAP", "structure", "strong"),
    ("S2_NOT_ONE_WORD", "structure", "strong"),
    ("S3_NOT_ST", "structure", "strong"),
    ("S4_SEASONED", "structure", "strong"),
    ("L1_SECTOR_LEADER", "leadership", "strong"),
    ("L2_SECTOR_HEAT", "leadership", "strong"),
    ("Q1_MIN_AMOUNT", "liquidity", "strong"),
    ("Q2_TURNOVER_BAND", "liquidity", "strong"),
    ("W1_BROKEN_RATE", "sentiment", "weak"),
    ("W2_LIMIT_DOWNS", "sentiment", "weak"),
    ("W3_HEIGHT_SPACE", "sentiment", "weak"),
    ("V1_TURNOVER_SPIKE", "volume_divergence", "weak"),
]

# docs/strategy.md and the runtime README's loop contract: the codes each event type carries.
SPEC_CODES = {
    "EXIT_DEFERRED": {"SUSPENDED"},
    "EXIT_BLOCKED": {"LIMIT_DOWN_SEALED"},
    "EXIT_FILLED": {"STOP_LOSS", "BOARD_BROKEN", "NOT_LIMIT_UP", "MAX_HOLD"},
    "ENTRY_CANCELLED": {"SUSPENDED", "NO_FREE_SLOT", "INSUFFICIENT_CASH"},
    "ENTRY_BLOCKED": {"LIMIT_UP_SEALED"},
    "ENTRY_FILLED": {"FILLED"},
    "EXIT_SIGNAL": {"STOP_LOSS", "BOARD_BROKEN", "NOT_LIMIT_UP", "MAX_HOLD"},
    "HOLD_POSITION": {"CONTINUES_LIMIT_UP", "SUSPENDED"},
    "ENTER_SIGNAL": {"SELECTED"},
    "VETO": {p[0] for p in SPEC_PREDICATES},
    "SKIP": {"ALREADY_HELD", "NO_FREE_SLOT", "ALPHA_RANK_CUTOFF", "DATA_MISSING"},
    "ORDER_EXPIRED": {"END_OF_DATA"},
}


def test_every_event_type_of_the_spec_has_its_phase_and_layer() -> None:
    found = {str(e): (str(s.phase), str(s.layer)) for e, s in EVENT_CATALOGUE.items()}
    assert found == SPEC_EVENTS


def test_every_event_type_carries_exactly_the_spec_codes() -> None:
    found = {str(e): {str(c) for c in s.reason_codes} for e, s in EVENT_CATALOGUE.items()}
    assert found == SPEC_CODES


def test_predicate_ids_have_their_family_and_tier_in_table_order() -> None:
    found = [
        (str(c), str(REASON_CATALOGUE[c].family), str(REASON_CATALOGUE[c].tier))
        for c in PREDICATE_IDS
    ]
    assert found == SPEC_PREDICATES


def test_every_reason_code_has_one_catalogue_entry() -> None:
    assert list(REASON_CATALOGUE) == list(ReasonCode)
    assert all(REASON_CATALOGUE[c].code is c for c in ReasonCode)


def test_non_predicate_codes_have_tier_none() -> None:
    others = [c for c in ReasonCode if c not in PREDICATE_IDS]
    assert {REASON_CATALOGUE[c].tier for c in others} == {Tier.NONE}


def test_every_code_is_carried_by_some_event_type() -> None:
    carried = {c for spec in EVENT_CATALOGUE.values() for c in spec.reason_codes}
    assert carried == set(ReasonCode)


def test_exit_reasons_are_the_rc1_exit_codes_in_priority_order() -> None:
    assert [str(c) for c in EXIT_REASONS] == [
        "STOP_LOSS",
        "BOARD_BROKEN",
        "NOT_LIMIT_UP",
        "MAX_HOLD",
    ]


def test_enrich_gives_layer_from_the_event_and_family_tier_from_the_code() -> None:
    assert enrich("VETO", "W1_BROKEN_RATE") == LayeredReason(
        Layer.SIGNAL, Family.SENTIMENT, Tier.WEAK
    )
    assert enrich("EXIT_FILLED", "STOP_LOSS") == LayeredReason(
        Layer.EXECUTION, Family.RISK, Tier.NONE
    )
    assert enrich(EventType.ORDER_EXPIRED, ReasonCode.END_OF_DATA).layer is Layer.LIFECYCLE


def test_enrich_refuses_an_unknown_code() -> None:
    with pytest.raises(UnknownReasonError, match="'TAKE_PROFIT' is not in the runtime reason"):
        enrich("EXIT_SIGNAL", "TAKE_PROFIT")


def test_enrich_refuses_an_unknown_event_type() -> None:
    with pytest.raises(UnknownReasonError, match="event type 'PARTIAL_FILL'"):
        enrich("PARTIAL_FILL", "FILLED")


def test_enrich_refuses_a_code_the_event_type_may_not_carry() -> None:
    with pytest.raises(UnknownReasonError, match="'SELECTED' is not allowed for VETO"):
        enrich("VETO", "SELECTED")


def test_catalogue_mappings_are_read_only() -> None:
    with pytest.raises(TypeError):
        REASON_CATALOGUE["X"] = None  # type: ignore[index]  # writing the read-only mapping is the case under test


def test_phases_sort_open_before_close_by_name() -> None:
    assert [str(p) for p in Phase] == ["OPEN", "CLOSE"]


def test_readme_catalogue_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    opening = "<!-- generated:reason-catalogue -->\n"
    start = text.index(opening) + len(opening)
    end = text.index("<!-- /generated:reason-catalogue -->")
    assert text[start:end] == catalogue_markdown()
