"""Checks on the assembled tape that need the market's limits: WARNINGs, never ERRORs.

They run on the normalized frame (every cell already valid) with the limits of
:func:`dragon_runtime.annotate_limits`, vectorized over all rows:

- :func:`beyond_own_limits` — a traded bar with ``high > up_limit`` or ``low <
  down_limit`` could not have traded under a limit, so none applied that day (a
  return to listing such as 600610.SH on 2020-08-17, an unknown IPO, or a wrong
  pre_close). The row gets ``no_limit`` True (:data:`NO_LIMIT_COLUMN`): no limit
  flags, not a board, not in the session's or sector's limit-up counts. When the
  loader derived pre_close from the previous close the finding says an ex-rights
  day is suspected.
- :func:`adjusted_tape` — adjusted (复权) prices rounded to cents pass every cell
  rule, but their limit-ups miss the computed limit: the close sits one cent off
  the limit at the session's extreme, or the bar lies beyond its limits. A symbol
  with enough such rows is reported (one line per symbol), and the file once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from dragon_compat.data.report import EXCHANGE_PRE_CLOSE_HINT, Findings, Rule

NO_LIMIT_COLUMN: Final = "no_limit"
"""Optional bool column of the loaded frame: True where the bar itself shows that no
daily limit applied. Present only when some row is such a row; the runtime's
``annotate_limits`` honours it."""

ADJUSTED_MIN_ROWS: Final = 5
"""A symbol is suspected of adjusted prices from this many near-miss or beyond-limit
rows on ..."""

ADJUSTED_MIN_PRE_CLOSE_C: Final = 200
"""Near misses count only where ``pre_close`` is at least 2 CNY (in cents): below,
limits are a few cents wide and a close one cent inside one is ordinary."""

ADJUSTED_MIN_SHARE: Final = 0.4
"""... when they are at least this share of its rows at or near a limit (exact
limit closes, near misses and beyond-limit bars). Unadjusted tapes have near misses
too (a close one cent under the limit), but exact limit closes dominate: on the real
2020 cross-section (3,588 symbols, unadjusted) no symbol qualifies, the synthetic
sample's busiest reach 0.29, while JoinQuant's cent-rounded qfq bars of 8 symbols
reach 0.46 to 0.83."""


def adjusted_tape_markdown(
    min_rows: int = ADJUSTED_MIN_ROWS,
    min_pre_close_c: int = ADJUSTED_MIN_PRE_CLOSE_C,
    min_share: float = ADJUSTED_MIN_SHARE,
) -> str:
    """The thresholds of :func:`adjusted_tape` (constant, value, meaning) as Markdown.

    ``docs/data.md`` embeds this text between ``generated:adjusted-tape`` markers;
    ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    rows = [
        (
            "ADJUSTED_MIN_PRE_CLOSE_C",
            f"{min_pre_close_c / 100:.2f} CNY",
            "a near miss counts only where `pre_close` is at least this (below, limits "
            "are a few cents wide)",
        ),
        (
            "ADJUSTED_MIN_ROWS",
            f"{min_rows}",
            "a symbol is suspected from this many evidence rows (near misses and bars "
            "beyond their limits) ...",
        ),
        (
            "ADJUSTED_MIN_SHARE",
            f"{min_share:.0%}",
            "... when they are at least this share of its rows at or near a limit "
            "(exact limit closes, near misses, bars beyond)",
        ),
    ]
    lines = ["| constant | value | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {value} | {meaning} |" for name, value, meaning in rows]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TapeCheck:
    """What the tape checks found: the rows without a limit (None: none) and how many
    symbols look adjusted."""

    no_limit: np.ndarray | None
    adjusted_symbols: int


def check_tape(
    bars: pd.DataFrame, file_rows: np.ndarray, findings: Findings, *, derived_pre_close: bool
) -> TapeCheck:
    """Run both checks on ``bars`` (``file_rows``: each row's 1-based data row of the
    file); record the WARNINGs in ``findings``."""
    from dragon_runtime import annotate_limits

    if len(bars) == 0:
        return TapeCheck(None, 0)
    annotated = annotate_limits(bars)
    cents = {c: annotated[f"{c}_c"].to_numpy() for c in ("high", "low", "close")}
    up = annotated["up_limit_c"].to_numpy()
    down = annotated["down_limit_c"].to_numpy()
    traded = annotated["has_limit"].to_numpy(dtype=bool) & (
        bars["volume"].to_numpy(dtype=np.float64) > 0
    )
    beyond = beyond_own_limits(cents["high"], cents["low"], up, down, traded)
    _flag_beyond(
        bars,
        file_rows=file_rows,
        findings=findings,
        beyond=beyond,
        limits=(cents, up, down),
        derived_pre_close=derived_pre_close,
    )
    adjusted = adjusted_tape(bars, file_rows, findings, beyond, (cents, up, down, traded))
    return TapeCheck(beyond if beyond.any() else None, adjusted)


