"""Row rules of rc1-strategy.md §1 and §9 on typed columns, vectorized.

Cell-level problems (empty, not a number, bad symbol/date/is_st) are found while
parsing (:mod:`dragon_compat.data.parse`); this module checks what the typed values
must satisfy, each rule a handful of numpy operations over whole columns:

- prices (``open high low close pre_close``, and ``up_limit down_limit`` where
  published) > 0 and whole cents (the A-share tick, 0.01 CNY);
- ``low <= min(open, close)`` and ``high >= max(open, close)``;
- published ``up_limit > down_limit``;
- ``volume >= 0``, ``amount >= 0``, ``0 <= turnover_rate <= 100`` (NaN allowed: not
  reported by the vendor; predicates using it become UNAVAILABLE);
- ``trade_date >= list_date`` where the listing date is known;
- (trade_date, symbol) unique — checked together with the sort order.

A rule is only applied to values that parsed, so one bad cell yields one finding.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dragon_compat.data.report import Findings, Rule
from dragon_compat.data.schema import LIMIT_COLUMNS, PRICE_COLUMNS, TURNOVER_RANGE


def check_prices(
    columns: Mapping[str, np.ndarray], labels: Mapping[str, str], findings: Findings
) -> None:
    """Positive whole-cent prices; low/high consistent with open/close; limits ordered."""
    from dragon_runtime.market import whole_cents

    for column in (*PRICE_COLUMNS, *LIMIT_COLUMNS):
        if column not in columns:
            continue
        values = columns[column]
        with np.errstate(invalid="ignore"):
            non_positive = values <= 0
        findings.flag(labels[column], Rule.NON_POSITIVE_PRICE, non_positive, values)
        positive = values > 0
        findings.flag(
            labels[column], Rule.PRICE_NOT_WHOLE_CENTS, positive & ~whole_cents(values), values
        )

    if all(c in columns for c in ("open", "high", "low", "close")):
        open_, high, low, close = (columns[c] for c in ("open", "high", "low", "close"))
        with np.errstate(invalid="ignore"):
            findings.flag(
                labels["low"], Rule.LOW_ABOVE_OPEN_CLOSE, low > np.minimum(open_, close), low
            )
            findings.flag(
                labels["high"], Rule.HIGH_BELOW_OPEN_CLOSE, high < np.maximum(open_, close), high
            )

    if all(c in columns for c in LIMIT_COLUMNS):
        up, down = columns["up_limit"], columns["down_limit"]
        with np.errstate(invalid="ignore"):
            inverted = (up > 0) & (down > 0) & (up <= down)
        findings.flag(labels["up_limit"], Rule.LIMITS_INVERTED, inverted, up)


def check_quantities(
    columns: Mapping[str, np.ndarray], labels: Mapping[str, str], findings: Findings
) -> None:
    """Non-negative volume and amount; turnover_rate within 0–100 percent."""
    with np.errstate(invalid="ignore"):
        if "volume" in columns:
            volume = columns["volume"]
            findings.flag(labels["volume"], Rule.NEGATIVE_VOLUME, volume < 0, volume)
        if "amount" in columns:
            amount = columns["amount"]
            findings.flag(labels["amount"], Rule.NEGATIVE_AMOUNT, amount < 0, amount)
        if "turnover_rate" in columns:
            turnover = columns["turnover_rate"]
            low, high = TURNOVER_RANGE
            outside = (turnover < low) | (turnover > high)
            findings.flag(labels["turnover_rate"], Rule.TURNOVER_OUT_OF_RANGE, outside, turnover)


def check_listing(
    trade_dates: np.ndarray, list_dates: np.ndarray, label: str, findings: Findings
) -> None:
    """No row may trade before its symbol's listing date (when both are known)."""
    known = ~np.isnat(trade_dates) & ~np.isnat(list_dates)
    early = known & (trade_dates < list_dates)
    findings.flag(label, Rule.TRADED_BEFORE_LISTING, early, trade_dates)


def sort_order(
    trade_dates: np.ndarray, symbol_codes: np.ndarray, label: str, findings: Findings
) -> np.ndarray | None:
    """Positions in (trade_date, symbol) order, flagging duplicate keys.

    ``symbol_codes`` index sorted categories (so code order is symbol order); rows
    with an unreadable date or symbol (NaT / -1) are already reported and are left
    out of the duplicate check. Returns ``None`` when the rows are already in order
    (the common case for files this package writes: an O(n) check, no sort).
    """
    day = trade_dates.view(np.int64)
    valid = ~np.isnat(trade_dates) & (symbol_codes >= 0)
    if valid.all() and _strictly_ordered(day, symbol_codes):
        return None
    order = np.lexsort((symbol_codes, day))
    ordered_valid = valid[order]
    same = (
        (day[order][1:] == day[order][:-1])
        & (symbol_codes[order][1:] == symbol_codes[order][:-1])
        & ordered_valid[1:]
        & ordered_valid[:-1]
    )
    if same.any():
        # report every repeat with the row of the key's first occurrence
        is_repeat = np.concatenate(([False], same))
        group_start = np.maximum.accumulate(np.where(is_repeat, 0, np.arange(len(order))))
        first_row = findings.rows[order[group_start]]
        mask = np.zeros(len(order), dtype=bool)
        mask[order[is_repeat]] = True
        detail = np.empty(len(order), dtype=object)
        detail[order[is_repeat]] = [f"same key as row {r}" for r in first_row[is_repeat]]
        findings.flag(label, Rule.DUPLICATE_ROW, mask, detail)
    return order


def _strictly_ordered(day: np.ndarray, codes: np.ndarray) -> bool:
    if len(day) < 2:
        return True
    step = np.diff(day)
    return bool((step >= 0).all() and (codes[1:][step == 0] > codes[:-1][step == 0]).all())
