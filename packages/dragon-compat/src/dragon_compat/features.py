"""RC1 features over the whole bars panel (docs/strategy.md, Features).

One call computes every feature for every row at once with numpy: no per-row
``apply``, no per-symbol Python loop. The per-symbol sequences (board height,
turnover average, days listed) are computed on a stable sort of the rows by
symbol, where each symbol's rows are contiguous and in date order, with
cumulative-sum tricks; session and sector aggregates are ``bincount`` over
integer group codes.

Input is the normalized bars frame (sorted by ``(trade_date, symbol)``, one row per
pair). Limit prices, cent prices and the "no limit" flag (new listings' windows, a
``no_limit`` row) come from
:func:`dragon_runtime.market.annotate_limits` — never recomputed here.

Rules, beyond the one-line definitions of docs/strategy.md ("Features"):

- **Suspended** rows (``volume == 0``; NaN volume counts as 0, as in
  ``dragon_runtime.panel``) are excluded from every aggregate and are
  never candidates; all their limit flags are False and their ``alpha_score`` is
  NaN. Sessions without a row are suspended too (the frame simply lacks them).
- ``board_height``: consecutive limit-up closes over the symbol's own *trading*
  rows. Suspended rows neither count nor break a run and carry the height of the
  symbol's last trading row (0 before its first).
- ``is_sector_leader``: exactly one per (session, sector) with at least one
  limit-up close — the limit-up symbol with the highest ``board_height``, ties by
  larger ``amount``, then by smaller symbol (string order).
- Session aggregates (``market_limit_ups``, ``market_limit_downs``,
  ``broken_rate``, ``max_height``) and ``sector_limit_ups`` count trading rows only
  and are broadcast to every row of the session (suspended rows included).
  ``broken_rate`` = broken / touched_up, 0.0 when nobody touched the limit.
  ``max_height`` = the largest ``board_height`` among the session's trading rows
  (the day's highest board; 0 when nobody closed limit-up).
- ``sector_limit_ups`` is NaN (and ``is_sector_leader`` False) on a row whose
  sector is unknown (null), so the leadership predicates report UNAVAILABLE there.
- ``turnover_ma5``: mean ``turnover_rate`` of the symbol's :data:`TURNOVER_WINDOW`
  previous trading rows, summed oldest first then divided by the window; NaN with
  fewer.
- ``days_listed`` (int32): with ``list_date``, the number of data-calendar sessions
  in ``(list_date, trade_date]`` (IPO day = 0; negative if a row precedes its
  list_date). The data calendar cannot count sessions before its first one, so a
  ``list_date`` before the data's first session means the symbol was already
  listed when the data begins: it is seasoned, like a symbol present on the first
  session without ``list_date``. Seasoned is :data:`SEASONED_DAYS_LISTED`. Without
  ``list_date`` and absent from the first session: sessions since the symbol's
  first row (first row = 0).
- ``alpha_score = ALPHA_HEIGHT_WEIGHT * board_height + ALPHA_SECTOR_WEIGHT *
  sector_limit_ups + ALPHA_TURNOVER_WEIGHT * min(turnover_rate, ALPHA_TURNOVER_CAP)``
  evaluated in exactly that float order; NaN on suspended rows.
- ``is_candidate``: ``is_limit_up and board_height >= CANDIDATE_MIN_HEIGHT``
  (limit-up implies trading).

The constants' values live only in this module; :func:`feature_constants_markdown`
tables them for the package README.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import numpy as np
import pandas as pd

from dragon_compat.data.schema import REQUIRED_COLUMNS
from dragon_runtime import LIMIT_ANNOTATION_COLUMNS, annotate_limits

__all__ = [
    "CANDIDATE_MIN_HEIGHT",
    "FEATURE_COLUMNS",
    "FEATURE_DTYPES",
    "SEASONED_DAYS_LISTED",
    "compute_features",
    "feature_constants_markdown",
]

CANDIDATE_MIN_HEIGHT: Final = 2
"""A limit-up close is a candidate from this board height on."""

SEASONED_DAYS_LISTED: Final = 1_000_000
"""``days_listed`` of a symbol listed before the data begins (count unknown, but long)."""

ALPHA_HEIGHT_WEIGHT: Final = 1.0
ALPHA_SECTOR_WEIGHT: Final = 0.1
ALPHA_TURNOVER_WEIGHT: Final = 0.01
ALPHA_TURNOVER_CAP: Final = 30.0
"""``alpha_score`` weights and the turnover cap (percent)."""

TURNOVER_WINDOW: Final = 5
"""``turnover_ma5`` averages this many previous trading sessions."""

FEATURE_DTYPES: Final[dict[str, str]] = {
    "is_suspended": "bool",
    "is_limit_up": "bool",
    "touched_up": "bool",
    "is_broken": "bool",
    "is_one_word": "bool",
    "is_limit_down": "bool",
    "board_height": "int32",
    "sector_limit_ups": "float64",
    "is_sector_leader": "bool",
    "market_limit_ups": "int32",
    "market_limit_downs": "int32",
    "broken_rate": "float64",
    "max_height": "int32",
    "turnover_ma5": "float64",
    "days_listed": "int32",
    "alpha_score": "float64",
    "is_candidate": "bool",
}
"""Every column :func:`compute_features` returns, in order, with its dtype: flags
``bool``, counts and heights ``int32``, float64 only where a value is a ratio or
feeds a float (``alpha_score``) — 56 bytes a row, every array built once."""

FEATURE_COLUMNS: Final[tuple[str, ...]] = tuple(FEATURE_DTYPES)

_REQUIRED = REQUIRED_COLUMNS

_CHUNK_ROWS = 1 << 18
"""Rows per slice of the chunked element-wise passes: their temporaries stay small
enough for the allocator to reuse, so no fresh pages are faulted in for them."""


def row_chunks(n: int) -> Iterator[slice]:
    """Consecutive slices covering ``range(n)``, :data:`_CHUNK_ROWS` rows each."""
    for start in range(0, n, _CHUNK_ROWS):
        yield slice(start, min(start + _CHUNK_ROWS, n))


def compute_features(bars: pd.DataFrame) -> pd.DataFrame:
    """Every RC1 feature for every row of the normalized ``bars`` frame.

    Returns a frame with the columns of :data:`FEATURE_DTYPES` (in that order and
    with those dtypes) on ``bars.index``, row for row. ``bars`` is not modified. If
    ``bars`` already carries the :func:`~dragon_runtime.market.annotate_limits`
    columns they are used as they are; otherwise the limits are annotated here.

    Raises ``ValueError`` naming the column (and row) when a required column is
    missing, when rows are not sorted by ``trade_date`` or a ``(trade_date,
    symbol)`` pair repeats, when a symbol is null, or (from ``annotate_limits``) when
    a price is off the cent grid.
    """
    missing = [c for c in _REQUIRED if c not in bars.columns]
    if missing:
        raise ValueError(f"bars frame lacks required column(s): {', '.join(missing)}")
    n = len(bars)
    if n == 0:
        return pd.DataFrame(
            {c: pd.Series([], dtype=d) for c, d in FEATURE_DTYPES.items()}, index=bars.index
        )

    limits = _limits(bars)
    panel = _Panel.build(bars)
    trading = _floats(bars["volume"]) > 0  # as dragon_runtime.panel: NaN volume is 0
    flags = _limit_flags(limits, trading)
    is_limit_up = flags["is_limit_up"]
    amount = _floats(bars["amount"])
    turnover = _floats(bars["turnover_rate"])
    height, turnover_ma5 = panel.sequences(trading, is_limit_up, turnover)

    group = panel.sector_groups(_codes(bars["sector"]))
    sector_limit_ups = _sector_counts(group, is_limit_up)
    suspended = ~trading
    columns = {
        "is_suspended": suspended,
        **flags,
        "board_height": height,
        "sector_limit_ups": sector_limit_ups,
        "is_sector_leader": _sector_leaders(group, panel.symbol, is_limit_up, height, amount),
        **_market_aggregates(panel, flags, height),
        "turnover_ma5": turnover_ma5,
        "days_listed": panel.days_listed(bars),
        "alpha_score": _alpha_scores(height, sector_limit_ups, turnover, suspended),
        "is_candidate": is_limit_up & (height >= CANDIDATE_MIN_HEIGHT),
    }
    return pd.DataFrame(
        {c: np.asarray(columns[c], dtype=d) for c, d in FEATURE_DTYPES.items()},
        index=bars.index,
        copy=False,
    )


def _alpha_scores(
    height: np.ndarray, sector_limit_ups: np.ndarray, turnover: np.ndarray, suspended: np.ndarray
) -> np.ndarray:
    """``alpha_score`` of every row in the module docstring's float order, slice by
    slice (each element is the same float64 expression); NaN on suspended rows."""
    alpha = np.empty(len(height), dtype=np.float64)
    for part in row_chunks(len(height)):
        value = ALPHA_HEIGHT_WEIGHT * height[part].astype(np.float64)
        value += ALPHA_SECTOR_WEIGHT * sector_limit_ups[part]
        value += ALPHA_TURNOVER_WEIGHT * np.minimum(turnover[part], ALPHA_TURNOVER_CAP)
        value[suspended[part]] = np.nan
        alpha[part] = value
    return alpha


def _limit_flags(limits: pd.DataFrame, trading: np.ndarray) -> dict[str, np.ndarray]:
    """The five limit flags; all False on suspended rows and where there is no limit."""
    has_limit = limits["has_limit"].to_numpy(dtype=bool) & trading
    close_c = limits["close_c"].to_numpy()
    high_c = limits["high_c"].to_numpy()
    up_c = limits["up_limit_c"].to_numpy()
    is_limit_up = has_limit & (close_c >= up_c)
    touched_up = has_limit & (high_c >= up_c)
    return {
        "is_limit_up": is_limit_up,
        "touched_up": touched_up,
        "is_broken": touched_up & ~is_limit_up,
        "is_one_word": is_limit_up & (limits["low_c"].to_numpy() == high_c),
        "is_limit_down": has_limit & (close_c <= limits["down_limit_c"].to_numpy()),
    }


def _market_aggregates(
    panel: _Panel, flags: dict[str, np.ndarray], height: np.ndarray
) -> dict[str, np.ndarray]:
    """Session-wide counts over trading rows, broadcast to every row of the session."""
    day = panel.date_code
    n_days = panel.n_dates
    limit_up = flags["is_limit_up"]
    touched = np.bincount(day[flags["touched_up"]], minlength=n_days)
    broken = np.bincount(day[flags["is_broken"]], minlength=n_days)
    broken_rate = np.zeros(n_days, dtype=np.float64)
    np.divide(broken, touched, out=broken_rate, where=touched > 0)
    max_height = np.zeros(n_days, dtype=np.int32)
    np.maximum.at(max_height, day[limit_up], height[limit_up])
    ups = np.bincount(day[limit_up], minlength=n_days).astype(np.int32)
    downs = np.bincount(day[flags["is_limit_down"]], minlength=n_days).astype(np.int32)
    return {
        "market_limit_ups": ups[day],
        "market_limit_downs": downs[day],
        "broken_rate": broken_rate[day],
        "max_height": max_height[day],
    }


def _floats(values: pd.Series) -> np.ndarray:
    """A numeric column as float64 (a view when it already is), NA as NaN."""
    if values.dtype == np.float64:
        return values.to_numpy()
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _limits(bars: pd.DataFrame) -> pd.DataFrame:
    """The annotate_limits columns, reusing them when ``bars`` already has them."""
    if all(c in bars.columns for c in LIMIT_ANNOTATION_COLUMNS):
        return bars
    return annotate_limits(bars)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer group codes (-1 for null) of a categorical or str column (``int32``)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int32)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int32)


def _symbol_ranks(symbols: pd.Series) -> np.ndarray:
    """Per-row ``int32`` symbol codes in string order (code a < code b ⇔ symbol a < b)."""
    if isinstance(symbols.dtype, pd.CategoricalDtype):
        categories = symbols.cat.categories
        rank = np.empty(len(categories), dtype=np.int64)
        rank[np.argsort(np.asarray(categories, dtype=str), kind="stable")] = np.arange(
            len(categories)
        )
        codes = symbols.cat.codes.to_numpy()
        if codes.size and codes.min() < 0:
            raise ValueError("column 'symbol' is null on at least one row")
        return rank.astype(np.int32)[codes]
    codes, _ = pd.factorize(symbols, sort=True, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int32)
    if codes.size and codes.min() < 0:
        raise ValueError("column 'symbol' is null on at least one row")
    return codes


class _Panel:
    """Row geometry of one bars frame: session codes and the by-symbol order.

    ``order`` is a stable sort of the rows by symbol (radix sort on small integer
    codes): each symbol's rows become one contiguous block in date order. Arrays
    suffixed ``_s`` are in that order. Codes and counts are ``int32``; the hot path
    gathers two arrays into the order and scatters two back, everything else is
    sequential numpy.
    """

    def __init__(self, date_code: np.ndarray, calendar: np.ndarray, symbol: np.ndarray) -> None:
        self.date_code = date_code
        self.calendar = calendar
        self.n_dates = len(calendar)
        self.symbol = symbol
        n_symbols = int(symbol.max()) + 1
        key = symbol.astype(np.int16) if n_symbols <= 2**15 else symbol
        self.order = np.argsort(key, kind="stable")
        self.counts = np.bincount(symbol, minlength=n_symbols)
        self.start_at = np.cumsum(self.counts) - self.counts  # by-symbol position of first rows
        self.present = self.counts > 0
        self.first_date = np.full(n_symbols, -1, dtype=np.int32)
        self.first_date[self.present] = date_code[self.order[self.start_at[self.present]]]

    @classmethod
    def build(cls, bars: pd.DataFrame) -> _Panel:
        """Session codes and symbol order; ``ValueError`` unless rows are sorted by
        (trade_date, symbol) with one row per pair."""
        dates = bars["trade_date"].to_numpy()
        if dates.dtype.kind != "M":
            raise ValueError(f"column 'trade_date' has dtype {dates.dtype}; expected datetime64")
        if np.isnat(dates).any():
            raise ValueError(f"row {int(np.flatnonzero(np.isnat(dates))[0])}: trade_date is null")
        symbol = _symbol_ranks(bars["symbol"])
        ticks = dates.view(np.int64)
        new_day = np.empty(len(dates), dtype=bool)
        new_day[0] = True
        for part in row_chunks(len(dates) - 1):
            later, earlier = slice(part.start + 1, part.stop + 1), part
            step = ticks[later] - ticks[earlier]
            disorder = (step < 0) | ((step == 0) & (symbol[later] <= symbol[earlier]))
            if disorder.any():
                row = part.start + int(np.flatnonzero(disorder)[0]) + 1
                raise ValueError(
                    f"row {row}: rows must be sorted by (trade_date, symbol) with one row "
                    "per pair; this row is out of order or repeats the previous pair"
                )
            new_day[later] = step > 0
        calendar = dates[new_day].astype("datetime64[D]")
        if (np.diff(calendar) <= np.timedelta64(0, "D")).any():
            raise ValueError("column 'trade_date' must hold dates without a time of day")
        date_code = np.cumsum(new_day, dtype=np.int32)
        date_code -= 1
        return cls(date_code, calendar, symbol)

    def _by_row(self, values_s: np.ndarray) -> np.ndarray:
        out = np.empty_like(values_s)
        out[self.order] = values_s
        return out

    def sequences(
        self, trading: np.ndarray, is_limit_up: np.ndarray, turnover: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(board_height, turnover_ma5)`` per row (see the module docstring)."""
        state = trading.view(np.int8) + is_limit_up.view(np.int8)
        state_s = state[self.order]
        del state
        trading_s = state_s > 0
        limit_up_s = state_s == 2
        del state_s
        starts = self.start_at[self.present]

        # Board height: a run of limit-up closes restarts at each trading row that
        # is not limit-up and at each symbol's first row; suspended rows add nothing
        # and reset nothing, so they carry the height over.
        run = np.cumsum(limit_up_s, dtype=np.int32)
        reset = np.where(trading_s & ~limit_up_s, run, np.int32(-1))
        reset[starts] = run[starts] - limit_up_s[starts]
        np.maximum.accumulate(reset, out=reset)
        run -= reset
        del reset
        height = self._by_row(run)
        del run, limit_up_s
        return height, self._turnover_ma5(trading_s, turnover)

    def _turnover_ma5(self, trading_s: np.ndarray, turnover: np.ndarray) -> np.ndarray:
        """turnover_ma5: the 5 previous trading rows of the symbol, summed oldest
        first, over the window."""
        w = TURNOVER_WINDOW
        turnover_t = np.empty(int(np.count_nonzero(trading_s)), dtype=np.float64)
        filled = 0
        for part in row_chunks(len(trading_s)):
            taken = turnover[self.order[part][trading_s[part]]]
            turnover_t[filled : filled + len(taken)] = taken
            filled += len(taken)
        m = len(turnover_t)
        window_sum = np.full(m + 1, np.nan)
        if m >= w:
            total = window_sum[w:]
            np.copyto(total, turnover_t[0 : m - w + 1])
            for lag in range(1, w):
                total += turnover_t[lag : m - w + 1 + lag]
        del turnover_t
        # trading rows strictly before, all symbols (a bool cumsum is typed as bool)
        before = np.cumsum(trading_s, dtype=np.int32)
        before -= trading_s
        before_at_start = np.zeros(len(self.present), dtype=np.int32)
        before_at_start[self.present] = before[self.start_at[self.present]]
        symbol_start = np.repeat(before_at_start, self.counts)
        ma_s = np.empty(len(before), dtype=np.float64)
        for part in row_chunks(len(before)):
            prior = before[part]
            value = window_sum[prior] / w
            value[prior - symbol_start[part] < w] = np.nan
            ma_s[part] = value
        return self._by_row(ma_s)

    def days_listed(self, bars: pd.DataFrame) -> np.ndarray:
        """Data-calendar sessions since listing (see the module docstring), slice by
        slice."""
        list_dates = None
        if "list_date" in bars.columns:
            list_dates = bars["list_date"].to_numpy()
            if list_dates.dtype.kind != "M":
                list_dates = bars["list_date"].to_numpy(dtype="datetime64[D]")
        days = np.empty(len(self.symbol), dtype=np.int32)
        for part in row_chunks(len(days)):
            first_date = self.first_date[self.symbol[part]]
            date_code = self.date_code[part]
            value = np.where(first_date > 0, date_code - first_date, SEASONED_DAYS_LISTED)
            if list_dates is not None:
                listed = list_dates[part]
                known = ~np.isnat(listed)
                if known.any():
                    value[known] = self._sessions_since(listed[known], date_code[known])
            days[part] = value
        return days

    def _sessions_since(self, listed: np.ndarray, date_code: np.ndarray) -> np.ndarray:
        """Sessions in ``(list_date, trade_date]``, seasoned before the calendar."""
        calendar = self.calendar
        listed = listed.astype("datetime64[D]")
        counted = date_code + 1 - np.searchsorted(calendar, listed, side="right")
        return np.where(listed < calendar[0], SEASONED_DAYS_LISTED, counted)

    def sector_groups(self, sector: np.ndarray) -> np.ndarray:
        """Dense (session, sector) group ids, -1 where the sector is unknown."""
        n_sectors = max(int(sector.max()) + 1, 1)
        wide = self.n_dates * n_sectors >= 2**31
        day = self.date_code.astype(np.int64) if wide else self.date_code
        key = np.where(sector >= 0, day * n_sectors + sector, -1)
        if self.n_dates * n_sectors <= 4 * len(sector) + 1_000_000:
            return key
        known = sector >= 0
        dense = np.full(len(sector), -1, dtype=np.int64)
        dense[known] = pd.factorize(key[known])[0]
        return dense


