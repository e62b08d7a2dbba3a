"""Validation findings as values: every broken rule, with file, row, column and value.

Each rule has a :class:`Severity`. An **ERROR** means the file cannot be used as it
is (a missing required column, an unreadable required cell, a duplicate key, a
non-positive price, high below low, a number beyond any real A-share value); a
**WARNING** means the file is usable but a row is suspicious or a cell is treated as
unreported (a turnover of 106 %, a bar beyond its own limits, prices that look
adjusted). Bars are built when there is no ERROR; warnings never stop a run.

Checks run vectorized over whole columns, so a file with a million bad rows yields a
handful of :class:`Violation` batches (one per rule and column, holding the row
numbers as an array) rather than a million objects. :class:`ValidationReport`
turns them into :class:`ValidationError` rows on demand, in a stable order.

Row numbers are 1-based *data* rows of the file they refer to: the first row after
the header is row 1 (in a CSV it sits on line 2). Parquet rows count the same way.
File-level findings (a missing column) have no row.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from dragon_compat.data.schema import NORMALIZED_COLUMNS, Layout


class Severity(StrEnum):
    """How bad a finding is: ERROR stops the file, WARNING is reported and tolerated."""

    ERROR = "ERROR"
    WARNING = "WARNING"


class Rule(StrEnum):
    """A validation rule; ``rule.description`` says what it requires, ``rule.severity``
    whether breaking it stops the file, ``rule.hint`` what to do about it."""

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
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
    TURNOVER_NOT_REPORTED = "TURNOVER_NOT_REPORTED"
    PRE_CLOSE_DERIVED = "PRE_CLOSE_DERIVED"
    BEYOND_OWN_LIMITS = "BEYOND_OWN_LIMITS"
    ADJUSTED_PRICES_SUSPECTED = "ADJUSTED_PRICES_SUSPECTED"

    @property
    def description(self) -> str:
        return RULE_DESCRIPTIONS[self]

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self in WARNING_RULES else Severity.ERROR

    @property
    def hint(self) -> str:
        """What to do about a finding of this rule ("" when the description says it)."""
        return RULE_HINTS.get(self, "")

    @property
    def collapsed(self) -> bool:
        """Listed as one line per symbol (count, first row, first value) rather than
        one line per row: a rule broken on whole histories at once."""
        return self in COLLAPSED_RULES


RULE_DESCRIPTIONS: dict[Rule, str] = {
    Rule.MISSING_COLUMN: "a required column is absent",
    Rule.AMBIGUOUS_COLUMN: "the column is in both the bars file and the side table",
    Rule.MISSING_VALUE: "a required value is empty",
    Rule.NOT_A_NUMBER: "the value is not a finite number",
    Rule.BAD_SYMBOL: (
        "symbol must name a code and its exchange: 600000.SH, sh600000, sh.600000, "
        "SH600000, 600000.XSHG / 000001.XSHE, or a bare 6-digit code whose exchange "
        "its prefix tells (60/68/90 SH, 00/20/30 SZ, 4/8/92 BJ)"
    ),
    Rule.BAD_DATE: (
        "trade_date must be a calendar date written YYYY-MM-DD, YYYYMMDD or YYYY/M/D, "
        "one format for the whole column (the value shows the format the column uses)"
    ),
    Rule.DUPLICATE_ROW: "(trade_date, symbol) appears more than once",
    Rule.NON_POSITIVE_PRICE: "prices must be > 0",
    Rule.PRICE_NOT_WHOLE_CENTS: "prices must be whole cents (A-share tick 0.01 CNY)",
    Rule.LOW_ABOVE_OPEN_CLOSE: "low must be <= min(open, close)",
    Rule.HIGH_BELOW_OPEN_CLOSE: "high must be >= max(open, close)",
    Rule.LIMITS_INVERTED: "published up_limit must be > down_limit",
    Rule.NEGATIVE_VOLUME: "volume must be >= 0",
    Rule.NEGATIVE_AMOUNT: "amount must be >= 0",
    Rule.TURNOVER_OUT_OF_RANGE: (
        "turnover_rate should be within 0-100 (percent); the cell is treated as not reported"
    ),
    Rule.BAD_IS_ST: "is_st must be one of true/false, 1/0, 是/否, Y/N (case-insensitive)",
    Rule.BAD_LIST_DATE: (
        "list_date must be empty or a date written YYYY-MM-DD, YYYYMMDD or YYYY/M/D"
    ),
    Rule.TRADED_BEFORE_LISTING: "trade_date must not precede list_date",
    Rule.NOT_IN_SIDE_TABLE: "the side table has no entry for this row's symbol (and date)",
    Rule.DUPLICATE_SIDE_TABLE_KEY: "the side table has more than one entry for this key",
    Rule.VALUE_OUT_OF_RANGE: (
        "the number is beyond any real A-share value (prices <= 100,000 CNY, volume <= "
        "1e12 shares, amount <= 1e14 CNY; see dragon_compat.data.schema.VALUE_BOUNDS)"
    ),
    Rule.TURNOVER_NOT_REPORTED: (
        "the file has no turnover_rate column; every row is treated as not reported "
        "(predicates on turnover are UNAVAILABLE)"
    ),
    Rule.PRE_CLOSE_DERIVED: (
        "the file has no pre_close: each row's previous close is used and each symbol's "
        "first row only seeds it (wrong on ex-rights days)"
    ),
    Rule.BEYOND_OWN_LIMITS: (
        "the bar traded beyond its own daily limits (high > up_limit or low < down_limit): "
        "no limit applied that day; the row is treated like an IPO day (no limit flags, "
        "not a board, not in limit-up counts)"
    ),
    Rule.ADJUSTED_PRICES_SUSPECTED: (
        "the prices look adjusted (前复权/后复权), even if rounded to cents: closes that "
        "miss the computed limit by a cent, bars beyond their own limits"
    ),
}

WARNING_RULES: frozenset[Rule] = frozenset(
    {
        Rule.TURNOVER_OUT_OF_RANGE,
        Rule.TURNOVER_NOT_REPORTED,
        Rule.PRE_CLOSE_DERIVED,
        Rule.BEYOND_OWN_LIMITS,
        Rule.ADJUSTED_PRICES_SUSPECTED,
    }
)
"""Rules whose findings are WARNINGs; every other rule is an ERROR."""

UNADJUSTED_HINT = (
    'export unadjusted (as-traded) bars: AkShare stock_zh_a_hist(adjust=""), '
    'Tushare daily (not pro_bar with adj), baostock query_history_k_data_plus(adjustflag="3")'
)
"""How to get the unadjusted bars Dragon needs, per vendor."""

EXCHANGE_PRE_CLOSE_HINT = (
    "an ex-rights day is suspected: supply the exchange's pre_close (Tushare daily "
    "pre_close, AkShare 涨跌额, baostock preclose) in the file or a dated side table"
)
"""What to do when a derived pre_close puts a bar beyond its limits."""

RULE_HINTS: dict[Rule, str] = {
    Rule.PRICE_NOT_WHOLE_CENTS: UNADJUSTED_HINT,
    Rule.ADJUSTED_PRICES_SUSPECTED: UNADJUSTED_HINT,
    Rule.PRE_CLOSE_DERIVED: EXCHANGE_PRE_CLOSE_HINT.removeprefix("an ex-rights day is suspected: "),
}

COLLAPSED_RULES: frozenset[Rule] = frozenset(
    {Rule.PRICE_NOT_WHOLE_CENTS, Rule.ADJUSTED_PRICES_SUSPECTED}
)


@dataclass(frozen=True)
class ValidationError:
    """One broken rule on one row (``row`` None: the whole file), or — in a listing —
    ``count`` findings of one rule on one symbol summarised by the first of them
    (``examples``: its first few rows)."""

    source: str
    row: int | None
    column: str
    rule: Rule
    value: str
    symbol: str = ""
    count: int = 1
    note: str = ""
    examples: tuple[int, ...] = ()
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "file"
        shown = f" (value {self.value!r})" if self.value != "" else ""
        extra = f"; {self.note}" if self.note else ""
        text = (
            f"{self.severity.value} {where}, column {self.column!r}: {self.rule.value}: "
            f"{self.rule.description}{shown}{extra}"
        )
        if self.count > 1:
            rows = ", ".join(str(r) for r in self.examples)
            text += f" [{self.count} rows of {self.symbol or 'this file'}: {rows}, ...]"
        return text


@dataclass(frozen=True)
class Violation:
    """One rule broken in one column of one file, on the rows listed (a batch).

    ``rows`` are 1-based data rows (empty array with ``values`` empty for a
    file-level finding); ``shown`` holds the offending value per row as the file
    wrote it, converted to text only when a report is rendered; ``note`` adds what
    the batch has in common (the format a column uses, a suspected cause).
    ``symbols`` (aligned with ``rows``, or None when unknown) lets a listing
    summarise findings per symbol.
    """

    source: str
    column: str
    rule: Rule
    rows: np.ndarray
    shown: np.ndarray
    note: str = ""
    symbols: np.ndarray | None = None

    @property
    def count(self) -> int:
        return max(1, len(self.rows))

    @property
    def severity(self) -> Severity:
        return self.rule.severity


def format_value(value: object) -> str:
    """Text of an offending value as read (floats without noise, NaN as empty)."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return repr(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value.astype("datetime64[D]"))
    return str(value)


