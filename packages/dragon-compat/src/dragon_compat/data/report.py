"""Validation findings as values: every broken rule, with file, row, column and value.

Checks run vectorized over whole columns, so a file with a million bad rows yields a
handful of :class:`Violation` batches (one per rule and column, holding the row
numbers as an array) rather than a million objects. :class:`ValidationReport`
turns them into :class:`ValidationError` rows on demand, in a stable order.

Row numbers are 1-based *data* rows of the file they refer to: the first row after
the header is row 1 (in a CSV it sits on line 2). Parquet rows count the same way.
File-level findings (a missing column) have no row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from dragon_compat.data.schema import NORMALIZED_COLUMNS, Layout


class Rule(StrEnum):
    """A validation rule; ``rule.description`` says what it requires."""

    MISSING_COLUMN = "MISSING_COLUMN"
    AMBIGUOUS_COLUMN = "AMBIGUOUS_COLUMN"
    MISSING_VALUE = "MISSING_VALUE"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    BAD_SYMBOL = "BAD_SYMBOL"
    BAD_DATE = "BAD_DATE"
    DUPLICATE_ROW = "DUPLICATE_ROW"
    NON_POSITIVE_PRICE = "NON_POSITIVE_PRICE"
    PRICE_NOT_WHOLE_CENTS = "PRICE_NOT_WHOLE_CENTS"
    LOW_ABOVE_OPEN_CLOSE = "LOW_ABOVE_OPEN_CLOSE"
    HIGH_BELOW_OPEN_CLOSE = "HIGH_BELOW_OPEN_CLOSE"
    LIMITS_INVERTED = "LIMITS_INVERTED"
    NEGATIVE_VOLUME = "NEGATIVE_VOLUME"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    TURNOVER_OUT_OF_RANGE = "TURNOVER_OUT_OF_RANGE"
    BAD_IS_ST = "BAD_IS_ST"
    BAD_LIST_DATE = "BAD_LIST_DATE"
    TRADED_BEFORE_LISTING = "TRADED_BEFORE_LISTING"
    NOT_IN_SIDE_TABLE = "NOT_IN_SIDE_TABLE"
    DUPLICATE_SIDE_TABLE_KEY = "DUPLICATE_SIDE_TABLE_KEY"

    @property
    def description(self) -> str:
        return RULE_DESCRIPTIONS[self]


RULE_DESCRIPTIONS: dict[Rule, str] = {
    Rule.MISSING_COLUMN: "a required column is absent",
    Rule.AMBIGUOUS_COLUMN: "the column is in both the bars file and the side table",
    Rule.MISSING_VALUE: "a required value is empty",
    Rule.NOT_A_NUMBER: "the value is not a finite number",
    Rule.BAD_SYMBOL: "symbol must be NNNNNN.SH, NNNNNN.SZ or NNNNNN.BJ",
    Rule.BAD_DATE: "trade_date must be a valid calendar date in the layout's format",
    Rule.DUPLICATE_ROW: "(trade_date, symbol) appears more than once",
    Rule.NON_POSITIVE_PRICE: "prices must be > 0",
    Rule.PRICE_NOT_WHOLE_CENTS: "prices must be whole cents (A-share tick 0.01 CNY)",
    Rule.LOW_ABOVE_OPEN_CLOSE: "low must be <= min(open, close)",
    Rule.HIGH_BELOW_OPEN_CLOSE: "high must be >= max(open, close)",
    Rule.LIMITS_INVERTED: "published up_limit must be > down_limit",
    Rule.NEGATIVE_VOLUME: "volume must be >= 0",
    Rule.NEGATIVE_AMOUNT: "amount must be >= 0",
    Rule.TURNOVER_OUT_OF_RANGE: "turnover_rate must be within 0-100 (percent)",
    Rule.BAD_IS_ST: "is_st must be one of true/false/1/0 (case-insensitive)",
    Rule.BAD_LIST_DATE: "list_date must be empty or a date (YYYY-MM-DD or YYYYMMDD)",
    Rule.TRADED_BEFORE_LISTING: "trade_date must not precede list_date",
    Rule.NOT_IN_SIDE_TABLE: "the side table has no entry for this row's symbol (and date)",
    Rule.DUPLICATE_SIDE_TABLE_KEY: "the side table has more than one entry for this key",
}


@dataclass(frozen=True)
class ValidationError:
    """One broken rule on one row (``row`` None: the whole file)."""

    source: str
    row: int | None
    column: str
    rule: Rule
    value: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        shown = f" (value {self.value!r})" if self.value != "" else ""
        return f"{where}, column {self.column!r}: {self.rule.value}: {self.rule.description}{shown}"


@dataclass(frozen=True)
class Violation:
    """One rule broken in one column of one file, on the rows listed (a batch).

    ``rows`` are 1-based data rows (empty array with ``values`` empty for a
    file-level finding); ``values`` holds the offending value per row, converted
    to text only when a report is rendered.
    """

    source: str
    column: str
    rule: Rule
    rows: np.ndarray
    shown: np.ndarray
    note: str = ""

    @property
    def count(self) -> int:
        return max(1, len(self.rows))


def format_value(value: object) -> str:
    """Text of an offending value as read (floats without noise, NaN as empty)."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return repr(number)
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]"))
    return str(value)


