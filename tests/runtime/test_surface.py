"""The runtime's pinned public surface: what a strategy (and dragon-compat) may rely on.

dragon-compat pins dragon-runtime to a minor range; this module pins what that range
promises. Changing anything below is a change of the runtime's public surface: a
new name is a minor release, a removed or changed one a major release — update the
runtime README ("Supported surface") and CHANGELOG with it.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

import dragon_runtime

SUPPORTED = [
    # the hooks protocol a strategy implements
    "DecisionHooks", "SessionContext", "Verdict", "Signal", "Book", "PositionView",
    "HookError",
    # running it
    "run_loop", "LoopConfig", "LoopResult", "MarketPanel", "ALPHA_SCORE_ANNOTATION",
    "BOARD_HEIGHT_ANNOTATION",
    # A-share market rules
    "annotate_limits", "LIMIT_ANNOTATION_COLUMNS", "Board", "board_of", "limit_pcts",
    "limit_prices_cents", "whole_cents", "to_cents", "LOT_SIZE", "CHINEXT_REFORM_DATE",
    "STAMP_DUTY_CUT_DATE", "MAIN_BOARD_REGISTRATION_DATE", "NO_LIMIT_WINDOWS", "NoLimitWindow",
    "IPO_DAY_PCTS", "listing_rules", "ipo_limit_prices_cents",
    # sizing an order as the loop does (what a forward plan needs before the open)
    "Sizing", "size_entry", "fees_cents", "fill_price_cents",
    # the reason catalogue
    "EventType", "ReasonCode", "Family", "Tier", "Layer", "Phase", "EVENT_CATALOGUE",
    "REASON_CATALOGUE", "PREDICATE_IDS", "EXIT_REASONS", "catalogue_markdown",
    # outputs
    "EVENT_COLUMNS", "TRADE_COLUMNS", "EQUITY_COLUMNS", "SUMMARY_KEYS", "OUTPUT_FILES",
    "RC1_SCHEMA_VERSION", "Summary", "canonical_json", "atomic_write", "ATOMIC_TEMP_PREFIX",
    "sha256_hex",
    "render_branch_outputs", "write_branch_outputs", "check_no_silent_paths", "Violation",
    "SilentPathRule",
    "__version__",
]  # fmt: skip

IMPORTABLE_UNTIL_2_0 = [
    "Portfolio", "Position", "limit_pct", "limit_price", "enrich", "LayeredReason",
    "UnknownReasonError", "events_csv", "trades_csv", "equity_csv", "table_csv",
]  # fmt: skip
"""Exported before the surface was trimmed: still importable from ``dragon_runtime``
for the 1.x series, but not part of the supported surface."""

SIGNATURES = {
    "size_entry": "(cash_c: 'int', target_c: 'int', fill_c: 'int', trade_date: 'dt.date') "
    "-> 'Sizing'",
    "fees_cents": "(value_c: 'int', side: \"Literal['buy', 'sell']\", trade_date: 'dt.date') "
    "-> 'int'",
    "fill_price_cents": "(base_c: 'int', side: \"Literal['buy', 'sell']\", "
    "limit_c: 'int | None') -> 'int'",
    "run_loop": "(panel: 'MarketPanel', hooks: 'DecisionHooks', *, branch: 'str', "
    "config: 'LoopConfig' = LoopConfig(initial_capital_c=100000000, max_positions=5)) "
    "-> 'LoopResult'",
    "MarketPanel.from_frame": "(frame: 'pd.DataFrame', "
    "annotations: 'Mapping[str, Any] | None' = None, *, "
    "carry_forward: 'Iterable[str]' = ()) -> 'MarketPanel'",
    "DecisionHooks.candidates": "(self, ctx: 'SessionContext') -> 'np.ndarray'",
    "DecisionHooks.evaluate_predicates": "(self, ctx: 'SessionContext', "
    "candidates: 'np.ndarray') -> 'Sequence[Verdict]'",
    "DecisionHooks.select": "(self, ctx: 'SessionContext', candidates: 'np.ndarray', "
    "verdicts: 'Sequence[Verdict]', book: 'Book') -> 'Sequence[Signal]'",
    "DecisionHooks.exit_rule": "(self, ctx: 'SessionContext', "
    "position: 'PositionView') -> 'str | None'",
}

CONSTRUCTORS = {
    "Sizing": "(shares: 'int', value_c: 'int', fees_c: 'int') -> None",
    "SessionContext": "(index: 'int', date: 'dt.date', panel: 'MarketPanel', branch: 'str', "
    "is_last: 'bool') -> None",
    "Verdict": "(predicates: 'str', outcome: 'tuple[EventType, str] | None' = None) -> None",
    "Signal": "(symbol: 'int', rank: 'int', event_type: 'EventType', reason_code: 'str', "
    "predicates: 'str') -> None",
    "Book": "(held: 'frozenset[int]', free_slots: 'int') -> None",
    "PositionView": "(symbol: 'int', entry_date: 'dt.date', entry_session: 'int', "
    "entry_price_c: 'int', shares: 'int', hold_sessions: 'int') -> None",
    "LoopConfig": "(initial_capital_c: 'int' = 100000000, max_positions: 'int' = 5) -> None",
    "LoopResult": "(events: 'pd.DataFrame', trades: 'pd.DataFrame', equity: 'pd.DataFrame', "
    "summary: 'dict[str, Any]' = <factory>) -> None",
    "MarketPanel": "(sessions: 'np.ndarray', symbols: 'np.ndarray', open_c: 'np.ndarray', "
    "high_c: 'np.ndarray', low_c: 'np.ndarray', close_c: 'np.ndarray', "
    "up_limit_c: 'np.ndarray', down_limit_c: 'np.ndarray', has_limit: 'np.ndarray', "
    "suspended: 'np.ndarray', row: 'np.ndarray', session_of_row: 'np.ndarray', "
    "symbol_of_row: 'np.ndarray', annotations: 'Mapping[str, np.ndarray]' = <factory>) -> None",
}
"""Every field (name, annotation, default) of the frozen dataclasses, as their
constructor signatures (fields in order)."""

MARKET_PANEL_MEMBERS = {"annotation", "dates", "from_frame", "shape", "symbol_index"}


def test_all_is_exactly_the_supported_surface() -> None:
    assert sorted(dragon_runtime.__all__) == sorted(SUPPORTED)
    assert len(set(SUPPORTED)) == len(SUPPORTED)


def test_the_names_outside_the_surface_stay_importable_for_1_x() -> None:
    for name in IMPORTABLE_UNTIL_2_0:
        assert name not in dragon_runtime.__all__, name
        assert getattr(dragon_runtime, name, None) is not None, name


@pytest.mark.parametrize("path", sorted(SIGNATURES))
def test_signature_is_pinned(path: str) -> None:
    target: Any = dragon_runtime
    for part in path.split("."):
        target = getattr(target, part)
    assert str(inspect.signature(target)) == SIGNATURES[path]


def test_the_hooks_protocol_has_exactly_four_methods() -> None:
    methods = {
        name
        for name, _ in inspect.getmembers(dragon_runtime.DecisionHooks, inspect.isfunction)
        if not name.startswith("_")
    }
    assert methods == {"candidates", "evaluate_predicates", "select", "exit_rule"}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_dataclass_fields_are_pinned(name: str) -> None:
    cls = getattr(dragon_runtime, name)
    assert str(inspect.signature(cls)) == CONSTRUCTORS[name]
    assert [f.name for f in dataclasses.fields(cls)] == list(inspect.signature(cls).parameters)
    assert cls.__dataclass_params__.frozen


def test_the_market_panel_public_members_are_pinned() -> None:
    members = {name for name in dir(dragon_runtime.MarketPanel) if not name.startswith("_")}
    fields = {f.name for f in dataclasses.fields(dragon_runtime.MarketPanel)}
    assert members - fields == MARKET_PANEL_MEMBERS


def test_the_limit_annotation_columns_are_pinned() -> None:
    assert dragon_runtime.LIMIT_ANNOTATION_COLUMNS == (
        "open_c", "high_c", "low_c", "close_c", "pre_close_c", "up_limit_c", "down_limit_c",
        "has_limit",
    )  # fmt: skip
