"""The reason catalogue: every event type and reason code the runtime may write.

One source of truth. Each event type has a phase (OPEN|CLOSE), a layer
(signal|execution|position|lifecycle) and the reason codes it may carry; each reason
code has exactly one family and a tier (strong|weak|none). The twelve RC1 predicate
ids are reason codes too (a VETO carries the predicate that vetoed), with the
family and tier of docs/strategy.md's predicate table; strategies import them from here.

A description says what a code means, never a number: the runtime knows no
strategy threshold. A predicate's description states what the predicate requires
to PASS; its numbers, like the stop-loss fraction and the maximum holding time,
belong to the strategy that implements the hooks. Descriptions reach no output
file: events carry codes, layers, families and tiers only.

:func:`enrich` turns ``(event_type, reason_code)`` into the layered reason written
on every event row, and refuses codes that are unknown or not allowed for the
event type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "EVENT_CATALOGUE",
    "EXIT_REASONS",
    "PREDICATE_IDS",
    "REASON_CATALOGUE",
    "EventSpec",
    "EventType",
    "Family",
    "Layer",
    "LayeredReason",
    "Phase",
    "ReasonCode",
    "ReasonSpec",
    "Tier",
    "UnknownReasonError",
    "catalogue_markdown",
    "enrich",
    "is_known_reason",
    "reason_spec",
]


class Phase(StrEnum):
    """Part of the session an event belongs to; OPEN sorts before CLOSE."""

    OPEN = "OPEN"
    CLOSE = "CLOSE"


class Layer(StrEnum):
    """Which layer of the engine produced an event."""

    SIGNAL = "signal"
    EXECUTION = "execution"
    POSITION = "position"
    LIFECYCLE = "lifecycle"


class Tier(StrEnum):
    """Strength of a reason: strong/weak predicate families, ``none`` otherwise."""

    STRONG = "strong"
    WEAK = "weak"
    NONE = "none"


class Family(StrEnum):
    """Reason families. The first five are the RC1 predicate families."""

    STRUCTURE = "structure"
    LEADERSHIP = "leadership"
    LIQUIDITY = "liquidity"
    SENTIMENT = "sentiment"
    VOLUME_DIVERGENCE = "volume_divergence"
    SELECTION = "selection"
    PORTFOLIO = "portfolio"
    DATA = "data"
    MARKET = "market"
    EXECUTION = "execution"
    RISK = "risk"
    EXIT_RULE = "exit_rule"
    LIFECYCLE = "lifecycle"


class EventType(StrEnum):
    """Every event type of the session loop (docs/strategy.md)."""

    EXIT_FILLED = "EXIT_FILLED"
    EXIT_BLOCKED = "EXIT_BLOCKED"
    EXIT_DEFERRED = "EXIT_DEFERRED"
    ENTRY_FILLED = "ENTRY_FILLED"
    ENTRY_BLOCKED = "ENTRY_BLOCKED"
    ENTRY_CANCELLED = "ENTRY_CANCELLED"
    EXIT_SIGNAL = "EXIT_SIGNAL"
    HOLD_POSITION = "HOLD_POSITION"
    ENTER_SIGNAL = "ENTER_SIGNAL"
    VETO = "VETO"
    SKIP = "SKIP"
    ORDER_EXPIRED = "ORDER_EXPIRED"


class ReasonCode(StrEnum):
    """Every reason code; predicate ids first, in docs/strategy.md predicate-table order."""

    S1_HEIGHT_CAP = "S1_HEIGHT_CAP"
    S2_NOT_ONE_WORD = "S2_NOT_ONE_WORD"
    S3_NOT_ST = "S3_NOT_ST"
    S4_SEASONED = "S4_SEASONED"
    L1_SECTOR_LEADER = "L1_SECTOR_LEADER"
    L2_SECTOR_HEAT = "L2_SECTOR_HEAT"
    Q1_MIN_AMOUNT = "Q1_MIN_AMOUNT"
    Q2_TURNOVER_BAND = "Q2_TURNOVER_BAND"
    W1_BROKEN_RATE = "W1_BROKEN_RATE"
    W2_LIMIT_DOWNS = "W2_LIMIT_DOWNS"
    W3_HEIGHT_SPACE = "W3_HEIGHT_SPACE"
    V1_TURNOVER_SPIKE = "V1_TURNOVER_SPIKE"
    SELECTED = "SELECTED"
    ALREADY_HELD = "ALREADY_HELD"
    NO_FREE_SLOT = "NO_FREE_SLOT"
    ALPHA_RANK_CUTOFF = "ALPHA_RANK_CUTOFF"
    DATA_MISSING = "DATA_MISSING"
    FILLED = "FILLED"
    SUSPENDED = "SUSPENDED"
    LIMIT_UP_SEALED = "LIMIT_UP_SEALED"
    LIMIT_DOWN_SEALED = "LIMIT_DOWN_SEALED"
    INSUFFICIENT_CASH = "INSUFFICIENT_CASH"
    STOP_LOSS = "STOP_LOSS"
    BOARD_BROKEN = "BOARD_BROKEN"
    NOT_LIMIT_UP = "NOT_LIMIT_UP"
    MAX_HOLD = "MAX_HOLD"
    CONTINUES_LIMIT_UP = "CONTINUES_LIMIT_UP"
    END_OF_DATA = "END_OF_DATA"


class UnknownReasonError(ValueError):
    """A reason code outside the catalogue, or not allowed for its event type."""


@dataclass(frozen=True, slots=True)
class ReasonSpec:
    """A reason code's catalogue entry."""

    code: ReasonCode
    family: Family
    tier: Tier
    description: str


