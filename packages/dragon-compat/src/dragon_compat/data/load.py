"""Load bars from a file (any supported layout), validate them, return the normalized frame.

``load_bars`` is the one entry point the rest of Dragon uses; ``validate_file``
returns the findings as a value instead of raising (the ``dragon validate``
command), and ``normalize_bars`` does the same work on an in-memory frame in the
native layout (tests and notebooks build small markets that way).

Pipeline: read the table → detect the layout by its columns → parse each column
into its typed form (recording every unreadable cell) → join side tables → check
the row rules → check (trade_date, symbol) uniqueness while establishing the order
→ assemble the normalized frame (schema in :mod:`dragon_compat.data.schema`).
All findings of all stages are reported together; the frame is only built when
there are none. Every step is vectorized over whole columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dragon_compat.data.adapters import (
    LayoutSpec,
    codes_to_symbols,
    detect_layout,
    normalized_sources,
)
from dragon_compat.data.parse import (
    parse_column,
    parse_float,
    parse_symbol,
    with_str_categories,
)
from dragon_compat.data.read import read_table
from dragon_compat.data.report import Findings, Rule, ValidationReport, Violation
from dragon_compat.data.schema import (
    FLOAT_COLUMNS,
    NORMALIZED_COLUMNS,
    REQUIRED_COLUMNS,
    Layout,
)
from dragon_compat.data.side_table import (
    SideTable,
    TypedColumn,
    as_array,
    as_categorical,
    lookup_positions,
    read_side_table,
    take,
)
from dragon_compat.data.validate import (
    RowRule,
    apply_row_rules,
    listing_rule,
    price_rules,
    quantity_rules,
    sort_order,
)
from dragon_compat.errors import DragonUserError

SideTables = str | Path | Sequence[str | Path] | None
"""One side-table path, several, or none."""

ERROR_LISTING_LIMIT = 20
"""How many findings a DragonUserError message lists before "... and N more"."""


@dataclass(frozen=True)
class ValidationResult:
    """The findings for an input and, when there are none, its normalized bars."""

    report: ValidationReport
    bars: pd.DataFrame | None


def load_bars(path: str | Path, *, side_table: SideTables = None) -> pd.DataFrame:
    """The normalized bars of ``path`` (CSV, CSV.gz or Parquet; native, Tushare or
    AkShare layout), completed by ``side_table`` file(s).

    Raises :class:`~dragon_compat.errors.DragonUserError` naming the file when it
    cannot be read, or listing the first findings (with 1-based data row, column,
    rule and value) and their total count when any rule is broken.
    """
    result = validate_file(path, side_table=side_table)
    if result.bars is None:
        raise DragonUserError(result.report.format(ERROR_LISTING_LIMIT))
    return result.bars


def validate_file(path: str | Path, *, side_table: SideTables = None) -> ValidationResult:
    """Read and check ``path`` (and side tables); findings as a value, never raised.

    Raises DragonUserError only when a file cannot be read as a table at all.
    """
    raw = read_table(path)
    sides = [read_side_table(p) for p in _side_paths(side_table)]
    return _normalize(raw, str(path), sides)


def normalize_bars(
    frame: pd.DataFrame, *, source: str = "<DataFrame>", side_table: SideTables = None
) -> pd.DataFrame:
    """The normalized form of an in-memory frame in any supported layout.

    Row numbers in findings are 1-based positions in ``frame``. Raises
    DragonUserError like :func:`load_bars`.
    """
    sides = [read_side_table(p) for p in _side_paths(side_table)]
    result = _normalize(frame.reset_index(drop=True), source, sides)
    if result.bars is None:
        raise DragonUserError(result.report.format(ERROR_LISTING_LIMIT))
    return result.bars


def _side_paths(side_table: SideTables) -> list[str | Path]:
    if side_table is None:
        return []
    if isinstance(side_table, str | Path):
        return [side_table]
    return list(side_table)


class _Columns:
    """Typed columns gathered from the file and side tables, with their labels."""

    def __init__(self) -> None:
        self.typed: dict[str, TypedColumn] = {}
        self.labels: dict[str, str] = {}
        self.origin: dict[str, str] = {}
        self.rules: list[RowRule] = []
        self.unjoined: set[str] = set()
        """Columns a side table has but could not be joined (the key is missing)."""

    def put(self, column: str, values: TypedColumn, label: str, origin: str) -> None:
        self.typed[column] = values
        self.labels[column] = label
        self.origin[column] = origin

    def floats(self, origin: str) -> dict[str, np.ndarray]:
        return {
            c: v
            for c, v in self.typed.items()
            if c in FLOAT_COLUMNS and self.origin[c] == origin and isinstance(v, np.ndarray)
        }


def _normalize(raw: pd.DataFrame, source: str, sides: list[SideTable]) -> ValidationResult:
    spec = detect_layout(raw.columns)
    findings = Findings(source)
    columns = _parse_file_columns(raw, spec, source, findings)
    extra: list[Violation] = []
    derive_pre_close = False

    if "symbol" not in columns.typed and spec.layout is Layout.AKSHARE:
        _symbol_from_single_side_table(columns, sides, len(raw), source)
    for side in sides:
        extra.extend(side.violations)
        extra.extend(_join_side_table(columns, side, findings))

    if "pre_close" not in columns.typed and spec.layout is Layout.AKSHARE:
        if spec.change_column is not None and "close" in columns.typed:
            change_label = spec.change_column
            change, change_rules = parse_float(raw[change_label], change_label, findings)
            columns.rules += change_rules
            derived = _snap_cents(columns.typed["close"] - change)
            columns.put(
                "pre_close",
                derived,
                f"pre_close ({spec.sources['close']} − {spec.change_column})",
                source,
            )
        else:
            derive_pre_close = True

    for column in REQUIRED_COLUMNS:
        derived_later = column == "pre_close" and derive_pre_close
        if column not in columns.typed and column not in columns.unjoined and not derived_later:
            label = spec.source_of(column)
            findings.flag_file(label, Rule.MISSING_COLUMN, spec.hints.get(column, ""))

    labels = columns.labels
    rules = columns.rules + price_rules(columns.floats(source), labels)
    rules += quantity_rules(columns.floats(source), labels)
    typed = columns.typed
    if "trade_date" in typed and "list_date" in typed:
        trade_date, list_date = as_array(typed["trade_date"]), as_array(typed["list_date"])
        rules.append(listing_rule(trade_date, list_date, labels["list_date"]))
    apply_row_rules(rules, len(raw), findings)
    order = None
    if "trade_date" in typed and "symbol" in typed:
        symbol_codes = np.asarray(as_categorical(typed["symbol"]).codes)
        order = sort_order(as_array(typed["trade_date"]), symbol_codes, labels["symbol"], findings)

    violations = tuple(findings.violations) + tuple(extra)
    report = ValidationReport(
        source=source,
        layout=spec.layout,
        rows=len(raw),
        side_table=", ".join(s.source for s in sides) or None,
        violations=violations,
    )
    if violations:
        return ValidationResult(report, None)
    bars = _assemble(columns.typed, order, derive_pre_close)
    if len(bars) == 0:
        raise DragonUserError(
            f"{source}: no rows left: each symbol's only row was needed to seed pre_close "
            "(AkShare export without 涨跌额; supply pre_close in a dated side table)"
        )
    return ValidationResult(report, bars)


def _parse_file_columns(
    raw: pd.DataFrame, spec: LayoutSpec, source: str, findings: Findings
) -> _Columns:
    columns = _Columns()
    for column, label in normalized_sources(spec, raw.columns).items():
        values = raw[label]
        if column == "symbol":
            typed: TypedColumn = parse_symbol(codes_to_symbols(values), label, findings, values)
            columns.put(column, typed, label, source)
            continue
        typed, rules = parse_column(
            column, values, label, findings, trade_date_format=spec.trade_date_format
        )
        if column in spec.scales:
            typed = _to_native_unit(as_array(typed), spec.scales[column])
        columns.put(column, typed, label, source)
        columns.rules += rules
    return columns


def _to_native_unit(values: np.ndarray, scale: float | None) -> np.ndarray:
    """Scale a vendor unit to the native one: lots → whole shares, thousand CNY → cents."""
    if scale is None:
        return values
    scaled = values * scale
    if scale == 100.0:  # lots of 100 shares → whole shares
        return np.rint(scaled)
    return np.rint(scaled * 100.0) / 100.0  # money → whole cents


def _snap_cents(values: np.ndarray) -> np.ndarray:
    """Remove float noise from a difference of whole-cent prices (10.35 − 0.94)."""
    from dragon_runtime import whole_cents

    return np.where(whole_cents(values), np.rint(values * 100.0) / 100.0, values)


def _symbol_from_single_side_table(
    columns: _Columns, sides: list[SideTable], rows: int, source: str
) -> None:
    """An AkShare export of one stock without a code column: take the symbol from a
    side table that holds exactly one symbol (else the symbol stays missing)."""
    symbols = {s for side in sides for s in side.symbols.categories}
    if len(symbols) != 1:
        return
    only = pd.Categorical.from_codes(
        np.zeros(rows, dtype=np.int64), categories=pd.Index(sorted(symbols))
    )
    columns.put("symbol", only, "symbol", source)


def _join_side_table(columns: _Columns, side: SideTable, findings: Findings) -> list[Violation]:
    """Take the side table's columns onto the bars rows; findings for ambiguity and
    for bars rows whose key the side table lacks."""
    violations: list[Violation] = []
    empty = np.empty(0, dtype=np.int64)
    fresh = {}
    for column, values in side.columns.items():
        if column in columns.typed:
            note = f"also supplied by {columns.origin[column]}"
            violations.append(
                Violation(side.source, column, Rule.AMBIGUOUS_COLUMN, empty, empty, note)
            )
        else:
            fresh[column] = values
    if not fresh:
        return violations
    if side.key is None or "symbol" not in columns.typed or "trade_date" not in columns.typed:
        columns.unjoined.update(fresh)  # reported as the missing key, not as these
        return violations
    symbols = as_categorical(columns.typed["symbol"])
    trade_dates = as_array(columns.typed["trade_date"])
    positions = lookup_positions(side, symbols, trade_dates)
    keyed = (np.asarray(symbols.codes) >= 0) & ~np.isnat(trade_dates)
    shown = np.asarray(symbols.astype(object))
    if side.dated:
        shown = np.char.add(
            shown.astype(str), np.char.add(" ", np.datetime_as_string(trade_dates, "D"))
        )
    label = f"symbol (side table {side.source})"
    findings.flag(label, Rule.NOT_IN_SIDE_TABLE, keyed & (positions < 0), shown)
    for column, values in fresh.items():
        columns.put(column, take(values, positions), f"{column} (side table)", side.source)
    return violations


def _assemble(
    values: dict[str, TypedColumn], order: np.ndarray | None, derive_pre_close: bool
) -> pd.DataFrame:
    """The normalized frame (sorted, RangeIndex, exact dtypes) from clean typed columns.

    Columns that are already in their final form are wrapped, not copied.
    """
    n = len(values["symbol"])
    out: dict[str, TypedColumn] = {}
    for column in NORMALIZED_COLUMNS:
        if column in values:
            column_values = values[column]
        elif column == "name":
            column_values = pd.Series(np.full(n, "", dtype=object), dtype=str)
        elif column == "list_date":
            column_values = np.full(n, np.datetime64("NaT", "ns"))
        else:  # up_limit, down_limit; pre_close is derived below
            column_values = np.full(n, np.nan)
        out[column] = _reorder(column_values, order)

    keep = None
    if derive_pre_close:
        symbols, close = as_categorical(out["symbol"]), as_array(out["close"])
        out["pre_close"], keep = _previous_close(symbols, close)
    index = pd.RangeIndex(n)
    typed = {
        "trade_date": np.asarray(out["trade_date"], dtype="datetime64[ns]"),
        "symbol": with_str_categories(as_categorical(out["symbol"])),
        **{c: np.asarray(out[c], dtype=np.float64) for c in FLOAT_COLUMNS},
        "sector": with_str_categories(as_categorical(out["sector"])),
        "is_st": np.asarray(out["is_st"], dtype=bool),
        "list_date": np.asarray(out["list_date"], dtype="datetime64[ns]"),
    }
    series = {c: pd.Series(v, index=index, copy=False) for c, v in typed.items()}
    name = out["name"]
    if isinstance(name, pd.Series):
        series["name"] = name.set_axis(index).astype(str)
    else:
        series["name"] = pd.Series(name, index=index, copy=False)
    frame = pd.DataFrame({c: series[c] for c in NORMALIZED_COLUMNS}, copy=False)
    if keep is not None:
        frame = frame.loc[keep].reset_index(drop=True)
        frame["symbol"] = frame["symbol"].cat.remove_unused_categories()
        frame["sector"] = frame["sector"].cat.remove_unused_categories()
    return frame


def _reorder(values: TypedColumn, order: np.ndarray | None) -> TypedColumn:
    if order is None:
        return values
    if isinstance(values, pd.Series):
        return values.iloc[order].reset_index(drop=True)
    if isinstance(values, pd.Categorical):
        return values.take(order)
    return values[order]


def _previous_close(symbols: pd.Categorical, close: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's previous close of the same symbol (rows sorted by date, symbol) and
    the mask of rows that have one (each symbol's first row does not)."""
    codes = np.asarray(symbols.codes, dtype=np.int64)
    by_symbol = np.argsort(codes, kind="stable")  # date order within each symbol
    same_symbol = codes[by_symbol][1:] == codes[by_symbol][:-1]
    previous = np.full(len(close), np.nan)
    previous[by_symbol[1:][same_symbol]] = close[by_symbol[:-1][same_symbol]]
    return previous, ~np.isnan(previous)
