"""A-share market rules: boards, daily price limits, lots, slippage and fees.

Everything a fill depends on lives here, once. Prices inside the runtime are
``int`` cents (the A-share tick is 0.01 CNY); the float/Decimal entry points exist
for validation and for the scalar reference rule the vectorized code is tested
against.

Rules (docs/strategy.md "Market rules"; this README's "loop contract"):

- Board by symbol ``NNNNNN.SH|SZ|BJ``: SH 600/601/603/605 and SZ 000/001/002/003
  main board; SZ 300/301 ChiNext; SH 688/689 STAR; every ``.BJ`` symbol BSE; any
  other prefix OTHER.
- Limit %: main 10 (ST 5); ChiNext 20 from 2020-08-24 (ST too), 10 (ST 5) before;
  STAR 20 (ST too); BSE 30 (ST too); OTHER 10 (ST 5).
- ``limit = round_half_up(pre_close × (1 ± pct/100), 0.01)``; in cents exactly
  ``(pre_close_c × (100 ± pct) + 50) // 100``.
- New listings (where ``list_date`` is known and the data covers it), by the
  exchanges' trading rules — see :data:`NO_LIMIT_WINDOWS` for each rule's source:
  STAR listings, ChiNext listings from 2020-08-24 and main-board listings from
  2023-04-10 trade without a limit for their first 5 sessions; BSE listings on their
  first session; a main-board or ChiNext IPO day before those dates had +44 % / −36 %
  around the issue price (``pre_close``). Other boards' IPO day: no limit.
- A row whose optional ``no_limit`` column is True trades without a limit (the
  loader sets it for a bar that traded beyond its own limits: a resumption of
  listing, a day the data cannot otherwise explain).
- Exchange-published ``up_limit``/``down_limit`` win over every computed limit.
- Fill = ``round_half_up(base × (1 ± 0.0005), 0.01)`` clamped to the limit price.
- Fees per side on value ``v``: commission 0.025 % (minimum 5 CNY), transfer fee
  0.001 %, stamp duty on sells 0.1 % before 2023-08-28 and 0.05 % from then; the
  side's total is rounded half-up to whole cents once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "CENTS_DTYPE",
    "CHINEXT_REFORM_DATE",
    "COMMISSION_E5",
    "IPO_DAY_PCTS",
    "LIMIT_ANNOTATION_COLUMNS",
    "LOT_SIZE",
    "MAIN_BOARD_REGISTRATION_DATE",
    "MIN_COMMISSION_C",
    "NO_LIMIT_WINDOWS",
    "SLIPPAGE_BPS",
    "STAMP_DUTY_CUT_DATE",
    "STAMP_E5_AFTER_CUT",
    "STAMP_E5_BEFORE_CUT",
    "TRANSFER_E5",
    "Board",
    "NoLimitWindow",
    "annotate_limits",
    "board_of",
    "fees_cents",
    "fill_price_cents",
    "ipo_limit_prices_cents",
    "limit_pct",
    "limit_pcts",
    "limit_price",
    "limit_prices_cents",
    "listing_rules",
    "stamp_e5",
    "to_cents",
    "whole_cents",
]

LOT_SIZE = 100
"""Shares per board lot; orders are whole lots."""

CHINEXT_REFORM_DATE = dt.date(2020, 8, 24)
"""First session with the 20 % ChiNext limit (registration-system reform)."""

MAIN_BOARD_REGISTRATION_DATE = dt.date(2023, 4, 10)
"""First session of main-board listings under the registration system (no limit for
their first 5 sessions)."""

STAMP_DUTY_CUT_DATE = dt.date(2023, 8, 28)
"""First session with the halved (0.05 %) stamp duty on sells."""

SLIPPAGE_BPS = 5
"""Slippage against the trader, in basis points of the base price."""

COMMISSION_E5 = 25
"""Commission rate in units of 1e-5 (0.025 %), both sides."""

MIN_COMMISSION_C = 500
"""Minimum commission per side, cents (5 CNY)."""

TRANSFER_E5 = 1
"""Transfer fee rate in units of 1e-5 (0.001 %), both sides."""

STAMP_E5_BEFORE_CUT = 100
"""Stamp duty on sells before 2023-08-28, units of 1e-5 (0.1 %)."""

STAMP_E5_AFTER_CUT = 50
"""Stamp duty on sells from 2023-08-28, units of 1e-5 (0.05 %)."""

_E5 = 100_000
_SYMBOL_RE = re.compile(r"^(\d{3})\d{3}\.(SH|SZ|BJ)$")
_CENT_TOLERANCE_CNY = 1e-6


class Board(StrEnum):
    """Exchange board of a symbol; decides its daily limit %."""

    MAIN = "main"
    CHINEXT = "chinext"
    STAR = "star"
    BSE = "bse"
    OTHER = "other"


_BOARD_BY_PREFIX: dict[tuple[str, str], Board] = {
    **{("SH", p): Board.MAIN for p in ("600", "601", "603", "605")},
    **{("SZ", p): Board.MAIN for p in ("000", "001", "002", "003")},
    **{("SZ", p): Board.CHINEXT for p in ("300", "301")},
    **{("SH", p): Board.STAR for p in ("688", "689")},
}

# Board order used by the vectorized tables below (index = position in this tuple).
_BOARDS: tuple[Board, ...] = tuple(Board)
_BOARD_INDEX = {board: i for i, board in enumerate(_BOARDS)}
# Limit % per board, after the ChiNext reform: (non-ST, ST).
_PCT_NORMAL = np.array([10, 20, 20, 30, 10], dtype=np.int64)
_PCT_ST = np.array([5, 20, 20, 30, 5], dtype=np.int64)


def board_of(symbol: str) -> Board:
    """Board of ``symbol`` (``NNNNNN.SH|SZ|BJ``).

    Raises ``ValueError`` naming the symbol when it is not of that form.
    """
    match = _SYMBOL_RE.match(symbol) if isinstance(symbol, str) else None
    if match is None:
        raise ValueError(f"symbol {symbol!r} is not of the form NNNNNN.SH|SZ|BJ")
    prefix, exchange = match.group(1), match.group(2)
    if exchange == "BJ":
        return Board.BSE
    return _BOARD_BY_PREFIX.get((exchange, prefix), Board.OTHER)


def _as_date(value: Any) -> dt.date:
    """A ``datetime.date`` from a date, datetime, pandas Timestamp or numpy datetime64."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    raise TypeError(f"trade_date {value!r} is not a date")