def beyond_own_limits(
    high_c: np.ndarray, low_c: np.ndarray, up_c: np.ndarray, down_c: np.ndarray, traded: np.ndarray
) -> np.ndarray:
    """Traded limited rows whose bar lies outside ``[down_limit, up_limit]``."""
    return traded & ((high_c > up_c) | (low_c < down_c))


_Limits = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]


def _flag_beyond(
    bars: pd.DataFrame,
    *,
    file_rows: np.ndarray,
    findings: Findings,
    beyond: np.ndarray,
    limits: _Limits,
    derived_pre_close: bool,
) -> None:
    if not beyond.any():
        return
    cents, up, down = limits
    positions = np.flatnonzero(beyond)
    high_side = cents["high"][positions] > up[positions]
    shown = _texts(
        [
            f"{_day(bars, p)}: high {cents['high'][p] / 100:.2f} > up_limit {up[p] / 100:.2f}"
            if is_high
            else f"{_day(bars, p)}: low {cents['low'][p] / 100:.2f} < down_limit "
            f"{down[p] / 100:.2f}"
            for p, is_high in zip(positions, high_side, strict=True)
        ]
    )
    note = (
        "pre_close was derived from the previous close; " + EXCHANGE_PRE_CLOSE_HINT
        if derived_pre_close
        else "treated as a day without limit"
    )
    rows = file_rows[positions]
    _flag_at_rows(findings, "high/low", Rule.BEYOND_OWN_LIMITS, rows, shown, note=note)


def _day(bars: pd.DataFrame, position: int | np.integer) -> str:
    return str(bars["trade_date"].iloc[int(position)].date())


def _texts(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def adjusted_tape(
    bars: pd.DataFrame,
    file_rows: np.ndarray,
    findings: Findings,
    beyond: np.ndarray,
    limits: tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray],
) -> int:
    """Report symbols whose limit closes look adjusted; returns how many.

    Evidence per row (traded, limited): a *near miss* — the close one cent inside the
    up limit at the session high, or one cent inside the down limit at the session
    low, where ``pre_close`` is at least :data:`ADJUSTED_MIN_PRE_CLOSE_C` — or a bar
    beyond its limits. A symbol is suspected with at least
    :data:`ADJUSTED_MIN_ROWS` evidence rows making at least :data:`ADJUSTED_MIN_SHARE`
    of its rows at or near a limit.
    """
    cents, up, down, traded = limits
    close, high, low = cents["close"], cents["high"], cents["low"]
    pre_close_c = bars["pre_close"].to_numpy(dtype=np.float64) * 100
    priced = traded & (pre_close_c >= ADJUSTED_MIN_PRE_CLOSE_C)
    near_up = priced & (close == up - 1) & (high == close)
    near_down = priced & (close == down + 1) & (low == close)
    exact = traded & ((close == up) | (close == down))
    evidence = near_up | near_down | beyond
    codes = bars["symbol"].cat.codes.to_numpy(dtype=np.int64)
    n_symbols = len(bars["symbol"].cat.categories)
    evidence_count = np.bincount(codes[evidence], minlength=n_symbols)
    at_limit = np.bincount(codes[evidence | exact], minlength=n_symbols)
    suspect = (evidence_count >= ADJUSTED_MIN_ROWS) & (
        evidence_count >= ADJUSTED_MIN_SHARE * np.maximum(at_limit, 1)
    )
    if not suspect.any():
        return 0
    rows = evidence & suspect[codes]
    positions = np.flatnonzero(rows)
    days = np.datetime_as_string(bars["trade_date"].to_numpy()[positions], unit="D")
    closes = (close[positions] / 100).tolist()
    shown = _texts([f"{day}: close {c:.2f}" for day, c in zip(days.tolist(), closes, strict=True)])
    for symbol in np.flatnonzero(suspect):
        of_symbol = codes[positions] == symbol
        note = (
            f"{int(evidence_count[symbol])} of its {int(at_limit[symbol])} closes at or near "
            "a limit miss the computed limit or lie beyond it"
        )
        _flag_at_rows(
            findings,
            "close",
            Rule.ADJUSTED_PRICES_SUSPECTED,
            file_rows[positions[of_symbol]],
            shown[of_symbol],
            note=note,
        )
    count = int(suspect.sum())
    findings.flag_file(
        "open/high/low/close",
        Rule.ADJUSTED_PRICES_SUSPECTED,
        f"{count} of {n_symbols} symbols look adjusted",
    )
    return count


def _flag_at_rows(
    findings: Findings, column: str, rule: Rule, rows: np.ndarray, shown: np.ndarray, *, note: str
) -> None:
    """Record a finding at file rows directly (the frame here is sorted, not the file)."""
    from dragon_compat.data.report import Violation

    order = np.argsort(rows, kind="stable")
    findings.violations.append(
        Violation(findings.source, column, rule, rows[order], shown[order], note)
    )
