"""Cells to typed columns, recording every cell that cannot be read.

Each parser takes one raw column (any dtype pandas produced from CSV or Parquet)
and returns a typed array aligned with it, with a neutral value (NaN, NaT, code -1)
where the cell was empty or unreadable, and flags the cell in a
:class:`~dragon_compat.data.report.Findings`. Text columns are parsed per distinct
value (via a categorical), so a 12.5M-row column with 5,000 symbols costs 5,000
string checks plus one integer gather.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from dragon_compat.data.report import Findings, Rule
from dragon_compat.data.schema import (
    COMPACT_DATE_PATTERN,
    FALSE_TOKENS,
    ISO_DATE_PATTERN,
    SYMBOL_PATTERN,
    TRUE_TOKENS,
)

DateFormat = Literal["iso", "compact", "either"]

_DATE_FORMATS: dict[str, str] = {"iso": "%Y-%m-%d", "compact": "%Y%m%d"}


def _as_categorical(values: pd.Series) -> pd.Categorical:
    """The column as a categorical whose categories are stripped text (nulls → -1)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categorical = values.array
    else:
        categorical = pd.Categorical(values)
    categories = categorical.categories
    if categories.dtype != object and not pd.api.types.is_string_dtype(categories.dtype):
        text = pd.Index([_number_text(v) for v in categories], dtype=object)
    else:
        text = pd.Index([str(v).strip() for v in categories], dtype=object)
    if not text.is_unique:  # e.g. " a" and "a": merge them
        uniques, remap = pd.factorize(text)
        codes = np.asarray(categorical.codes, dtype=np.int64)
        new_codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        return pd.Categorical.from_codes(new_codes, categories=pd.Index(uniques, dtype=object))
    return pd.Categorical.from_codes(categorical.codes, categories=text)


def _number_text(value: object) -> str:
    """``20230828`` for an integral float/int read from a typed file, else ``str``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_null(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy(dtype=bool)


def parse_float(
    values: pd.Series, column: str, findings: Findings, *, required: bool = True
) -> np.ndarray:
    """float64 values; NaN where empty (MISSING_VALUE if ``required``) or unreadable
    (NOT_A_NUMBER: text that is no number, or ±inf)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        null = np.isnan(numbers)
        unreadable = np.zeros(len(numbers), dtype=bool)
    else:
        null = _is_null(values)
        coerced = pd.to_numeric(values.astype(object).where(~null, None), errors="coerce")
        numbers = np.asarray(coerced, dtype=np.float64)
        unreadable = np.isnan(numbers) & ~null
    infinite = np.isinf(numbers)
    unreadable |= infinite
    findings.flag(column, Rule.NOT_A_NUMBER, unreadable, values)
    if required:
        findings.flag(column, Rule.MISSING_VALUE, null, values)
    if infinite.any():
        numbers = np.where(infinite, np.nan, numbers)
    return numbers


def parse_symbol(values: pd.Series, column: str, findings: Findings) -> pd.Categorical:
    """Categorical of valid ``NNNNNN.SH|SZ|BJ`` symbols, categories sorted; NaN where the
    cell is empty (MISSING_VALUE) or malformed (BAD_SYMBOL)."""
    categorical = _as_categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    valid = np.fromiter(
        (SYMBOL_PATTERN.match(s) is not None for s in categories), bool, len(categories)
    )
    codes = np.asarray(categorical.codes, dtype=np.int64)
    null = codes < 0
    bad = ~null & ~valid[np.maximum(codes, 0)] if len(categories) else np.zeros(len(codes), bool)
    findings.flag(column, Rule.MISSING_VALUE, null, values)
    if bad.any():
        findings.flag(column, Rule.BAD_SYMBOL, bad, categories[np.maximum(codes, 0)])
    return _reencode_sorted(codes, categories, valid)


def _reencode_sorted(codes: np.ndarray, categories: np.ndarray, keep: np.ndarray) -> pd.Categorical:
    """Keep only ``keep`` categories, sort them, remap codes (dropped → -1)."""
    kept = np.sort(categories[keep].astype(str)) if keep.any() else np.empty(0, dtype=str)
    position = np.full(len(categories) + 1, -1, dtype=np.int64)
    if keep.any():
        position[np.flatnonzero(keep)] = np.searchsorted(kept, categories[keep].astype(str))
    new_codes = position[np.where(codes >= 0, codes, len(categories))]
    return pd.Categorical.from_codes(new_codes, categories=pd.Index(kept.tolist(), dtype=object))


