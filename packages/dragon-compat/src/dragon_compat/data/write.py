"""Write a normalized bars frame as CSV, CSV.gz or Parquet (by suffix), atomically.

The file is written to a temporary name in the target directory
(``.dragon-tmp-<name>-<pid>``) and moved into place with ``os.replace``, so a failure
never leaves half a file behind; any ``OSError`` while writing is ``cannot write PATH:
REASON`` (exit 2).

**CSV** is the native layout (docs/data.md), the same text for the same
frame: UTF-8, ``\\n``, a header row, no quotes unless a cell needs them (a comma,
quote or line break in a name), ISO dates (empty for NaT), ``true``/``false``,
and every float column with one fixed number of decimals per column — the fewest of
0, 2, 4, 6 that reproduce each value exactly when read back (prices are whole cents:
``10.35``; whole-share volumes: ``120300``). A column that no such count fits is
written in shortest round-trip form. Empty cells are nulls (NaN limits, NaN
turnover). ``.csv.gz`` is the same text gzip-compressed.

**Parquet** keeps the dtypes (dates as timestamps, symbol and sector dictionary-
encoded, categorical on read), compressed with zstd; :func:`load_bars` reads it back
to an equal frame without any parsing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dragon_compat.data.read import table_format
from dragon_compat.data.schema import NORMALIZED_COLUMNS
from dragon_compat.errors import DragonUserError
from dragon_compat.writes import TEMP_PREFIX, cannot_write

if TYPE_CHECKING:
    import pyarrow as pa

_DECIMALS = (0, 2, 4, 6)
_EXACT_LIMIT = float(2**53)


def write_bars(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` (normalized schema) to ``path``; returns the path.

    Raises DragonUserError when the suffix is unsupported or the directory cannot
    be written.
    """
    path = Path(path)
    kind = table_format(path)
    missing = [c for c in NORMALIZED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"not a normalized bars frame: missing columns {missing}")
    frame = frame.loc[:, list(NORMALIZED_COLUMNS)]
    if not path.parent.exists():
        raise DragonUserError(f"{path}: directory {path.parent} does not exist")
    temporary = path.with_name(f"{TEMP_PREFIX}{path.name}-{os.getpid()}")
    try:
        if kind == "parquet":
            _write_parquet(frame, temporary)
        else:
            _write_csv(frame, temporary, gzip=path.name.lower().endswith(".gz"))
        os.replace(temporary, path)
    except OSError as err:
        raise cannot_write(path, err) from None
    finally:
        with contextlib.suppress(OSError):  # read-only storage refuses even this
            temporary.unlink(missing_ok=True)
    return path


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd")


def _write_csv(frame: pd.DataFrame, path: Path, *, gzip: bool) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    columns = {name: _text_column(frame[name]) for name in NORMALIZED_COLUMNS}
    table = pa.table(columns)
    header = (",".join(NORMALIZED_COLUMNS) + "\n").encode()
    sink = pa.CompressedOutputStream(str(path), "gzip") if gzip else pa.OSFile(str(path), "wb")
    with sink:
        sink.write(header)
        if _needs_quoting(table):  # rare: a name or sector with a comma, quote or newline
            text = table.to_pandas().to_csv(index=False, header=False, lineterminator="\n")
            sink.write(text.encode())
        else:
            options = pacsv.WriteOptions(include_header=False, quoting_style="none")
            pacsv.write_csv(table, sink, write_options=options)


def _needs_quoting(table: pa.Table) -> bool:
    """Whether any cell holds a character CSV must quote (comma, quote, CR, LF)."""
    import pyarrow.compute as pc

    for column in table.columns:
        if pc.any(pc.match_substring_regex(column, r'[,"\r\n]')).as_py():
            return True
    return False


def _text_column(values: pd.Series) -> pa.Array:
    """One column as an Arrow string array in the canonical CSV spelling."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pa.array([str(c) for c in values.cat.categories], type=pa.string())
        codes = values.cat.codes.to_numpy()
        return categories.take(pa.array(codes, mask=codes < 0))
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = pa.array(values.to_numpy(dtype="datetime64[ns]"), type=pa.timestamp("ns"))
        return pc.strftime(stamps, format="%Y-%m-%d")
    if pd.api.types.is_bool_dtype(values.dtype):
        return pa.array(np.where(values.to_numpy(dtype=bool), "true", "false"), type=pa.string())
    if pd.api.types.is_float_dtype(values.dtype):
        return _fixed_decimals(values.to_numpy(dtype=np.float64))
    return pa.array(values.astype(object).where(values.notna(), "").tolist(), type=pa.string())


def _fixed_decimals(numbers: np.ndarray) -> pa.Array:
    """Floats with the fewest fixed decimals that round-trip every value exactly."""
    import pyarrow as pa
    import pyarrow.compute as pc

    finite = np.isfinite(numbers)
    values = numbers[finite]
    for decimals in _DECIMALS:
        scale = float(10**decimals)
        scaled = np.rint(values * scale)
        if values.size and (np.abs(scaled).max() >= _EXACT_LIMIT or (values < 0).any()):
            break
        if not np.array_equal(scaled / scale, values):
            continue
        units = np.zeros(len(numbers), dtype=np.int64)
        units[finite] = scaled.astype(np.int64)
        whole = pa.array(units // int(scale), mask=~finite)
        text = pc.cast(whole, pa.string())
        if decimals:
            fraction = pc.cast(pa.array(units % int(scale), mask=~finite), pa.string())
            fraction = pc.utf8_lpad(fraction, width=decimals, padding="0")
            text = pc.binary_join_element_wise(text, fraction, ".")
        return text
    return pa.array([repr(float(x)) if ok else None for x, ok in zip(numbers, finite, strict=True)])