@dataclass(frozen=True, slots=True)
class EventSpec:
    """An event type's catalogue entry: phase, layer and the codes it may carry."""

    event_type: EventType
    phase: Phase
    layer: Layer
    reason_codes: tuple[ReasonCode, ...]
    description: str


@dataclass(frozen=True, slots=True)
class LayeredReason:
    """What enrichment adds to an event row: reason_layer, reason_family, reason_tier."""

    layer: Layer
    family: Family
    tier: Tier


R = ReasonCode
_S, _W, _N = Tier.STRONG, Tier.WEAK, Tier.NONE

_REASONS: tuple[ReasonSpec, ...] = (
    ReasonSpec(
        R.S1_HEIGHT_CAP, Family.STRUCTURE, _S, "board height at or below the strategy's height cap"
    ),
    ReasonSpec(R.S2_NOT_ONE_WORD, Family.STRUCTURE, _S, "not a one-word (low == high) board"),
    ReasonSpec(R.S3_NOT_ST, Family.STRUCTURE, _S, "not ST"),
    ReasonSpec(
        R.S4_SEASONED, Family.STRUCTURE, _S, "listed for at least the strategy's seasoning sessions"
    ),
    ReasonSpec(R.L1_SECTOR_LEADER, Family.LEADERSHIP, _S, "is the sector leader"),
    ReasonSpec(
        R.L2_SECTOR_HEAT,
        Family.LEADERSHIP,
        _S,
        "at least the strategy's minimum of limit-ups in its sector",
    ),
    ReasonSpec(
        R.Q1_MIN_AMOUNT, Family.LIQUIDITY, _S, "traded amount at least the strategy's minimum"
    ),
    ReasonSpec(
        R.Q2_TURNOVER_BAND,
        Family.LIQUIDITY,
        _S,
        "turnover rate inside the strategy's band (inclusive)",
    ),
    ReasonSpec(
        R.W1_BROKEN_RATE,
        Family.SENTIMENT,
        _W,
        "market broken-board rate at or below the strategy's cap",
    ),
    ReasonSpec(
        R.W2_LIMIT_DOWNS,
        Family.SENTIMENT,
        _W,
        "market limit-down count at or below the strategy's cap",
    ),
    ReasonSpec(
        R.W3_HEIGHT_SPACE,
        Family.SENTIMENT,
        _W,
        "market's highest board at least the strategy's minimum",
    ),
    ReasonSpec(
        R.V1_TURNOVER_SPIKE,
        Family.VOLUME_DIVERGENCE,
        _W,
        "turnover rate at most the strategy's multiple of its recent mean",
    ),
    ReasonSpec(R.SELECTED, Family.SELECTION, _N, "selected for entry at the next open"),
    ReasonSpec(R.ALREADY_HELD, Family.PORTFOLIO, _N, "symbol already held (incl. pending exit)"),
    ReasonSpec(R.NO_FREE_SLOT, Family.PORTFOLIO, _N, "all position slots taken"),
    ReasonSpec(R.ALPHA_RANK_CUTOFF, Family.SELECTION, _N, "below the branch's top_k"),
    ReasonSpec(R.DATA_MISSING, Family.DATA, _N, "a strong predicate was UNAVAILABLE"),
    ReasonSpec(R.FILLED, Family.EXECUTION, _N, "order filled at the open"),
    ReasonSpec(R.SUSPENDED, Family.MARKET, _N, "symbol suspended (no row, or zero volume)"),
    ReasonSpec(R.LIMIT_UP_SEALED, Family.MARKET, _N, "sealed limit-up all day (low >= up_limit)"),
    ReasonSpec(
        R.LIMIT_DOWN_SEALED, Family.MARKET, _N, "sealed limit-down all day (high <= down_limit)"
    ),
    ReasonSpec(R.INSUFFICIENT_CASH, Family.PORTFOLIO, _N, "not one lot affordable"),
    ReasonSpec(
        R.STOP_LOSS, Family.RISK, _N, "close at or below the stop-loss fraction of the entry price"
    ),
    ReasonSpec(R.BOARD_BROKEN, Family.EXIT_RULE, _N, "touched the limit-up but closed below"),
    ReasonSpec(R.NOT_LIMIT_UP, Family.EXIT_RULE, _N, "did not close at the limit-up"),
    ReasonSpec(R.MAX_HOLD, Family.EXIT_RULE, _N, "held for the maximum number of sessions"),
    ReasonSpec(R.CONTINUES_LIMIT_UP, Family.EXIT_RULE, _N, "closed limit-up again: keep"),
    ReasonSpec(R.END_OF_DATA, Family.LIFECYCLE, _N, "order still pending after the last session"),
)

