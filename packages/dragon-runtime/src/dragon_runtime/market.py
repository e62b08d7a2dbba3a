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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
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
        codes = np.asarray(categorical.codes, dtype=np.int64)
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
    board_per_symbol = np.fromiter(
        (_BOARD_INDEX[board_of(str(s))] for s in uniques), dtype=np.int64, count=len(uniques)
    )
    boards = board_per_symbol[codes]
    st = np.asarray(is_st, dtype=bool)
    dates = np.asarray(trade_dates, dtype="datetime64[D]")
    if not (boards.shape == st.shape == dates.shape):
        raise ValueError(
            f"symbols, is_st and trade_dates differ in length: "
            f"{boards.shape[0]}, {st.shape[0]}, {dates.shape[0]}"
        )
    pct = np.where(st, _PCT_ST[boards], _PCT_NORMAL[boards])
    before_reform = (boards == _BOARD_INDEX[Board.CHINEXT]) & (
        dates < np.datetime64(CHINEXT_REFORM_DATE, "D")
    )
    pct[before_reform] = np.where(st[before_reform], 5, 10)
    return pct.astype(np.int64, copy=False)


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

LIMIT_ANNOTATION_COLUMNS: tuple[str, ...] = (
    *(f"{column}_c" for column in _PRICE_COLUMNS),
    "up_limit_c",
    "down_limit_c",
    "has_limit",
)
"""The columns :func:`annotate_limits` appends, in order: ``int64`` cents
``open_c high_c low_c close_c pre_close_c up_limit_c down_limit_c`` and bool
``has_limit``. A frame carrying all of them is an annotated frame."""


def _checked_cents(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Cents of a float price column; ``ValueError`` naming the first off-grid row."""
    values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    subset = values if rows is None else values[rows]
    ok = whole_cents(subset)
    if not ok.all():
        position = int(np.flatnonzero(~ok)[0])
        row = position if rows is None else int(np.flatnonzero(rows)[position])
        raise ValueError(
            f"column {column!r}, row {row}: price {float(subset[position])!r} is not a whole "
            "number of cents (rule: prices are on the 0.01 CNY tick)"
        )
    return to_cents(subset)


def annotate_limits(bars: pd.DataFrame) -> pd.DataFrame:
    """A new frame: the normalized bars with cent prices and daily limits appended.

    Input: rows sorted by (trade_date, symbol) with ``trade_date`` (datetime64),
    ``symbol`` (str or category), float ``open high low close pre_close``, bool
    ``is_st``; optional ``list_date`` (datetime64, NaT = unknown), published
    ``up_limit``/``down_limit`` (float, NaN = not published; missing columns are
    treated as all-unknown) and bool ``no_limit``.

    Adds ``int64`` columns ``open_c high_c low_c close_c pre_close_c up_limit_c
    down_limit_c`` and bool ``has_limit``. Limits are computed from ``pre_close`` and
    the board %, except in a new listing's first sessions (module docstring:
    :data:`NO_LIMIT_WINDOWS`, +44/−36 % on a classic IPO day; sessions counted on the
    frame's own calendar from ``list_date``). Published limits win where not NaN. A
    row without a limit (a no-limit window not overridden by published limits, or
    an optional ``no_limit`` column True) has ``has_limit`` False and both limits 0
    (no limit, no clamping). Raises ``ValueError`` naming column and row when a price
    is not a whole number of cents.

    ``bars`` is never modified; the result shares its columns copy-on-write (no
    copy is made up front). Columns already present (re-annotating an annotated
    frame) are replaced where they stand.
    """
    new: dict[str, np.ndarray] = {
        f"{column}_c": _checked_cents(bars, column) for column in _PRICE_COLUMNS
    }

    trade_dates = bars["trade_date"].to_numpy(dtype="datetime64[D]")
    pct = limit_pcts(bars["symbol"], bars["is_st"].to_numpy(dtype=bool), trade_dates)
    up_c, down_c = limit_prices_cents(new["pre_close_c"], pct)
    if "list_date" in bars.columns:
        list_dates = bars["list_date"].to_numpy(dtype="datetime64[D]")
    else:
        list_dates = np.full(len(bars), np.datetime64("NaT"), dtype="datetime64[D]")
    no_limit, ipo_day = listing_rules(bars["symbol"], trade_dates, list_dates)
    up_c[ipo_day], down_c[ipo_day] = ipo_limit_prices_cents(new["pre_close_c"][ipo_day])
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
    boards = _row_boards(symbols)
    no_limit = np.zeros(n, dtype=bool)
    covered = np.zeros(n, dtype=bool)
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