_COLUMN_ORDER = {name: i for i, name in enumerate(NORMALIZED_COLUMNS)}


@dataclass(frozen=True)
class ValidationReport:
    """All findings for one input (the bars file plus its optional side table).

    ``ok`` when there are none. ``errors()`` lists them ordered: file-level
    findings first, then by source (bars before side table), row, column.
    """

    source: str
    layout: Layout
    rows: int
    side_table: str | None = None
    violations: tuple[Violation, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def error_count(self) -> int:
        return sum(v.count for v in self.violations)

    def errors(self, limit: int | None = None) -> list[ValidationError]:
        """The findings as rows, ordered; at most ``limit`` of them when given."""
        keys: list[np.ndarray] = []
        for batch, violation in enumerate(self.violations):
            n = max(1, len(violation.rows))
            rows = violation.rows if len(violation.rows) else np.array([-1], dtype=np.int64)
            source_rank = 0 if violation.source == self.source else 1
            keys.append(
                np.stack(
                    [
                        np.full(n, source_rank, dtype=np.int64),
                        rows.astype(np.int64, copy=False),
                        np.full(n, _COLUMN_ORDER.get(violation.column, 99), dtype=np.int64),
                        np.full(n, batch, dtype=np.int64),
                        np.arange(n, dtype=np.int64),
                    ]
                )
            )
        if not keys:
            return []
        table = np.concatenate(keys, axis=1)
        file_level = table[1] < 0
        order = np.lexsort((table[4], table[3], table[2], table[1], table[0], ~file_level))
        if limit is not None:
            order = order[:limit]
        out: list[ValidationError] = []
        for i in order:
            violation = self.violations[int(table[3, i])]
            position = int(table[4, i])
            if len(violation.rows):
                row: int | None = int(violation.rows[position])
                value = format_value(violation.shown[position])
            else:
                row, value = None, violation.note
            out.append(
                ValidationError(violation.source, row, violation.column, violation.rule, value)
            )
        return out

    def format(self, limit: int = 20) -> str:
        """A plain-text message: the file, the count, the first ``limit`` findings."""
        total = self.error_count
        sources = (
            self.source
            if self.side_table is None
            else f"{self.source} (side table {self.side_table})"
        )
        lines = [
            f"{sources}: {total} validation error{'s' if total != 1 else ''} "
            f"({self.layout.value} layout; rows are 1-based data rows, header not counted)"
        ]
        for error in self.errors(limit):
            prefix = "" if error.source == self.source else f"side table {error.source}: "
            lines.append(f"  {prefix}{error}")
        if total > limit:
            lines.append(f"  ... and {total - limit} more (run `dragon validate` to list them)")
        return "\n".join(lines)


class Findings:
    """Collects violations found in one frame of one source file.

    Checks work on positions in the frame; ``rows`` maps a position to the file's
    1-based data row (``None``: position + 1, the frame is the file as read).
    """

    def __init__(self, source: str, rows: np.ndarray | None = None) -> None:
        self.source = source
        self.rows = rows
        self.violations: list[Violation] = []

    def row_numbers(self, positions: np.ndarray) -> np.ndarray:
        """The file's data rows of frame ``positions``."""
        positions = np.asarray(positions, dtype=np.int64)
        return positions + 1 if self.rows is None else self.rows[positions]

    def flag(self, column: str, rule: Rule, mask: np.ndarray, values: object) -> None:
        """Record ``rule`` broken in ``column`` wherever ``mask`` (bool, per position)."""
        if mask.any():
            self.flag_positions(column, rule, np.flatnonzero(mask), values)

    def flag_positions(
        self, column: str, rule: Rule, positions: np.ndarray, values: object
    ) -> None:
        """Record ``rule`` broken in ``column`` at ``positions`` (ascending).

        ``values`` (a Series or array aligned with the frame) is only indexed at the
        flagged positions, so clean columns cost nothing beyond the check.
        """
        if not len(positions):
            return
        if isinstance(values, pd.Series):
            shown = values.iloc[positions].to_numpy(dtype=object)
        else:
            shown = np.asarray(values)[positions]
        rows = self.row_numbers(positions)
        self.violations.append(Violation(self.source, column, rule, rows, shown))

    def flag_file(self, column: str, rule: Rule, note: str = "") -> None:
        """Record a file-level finding (no row), e.g. a missing column."""
        empty = np.empty(0, dtype=np.int64)
        self.violations.append(Violation(self.source, column, rule, empty, empty, note))
