"""Input layouts: which source column feeds which normalized column, in which unit.

Detected by columns (docs/data.md), first match wins:

- **Tushare** ``daily`` export — has ``ts_code``. ``trade_date`` usually ``YYYYMMDD``;
  ``vol`` is in lots (手) of 100 shares → ``volume = vol × 100``; ``amount`` is in
  thousand CNY → ``amount × 1000``; ``pre_close`` and prices as exported.
  ``daily`` carries no turnover, sector or ST flag: ``turnover_rate`` (e.g. from
  ``daily_basic``), ``sector`` (e.g. ``industry`` from ``stock_basic``), ``is_st``,
  ``name`` and ``list_date`` come from a side table.
- **AkShare** ``stock_zh_a_hist`` export — has ``日期``. ``开盘 收盘 最高 最低`` are
  prices (use the unadjusted export, ``adjust=""``: adjusted prices off the cent
  grid are errors, cent-rounded ones a warning); ``成交量`` is in lots (手) of 100 shares →
  ``× 100``; ``成交额`` is CNY; ``换手率`` percent. The symbol comes from a
  ``股票代码``/``代码``/``symbol`` column when present (6-digit codes get their
  exchange suffix), else from a side table holding exactly one symbol; ``sector``,
  ``is_st``, ``name``, ``list_date`` come from the side table.
  ``pre_close``, first available of: a ``pre_close`` column in the file; a
  ``pre_close`` column in a dated side table; ``收盘 − 涨跌额`` (the previous close
  the vendor computed its change against, which is ex-rights adjusted on
  dividend days); otherwise (in any layout) the symbol's previous row's close, in
  which case each symbol's first row only seeds ``pre_close`` and is dropped from
  the result (a PRE_CLOSE_DERIVED warning).
- **Native** — anything else: the normalized column names, native units.

Dates in every layout may be ``YYYY-MM-DD``, ``YYYYMMDD`` or ``YYYY/M/D`` (one format
per column, detected from its cells; the layout's usual format breaks a tie), and
symbols any spelling :func:`exchange_symbol` reads.

In every layout, extra columns are ignored and a normalized column name present in
the file is used as is (a Tushare export with an added ``sector`` column needs no
side table for sectors).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dragon_compat.data.parse import DateFormat, number_text
from dragon_compat.data.schema import NORMALIZED_COLUMNS, SYMBOL_PATTERN, Layout

AKSHARE_CODE_COLUMNS: tuple[str, ...] = ("symbol", "股票代码", "代码")
"""AkShare columns that may carry the security code, in order of preference."""

AKSHARE_CHANGE_COLUMN = "涨跌额"
"""AkShare's change vs the previous close, used to recover ``pre_close``."""

SIDE_TABLE_KEY_COLUMNS: tuple[str, ...] = ("ts_code", "symbol", "股票代码", "代码")
"""Side-table columns that may carry the symbol, in order of preference."""

SIDE_TABLE_VALUE_COLUMNS: tuple[str, ...] = (
    "sector",
    "is_st",
    "name",
    "list_date",
    "turnover_rate",
    "pre_close",
)
"""Normalized columns a side table may supply; its other columns are ignored."""

SIDE_TABLE_ALIASES: Mapping[str, str] = {"industry": "sector"}
"""Side-table column → normalized column, used when the normalized name is absent
(Tushare ``stock_basic`` calls the sector ``industry``)."""


@dataclass(frozen=True)
class LayoutSpec:
    """How one layout maps onto the normalized columns."""

    layout: Layout
    sources: Mapping[str, str]
    """normalized column → source column (identity when not listed)."""
    trade_date_format: DateFormat
    scales: Mapping[str, float] = field(default_factory=dict)
    """normalized column → factor from the source unit to the native unit."""
    code_column: str | None = None
    """Source column holding a bare or suffixed code to turn into a symbol."""
    change_column: str | None = None
    """Source column with ``close − pre_close`` (AkShare 涨跌额)."""
    hints: Mapping[str, str] = field(default_factory=dict)
    """normalized column → what to do when it is missing."""

    def source_of(self, column: str) -> str:
        return self.sources.get(column, column)


_SIDE_HINT = (
    "not in the {layout} export; supply it with --side-table "
    "(see docs/data.md, section Side tables)"
)

TUSHARE = LayoutSpec(
    layout=Layout.TUSHARE,
    sources={"symbol": "ts_code", "volume": "vol"},
    trade_date_format="compact",
    scales={"volume": 100.0, "amount": 1000.0},
    hints={
        c: _SIDE_HINT.format(layout="Tushare daily") for c in ("turnover_rate", "sector", "is_st")
    },
)