def with_str_categories(categorical: pd.Categorical) -> pd.Categorical:
    """The categorical with ``str``-typed categories (pandas' default string dtype)."""
    return pd.Categorical.from_codes(
        categorical.codes, categories=pd.Index(list(categorical.categories), dtype=str)
    )


def parse_date(
    values: pd.Series,
    column: str,
    findings: Findings,
    *,
    date_format: DateFormat,
    rule: Rule = Rule.BAD_DATE,
    required: bool = True,
) -> np.ndarray:
    """``datetime64[ns]`` dates (midnight); NaT where empty (MISSING_VALUE if
    ``required``) or not a valid date in ``date_format`` (``rule``).

    Typed datetime columns must hold midnight timestamps; time zones are dropped
    keeping the wall-clock date.
    """
    raw = values
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        dates = stamps.to_numpy(dtype="datetime64[ns]")
        null = np.isnat(dates)
        not_midnight = ~null & (dates != dates.astype("datetime64[D]").astype("datetime64[ns]"))
        findings.flag(column, rule, not_midnight, raw)
        dates = np.where(not_midnight, np.datetime64("NaT", "ns"), dates)
    else:
        categorical = _as_categorical(values)
        categories = np.asarray(categorical.categories, dtype=object)
        parsed = _parse_date_texts(categories, date_format)
        codes = np.asarray(categorical.codes, dtype=np.int64)
        null = codes < 0
        lookup = np.append(parsed, np.datetime64("NaT", "ns"))
        dates = lookup[np.where(null, len(categories), codes)]
        findings.flag(column, rule, ~null & np.isnat(dates), raw)
    if required:
        findings.flag(column, Rule.MISSING_VALUE, null, raw)
    return dates


def _parse_date_texts(texts: np.ndarray, date_format: DateFormat) -> np.ndarray:
    """Parse each distinct text; NaT when it does not match the format or the calendar."""
    out = np.full(len(texts), np.datetime64("NaT", "ns"))
    for name, pattern in (("iso", ISO_DATE_PATTERN), ("compact", COMPACT_DATE_PATTERN)):
        if date_format not in (name, "either"):
            continue
        match = np.fromiter((pattern.match(t) is not None for t in texts), bool, len(texts))
        if match.any():
            parsed = pd.to_datetime(
                pd.Series(texts[match], dtype=object), format=_DATE_FORMATS[name], errors="coerce"
            )
            out[match] = parsed.to_numpy(dtype="datetime64[ns]")
    return out


def parse_bool(values: pd.Series, column: str, findings: Findings) -> np.ndarray:
    """bool values from true/false/1/0 (any case) or a typed bool/0-1 column;
    BAD_IS_ST (and False) for anything else, including empty cells."""
    raw = values
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~((numbers == 0) | (numbers == 1))
        findings.flag(column, Rule.BAD_IS_ST, bad, raw)
        return numbers == 1
    categorical = _as_categorical(values)
    tokens = [str(t).lower() for t in categorical.categories]
    truth = np.array([t in TRUE_TOKENS for t in tokens] + [False])
    known = np.array([t in TRUE_TOKENS or t in FALSE_TOKENS for t in tokens] + [False])
    codes = np.asarray(categorical.codes, dtype=np.int64)
    index = np.where(codes >= 0, codes, len(tokens))
    findings.flag(column, Rule.BAD_IS_ST, ~known[index], raw)
    return truth[index]


def parse_category(values: pd.Series, column: str, findings: Findings) -> pd.Categorical:
    """Categorical of non-empty stripped text (categories sorted); MISSING_VALUE
    where empty."""
    categorical = _as_categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    non_empty = np.array([c != "" for c in categories], dtype=bool)
    codes = np.asarray(categorical.codes, dtype=np.int64)
    missing = (codes < 0) | ~np.append(non_empty, False)[
        np.where(codes >= 0, codes, len(categories))
    ]
    findings.flag(column, Rule.MISSING_VALUE, missing, values)
    return _reencode_sorted(codes, categories, non_empty)


def parse_text(values: pd.Series) -> pd.Series:
    """``str`` values with empty cells as "" (names: never an error)."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("") if values.hasnans else values
    return values.astype(object).where(values.notna(), "").astype(str)
