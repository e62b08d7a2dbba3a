"""Row rules of docs/data.md on typed columns, vectorized and chunked.

Cell-level problems of text input (a symbol, date or number that does not parse)
are found while parsing (:mod:`dragon_compat.data.parse`). Everything a typed value
must satisfy is a :class:`RowRule` — a predicate over aligned column arrays — and
:func:`apply_row_rules` evaluates all of them together, one cache-sized chunk of
rows at a time, on a thread pool (numpy releases the GIL). On a 12.5M-row panel
that is several times faster than whole-column passes, whose 100 MB temporaries
each cost a trip through memory.

The rules:

- required float cells present (MISSING_VALUE) and finite (NOT_A_NUMBER);
- prices (``open high low close pre_close``, and ``up_limit down_limit`` where
  published) > 0 and whole cents (``dragon_runtime.market.whole_cents``: the
  A-share tick is 0.01 CNY);
- ``low <= min(open, close)`` and ``high >= max(open, close)``;
- published ``up_limit > down_limit``;
- numbers within :data:`~dragon_compat.data.schema.VALUE_BOUNDS` (VALUE_OUT_OF_RANGE:
  a price of 1e20 would wrap int64 cents);
- ``volume >= 0``, ``amount >= 0``; ``0 <= turnover_rate <= 100`` is a WARNING and
  the cell is then treated as not reported (:func:`unreport_turnover`; NaN is
  allowed: not reported by the vendor; predicates using it become UNAVAILABLE);
- ``trade_date >= list_date`` where the listing date is known;
- (trade_date, symbol) unique — checked with the sort order (:func:`sort_order`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from dragon_compat.data.report import Findings, Rule
from dragon_compat.data.schema import (
    LIMIT_COLUMNS,
    OHLC_COLUMNS,
    PRICE_COLUMNS,
    TURNOVER_RANGE,
    VALUE_BOUNDS,
)

CHUNK_ROWS = 1 << 16
"""Rows per chunk: a handful of float64 temporaries of this size stay in cache."""

_MAX_WORKERS = 8


@dataclass(frozen=True)
class RowRule:
    """``rule`` is broken in ``column`` on every row where ``broken(*arrays)`` is True.

    ``shown`` (aligned with the rows) supplies the value reported for a broken row.
    ``otherwise`` splits one scan into two rules: broken rows whose value (from
    ``arrays[0]``) satisfies its predicate are reported under its rule instead.
    """

    column: str
    rule: Rule
    arrays: tuple[np.ndarray, ...]
    broken: Callable[..., np.ndarray]
    shown: object
    otherwise: tuple[Rule, Callable[[np.ndarray], np.ndarray]] | None = None


def apply_row_rules(rules: Sequence[RowRule], rows: int, findings: Findings) -> None:
    """Evaluate every rule on every row, chunk by chunk, and record what breaks."""
    if not rules or rows == 0:
        return
    starts = range(0, rows, CHUNK_ROWS)

    def chunk(start: int) -> list[np.ndarray]:
        stop = min(start + CHUNK_ROWS, rows)
        hits = []
        for rule in rules:
            mask = rule.broken(*(a[start:stop] for a in rule.arrays))
            hits.append(np.flatnonzero(mask) + start if mask.any() else _NONE)
        return hits

    workers = min(_MAX_WORKERS, os.cpu_count() or 1, len(starts))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(chunk, starts))
    else:
        results = [chunk(start) for start in starts]
    for i, rule in enumerate(rules):
        hits = [r[i] for r in results if r[i].size]
        if not hits:
            continue
        positions = np.concatenate(hits)
        if rule.otherwise is not None:
            other_rule, is_other = rule.otherwise
            other = is_other(rule.arrays[0][positions])
            findings.flag_positions(rule.column, other_rule, positions[other], rule.shown)
            positions = positions[~other]
        findings.flag_positions(rule.column, rule.rule, positions, rule.shown)


_NONE = np.empty(0, dtype=np.int64)


def _non_positive(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return x <= 0


def _off_tick(x: np.ndarray) -> np.ndarray:
    from dragon_runtime import whole_cents

    with np.errstate(invalid="ignore"):
        return (x > 0) & np.isfinite(x) & ~whole_cents(x)


def _low_above(low: np.ndarray, open_: np.ndarray, close: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return low > np.minimum(open_, close)


def _high_below(high: np.ndarray, open_: np.ndarray, close: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return high < np.maximum(open_, close)


def _inverted(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (down > 0) & (up <= down)


def _negative(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return x < 0


def _outside_turnover(x: np.ndarray) -> np.ndarray:
    low, high = TURNOVER_RANGE
    with np.errstate(invalid="ignore"):
        return (x < low) | (x > high)


def _beyond(bound: float) -> Callable[[np.ndarray], np.ndarray]:
    def broken(x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.isfinite(x) & (np.abs(x) > bound)  # ±inf is NOT_A_NUMBER

    return broken


def range_rules(
    columns: Mapping[str, np.ndarray],
    labels: Mapping[str, str],
    shown: Mapping[str, object] | None = None,
) -> list[RowRule]:
    """Every bounded column within :data:`VALUE_BOUNDS` (ERROR VALUE_OUT_OF_RANGE)."""
    rules = []
    for column, bound in VALUE_BOUNDS.items():
        if column in columns:
            x = columns[column]
            value = x if shown is None else shown.get(column, x)
            rules.append(
                RowRule(labels[column], Rule.VALUE_OUT_OF_RANGE, (x,), _beyond(bound), value)
            )
    return rules


def unreport_turnover(turnover: np.ndarray) -> np.ndarray:
    """``turnover_rate`` with every cell outside 0–100 % set to NaN (not reported):
    a vendor glitch (603733.SH reported 106.48 % on 2020-08-05) is a WARNING, never a
    reason to reject the file."""
    outside = _outside_turnover(turnover)
    return np.where(outside, np.nan, turnover) if outside.any() else turnover


def _early(trade_dates: np.ndarray, list_dates: np.ndarray) -> np.ndarray:
    # NaT compares False with everything, so unknown dates never break the rule
    return trade_dates < list_dates


def price_rules(columns: Mapping[str, np.ndarray], labels: Mapping[str, str]) -> list[RowRule]:
    """Positive whole-cent prices; low/high consistent with open/close; limits ordered."""
    rules: list[RowRule] = []
    for column in (*PRICE_COLUMNS, *LIMIT_COLUMNS):
        if column in columns:
            x = columns[column]
            rules.append(RowRule(labels[column], Rule.NON_POSITIVE_PRICE, (x,), _non_positive, x))
            rules.append(RowRule(labels[column], Rule.PRICE_NOT_WHOLE_CENTS, (x,), _off_tick, x))
    if all(c in columns for c in OHLC_COLUMNS):
        o, h, lo, c = (columns[k] for k in OHLC_COLUMNS)
        rules.append(RowRule(labels["low"], Rule.LOW_ABOVE_OPEN_CLOSE, (lo, o, c), _low_above, lo))
        rules.append(RowRule(labels["high"], Rule.HIGH_BELOW_OPEN_CLOSE, (h, o, c), _high_below, h))
    if all(c in columns for c in LIMIT_COLUMNS):
        up, down = columns["up_limit"], columns["down_limit"]
        rules.append(RowRule(labels["up_limit"], Rule.LIMITS_INVERTED, (up, down), _inverted, up))
    return rules


def quantity_rules(
    columns: Mapping[str, np.ndarray],
    labels: Mapping[str, str],
    shown: Mapping[str, object] | None = None,
) -> list[RowRule]:
    """Non-negative volume and amount; turnover_rate within 0–100 percent (WARNING).

    ``shown`` maps a column to its cells as the file wrote them (a Tushare ``vol`` of
    −5 is reported as −5, not as the −500 shares it scales to)."""
    rules: list[RowRule] = []
    for column, rule in (("volume", Rule.NEGATIVE_VOLUME), ("amount", Rule.NEGATIVE_AMOUNT)):
        if column in columns:
            x = columns[column]
            value = x if shown is None else shown.get(column, x)
            rules.append(RowRule(labels[column], rule, (x,), _negative, value))
    if "turnover_rate" in columns:
        x = columns["turnover_rate"]
        rules.append(
            RowRule(labels["turnover_rate"], Rule.TURNOVER_OUT_OF_RANGE, (x,), _outside_turnover, x)
        )
    return rules


def listing_rule(trade_dates: np.ndarray, list_dates: np.ndarray, label: str) -> RowRule:
    """No row may trade before its symbol's listing date (when both are known)."""
    arrays = (trade_dates, list_dates)
    return RowRule(label, Rule.TRADED_BEFORE_LISTING, arrays, _early, trade_dates)


