"""dragon-runtime: the A-share end-of-day execution loop.

Market rules, reason catalogue, payload tables, portfolio accounting, the session
loop driven by decision hooks, canonical output and the no-silent-path checker.
It knows nothing of any strategy: strategies plug in through the hooks protocol.
"""

from dragon_runtime.__about__ import __version__
from dragon_runtime.canonical import (
    atomic_write,
    canonical_json,
    equity_csv,
    events_csv,
    sha256_hex,
    table_csv,
    trades_csv,
    write_branch_outputs,
)
from dragon_runtime.hooks import (
    Book,
    DecisionHooks,
    HookError,
    PositionView,
    SessionContext,
    Signal,
    Verdict,
)
from dragon_runtime.loop import LoopConfig, LoopResult, run_loop
from dragon_runtime.market import (
    LOT_SIZE,
    Board,
    annotate_limits,
    board_of,
    fees_cents,
    fill_price_cents,
    limit_pct,
    limit_pcts,
    limit_price,
    limit_prices_cents,
    to_cents,
    whole_cents,
)
from dragon_runtime.panel import MarketPanel
from dragon_runtime.payloads import (
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    OUTPUT_FILES,
    RC1_SCHEMA_VERSION,
    SUMMARY_KEYS,
    TRADE_COLUMNS,
)
from dragon_runtime.portfolio import Portfolio, Position, Sizing, size_entry
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
    enrich,
)
from dragon_runtime.silent_paths import SilentPathRule, Violation, check_no_silent_paths

__all__ = [
    "EQUITY_COLUMNS",
    "EVENT_CATALOGUE",
    "EVENT_COLUMNS",
    "EXIT_REASONS",
    "LOT_SIZE",
    "OUTPUT_FILES",
    "PREDICATE_IDS",
    "RC1_SCHEMA_VERSION",
    "REASON_CATALOGUE",
    "SUMMARY_KEYS",
    "TRADE_COLUMNS",
    "Board",
    "Book",
    "DecisionHooks",
    "EventType",
    "Family",
    "HookError",
    "Layer",
    "LayeredReason",
    "LoopConfig",
    "LoopResult",
    "MarketPanel",
    "Phase",
    "Portfolio",
    "Position",
    "PositionView",
    "ReasonCode",
    "SessionContext",
    "Signal",
    "SilentPathRule",
    "Sizing",
    "Tier",
    "UnknownReasonError",
    "Verdict",
    "Violation",
    "__version__",
    "annotate_limits",
    "atomic_write",
    "board_of",
    "canonical_json",
    "check_no_silent_paths",
    "enrich",
    "equity_csv",
    "events_csv",
    "fees_cents",
    "fill_price_cents",
    "limit_pct",
    "limit_pcts",
    "limit_price",
    "limit_prices_cents",
    "run_loop",
    "sha256_hex",
    "size_entry",
    "table_csv",
    "to_cents",
    "trades_csv",
    "whole_cents",
    "write_branch_outputs",
]
