"""dragon-runtime: the A-share end-of-day execution loop.

Market rules, reason catalogue, payload tables, portfolio accounting, the session
loop driven by decision hooks, canonical output and the no-silent-path checker.
It knows nothing of any strategy: strategies plug in through the hooks protocol.

The supported surface is :data:`__all__` (pinned by ``tests/runtime/test_surface.py``;
the README lists it by purpose). Strategies and dragon-compat import from here
only, never from a submodule. A few more names stay importable from here for the
1.x series (see the README, "Supported surface") but are not part of it.
"""

from dragon_runtime.__about__ import __version__
from dragon_runtime.canonical import (
    ATOMIC_TEMP_PREFIX,
    atomic_write,
    canonical_json,
    render_branch_outputs,
    sha256_hex,
    write_branch_outputs,
)
from dragon_runtime.canonical import equity_csv as equity_csv
from dragon_runtime.canonical import events_csv as events_csv
from dragon_runtime.canonical import table_csv as table_csv
from dragon_runtime.canonical import trades_csv as trades_csv
from dragon_runtime.hooks import (
    Book,
    DecisionHooks,
    HookError,
    PositionView,
    SessionContext,
    Signal,
    Verdict,
)
from dragon_runtime.loop import (
    ALPHA_SCORE_ANNOTATION,
    BOARD_HEIGHT_ANNOTATION,
    LoopConfig,
    LoopResult,
    run_loop,
)
from dragon_runtime.market import (
    CHINEXT_REFORM_DATE,
    IPO_DAY_PCTS,
    LIMIT_ANNOTATION_COLUMNS,
    LOT_SIZE,
    MAIN_BOARD_REGISTRATION_DATE,
    NO_LIMIT_WINDOWS,
    STAMP_DUTY_CUT_DATE,
    Board,
    NoLimitWindow,
    annotate_limits,
    board_of,
    fees_cents,
    fill_price_cents,
    ipo_limit_prices_cents,
    limit_pcts,
    limit_prices_cents,
    listing_rules,
    to_cents,
    whole_cents,
)
from dragon_runtime.market import limit_pct as limit_pct
from dragon_runtime.market import limit_price as limit_price
from dragon_runtime.panel import MarketPanel
from dragon_runtime.payloads import (
    EQUITY_COLUMNS,
    EVENT_COLUMNS,
    OUTPUT_FILES,
    RC1_SCHEMA_VERSION,
    SUMMARY_KEYS,
    TRADE_COLUMNS,
    Summary,
)
from dragon_runtime.portfolio import Portfolio as Portfolio
from dragon_runtime.portfolio import Position as Position
from dragon_runtime.portfolio import Sizing, size_entry
from dragon_runtime.reasons import (
    EVENT_CATALOGUE,
    EXIT_REASONS,
    PREDICATE_IDS,
    REASON_CATALOGUE,
    EventType,
    Family,
    Layer,
    Phase,
    ReasonCode,
    Tier,
    catalogue_markdown,
)
from dragon_runtime.reasons import LayeredReason as LayeredReason
from dragon_runtime.reasons import UnknownReasonError as UnknownReasonError
from dragon_runtime.reasons import enrich as enrich
from dragon_runtime.silent_paths import SilentPathRule, Violation, check_no_silent_paths

# The ``x as x`` imports above are the 1.x names outside the supported surface:
# still importable from here, deliberately not in __all__ (README, "Supported surface").

__all__ = [
    "ALPHA_SCORE_ANNOTATION",
    "ATOMIC_TEMP_PREFIX",
    "BOARD_HEIGHT_ANNOTATION",
    "CHINEXT_REFORM_DATE",
    "EQUITY_COLUMNS",
    "EVENT_CATALOGUE",
    "EVENT_COLUMNS",
    "EXIT_REASONS",
    "IPO_DAY_PCTS",
    "LIMIT_ANNOTATION_COLUMNS",
    "LOT_SIZE",
    "MAIN_BOARD_REGISTRATION_DATE",
    "NO_LIMIT_WINDOWS",
    "OUTPUT_FILES",
    "PREDICATE_IDS",
    "RC1_SCHEMA_VERSION",
    "REASON_CATALOGUE",
    "STAMP_DUTY_CUT_DATE",
    "SUMMARY_KEYS",
    "TRADE_COLUMNS",
    "Board",
    "Book",
    "DecisionHooks",
    "EventType",
    "Family",
    "HookError",
    "Layer",
    "LoopConfig",
    "LoopResult",
    "MarketPanel",
    "NoLimitWindow",
    "Phase",
    "PositionView",
    "ReasonCode",
    "SessionContext",
    "Signal",
    "SilentPathRule",
    "Sizing",
    "Summary",
    "Tier",
    "Verdict",
    "Violation",
    "__version__",
    "annotate_limits",
    "atomic_write",
    "board_of",
    "canonical_json",
    "catalogue_markdown",
    "check_no_silent_paths",
    "fees_cents",
    "fill_price_cents",
    "ipo_limit_prices_cents",
    "limit_pcts",
    "limit_prices_cents",
    "listing_rules",
    "render_branch_outputs",
    "run_loop",
    "sha256_hex",
    "size_entry",
    "to_cents",
    "whole_cents",
    "write_branch_outputs",
]