def limit_pct(symbol: str, is_st: bool, trade_date: dt.date) -> int:
    """Daily price limit of ``symbol`` on ``trade_date`` in whole percent.

    Main 10 (ST 5); ChiNext 20 from 2020-08-24 including ST, before that 10 (ST 5);
    STAR 20 including ST; BSE 30 including ST; other prefixes 10 (ST 5).
    """
    board = board_of(symbol)
    day = _as_date(trade_date)
    if board is Board.CHINEXT and day < CHINEXT_REFORM_DATE:
        return 5 if is_st else 10
    table = _PCT_ST if is_st else _PCT_NORMAL
    return int(table[_BOARD_INDEX[board]])


@dataclass(frozen=True)
class NoLimitWindow:
    """A listing rule: symbols of ``board`` listed on or after ``listed_from`` (None:
    always) trade without a daily price limit for their first ``sessions`` sessions
    (the listing day is session 1). ``source`` names the exchange rule."""

    board: Board
    listed_from: dt.date | None
    sessions: int
    source: str


NO_LIMIT_WINDOWS: tuple[NoLimitWindow, ...] = (
    NoLimitWindow(
        Board.STAR,
        None,
        5,
        "SSE STAR Market trading rules (科创板股票交易特别规定, in force from the board's "
        "opening on 2019-07-22): no price limit on a new listing's first 5 trading days",
    ),
    NoLimitWindow(
        Board.CHINEXT,
        CHINEXT_REFORM_DATE,
        5,
        "SZSE ChiNext trading rules under the registration system (创业板交易特别规定, "
        "first listings 2020-08-24): no price limit on a new listing's first 5 trading days",
    ),
    NoLimitWindow(
        Board.MAIN,
        MAIN_BOARD_REGISTRATION_DATE,
        5,
        "SSE and SZSE trading rules revised for the full registration system (first "
        "main-board listings 2023-04-10): no price limit on the first 5 trading days",
    ),
    NoLimitWindow(
        Board.BSE,
        None,
        1,
        "BSE trading rules (北京证券交易所交易规则, from 2021-11-15): no price limit on a "
        "new listing's first trading day, 30 % from the second",
    ),
)
"""The exchanges' no-limit windows of new listings, one rule per board."""

