"""The normalized bars schema every other module relies on (docs/data.md).

One row per (trade_date, symbol), sorted by (trade_date, symbol), ``RangeIndex``.
This module is the single source of truth for the column list, the units and the
dtypes of the frame :func:`dragon_compat.data.load_bars` returns.

=================  ===================  ==========================================
column             dtype                meaning
=================  ===================  ==========================================
``trade_date``     ``datetime64[ns]``   session date (midnight, naive)
``symbol``         category of str      ``NNNNNN.SH|SZ|BJ``; categories sorted
``open``           float64              CNY, > 0, whole cents
``high``           float64              CNY, > 0, whole cents, ≥ max(open, close)
``low``            float64              CNY, > 0, whole cents, ≤ min(open, close)
``close``          float64              CNY, > 0, whole cents
``pre_close``      float64              CNY, > 0, whole cents (exchange 昨收)
``volume``         float64              shares, ≥ 0 (0 = suspended row)
``amount``         float64              CNY, ≥ 0
``turnover_rate``  float64              percent 0–100; NaN = not reported
``sector``         category of str      non-empty
``is_st``          bool                 ST / *ST on that row
``name``           str                  security name, "" when unknown
``list_date``      ``datetime64[ns]``   listing date, NaT when unknown
``up_limit``       float64              exchange-published, NaN = not published
``down_limit``     float64              exchange-published, NaN = not published
=================  ===================  ==========================================
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

NORMALIZED_COLUMNS: Final[tuple[str, ...]] = (
    "trade_date",
    "symbol",
    "open",
    "high",
    "low",
    "close",
    "pre_close",
    "volume",
    "amount",
    "turnover_rate",
    "sector",
    "is_st",
    "name",
    "list_date",
    "up_limit",
    "down_limit",
)
"""Columns of the normalized bars frame, in order."""

REQUIRED_COLUMNS: Final[tuple[str, ...]] = NORMALIZED_COLUMNS[:12]
"""Columns an input must provide (directly, via its adapter, or via a side table); the
others may be absent: ``name`` → "", ``list_date`` → NaT, limits → NaN."""

OHLC_COLUMNS: Final[tuple[str, str, str, str]] = ("open", "high", "low", "close")
"""The session's own prices, in that order (CNY)."""

PRICE_COLUMNS: Final[tuple[str, ...]] = (*OHLC_COLUMNS, "pre_close")
"""Required price columns (CNY, > 0, whole cents)."""

LIMIT_COLUMNS: Final[tuple[str, ...]] = ("up_limit", "down_limit")
"""Optional exchange-published limit prices (CNY, > 0, whole cents when present)."""

FLOAT_COLUMNS: Final[tuple[str, ...]] = (
    *PRICE_COLUMNS,
    "volume",
    "amount",
    "turnover_rate",
    *LIMIT_COLUMNS,
)
"""Every float64 column of the normalized frame."""

NULLABLE_FLOAT_COLUMNS: Final[frozenset[str]] = frozenset({"turnover_rate", *LIMIT_COLUMNS})
"""Float columns in which an empty value is allowed (NaN = not reported)."""

SYMBOL_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\d{6}\.(SH|SZ|BJ)$")
"""A-share symbol: six digits, a dot, the exchange (Shanghai, Shenzhen, Beijing)."""

ISO_DATE_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COMPACT_DATE_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\d{8}$")
SLASH_DATE_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")

DATE_FORMATS: Final[dict[str, tuple[re.Pattern[str], str]]] = {
    "YYYY-MM-DD": (ISO_DATE_PATTERN, "%Y-%m-%d"),
    "YYYYMMDD": (COMPACT_DATE_PATTERN, "%Y%m%d"),
    "YYYY/M/D": (SLASH_DATE_PATTERN, "%Y/%m/%d"),
}
"""Accepted date spellings: name → (pattern, strptime format). A text date column
uses one of them throughout; which one is detected from its cells (the format most of
the distinct cells match; a tie goes to the layout's usual format)."""

VALUE_BOUNDS: Final[dict[str, float]] = {
    "open": 100_000.0,
    "high": 100_000.0,
    "low": 100_000.0,
    "close": 100_000.0,
    "pre_close": 100_000.0,
    "up_limit": 100_000.0,
    "down_limit": 100_000.0,
    "volume": 1e12,
    "amount": 1e14,
}
"""Largest accepted value per column (CNY, shares, CNY); beyond is VALUE_OUT_OF_RANGE.

Why these numbers: the runtime holds prices as int64 cents and sizes positions in
int64 cents, so a price must leave room for price × shares; 100,000 CNY is 1e7 cents
(it even fits int32) and about forty times the dearest A-share close ever traded (a
few thousand CNY). A day's volume of one stock has stayed below 1e10 shares and its
amount below 1e11 CNY; the bounds allow a hundred and a thousand times that, and
1e14 CNY is 1e16 cents, far inside int64 (9.2e18)."""

TURNOVER_RANGE: Final[tuple[float, float]] = (0.0, 100.0)
"""Inclusive bounds of ``turnover_rate`` (percent)."""

TRUE_TOKENS: Final[frozenset[str]] = frozenset({"true", "1", "是", "y", "yes", "t"})
FALSE_TOKENS: Final[frozenset[str]] = frozenset({"false", "0", "否", "n", "no", "f"})
"""Accepted spellings of ``is_st`` (case-insensitive): true/false, 1/0, 是/否, Y/N
(and yes/no, t/f)."""

ST_NAME_PATTERN: Final[re.Pattern[str]] = re.compile(r"^\s*(\*|S\*|S)?ST", re.IGNORECASE)
"""A security name under special treatment: ``ST``, ``*ST``, ``S*ST``, ``SST`` …"""


class Layout(StrEnum):
    """Column layout of an input file, detected by its columns."""

    NATIVE = "native"
    TUSHARE = "tushare"
    AKSHARE = "akshare"
