"""Cells to typed columns, recording every cell that cannot be read.

Each parser takes one raw column (any dtype pandas produced from CSV or Parquet)
and returns a typed array aligned with it, with a neutral value (NaN, NaT, code -1)
where the cell was empty or unreadable.

- Text columns are parsed per distinct value (via a categorical), so a 12.5M-row
  column with 5,000 symbols costs 5,000 string checks plus one integer gather;
  their findings are recorded at once.
- Typed columns (Parquet floats and timestamps) need no parsing; their cell checks
  (empty, infinite, not midnight) are returned as :class:`RowRule` objects for the
  caller to run together with the row rules, chunk by chunk
  (:func:`~dragon_compat.data.validate.apply_row_rules`). Columns that already
  have the normalized form (sorted categories of valid symbols, a NaN-free bool)
  are passed through without a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from dragon_compat.data.report import Findings, Rule
from dragon_compat.data.schema import (
    DATE_FORMATS,
    FALSE_TOKENS,
    SYMBOL_PATTERN,
    TRUE_TOKENS,
)
from dragon_compat.data.validate import RowRule

DateFormat = Literal["iso", "compact", "either"]
"""The format a layout usually writes (``either``: no preference); a text column's
actual format is detected (:func:`detect_date_format`), this only breaks ties."""

_PREFERRED: dict[str, str] = {"iso": "YYYY-MM-DD", "compact": "YYYYMMDD", "either": "YYYY-MM-DD"}
_DAY_NS = np.int64(86_400_000_000_000)
_NAT = np.iinfo(np.int64).min


def _as_categorical(values: pd.Series) -> pd.Categorical:
    """The column as a categorical whose categories are stripped text (nulls → -1)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categorical = values.array
    else:
        categorical = pd.Categorical(values)
    categories = categorical.categories
    if categories.dtype != object and not pd.api.types.is_string_dtype(categories.dtype):
        text = pd.Index([number_text(v) for v in categories], dtype=object)
    else:
        text = pd.Index([str(v).strip() for v in categories], dtype=object)
    if not text.is_unique:  # e.g. " a" and "a": merge them
        uniques, remap = pd.factorize(text)
        codes = np.asarray(categorical.codes, dtype=np.int64)
        new_codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        return pd.Categorical.from_codes(new_codes, categories=pd.Index(uniques, dtype=object))
    if text.equals(pd.Index(categories, dtype=object)):
        return categorical
    return pd.Categorical.from_codes(categorical.codes, categories=text)