IPO_DAY_PCTS: tuple[int, int] = (44, 36)
"""Up and down limit % of a main-board or ChiNext IPO day before its board's window
(SSE/SZSE notices on new-share first-day trading, 2014-01: the first day's price may
not exceed 144 % nor fall below 64 % of the issue price)."""


def _symbol_codes(symbols: Any) -> tuple[np.ndarray, Sequence[str]]:
    """Integer codes and the distinct symbols they index (categorical-aware)."""
    if isinstance(symbols, pd.Series):
        symbols = symbols.array
    if isinstance(getattr(symbols, "dtype", None), pd.CategoricalDtype):
        categorical = pd.Categorical(symbols)
        codes = np.asarray(categorical.codes)
        uniques = list(categorical.categories)
    else:
        if not isinstance(symbols, np.ndarray | pd.Index | pd.api.extensions.ExtensionArray):
            symbols = np.asarray(symbols, dtype=object)
        raw_codes, raw_uniques = pd.factorize(symbols)
        codes = np.asarray(raw_codes, dtype=np.int64)
        uniques = list(raw_uniques)
    if codes.size and codes.min() < 0:
        raise ValueError("symbol is missing (null) on at least one row")
    return codes, uniques


def limit_pcts(symbols: Any, is_st: Any, trade_dates: Any) -> np.ndarray:
    """Vectorized :func:`limit_pct` over aligned arrays; returns ``int64`` percent.

    ``symbols`` may be str/object values or a pandas categorical (the board is then
    computed once per category); ``is_st`` is bool-like; ``trade_dates`` anything
    numpy can read as ``datetime64[D]``. Work per row is pure numpy: the board is
    decided once per distinct symbol.
    """
    codes, uniques = _symbol_codes(symbols)
    st = np.asarray(is_st, dtype=bool)
    dates = _datetimes(trade_dates)
    if not (codes.shape == st.shape == dates.shape):
        raise ValueError(
            f"symbols, is_st and trade_dates differ in length: "
            f"{codes.shape[0]}, {st.shape[0]}, {dates.shape[0]}"
        )
    return _pcts_int8(codes, uniques, st, dates).astype(np.int64)