PREDICATE_IDS: tuple[ReasonCode, ...] = (
    R.S1_HEIGHT_CAP,
    R.S2_NOT_ONE_WORD,
    R.S3_NOT_ST,
    R.S4_SEASONED,
    R.L1_SECTOR_LEADER,
    R.L2_SECTOR_HEAT,
    R.Q1_MIN_AMOUNT,
    R.Q2_TURNOVER_BAND,
    R.W1_BROKEN_RATE,
    R.W2_LIMIT_DOWNS,
    R.W3_HEIGHT_SPACE,
    R.V1_TURNOVER_SPIKE,
)
"""The twelve RC1 predicate ids in docs/strategy.md predicate-table order."""

EXIT_REASONS: tuple[ReasonCode, ...] = (R.STOP_LOSS, R.BOARD_BROKEN, R.NOT_LIMIT_UP, R.MAX_HOLD)
"""Codes an exit rule may return (RC1 priority order); EXIT_SIGNAL/EXIT_FILLED carry them."""

_EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        EventType.EXIT_FILLED,
        Phase.OPEN,
        Layer.EXECUTION,
        EXIT_REASONS,
        "pending exit sold at the open; carries the exit reason",
    ),
    EventSpec(
        EventType.EXIT_BLOCKED,
        Phase.OPEN,
        Layer.EXECUTION,
        (R.LIMIT_DOWN_SEALED,),
        "pending exit could not sell; retried next session",
    ),
    EventSpec(
        EventType.EXIT_DEFERRED,
        Phase.OPEN,
        Layer.EXECUTION,
        (R.SUSPENDED,),
        "pending exit on a suspended symbol; retried next session",
    ),
    EventSpec(
        EventType.ENTRY_FILLED, Phase.OPEN, Layer.EXECUTION, (R.FILLED,), "entry bought at the open"
    ),
    EventSpec(
        EventType.ENTRY_BLOCKED,
        Phase.OPEN,
        Layer.EXECUTION,
        (R.LIMIT_UP_SEALED,),
        "entry could not buy; dropped",
    ),
    EventSpec(
        EventType.ENTRY_CANCELLED,
        Phase.OPEN,
        Layer.EXECUTION,
        (R.SUSPENDED, R.NO_FREE_SLOT, R.INSUFFICIENT_CASH),
        "entry not placed; dropped",
    ),
    EventSpec(
        EventType.EXIT_SIGNAL,
        Phase.CLOSE,
        Layer.POSITION,
        EXIT_REASONS,
        "held position to be sold at the next open",
    ),
    EventSpec(
        EventType.HOLD_POSITION,
        Phase.CLOSE,
        Layer.POSITION,
        (R.CONTINUES_LIMIT_UP, R.SUSPENDED),
        "held position kept",
    ),
    EventSpec(
        EventType.ENTER_SIGNAL,
        Phase.CLOSE,
        Layer.SIGNAL,
        (R.SELECTED,),
        "candidate to be bought at the next open",
    ),
    EventSpec(
        EventType.VETO, Phase.CLOSE, Layer.SIGNAL, PREDICATE_IDS, "candidate vetoed by a predicate"
    ),
    EventSpec(
        EventType.SKIP,
        Phase.CLOSE,
        Layer.SIGNAL,
        (R.ALREADY_HELD, R.NO_FREE_SLOT, R.ALPHA_RANK_CUTOFF, R.DATA_MISSING),
        "candidate not entered",
    ),
    EventSpec(
        EventType.ORDER_EXPIRED,
        Phase.CLOSE,
        Layer.LIFECYCLE,
        (R.END_OF_DATA,),
        "order still pending after the last session",
    ),
)