def number_text(value: object) -> str:
    """``20230828`` for an integral float/int read from a typed file, else ``str``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_numeric(values: pd.Series) -> bool:
    dtype = values.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _non_finite(x: np.ndarray) -> np.ndarray:
    return ~np.isfinite(x)


def parse_float(
    values: pd.Series, column: str, findings: Findings, *, required: bool = True
) -> tuple[np.ndarray, list[RowRule]]:
    """float64 values and the cell rules still to run.

    Empty cells are NaN (MISSING_VALUE if ``required``); text that is no number is
    NaN and NOT_A_NUMBER; ±inf is NOT_A_NUMBER. For a numeric column the checks come
    back as rules (nothing is scanned here); for text they are recorded at once.
    """
    if _is_numeric(values):
        if values.dtype == np.float64:
            numbers = values.to_numpy()
        else:
            numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        if required:  # one scan: NaN is MISSING_VALUE, ±inf NOT_A_NUMBER
            split = (Rule.MISSING_VALUE, np.isnan)
            rule = RowRule(column, Rule.NOT_A_NUMBER, (numbers,), _non_finite, numbers, split)
        else:
            rule = RowRule(column, Rule.NOT_A_NUMBER, (numbers,), np.isinf, numbers)
        return numbers, [rule]
    null = values.isna().to_numpy(dtype=bool)
    coerced = pd.to_numeric(values.astype(object).where(~null, None), errors="coerce")
    numbers = np.asarray(coerced, dtype=np.float64)
    infinite = np.isinf(numbers)
    findings.flag(column, Rule.NOT_A_NUMBER, (np.isnan(numbers) & ~null) | infinite, values)
    if required:
        findings.flag(column, Rule.MISSING_VALUE, null, values)
    if infinite.any():
        numbers = np.where(infinite, np.nan, numbers)
    return numbers, []


def parse_symbol(
    values: pd.Series, column: str, findings: Findings, written: pd.Series | None = None
) -> pd.Categorical:
    """Categorical of valid ``NNNNNN.SH|SZ|BJ`` symbols, categories sorted; NaN where the
    cell is empty (MISSING_VALUE) or malformed (BAD_SYMBOL).

    ``values`` are already normalized spellings
    (:func:`dragon_compat.data.adapters.codes_to_symbols`); ``written`` (aligned) is
    the column as the file wrote it, shown in findings (default: ``values``)."""
    categorical = _as_categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    valid = np.fromiter(
        (SYMBOL_PATTERN.match(s) is not None for s in categories), bool, len(categories)
    )
    codes = np.asarray(categorical.codes)
    if valid.all() and _is_sorted(categories) and (len(codes) == 0 or codes.min() >= 0):
        return categorical
    codes = codes.astype(np.int64)
    null = codes < 0
    shown = values if written is None else written
    findings.flag(column, Rule.MISSING_VALUE, null, shown)
    if not valid.all():
        findings.flag(column, Rule.BAD_SYMBOL, ~null & ~valid[np.maximum(codes, 0)], shown)
    return _reencode_sorted(codes, categories, valid)


def _is_sorted(texts: np.ndarray) -> bool:
    return all(a < b for a, b in pairwise(texts))


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
    categories = pd.Index(list(categorical.categories), dtype=str)
    if categorical.categories.dtype == categories.dtype:
        return categorical
    return pd.Categorical.from_codes(categorical.codes, categories=categories, validate=False)


def _not_midnight(dates: np.ndarray) -> np.ndarray:
    ns = dates.view(np.int64)
    return (ns % _DAY_NS != 0) & (ns != _NAT)


def _no_date(dates: np.ndarray) -> np.ndarray:
    return np.isnat(dates)


def parse_date(
    values: pd.Series,
    column: str,
    findings: Findings,
    *,
    date_format: DateFormat,
    rule: Rule = Rule.BAD_DATE,
    required: bool = True,
) -> tuple[np.ndarray, list[RowRule]]:
    """``datetime64[ns]`` dates and the cell rules still to run.

    Empty cells are NaT (MISSING_VALUE if ``required``); text that is no valid date in
    ``date_format`` is NaT and ``rule``. Typed datetime columns must hold midnight
    timestamps (``rule`` otherwise, as a returned row rule); time zones are dropped
    keeping the wall-clock date.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        dates = stamps.to_numpy(dtype="datetime64[ns]")
        rules = [RowRule(column, rule, (dates,), _not_midnight, dates)]
        if required:
            rules.append(RowRule(column, Rule.MISSING_VALUE, (dates,), _no_date, dates))
        return dates, rules
    categorical = _as_categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    name = detect_date_format(categories, _PREFERRED[date_format])
    parsed = parse_date_texts(categories, name)
    codes = np.asarray(categorical.codes, dtype=np.int64)
    null = codes < 0
    lookup = np.append(parsed, np.datetime64("NaT", "ns"))
    dates = lookup[np.where(null, len(categories), codes)]
    note = f"expected {name}, the format of this column"
    findings.flag(column, rule, ~null & np.isnat(dates), values, note)
    if required:
        findings.flag(column, Rule.MISSING_VALUE, null, values)
    return dates, []


def detect_date_format(texts: np.ndarray, preferred: str) -> str:
    """The name (a key of :data:`DATE_FORMATS`) of the format most distinct ``texts``
    are written in; ``preferred`` when none match or on a tie. One format per column
    keeps detection unambiguous: ``20200601`` is never read as anything but
    YYYYMMDD, ``2020/6/1`` never as anything but YYYY/M/D."""
    best, best_count = preferred, 0
    for name, (pattern, _) in DATE_FORMATS.items():
        count = sum(1 for t in texts if pattern.match(t) is not None)
        if count > best_count or (count == best_count and count and name == preferred):
            best, best_count = name, count
    return best


