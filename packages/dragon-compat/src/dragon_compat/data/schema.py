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

TURNOVER_RANGE: Final[tuple[float, float]] = (0.0, 100.0)
"""Inclusive bounds of ``turnover_rate`` (percent)."""

TRUE_TOKENS: Final[frozenset[str]] = frozenset({"true", "1"})
FALSE_TOKENS: Final[frozenset[str]] = frozenset({"false", "0"})
"""Accepted spellings of ``is_st`` (case-insensitive), the runtime README's loop contract."""


class Layout(StrEnum):
    """Column layout of an input file, detected by its columns."""

    NATIVE = "native"
    TUSHARE = "tushare"
    AKSHARE = "akshare"