REASON_CATALOGUE: Mapping[ReasonCode, ReasonSpec] = MappingProxyType(
    {spec.code: spec for spec in _REASONS}
)
"""Every reason code -> its family, tier and description (ordered as :class:`ReasonCode`)."""

EVENT_CATALOGUE: Mapping[EventType, EventSpec] = MappingProxyType(
    {spec.event_type: spec for spec in _EVENTS}
)
"""Every event type -> its phase, layer and allowed reason codes."""

_ENRICHED: dict[tuple[str, str], LayeredReason] = {
    (str(event.event_type), str(code)): LayeredReason(
        event.layer, REASON_CATALOGUE[code].family, REASON_CATALOGUE[code].tier
    )
    for event in _EVENTS
    for code in event.reason_codes
}


def is_known_reason(code: str) -> bool:
    """Whether ``code`` is a reason code of the catalogue."""
    return code in REASON_CATALOGUE


def reason_spec(code: str) -> ReasonSpec:
    """Catalogue entry of ``code``; :class:`UnknownReasonError` if there is none."""
    try:
        return REASON_CATALOGUE[ReasonCode(code)]
    except ValueError:
        raise UnknownReasonError(
            f"reason code {code!r} is not in the runtime reason catalogue"
        ) from None


def enrich(event_type: str, reason_code: str) -> LayeredReason:
    """Layered reason (layer, family, tier) of an event.

    Raises :class:`UnknownReasonError` naming the event type and code when either is
    unknown or the code is not one the event type may carry.
    """
    layered = _ENRICHED.get((str(event_type), str(reason_code)))
    if layered is not None:
        return layered
    if event_type not in EVENT_CATALOGUE:
        raise UnknownReasonError(f"event type {event_type!r} is not in the runtime catalogue")
    reason_spec(reason_code)
    allowed = ", ".join(EVENT_CATALOGUE[EventType(event_type)].reason_codes)
    raise UnknownReasonError(
        f"reason code {reason_code!r} is not allowed for {event_type} (allowed: {allowed})"
    )


def catalogue_markdown() -> str:
    """The catalogue as two Markdown tables (reason codes, then event types).

    The package README embeds this text between ``generated:reason-catalogue``
    markers; a test keeps the two in step.
    """
    lines = ["| reason code | family | tier | meaning |", "|---|---|---|---|"]
    lines += [
        f"| `{s.code}` | {s.family} | {s.tier} | {s.description} |"
        for s in REASON_CATALOGUE.values()
    ]
    lines += ["", "| event type | phase | layer | reason codes |", "|---|---|---|---|"]
    for e in EVENT_CATALOGUE.values():
        codes = (
            "any predicate id"
            if e.reason_codes == PREDICATE_IDS
            else ", ".join(f"`{c}`" for c in e.reason_codes)
        )
        lines.append(f"| `{e.event_type}` | {e.phase} | {e.layer} | {codes} |")
    return "\n".join(lines) + "\n"