_COLUMN_ORDER = {name: i for i, name in enumerate(NORMALIZED_COLUMNS)}

DETAIL_LIMIT = 10
"""A warning rule with more findings than this is listed per symbol (count, examples)."""

EXAMPLE_ROWS = 3
"""Rows named as examples on a summarised line."""


@dataclass(frozen=True)
class ValidationReport:
    """All findings for one input (the bars file plus its optional side tables).

    ``ok`` when there is no ERROR (warnings allowed). ``findings()`` lists them
    ordered: file-level findings first, then by source (bars before side table),
    row, column; ``listing()`` is what a person reads (collapsed per symbol where
    numerous).
    """

    source: str
    layout: Layout
    rows: int
    side_table: str | None = None
    violations: tuple[Violation, ...] = field(default=())
    strict_mode: bool = False
    """Every WARNING counts as an ERROR (``dragon validate --strict``)."""

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def count(self, severity: Severity) -> int:
        return sum(v.count for v in self.violations if self.severity_of(v) is severity)

    @property
    def error_count(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return self.count(Severity.WARNING)

    def strict(self) -> ValidationReport:
        """The report with every WARNING made an ERROR (``dragon validate --strict``)."""
        return dataclasses.replace(self, strict_mode=True)

    def rule_counts(self, severity: Severity | None = None) -> dict[Rule, int]:
        """Findings per rule (file-level findings count 1), rules in catalogue order."""
        counts: dict[Rule, int] = {}
        for violation in self.violations:
            if severity is None or self.severity_of(violation) is severity:
                counts[violation.rule] = counts.get(violation.rule, 0) + violation.count
        return {rule: counts[rule] for rule in Rule if rule in counts}

    def _batches(self, severity: Severity | None) -> list[tuple[int, Violation]]:
        return [
            (i, v)
            for i, v in enumerate(self.violations)
            if severity is None or self.severity_of(v) is severity
        ]

    def severity_of(self, violation: Violation) -> Severity:
        """The violation's severity in this report (strict: always ERROR)."""
        return Severity.ERROR if self.strict_mode else violation.severity

    def findings(
        self, limit: int | None = None, severity: Severity | None = None
    ) -> list[ValidationError]:
        """The findings (of ``severity``, all when None) as rows, ordered; at most
        ``limit`` of them when given."""
        batches = self._batches(severity)
        keys: list[np.ndarray] = []
        for batch, violation in batches:
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
        return [self._error(int(table[3, i]), int(table[4, i])) for i in order]

    def _error(self, batch: int, position: int) -> ValidationError:
        violation = self.violations[batch]
        severity = self.severity_of(violation)
        if not len(violation.rows):
            return ValidationError(
                violation.source,
                None,
                violation.column,
                violation.rule,
                "",
                note=violation.note,
                severity=severity,
            )
        symbol = "" if violation.symbols is None else str(violation.symbols[position])
        return ValidationError(
            violation.source,
            int(violation.rows[position]),
            violation.column,
            violation.rule,
            format_value(violation.shown[position]),
            symbol=symbol,
            note=violation.note,
            severity=severity,
        )

    def errors(self, limit: int | None = None) -> list[ValidationError]:
        """The ERROR findings as rows, ordered (see :meth:`findings`)."""
        return self.findings(limit, Severity.ERROR)

    def warnings(self, limit: int | None = None) -> list[ValidationError]:
        """The WARNING findings as rows, ordered (see :meth:`findings`)."""
        return self.findings(limit, Severity.WARNING)

    def listing(self, severity: Severity, limit: int | None = None) -> list[ValidationError]:
        """What a person reads: the findings of ``severity``, ordered, with the rows of
        a collapsed rule (off-grid prices, adjusted tapes) and of a WARNING rule with
        more than :data:`DETAIL_LIMIT` findings summarised as one line per symbol (the
        first finding, the count and the first :data:`EXAMPLE_ROWS` rows)."""
        counts = self.rule_counts(severity)
        summarised = {
            r for r, n in counts.items() if n > DETAIL_LIMIT and r.severity is Severity.WARNING
        }
        lines: list[ValidationError] = []
        groups: dict[tuple[str, Rule, str, str], int] = {}
        members: dict[int, list[int]] = {}
        columns: dict[int, list[str]] = {}
        for finding in self.findings(None, severity):
            grouped = finding.row is not None and (
                finding.rule.collapsed or finding.rule in summarised
            )
            if not grouped:
                lines.append(finding)
                continue
            # a collapsed rule: one line per symbol whatever the column
            column = "" if finding.rule.collapsed else finding.column
            key = (finding.source, finding.rule, column, finding.symbol)
            if key not in groups:
                groups[key] = len(lines)
                members[len(lines)], columns[len(lines)] = [], []
                lines.append(finding)
            line = groups[key]
            if finding.row not in members[line][-1:]:
                members[line].append(finding.row or 0)
            if finding.column not in columns[line]:
                columns[line].append(finding.column)
        out = [
            dataclasses.replace(
                line,
                column=", ".join(columns[i]),
                count=len(members[i]),
                examples=tuple(members[i][:EXAMPLE_ROWS]),
            )
            if i in members and len(members[i]) > 1
            else line
            for i, line in enumerate(lines)
        ]
        return out if limit is None else out[:limit]

    def format(self, limit: int = 20) -> str:
        """A plain-text message: the file, the error count, the first ``limit`` error
        lines (warnings are counted, not listed: they never stop a run)."""
        total = self.error_count
        sources = (
            self.source
            if self.side_table is None
            else f"{self.source} (side table {self.side_table})"
        )
        warned = self.warning_count
        also = f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""
        lines = [
            f"{sources}: {total} validation error{'s' if total != 1 else ''}{also} "
            f"({self.layout.value} layout; rows are 1-based data rows, header not counted)"
        ]
        listing = self.listing(Severity.ERROR)
        for error in listing[:limit]:
            prefix = "" if error.source == self.source else f"side table {error.source}: "
            lines.append(f"  {prefix}{error}")
        if len(listing) > limit:
            lines.append(
                f"  ... and {len(listing) - limit} more (run `dragon validate` to list them)"
            )
        for rule in sorted({e.rule for e in listing[:limit]}):
            if rule.hint:
                lines.append(f"  {rule.value}: {rule.hint}")
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

    def flag(
        self, column: str, rule: Rule, mask: np.ndarray, values: object, note: str = ""
    ) -> None:
        """Record ``rule`` broken in ``column`` wherever ``mask`` (bool, per position)."""
        if mask.any():
            self.flag_positions(column, rule, np.flatnonzero(mask), values, note)

    def flag_positions(
        self, column: str, rule: Rule, positions: np.ndarray, values: object, note: str = ""
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
        self.violations.append(Violation(self.source, column, rule, rows, shown, note))

    def flag_file(self, column: str, rule: Rule, note: str = "") -> None:
        """Record a file-level finding (no row), e.g. a missing column."""
        empty = np.empty(0, dtype=np.int64)
        self.violations.append(Violation(self.source, column, rule, empty, empty, note))


def with_symbols(
    violations: tuple[Violation, ...], source: str, symbols: np.ndarray
) -> tuple[Violation, ...]:
    """``violations`` with the symbol of each bars row attached (``symbols`` holds the
    text symbol of each data row of ``source``, position = row − 1; side-table
    findings and file-level ones are returned unchanged)."""
    out = []
    for violation in violations:
        if violation.source == source and len(violation.rows) and violation.symbols is None:
            out.append(dataclasses.replace(violation, symbols=symbols[violation.rows - 1]))
        else:
            out.append(violation)
    return tuple(out)


def symbol_texts(symbols: pd.Categorical) -> np.ndarray:
    """Each row's symbol as text ("" where unreadable), for per-symbol listings."""
    names = np.append(np.asarray(symbols.categories, dtype=object), "")
    codes = np.asarray(symbols.codes, dtype=np.int64)
    return names[np.where(codes >= 0, codes, len(names) - 1)]