def _akshare_spec(columns: pd.Index) -> LayoutSpec:
    code = next((c for c in AKSHARE_CODE_COLUMNS if c in columns), None)
    hint = _SIDE_HINT.format(layout="AkShare stock_zh_a_hist")
    return LayoutSpec(
        layout=Layout.AKSHARE,
        sources={
            "trade_date": "日期",
            "open": "开盘",
            "close": "收盘",
            "high": "最高",
            "low": "最低",
            "volume": "成交量",
            "amount": "成交额",
            "turnover_rate": "换手率",
            **({"symbol": code} if code else {}),
        },
        trade_date_format="iso",
        scales={"volume": 100.0},
        code_column=code,
        change_column=AKSHARE_CHANGE_COLUMN if AKSHARE_CHANGE_COLUMN in columns else None,
        hints={
            "symbol": (
                "no 股票代码/代码/symbol column; add one, "
                "or use a side table with exactly one symbol"
            ),
            "sector": hint,
            "is_st": hint,
        },
    )


NATIVE = LayoutSpec(layout=Layout.NATIVE, sources={}, trade_date_format="iso")


def detect_layout(columns: pd.Index) -> LayoutSpec:
    """The layout of a file with these columns: Tushare, AkShare, else native."""
    if "ts_code" in columns:
        return TUSHARE
    if "日期" in columns or "开盘" in columns:
        return _akshare_spec(columns)
    return NATIVE


_EXCHANGE_BY_PREFIX: Mapping[str, str] = {
    **dict.fromkeys(("60", "68", "90"), "SH"),
    **dict.fromkeys(("00", "20", "30"), "SZ"),
    **dict.fromkeys(("92", "4", "8"), "BJ"),
}


_SUFFIX_ALIASES: Mapping[str, str] = {
    "SH": "SH",
    "SS": "SH",
    "XSHG": "SH",
    "SZ": "SZ",
    "XSHE": "SZ",
    "BJ": "BJ",
    "BSE": "BJ",
}
"""Exchange spellings after or before a code: Dragon/Tushare ``SH``, Yahoo ``SS``,
JoinQuant/RiceQuant ``XSHG``/``XSHE``, ``BJ``/``BSE``."""

_PREFIXED = re.compile(r"^(SH|SZ|BJ)[.]?(\d{6})$")
_SUFFIXED = re.compile(r"^(\d{6})[.](SH|SS|XSHG|SZ|XSHE|BJ|BSE)$")


def exchange_symbol(code: str) -> str:
    """``NNNNNN.SH|SZ|BJ`` for any common spelling of a code; the input unchanged when
    the exchange cannot be told (validation then reports it, as written, BAD_SYMBOL).

    Accepted (any case): ``600000.SH``, ``600000.XSHG`` / ``000001.XSHE``,
    ``sh600000``, ``sh.600000``, ``SH600000``, and bare codes whose prefix tells the
    exchange — ``600000`` → ``600000.SH``; ``000001``/``1`` → ``000001.SZ``;
    ``830799`` → ``830799.BJ``. Shanghai: 60, 68, 90; Shenzhen: 00, 20, 30; Beijing:
    4, 8, 92.
    """
    text = code.strip()
    upper = text.upper()
    if SYMBOL_PATTERN.match(upper):
        return upper
    if prefixed := _PREFIXED.match(upper):
        return f"{prefixed.group(2)}.{prefixed.group(1)}"
    if suffixed := _SUFFIXED.match(upper):
        return f"{suffixed.group(1)}.{_SUFFIX_ALIASES[suffixed.group(2)]}"
    if not text.isdigit() or len(text) > 6:
        return text
    digits = text.zfill(6)
    exchange = _EXCHANGE_BY_PREFIX.get(digits[:2]) or _EXCHANGE_BY_PREFIX.get(digits[0])
    return f"{digits}.{exchange}" if exchange else text


def codes_to_symbols(values: pd.Series) -> pd.Series:
    """Map each distinct code of a column through :func:`exchange_symbol` (nulls kept)."""
    categorical = values.array if isinstance(values.dtype, pd.CategoricalDtype) else None
    if categorical is None:
        categorical = pd.Categorical(values)
    mapped = pd.Index(
        [exchange_symbol(number_text(c)) for c in categorical.categories], dtype=object
    )
    # distinct codes → distinct symbols: gather integer codes, never 12 M strings
    remap, symbols = pd.factorize(mapped, use_na_sentinel=True)
    codes = np.asarray(categorical.codes, dtype=np.int64)
    new_codes = np.where(codes >= 0, np.append(remap, -1)[codes], -1)
    return pd.Series(
        pd.Categorical.from_codes(new_codes, categories=pd.Index(symbols, dtype=object)),
        index=values.index,
    )


def normalized_sources(spec: LayoutSpec, columns: pd.Index) -> dict[str, str]:
    """normalized column → source column, for the normalized columns the file has."""
    return {c: spec.source_of(c) for c in NORMALIZED_COLUMNS if spec.source_of(c) in columns}
