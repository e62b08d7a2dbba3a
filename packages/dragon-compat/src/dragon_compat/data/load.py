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
none is an ERROR, and then the tape checks (:mod:`dragon_compat.data.tape`: bars
beyond their own limits, adjusted tapes) add their WARNINGs and the ``no_limit``
column. Turnover cells outside 0–100 % become NaN (not reported). Every step is
vectorized over whole columns, in named functions that port to Arrow arrays.
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
    st_names,
    with_str_categories,
)
from dragon_compat.data.read import read_table
from dragon_compat.data.report import (
    Findings,
    Rule,
    Severity,
    ValidationReport,
    Violation,
    symbol_texts,
    with_symbols,
)
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
from dragon_compat.data.tape import NO_LIMIT_COLUMN, check_tape
from dragon_compat.data.validate import (
    RowRule,
    apply_row_rules,
    listing_rule,
    price_rules,
    quantity_rules,
    range_rules,
    sort_order,
    unreport_turnover,
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
    cannot be read, or listing the first ERROR findings (with 1-based data row,
    column, rule and value as written) and the totals when any ERROR rule is broken;
    WARNINGs never raise (``validate_file`` returns them).
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
        self.written: dict[str, pd.Series] = {}
        """File column → its cells as written (shown in findings of scaled columns)."""
        self.dated_name = False
        """``name`` came from a dated side table (one name per row, like the file's)."""
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

    if "symbol" not in columns.typed and spec.layout is Layout.AKSHARE:
        _symbol_from_single_side_table(columns, sides, len(raw), source)
    for side in sides:
        extra.extend(side.violations)
        extra.extend(_join_side_table(columns, side, findings))
    _is_st_from_names(columns, source)
    derive_pre_close = _pre_close_source(raw, spec, columns, findings)
    _flag_missing_columns(spec, columns, findings, derive_pre_close)

    labels = columns.labels
    floats = columns.floats(source)
    rules = columns.rules + price_rules(floats, labels)
    rules += quantity_rules(floats, labels, columns.written)
    rules += range_rules(floats, labels, columns.written)
    typed = columns.typed
    if "trade_date" in typed and "list_date" in typed:
        trade_date, list_date = as_array(typed["trade_date"]), as_array(typed["list_date"])
        rules.append(listing_rule(trade_date, list_date, labels["list_date"]))
    apply_row_rules(rules, len(raw), findings)
    order = None
    if "trade_date" in typed and "symbol" in typed:
        symbol_codes = np.asarray(as_categorical(typed["symbol"]).codes)
        order = sort_order(as_array(typed["trade_date"]), symbol_codes, labels["symbol"], findings)

    def report(violations: tuple[Violation, ...]) -> ValidationReport:
        if "symbol" in typed:
            violations = with_symbols(
                violations, source, symbol_texts(as_categorical(typed["symbol"]))
            )
        return ValidationReport(
            source=source,
            layout=spec.layout,
            rows=len(raw),
            side_table=", ".join(s.source for s in sides) or None,
            violations=violations,
        )

    violations = tuple(findings.violations) + tuple(extra)
    if any(v.rule.severity is Severity.ERROR for v in violations):
        return ValidationResult(report(violations), None)
    if "turnover_rate" in typed:
        typed["turnover_rate"] = unreport_turnover(as_array(typed["turnover_rate"]))
    bars, file_rows = _assemble(columns.typed, order, derive_pre_close)
    if len(bars) == 0:
        raise DragonUserError(
            f"{source}: no rows left: each symbol's only row was needed to seed pre_close "
            "(no pre_close column and no 涨跌额; supply pre_close in a dated side table)"
        )
    tape_findings = Findings(source)
    tape = check_tape(bars, file_rows, tape_findings, derived_pre_close=derive_pre_close)
    if tape.no_limit is not None:
        bars[NO_LIMIT_COLUMN] = tape.no_limit
    violations += tuple(tape_findings.violations)
    return ValidationResult(report(violations), bars)


def _pre_close_source(
    raw: pd.DataFrame, spec: LayoutSpec, columns: _Columns, findings: Findings
) -> bool:
    """Where ``pre_close`` comes from when neither the file nor a side table has it:
    ``收盘 − 涨跌额`` in an AkShare export, else each symbol's previous close (returns
    True: derived after sorting; a PRE_CLOSE_DERIVED warning says so)."""
    if "pre_close" in columns.typed or "pre_close" in columns.unjoined:
        return False
    if spec.change_column is not None and "close" in columns.typed:
        change_label = spec.change_column
        change, change_rules = parse_float(raw[change_label], change_label, findings)
        columns.rules += change_rules
        derived = _snap_cents(as_array(columns.typed["close"]) - change)
        close_label = spec.source_of("close")
        label = f"pre_close ({close_label} − {change_label})"
        columns.put("pre_close", derived, label, findings.source)
        return False
    findings.flag_file(spec.source_of("pre_close"), Rule.PRE_CLOSE_DERIVED)
    return True


def _flag_missing_columns(
    spec: LayoutSpec, columns: _Columns, findings: Findings, derive_pre_close: bool
) -> None:
    """MISSING_COLUMN for each required column nobody supplies; a missing turnover
    column is only a WARNING (every row is then not reported)."""
    for column in REQUIRED_COLUMNS:
        derived_later = column == "pre_close" and derive_pre_close
        if column in columns.typed or column in columns.unjoined or derived_later:
            continue
        label = spec.source_of(column)
        if column == "turnover_rate":
            findings.flag_file(label, Rule.TURNOVER_NOT_REPORTED, spec.hints.get(column, ""))
        else:
            findings.flag_file(label, Rule.MISSING_COLUMN, spec.hints.get(column, ""))


def _is_st_from_names(columns: _Columns, source: str) -> None:
    """``is_st`` from a per-row name when nothing supplies the flag: the bars file's
    own ``name`` column or a dated side table's (ST / *ST names are ST that day)."""
    if "is_st" in columns.typed or "name" not in columns.typed:
        return
    names = columns.typed["name"]
    per_row = columns.origin["name"] == source or columns.dated_name
    if not per_row or not isinstance(names, pd.Series):
        return
    label = f"is_st (from the ST prefix of {columns.labels['name']})"
    columns.put("is_st", st_names(names), label, columns.origin["name"])


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
            columns.written[column] = values
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
    if side.intervals is not None:
        return _join_intervals(columns, side)
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
        if column == "name" and side.dated:
            columns.dated_name = True
    return violations


def _join_intervals(columns: _Columns, side: SideTable) -> list[Violation]:
    """``is_st`` of each bars row from a ``namechange``-style table: ST when an ST /
    *ST name interval of its symbol covers its date (rows of symbols the table does
    not list are not ST: the table lists name changes, not every symbol)."""
    assert side.intervals is not None
    empty = np.empty(0, dtype=np.int64)
    if "is_st" in columns.typed:
        note = f"also supplied by {columns.origin['is_st']}"
        return [Violation(side.source, "is_st", Rule.AMBIGUOUS_COLUMN, empty, empty, note)]
    if "symbol" not in columns.typed or "trade_date" not in columns.typed:
        columns.unjoined.add("is_st")
        return []
    symbols = as_categorical(columns.typed["symbol"])
    to_side = pd.Index(np.asarray(side.symbols.categories, dtype=object)).get_indexer(
        pd.Index(np.asarray(symbols.categories, dtype=object))
    )
    bar_codes = np.asarray(symbols.codes, dtype=np.int64)
    side_codes = np.where(bar_codes >= 0, to_side[np.maximum(bar_codes, 0)], -1)
    covered = side.intervals.covers(side_codes, as_array(columns.typed["trade_date"]))
    label = f"is_st (ST names in {side.source})"
    columns.put("is_st", covered & (side_codes >= 0), label, side.source)
    return []


def _assemble(
    values: dict[str, TypedColumn], order: np.ndarray | None, derive_pre_close: bool
) -> tuple[pd.DataFrame, np.ndarray]:
    """The normalized frame (sorted, RangeIndex, exact dtypes) from clean typed columns,
    and each of its rows' 1-based data row in the file.

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
    file_rows = (np.arange(n, dtype=np.int64) if order is None else order.astype(np.int64)) + 1
    if keep is not None:
        frame = frame.loc[keep].reset_index(drop=True)
        frame["symbol"] = frame["symbol"].cat.remove_unused_categories()
        frame["sector"] = frame["sector"].cat.remove_unused_categories()
        file_rows = file_rows[keep]
    return frame, file_rows


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