def _datetimes(values: Any) -> np.ndarray:
    """``values`` as a datetime64 array: as stored when it already is one (any unit,
    no copy), else read as ``datetime64[D]``."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    return array if array.dtype.kind == "M" else np.asarray(values, dtype="datetime64[D]")


_PCT_NORMAL_8 = _PCT_NORMAL.astype(np.int8)
_PCT_ST_8 = _PCT_ST.astype(np.int8)


def _pcts_int8(
    codes: np.ndarray, uniques: Sequence[str], st: np.ndarray, dates: np.ndarray
) -> np.ndarray:
    """Limit % (``int8``) of every row from its symbol code, ST flag and date, slice by
    slice (:func:`limit_pct`'s rule)."""
    board_per_symbol = np.fromiter(
        (_BOARD_INDEX[board_of(str(s))] for s in uniques), dtype=np.int8, count=len(uniques)
    )
    reform = np.datetime64(CHINEXT_REFORM_DATE, "D")
    chinext = _BOARD_INDEX[Board.CHINEXT]
    pct = np.empty(len(codes), dtype=np.int8)
    for part in _row_chunks(len(codes)):
        boards = board_per_symbol[codes[part]]
        is_st = st[part]
        values = np.where(is_st, _PCT_ST_8[boards], _PCT_NORMAL_8[boards])
        before_reform = (boards == chinext) & (dates[part] < reform)
        values[before_reform] = np.where(is_st[before_reform], 5, 10)
        pct[part] = values
    return pct


def limit_price(pre_close: float | Decimal, pct: int, side: Literal["up", "down"]) -> Decimal:
    """Scalar reference limit price: ``Decimal(str(pre_close)) × (1 ± pct/100)``,
    ``ROUND_HALF_UP`` to 0.01 CNY (pre_close 10.35, 10 % → up 11.39)."""
    if side not in ("up", "down"):
        raise ValueError(f"side must be 'up' or 'down', not {side!r}")
    base = pre_close if isinstance(pre_close, Decimal) else Decimal(str(pre_close))
    factor = Decimal(100 + pct if side == "up" else 100 - pct) / Decimal(100)
    return (base * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def whole_cents(values: Any) -> np.ndarray:
    """``True`` where a float price is a whole number of cents within 1e-6 CNY.

    NaN and infinities are ``False``.
    """
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & (np.abs(x - np.rint(x * 100.0) / 100.0) <= _CENT_TOLERANCE_CNY)


def to_cents(values: Any) -> np.ndarray:
    """Exact ``int64`` cents of 2-decimal float prices (``10.35 → 1035``).

    Raises ``ValueError`` on NaN/inf; callers check :func:`whole_cents` first when
    the input may not be on the cent grid.
    """
    x = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(x)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"cannot convert non-finite price {x.flat[bad]!r} (index {bad}) to cents")
    return np.rint(x * 100.0).astype(np.int64)


def limit_prices_cents(pre_close_c: Any, pct: Any) -> tuple[np.ndarray, np.ndarray]:
    """Vectorized exact limits in cents: ``((pc·(100+pct)+50)//100, (pc·(100−pct)+50)//100)``.

    Identical to :func:`limit_price` on every whole-cent ``pre_close``.
    """
    pc = np.asarray(pre_close_c, dtype=np.int64)
    p = np.asarray(pct, dtype=np.int64)
    up = (pc * (100 + p) + 50) // 100
    down = (pc * (100 - p) + 50) // 100
    return up, down


_PRICE_COLUMNS = ("open", "high", "low", "close", "pre_close")

CENTS_DTYPE = np.dtype(np.int32)
"""dtype of the cent columns :func:`annotate_limits` appends (and of the panel's
price arrays): four bytes a cell instead of eight; prices are accepted up to
10,737,418.23 CNY (:data:`_MAX_CENTS`)."""

_MAX_CENTS = np.iinfo(np.int32).max // 2
"""Largest price (cents) accepted: half of int32, so ``price × (100 + pct)`` arithmetic
done in int64 and any up-limit of it fit the int32 columns."""

_CHUNK_ROWS = 1 << 18
"""Rows per slice of the chunked column passes: every temporary is ≤ 2 MiB, so the
allocator reuses it instead of mapping (and the kernel zeroing) fresh pages."""

LIMIT_ANNOTATION_COLUMNS: tuple[str, ...] = (
    *(f"{column}_c" for column in _PRICE_COLUMNS),
    "up_limit_c",
    "down_limit_c",
    "has_limit",
)
"""The columns :func:`annotate_limits` appends, in order: ``int32`` cents
(:data:`CENTS_DTYPE`) ``open_c high_c low_c close_c pre_close_c up_limit_c
down_limit_c`` and bool ``has_limit``. A frame carrying all of them is an annotated
frame."""


def _row_chunks(n: int) -> Iterator[slice]:
    """Consecutive slices covering ``range(n)``, :data:`_CHUNK_ROWS` rows each."""
    for start in range(0, n, _CHUNK_ROWS):
        yield slice(start, min(start + _CHUNK_ROWS, n))


def _checked_cents(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> np.ndarray:
    """``int32`` cents of a float price column (of its ``rows`` when a mask is given),
    converted slice by slice; ``ValueError`` naming the first off-grid row."""
    values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    positions = None if rows is None else np.flatnonzero(rows)
    subset = values if positions is None else values[positions]
    out = np.empty(len(subset), dtype=CENTS_DTYPE)
    cents = np.empty(min(len(subset), _CHUNK_ROWS), dtype=np.float64)
    back = np.empty_like(cents)
    for part in _row_chunks(len(subset)):
        x = subset[part]
        c, b = cents[: len(x)], back[: len(x)]
        # whole_cents(x), in place: |x - rint(100·x)/100| ≤ 1e-6 (False for NaN, ±inf)
        with np.errstate(invalid="ignore"):
            np.multiply(x, 100.0, out=c)
            np.rint(c, out=c)
            np.divide(c, 100.0, out=b)
            np.subtract(x, b, out=b)
            np.abs(b, out=b)
            on_grid = b <= _CENT_TOLERANCE_CNY
            in_range = np.abs(c) <= _MAX_CENTS
        if not (on_grid & in_range).all():
            position = part.start + int(np.flatnonzero(~(on_grid & in_range))[0])
            row = position if positions is None else int(positions[position])
            price = float(subset[position])
            if on_grid[position - part.start]:
                rule = f"prices are at most {_MAX_CENTS / 100:,.2f} CNY"
                raise ValueError(
                    f"column {column!r}, row {row}: price {price!r} is out of range (rule: {rule})"
                )
            raise ValueError(
                f"column {column!r}, row {row}: price {price!r} is not a whole "
                "number of cents (rule: prices are on the 0.01 CNY tick)"
            )
        out[part] = c
    return out


def _listing_masks(
    bars: pd.DataFrame, codes: np.ndarray, uniques: Sequence[str], trade_dates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`listing_rules` of every row, computed only where a rule can apply: rows
    whose ``list_date`` is known and inside the data, slice by slice, with the
    frame's own calendar (one pass when rows are date-sorted)."""
    n = len(bars)
    no_limit = np.zeros(n, dtype=bool)
    ipo_day = np.zeros(n, dtype=bool)
    if "list_date" not in bars.columns or n == 0:
        return no_limit, ipo_day
    list_dates = _datetimes(bars["list_date"])
    calendar = _calendar(trade_dates.astype("datetime64[D]", copy=False))
    first_session = calendar[0]
    board_per_symbol = np.fromiter(
        (_BOARD_INDEX[board_of(str(s))] for s in uniques), dtype=np.int8, count=len(uniques)
    )
    for part in _row_chunks(n):
        listed = list_dates[part].astype("datetime64[D]")
        with np.errstate(invalid="ignore"):
            rows = np.flatnonzero(~np.isnat(listed) & (listed >= first_session))
        if rows.size == 0:
            continue
        listed = listed[rows]
        days = trade_dates[part][rows].astype("datetime64[D]")
        session = np.searchsorted(calendar, days, side="left") - np.searchsorted(
            calendar, listed, side="left"
        )
        boards = board_per_symbol[codes[part][rows]]
        window_rows, ipo_rows = _rules_from_sessions(boards, listed, session)
        no_limit[part.start + rows] = window_rows
        ipo_day[part.start + rows] = ipo_rows
    return no_limit, ipo_day


def _limits_cents(
    pre_close_c: np.ndarray, pct: np.ndarray, ipo_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`limit_prices_cents` slice by slice into ``int32`` arrays, classic IPO
    days at :data:`IPO_DAY_PCTS` (:func:`ipo_limit_prices_cents`)."""
    up = np.empty(len(pre_close_c), dtype=CENTS_DTYPE)
    down = np.empty(len(pre_close_c), dtype=CENTS_DTYPE)
    for part in _row_chunks(len(pre_close_c)):
        up_part, down_part = limit_prices_cents(pre_close_c[part], pct[part])
        ipo = np.flatnonzero(ipo_day[part])
        if ipo.size:
            up_part[ipo], down_part[ipo] = ipo_limit_prices_cents(pre_close_c[part][ipo])
        up[part] = up_part
        down[part] = down_part
    return up, down


def annotate_limits(bars: pd.DataFrame) -> pd.DataFrame:
    """A new frame: the normalized bars with cent prices and daily limits appended.

    Input: rows sorted by (trade_date, symbol) with ``trade_date`` (datetime64),
    ``symbol`` (str or category), float ``open high low close pre_close``, bool
    ``is_st``; optional ``list_date`` (datetime64, NaT = unknown), published
    ``up_limit``/``down_limit`` (float, NaN = not published; missing columns are
    treated as all-unknown) and bool ``no_limit``.

    Adds ``int32`` (:data:`CENTS_DTYPE`) columns ``open_c high_c low_c close_c
    pre_close_c up_limit_c down_limit_c`` and bool ``has_limit``. Limits are computed
    from ``pre_close`` and the board %, except in a new listing's first sessions
    (module docstring: :data:`NO_LIMIT_WINDOWS`, +44/−36 % on a classic IPO day;
    sessions counted on the frame's own calendar from ``list_date``). Published
    limits win where not NaN. A row without a limit (a no-limit window not
    overridden by published limits, or an optional ``no_limit`` column True) has
    ``has_limit`` False and both limits 0 (no limit, no clamping). Raises
    ``ValueError`` naming column and row when a price is not a whole number of cents
    (or above 10,737,418.23 CNY, beyond the int32 columns).

    ``bars`` is never modified; the result shares its columns copy-on-write (no
    copy is made up front). Columns already present (re-annotating an annotated
    frame) are replaced where they stand. Every pass over the rows is chunked, so
    no full-length temporary is made besides the columns themselves.
    """
    new: dict[str, np.ndarray] = {
        f"{column}_c": _checked_cents(bars, column) for column in _PRICE_COLUMNS
    }

    trade_dates = _datetimes(bars["trade_date"])
    codes, uniques = _symbol_codes(bars["symbol"])
    st = bars["is_st"].to_numpy(dtype=bool)
    pct = _pcts_int8(codes, uniques, st, trade_dates)
    no_limit, ipo_day = _listing_masks(bars, codes, uniques, trade_dates)
    up_c, down_c = _limits_cents(new["pre_close_c"], pct, ipo_day)
    published_any = np.zeros(len(bars), dtype=bool)
    for column, computed in (("up_limit", up_c), ("down_limit", down_c)):
        if column in bars.columns:
            published = bars[column].to_numpy(dtype=np.float64, na_value=np.nan)
            present = ~np.isnan(published)
            if present.any():
                computed[present] = _checked_cents(bars, column, present)
                published_any |= present
    no_limit &= ~published_any
    if "no_limit" in bars.columns:
        no_limit |= bars["no_limit"].to_numpy(dtype=bool, na_value=False)
    up_c[no_limit] = 0
    down_c[no_limit] = 0
    new["up_limit_c"] = up_c
    new["down_limit_c"] = down_c
    new["has_limit"] = ~no_limit

    if any(name in bars.columns for name in new):
        # Re-annotating: replace the existing columns in place (same position).
        out = bars.copy(deep=False)
        for name, values in new.items():
            out[name] = values
        return out
    # Append without copying the input's columns (copy-on-write keeps ``bars``
    # untouched when the result is modified) and without consolidating blocks.
    added = pd.DataFrame(new, index=bars.index, copy=False)
    return pd.concat([bars, added], axis=1)


def _row_boards(symbols: Any) -> np.ndarray:
    """Board index (position in ``Board``) of each row, decided once per symbol."""
    codes, uniques = _symbol_codes(symbols)
    per_symbol = np.fromiter(
        (_BOARD_INDEX[board_of(str(s))] for s in uniques), dtype=np.int64, count=len(uniques)
    )
    return per_symbol[codes]


def listing_sessions(trade_dates: np.ndarray, list_dates: np.ndarray) -> np.ndarray:
    """Per row, the number of data sessions in ``[list_date, trade_date)`` — 0 on the
    listing day, 1 on the next session — or −1 when unknown (no ``list_date``, or one
    before the data's first session, whose earlier sessions the data cannot count).

    Sessions are the distinct ``trade_dates`` of the frame (the data's own calendar)."""
    calendar = _calendar(trade_dates)
    known = ~np.isnat(list_dates)
    if len(calendar):
        known &= list_dates >= calendar[0]
    out = np.full(len(trade_dates), -1, dtype=np.int64)
    if known.any():
        rows = np.flatnonzero(known)
        listed = np.searchsorted(calendar, list_dates[rows], side="left")
        out[rows] = np.searchsorted(calendar, trade_dates[rows], side="left") - listed
    return out


def _calendar(trade_dates: np.ndarray) -> np.ndarray:
    """The distinct dates, ascending (one pass when the rows are date-sorted)."""
    if len(trade_dates) and (trade_dates[1:] >= trade_dates[:-1]).all():
        return trade_dates[np.r_[True, trade_dates[1:] != trade_dates[:-1]]]
    return np.unique(trade_dates)


def listing_rules(symbols: Any, trade_dates: Any, list_dates: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(no_limit, ipo_day)`` per row from the listing rules: rows inside their board's
    :data:`NO_LIMIT_WINDOWS` (and IPO days of a prefix without a known rule), and
    main-board/ChiNext IPO days before those windows, limited at :data:`IPO_DAY_PCTS`
    (:func:`ipo_limit_prices_cents`). ``list_dates`` NaT: no rule applies."""
    dates = np.asarray(trade_dates, dtype="datetime64[D]")
    listed = np.asarray(list_dates, dtype="datetime64[D]")
    n = len(dates)
    session = listing_sessions(dates, listed)
    if not (session >= 0).any():  # nobody lists inside the data: no rule applies
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    no_limit, ipo_day = _rules_from_sessions(_row_boards(symbols), listed, session)
    return no_limit, ipo_day


def _rules_from_sessions(
    boards: np.ndarray, listed: np.ndarray, session: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(no_limit, ipo_day)`` from each row's board index, ``list_date`` and listing
    session (:func:`listing_sessions`; −1 = unknown): the rules of
    :func:`listing_rules`, once."""
    no_limit = np.zeros(len(boards), dtype=bool)
    covered = np.zeros(len(boards), dtype=bool)
    for window in NO_LIMIT_WINDOWS:
        on_board = boards == _BOARD_INDEX[window.board]
        if window.listed_from is not None:
            on_board &= listed >= np.datetime64(window.listed_from, "D")
        covered |= on_board
        no_limit |= on_board & (session >= 0) & (session < window.sessions)
    first_day = session == 0
    classic = (boards == _BOARD_INDEX[Board.MAIN]) | (boards == _BOARD_INDEX[Board.CHINEXT])
    ipo_day = first_day & classic & ~covered
    no_limit |= first_day & ~classic & ~covered  # OTHER prefixes: no rule known, no limit
    return no_limit, ipo_day


def ipo_limit_prices_cents(pre_close_c: Any) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits of a classic IPO day in cents: +44 % / −36 % of the issue price
    (``pre_close``), rounded half-up like every limit."""
    pc = np.asarray(pre_close_c, dtype=np.int64)
    up_pct, down_pct = IPO_DAY_PCTS
    return (pc * (100 + up_pct) + 50) // 100, (pc * (100 - down_pct) + 50) // 100


def fill_price_cents(base_c: int, side: Literal["buy", "sell"], limit_c: int | None) -> int:
    """Fill price in cents: base ± 5 bps rounded half-up, never beyond the limit.

    Buy: ``min((base·10005 + 5000) // 10000, up_limit)``; sell:
    ``max((base·9995 + 5000) // 10000, down_limit)``. ``limit_c`` None means no
    limit (IPO day): no clamp.
    """
    if side == "buy":
        fill = (base_c * (10_000 + SLIPPAGE_BPS) + 5_000) // 10_000
        return fill if limit_c is None else min(fill, limit_c)
    if side == "sell":
        fill = (base_c * (10_000 - SLIPPAGE_BPS) + 5_000) // 10_000
        return fill if limit_c is None else max(fill, limit_c)
    raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")


def stamp_e5(side: Literal["buy", "sell"], trade_date: dt.date) -> int:
    """Stamp duty rate in 1e-5 units: 0 on buys; 100 (0.1 %) on sells before
    2023-08-28, 50 (0.05 %) from then."""
    if side == "buy":
        return 0
    if side == "sell":
        before_cut = _as_date(trade_date) < STAMP_DUTY_CUT_DATE
        return STAMP_E5_BEFORE_CUT if before_cut else STAMP_E5_AFTER_CUT
    raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")


def fees_cents(value_c: int, side: Literal["buy", "sell"], trade_date: dt.date) -> int:
    """Fees of one side on traded value ``value_c`` (cents), in whole cents.

    Each component on the value in 1e-5 cent: ``max(25·v, 5 CNY) + 1·v + stamp·v``,
    the total rounded half-up to cents once: ``(total + 50000) // 100000``.
    """
    commission = max(COMMISSION_E5 * value_c, MIN_COMMISSION_C * _E5)
    total = commission + TRANSFER_E5 * value_c + stamp_e5(side, trade_date) * value_c
    return (total + _E5 // 2) // _E5
