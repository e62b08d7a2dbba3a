"""Side tables: per-symbol or per-(trade_date, symbol) columns a bars file lacks.

A side table is a CSV/CSV.gz/Parquet file keyed by symbol (``ts_code``, ``symbol``,
``股票代码`` or ``代码``; bare 6-digit codes get their exchange suffix), and by
``trade_date`` too when it has that column (any accepted date spelling). It may supply any
of ``sector`` (alias ``industry``), ``is_st``, ``name``, ``list_date``,
``turnover_rate`` and ``pre_close``; its other columns are ignored, so Tushare's
``stock_basic`` and ``daily_basic`` exports work as they are. Several side tables
may be given; a column supplied twice (by the bars file or another side table) is
an AMBIGUOUS_COLUMN error rather than a silent choice.

A table with ``name``, ``start_date`` and ``end_date`` and no ``trade_date`` is an
**interval table** like Tushare's ``namechange``: each row says the symbol bore that
name from ``start_date`` through ``end_date`` (empty: still does). It supplies
``is_st`` only: a bars row is ST when an interval of an ST / *ST name covers its date.
A dated table (or the bars file) with ``name`` but no ``is_st`` supplies ``is_st``
from the name the same way.

Side-table cells are checked with the same rules as bars cells, and findings carry
the side table's own row numbers. A bars row whose key the side table lacks is a
NOT_IN_SIDE_TABLE finding on the bars row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dragon_compat.data.adapters import (
    SIDE_TABLE_ALIASES,
    SIDE_TABLE_KEY_COLUMNS,
    SIDE_TABLE_VALUE_COLUMNS,
    codes_to_symbols,
)
from dragon_compat.data.parse import parse_column, parse_date, parse_symbol, parse_text, st_names
from dragon_compat.data.read import read_table
from dragon_compat.data.report import Findings, Rule, Violation, symbol_texts, with_symbols
from dragon_compat.data.schema import FLOAT_COLUMNS
from dragon_compat.data.validate import (
    RowRule,
    apply_row_rules,
    price_rules,
    quantity_rules,
    range_rules,
)

TypedColumn = np.ndarray | pd.Categorical | pd.Series


def as_array(column: TypedColumn) -> np.ndarray:
    """``column`` as the ndarray it is (dates, floats, bools); TypeError if it is not."""
    if not isinstance(column, np.ndarray):
        raise TypeError(f"expected an ndarray column, got {type(column).__name__}")
    return column


def as_categorical(column: TypedColumn) -> pd.Categorical:
    """``column`` as the Categorical it is (symbol, sector); TypeError if it is not."""
    if not isinstance(column, pd.Categorical):
        raise TypeError(f"expected a Categorical column, got {type(column).__name__}")
    return column


@dataclass(frozen=True)
class NameIntervals:
    """The ST intervals of a ``namechange``-style table: symbol code (into the side
    table's categories), first and last day (NaT last: open-ended)."""

    codes: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def covers(self, symbol_codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Per (symbol code, day): whether an ST interval of that symbol covers the day.

        Vectorized: intervals sorted by (symbol, start), the latest-starting interval
        at or before each day found with one ``searchsorted``; overlapping intervals
        are merged first by a running maximum of their ends per symbol."""
        if not len(self.codes):
            return np.zeros(len(days), dtype=bool)
        day = days.astype("datetime64[D]").astype(np.int64)
        start = self.start.astype("datetime64[D]").astype(np.int64)
        end = self.end.astype("datetime64[D]")
        end_day = np.where(np.isnat(end), np.iinfo(np.int64).max, end.astype(np.int64))
        order = np.lexsort((start, self.codes))
        codes, start, end_day = self.codes[order], start[order], end_day[order]
        reach = pd.Series(end_day).groupby(codes).cummax().to_numpy()
        span = np.int64(1) << 40  # days since 1970 stay far below
        keys = codes * span + start
        position = np.searchsorted(keys, symbol_codes * span + day, side="right") - 1
        safe = np.maximum(position, 0)
        return (position >= 0) & (codes[safe] == symbol_codes) & (day <= reach[safe])


@dataclass(frozen=True)
class SideTable:
    """A parsed side table: keys and typed value columns, one entry per side row."""

    source: str
    symbols: pd.Categorical
    trade_dates: np.ndarray | None
    columns: dict[str, TypedColumn]
    violations: tuple[Violation, ...]
    key: str | None
    """The side-table column holding the symbol (None: it has none)."""
    intervals: NameIntervals | None = None
    """ST name intervals of an interval table (its ``columns`` are then empty)."""

    @property
    def dated(self) -> bool:
        return self.trade_dates is not None


def read_side_table(path: str | Path) -> SideTable:
    """Read and check a side table (DragonUserError when the file is unreadable)."""
    raw = read_table(path)
    source = str(path)
    findings = Findings(source)
    rules: list[RowRule] = []
    key = next((c for c in SIDE_TABLE_KEY_COLUMNS if c in raw.columns), None)
    if key is None:
        findings.flag_file(
            "symbol",
            Rule.MISSING_COLUMN,
            "a side table needs a ts_code, symbol, 股票代码 or 代码 column",
        )
        symbols = pd.Categorical([None] * len(raw), categories=pd.Index([], dtype=object))
    else:
        symbols = parse_symbol(codes_to_symbols(raw[key]), key, findings, raw[key])
    if _is_interval_table(raw.columns):
        return _read_interval_table(raw, source, symbols, key, findings)
    trade_dates = None
    if "trade_date" in raw.columns:
        trade_dates, date_rules = parse_date(
            raw["trade_date"], "trade_date", findings, date_format="either"
        )
        rules += date_rules

    columns: dict[str, TypedColumn] = {}
    labels: dict[str, str] = {}
    for column in SIDE_TABLE_VALUE_COLUMNS:
        label = _label(column, raw.columns)
        if label is None:
            continue
        columns[column], column_rules = parse_column(column, raw[label], label, findings)
        labels[column] = label
        rules += column_rules

    floats = {c: v for c, v in columns.items() if c in FLOAT_COLUMNS and isinstance(v, np.ndarray)}
    rules += price_rules(floats, labels) + quantity_rules(floats, labels)
    rules += range_rules(floats, labels)
    apply_row_rules(rules, len(raw), findings)
    _flag_duplicate_keys(symbols, trade_dates, key or "symbol", findings)
    violations = with_symbols(tuple(findings.violations), source, symbol_texts(symbols))
    return SideTable(source, symbols, trade_dates, columns, violations, key)


INTERVAL_COLUMNS: tuple[str, str, str] = ("name", "start_date", "end_date")
"""The columns that make a side table a ``namechange``-style interval table."""


def _is_interval_table(columns: pd.Index) -> bool:
    return all(c in columns for c in INTERVAL_COLUMNS) and "trade_date" not in columns


def _read_interval_table(
    raw: pd.DataFrame, source: str, symbols: pd.Categorical, key: str | None, findings: Findings
) -> SideTable:
    start, rules = parse_date(raw["start_date"], "start_date", findings, date_format="either")
    end, end_rules = parse_date(
        raw["end_date"], "end_date", findings, date_format="either", required=False
    )
    apply_row_rules(rules + end_rules, len(raw), findings)
    st = st_names(parse_text(raw["name"]))
    codes = np.asarray(symbols.codes, dtype=np.int64)
    keep = st & (codes >= 0) & ~np.isnat(start)
    intervals = NameIntervals(codes[keep], start[keep], end[keep])
    violations = tuple(findings.violations)
    return SideTable(source, symbols, None, {}, violations, key, intervals)


def _label(column: str, present: pd.Index) -> str | None:
    """The side-table column supplying ``column``: itself, else an alias, else None."""
    if column in present:
        return column
    return next(
        (a for a, target in SIDE_TABLE_ALIASES.items() if target == column and a in present), None
    )


def _flag_duplicate_keys(
    symbols: pd.Categorical, trade_dates: np.ndarray | None, label: str, findings: Findings
) -> None:
    codes = np.asarray(symbols.codes, dtype=np.int64)
    keys = pd.DataFrame({"symbol": codes})
    if trade_dates is not None:
        keys["trade_date"] = trade_dates.view(np.int64)
    valid = codes >= 0
    repeated = keys.duplicated().to_numpy() & valid
    findings.flag(label, Rule.DUPLICATE_SIDE_TABLE_KEY, repeated, symbols.astype(object))


def lookup_positions(
    side: SideTable, symbols: pd.Categorical, trade_dates: np.ndarray
) -> np.ndarray:
    """For each bars row, the side-table row holding its key, or -1 when none does.

    The first occurrence wins for a repeated key (which is reported anyway).
    """
    bar_symbols = pd.Index(np.asarray(symbols.categories, dtype=object))
    side_symbols = np.asarray(side.symbols.categories, dtype=object)
    # side category code for each bars category (-1 when the side table lacks it)
    to_side = pd.Index(side_symbols).get_indexer(bar_symbols)
    bar_codes = np.asarray(symbols.codes, dtype=np.int64)
    side_code_of_bar = np.where(bar_codes >= 0, to_side[np.maximum(bar_codes, 0)], -1)
    side_codes = np.asarray(side.symbols.codes, dtype=np.int64)
    if side.trade_dates is None:
        first_row = np.append(_first_positions(side_codes, len(side_symbols)), -1)
        return first_row[np.where(side_code_of_bar >= 0, side_code_of_bar, len(side_symbols))]
    side_keys = pd.MultiIndex.from_arrays([side_codes, side.trade_dates.view(np.int64)])
    bar_keys = pd.MultiIndex.from_arrays([side_code_of_bar, trade_dates.view(np.int64)])
    first_of_key = ~side_keys.duplicated()
    positions_of_unique = np.flatnonzero(first_of_key)
    found = side_keys[first_of_key].get_indexer(bar_keys)
    result = np.where(found >= 0, positions_of_unique[np.maximum(found, 0)], -1)
    return np.where(side_code_of_bar >= 0, result, -1)


def _first_positions(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """Position of the first side row of each category (-1 when it has none)."""
    first = np.full(n_categories, -1, dtype=np.int64)
    valid = np.flatnonzero(codes >= 0)
    # reversed assignment leaves the first occurrence in place
    first[codes[valid[::-1]]] = valid[::-1]
    return first


def take(column: TypedColumn, positions: np.ndarray) -> TypedColumn:
    """Values at side-table ``positions`` (-1 → empty: NaN, NaT, False, "", no category)."""
    missing = positions < 0
    safe = np.maximum(positions, 0)
    if isinstance(column, pd.Categorical):
        codes = (
            np.asarray(column.codes, dtype=np.int64)[safe]
            if len(column)
            else np.full(len(safe), -1)
        )
        codes = np.where(missing, -1, codes)
        return pd.Categorical.from_codes(codes, categories=column.categories)
    if isinstance(column, pd.Series):
        taken = (
            column.iloc[safe].reset_index(drop=True) if len(column) else pd.Series([""] * len(safe))
        )
        return taken.where(~missing, "")
    array = np.asarray(column)
    if array.dtype == bool:
        return np.where(missing, False, array[safe] if len(array) else False)
    empty = np.datetime64("NaT", "ns") if array.dtype.kind == "M" else np.nan
    return np.where(missing, empty, array[safe] if len(array) else empty)