def _sector_counts(group: np.ndarray, is_limit_up: np.ndarray) -> np.ndarray:
    """Limit-up closes per (session, sector) group, broadcast; NaN where unknown."""
    known = group >= 0
    counts = np.bincount(group[known & is_limit_up], minlength=int(group.max()) + 1)
    out = counts.astype(np.float64)[np.maximum(group, 0)]
    out[~known] = np.nan
    return out


def _sector_leaders(
    group: np.ndarray,
    symbol: np.ndarray,
    is_limit_up: np.ndarray,
    height: np.ndarray,
    amount: np.ndarray,
) -> np.ndarray:
    """One leader per (session, known sector) group with a limit-up close: highest
    board_height, then larger amount (NaN last), then smaller symbol."""
    rows = np.flatnonzero(is_limit_up & (group >= 0))
    leader = np.zeros(len(group), dtype=bool)
    if rows.size == 0:
        return leader
    by = np.lexsort((symbol[rows], -amount[rows], -height[rows], group[rows]))  # last key first
    ordered = rows[by]
    groups = group[ordered]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    leader[ordered[first]] = True
    return leader


def feature_constants_markdown() -> str:
    """The RC1 feature constants (name, value, meaning) as a Markdown table.

    The package README embeds this text between ``generated:feature-constants``
    markers; ``dragon_compat.docs_tables`` checks and rewrites it.
    """
    meanings = {
        "CANDIDATE_MIN_HEIGHT": "`is_candidate`: a limit-up close with board_height ≥ this",
        "ALPHA_HEIGHT_WEIGHT": "`alpha_score` weight of board_height",
        "ALPHA_SECTOR_WEIGHT": "`alpha_score` weight of sector_limit_ups",
        "ALPHA_TURNOVER_WEIGHT": "`alpha_score` weight of the capped turnover_rate",
        "ALPHA_TURNOVER_CAP": "turnover_rate cap inside `alpha_score` (percent)",
        "TURNOVER_WINDOW": "`turnover_ma5`: previous trading rows averaged",
        "SEASONED_DAYS_LISTED": "`days_listed` of a symbol listed before the data begins",
    }
    constants = globals()
    lines = ["| constant | RC1 value | meaning |", "|---|---|---|"]
    lines += [f"| `{name}` | {constants[name]:,} | {text} |" for name, text in meanings.items()]
    return "\n".join(lines) + "\n"