def parse_date_texts(texts: np.ndarray, name: str) -> np.ndarray:
    """Parse each distinct text in format ``name``; NaT when it does not match the
    format or the calendar."""
    pattern, strptime = DATE_FORMATS[name]
    out = np.full(len(texts), np.datetime64("NaT", "ns"))
    match = np.fromiter((pattern.match(t) is not None for t in texts), bool, len(texts))
    if match.any():
        parsed = pd.to_datetime(
            pd.Series(texts[match], dtype=object), format=strptime, errors="coerce"
        )
        out[match] = parsed.to_numpy(dtype="datetime64[ns]")
    return out


def parse_bool(values: pd.Series, column: str, findings: Findings) -> np.ndarray:
    """bool values from true/false, 1/0, 是/否, Y/N (any case) or a typed bool/0-1
    column; BAD_IS_ST (and False) for anything else, including empty cells."""
    if values.dtype == np.bool_:
        return values.to_numpy()
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.to_numpy(dtype=bool)
    if _is_numeric(values):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        findings.flag(column, Rule.BAD_IS_ST, ~((numbers == 0) | (numbers == 1)), values)
        return numbers == 1
    categorical = _as_categorical(values)
    tokens = [str(t).lower() for t in categorical.categories]
    truth = np.array([t in TRUE_TOKENS for t in tokens] + [False])
    known = np.array([t in TRUE_TOKENS or t in FALSE_TOKENS for t in tokens] + [False])
    codes = np.asarray(categorical.codes, dtype=np.int64)
    index = np.where(codes >= 0, codes, len(tokens))
    findings.flag(column, Rule.BAD_IS_ST, ~known[index], values)
    return truth[index]


def st_names(names: pd.Series) -> np.ndarray:
    """True where a security name marks special treatment (``ST``, ``*ST``, ``S*ST``,
    ``SST`` …, :data:`~dragon_compat.data.schema.ST_NAME_PATTERN`); one check per
    distinct name."""
    from dragon_compat.data.schema import ST_NAME_PATTERN

    categorical = pd.Categorical(names.fillna(""))
    flags = np.fromiter(
        (ST_NAME_PATTERN.match(str(n)) is not None for n in categorical.categories),
        bool,
        len(categorical.categories),
    )
    codes = np.asarray(categorical.codes, dtype=np.int64)
    return np.append(flags, False)[np.where(codes >= 0, codes, len(flags))]


def parse_category(values: pd.Series, column: str, findings: Findings) -> pd.Categorical:
    """Categorical of non-empty stripped text (categories sorted); MISSING_VALUE
    where empty."""
    categorical = _as_categorical(values)
    categories = np.asarray(categorical.categories, dtype=object)
    non_empty = np.array([c != "" for c in categories], dtype=bool)
    codes = np.asarray(categorical.codes)
    if non_empty.all() and _is_sorted(categories) and (len(codes) == 0 or codes.min() >= 0):
        return categorical
    codes = codes.astype(np.int64)
    index = np.where(codes >= 0, codes, len(categories))
    findings.flag(column, Rule.MISSING_VALUE, ~np.append(non_empty, False)[index], values)
    return _reencode_sorted(codes, categories, non_empty)


def parse_text(values: pd.Series) -> pd.Series:
    """``str`` values with empty cells as "" (names: never an error)."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("") if values.hasnans else values
    return values.astype(object).where(values.notna(), "").astype(str)


def parse_column(
    column: str,
    values: pd.Series,
    label: str,
    findings: Findings,
    *,
    trade_date_format: DateFormat = "iso",
) -> tuple[np.ndarray | pd.Categorical | pd.Series, list[RowRule]]:
    """Parse the raw cells of normalized column ``column`` (found under ``label``)."""
    from dragon_compat.data.schema import NULLABLE_FLOAT_COLUMNS

    if column == "trade_date":
        return parse_date(values, label, findings, date_format=trade_date_format)
    if column == "list_date":
        return parse_date(
            values, label, findings, date_format="either", rule=Rule.BAD_LIST_DATE, required=False
        )
    if column in _UNTYPED_PARSERS:
        return _UNTYPED_PARSERS[column](values, label, findings), []
    return parse_float(values, label, findings, required=column not in NULLABLE_FLOAT_COLUMNS)


_Parser = Callable[[pd.Series, str, Findings], np.ndarray | pd.Categorical | pd.Series]

_UNTYPED_PARSERS: dict[str, _Parser] = {
    "symbol": parse_symbol,
    "is_st": parse_bool,
    "sector": parse_category,
    "name": lambda values, _label, _findings: parse_text(values),
}