def sort_order(
    trade_dates: np.ndarray, symbol_codes: np.ndarray, label: str, findings: Findings
) -> np.ndarray | None:
    """Positions in (trade_date, symbol) order, flagging duplicate keys.

    ``symbol_codes`` index sorted categories (so code order is symbol order); rows
    with an unreadable date or symbol (NaT / -1) are already reported and are left
    out of the duplicate check. Returns ``None`` when the rows are already in order
    (the common case for files this package writes: a chunked O(n) check, no sort).
    """
    day = trade_dates.view(np.int64)
    if _strictly_ordered(day, symbol_codes):
        return None
    codes = symbol_codes.astype(np.int64)
    order = np.lexsort((codes, day))
    valid = (day != np.iinfo(np.int64).min) & (codes >= 0)
    ordered_day, ordered_code, ordered_valid = day[order], codes[order], valid[order]
    same = (
        (ordered_day[1:] == ordered_day[:-1])
        & (ordered_code[1:] == ordered_code[:-1])
        & ordered_valid[1:]
        & ordered_valid[:-1]
    )
    if same.any():
        # report every repeat with the row of the key's first occurrence
        is_repeat = np.concatenate(([False], same))
        group_start = np.maximum.accumulate(np.where(is_repeat, 0, np.arange(len(order))))
        repeats = order[is_repeat]
        first_rows = findings.row_numbers(order[group_start[is_repeat]])
        shown = np.empty(len(order), dtype=object)
        shown[repeats] = [f"same key as row {r}" for r in first_rows]
        findings.flag_positions(label, Rule.DUPLICATE_ROW, repeats, shown)
    return order


def _strictly_ordered(day: np.ndarray, codes: np.ndarray) -> bool:
    """Every row after the previous in (day, code) order, and no NaT / -1 keys."""
    n = len(day)
    for start in range(0, n, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS + 1, n)
        d, c = day[start:stop], codes[start:stop]
        if (d[0] == np.iinfo(np.int64).min) or (c < 0).any():
            return False
        step = d[1:] - d[:-1]
        if (step < 0).any() or (c[1:][step == 0] <= c[:-1][step == 0]).any():
            return False
    return True
