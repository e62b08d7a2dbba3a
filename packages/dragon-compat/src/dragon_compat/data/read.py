"""Read a table file (CSV, CSV.gz, Parquet) into a raw pandas frame, or fail cleanly.

The format comes from the file name: ``.csv``, ``.csv.gz`` (gzip), ``.parquet`` or
``.pq``. Nothing is interpreted here beyond what the container says: CSV cells of
identifier and date columns stay text (so ``000001`` keeps its zeros), numbers are
parsed by pandas and checked later, Parquet columns keep their stored types.

CSV goes through pyarrow's multi-threaded reader: text columns stay text (codes
and dates dictionary-encoded, so each distinct value is parsed once), empty cells
are null, numbers are parsed by Arrow and checked later. It is read as UTF-8 (a
byte-order mark is allowed) unless its first 64 KiB are not UTF-8 or Arrow finds
invalid UTF-8 later; then as GB18030, the superset of GBK that Excel on Chinese
Windows writes, transcoded while streaming. A row with more or fewer fields than
the header is a malformed table. Every
failure (missing file, a directory, no permission, bad gzip, not Parquet, no
columns, no data rows) is a :class:`~dragon_compat.errors.DragonUserError` naming
the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from dragon_compat.data.schema import FLOAT_COLUMNS, NORMALIZED_COLUMNS
from dragon_compat.errors import DragonUserError

TableFormat = Literal["csv", "parquet"]

SUPPORTED_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet", ".pq")

#: Columns read as text from CSV in every layout: the normalized columns that are
#: not floats (codes keep leading zeros, dates keep their exact spelling for the
#: date checks) and the source layouts' own code and date columns.
TEXT_COLUMNS: frozenset[str] = frozenset(
    {
        *(column for column in NORMALIZED_COLUMNS if column not in FLOAT_COLUMNS),
        "ts_code",
        "industry",
        "日期",
        "股票代码",
        "代码",
    }
)

_SNIFF_BYTES = 1 << 16
_BLOCK_BYTES = 1 << 22
"""pyarrow CSV block size: each of the reader's threads parses 4 MiB at a time."""
_FREE_TEXT_COLUMNS = frozenset({"name"})
"""Text columns kept as plain strings (nearly every value distinct per row is not
the case for codes and dates, which are dictionary-encoded)."""


def table_format(path: Path) -> TableFormat:
    """``csv`` or ``parquet`` by suffix; DragonUserError for anything else."""
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise DragonUserError(
        f"{path}: unsupported file type; expected one of {', '.join(SUPPORTED_SUFFIXES)}"
    )


def read_table(path: str | Path) -> pd.DataFrame:
    """The file's rows as a frame with a RangeIndex (row ``i`` is data row ``i + 1``).

    Raises DragonUserError naming the file when it cannot be read as a table or
    has no data rows.
    """
    path = Path(path)
    kind = table_format(path)
    if not path.exists():
        raise DragonUserError(f"{path}: no such file")
    if path.is_dir():
        raise DragonUserError(f"{path}: is a directory, not a table file")
    frame = _read_parquet(path) if kind == "parquet" else _read_csv(path)
    if frame.shape[1] == 0:
        raise DragonUserError(f"{path}: has no columns")
    if len(frame) == 0:
        raise DragonUserError(f"{path}: has a header but no data rows")
    return frame.reset_index(drop=True)


def _read_csv(path: Path) -> pd.DataFrame:
    """The CSV file through pyarrow's multi-threaded reader (module docstring)."""
    import pyarrow as pa

    encoding = _csv_encoding(path)
    try:
        try:
            table = _arrow_csv(path, encoding)
        except pa.ArrowInvalid as err:
            if encoding != "utf-8" or "utf8" not in str(err).lower():
                raise
            table = _arrow_csv(path, "gb18030")  # invalid UTF-8 past the sniffed start
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise DragonUserError(f"{path}: is not a valid gzip file: {err}") from None
    except PermissionError:
        raise DragonUserError(f"{path}: permission denied") from None
    except UnicodeDecodeError as err:
        raise DragonUserError(
            f"{path}: is neither UTF-8 nor GB18030 text ({err}); is it really a CSV file?"
        ) from None
    except pa.ArrowInvalid as err:
        if path.name.lower().endswith(".gz") and "gzip" in str(err).lower():
            raise DragonUserError(f"{path}: is not a valid gzip file: {err}") from None
        raise DragonUserError(f"{path}: is not a well-formed CSV table: {err}") from None
    except OSError as err:
        if path.name.lower().endswith(".gz"):
            raise DragonUserError(f"{path}: is not a valid gzip file: {err}") from None
        raise DragonUserError(f"{path}: cannot be read: {err}") from None
    return table.to_pandas(split_blocks=True, self_destruct=True)


def _open_bytes(path: Path) -> io.BufferedIOBase:
    """The file's bytes, gunzipped when its name ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")
    return path.open("rb")


def _csv_encoding(path: Path) -> str:
    """``utf-8`` unless the file's first bytes are not UTF-8 (then ``gb18030``, the
    superset of GBK that Excel on Chinese Windows writes)."""
    try:
        with _open_bytes(path) as handle:
            head = handle.read(_SNIFF_BYTES)
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise DragonUserError(f"{path}: is not a valid gzip file: {err}") from None
    except PermissionError:
        raise DragonUserError(f"{path}: permission denied") from None
    except OSError as err:
        raise DragonUserError(f"{path}: cannot be read: {err}") from None
    if not head.strip():
        raise DragonUserError(f"{path}: is empty (no header row)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:  # not just a character cut at the sniff's end
            return "gb18030"
    return "utf-8"


def _csv_header(path: Path, encoding: str) -> list[str]:
    """The header's column names: stripped of leading spaces, byte-order mark dropped,
    repeats numbered ``name.1``, ``name.2`` (as pandas names them)."""
    with _open_bytes(path) as handle:
        line = handle.readline()
    text = line.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    fields = next(csv.reader([text]), [])
    names: list[str] = []
    seen: dict[str, int] = {}
    for field in fields:
        name = field.lstrip()
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def _arrow_csv(path: Path, encoding: str) -> Any:
    """The CSV as an Arrow table: text columns (:data:`TEXT_COLUMNS`) as strings —
    dictionary-encoded except ``name``, so each distinct text is parsed once
    downstream — empty cells null, numbers as Arrow infers them; GB18030 is transcoded
    while streaming."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = _csv_header(path, encoding)
    if not names or names == [""]:
        raise DragonUserError(f"{path}: has no columns")
    dictionary = pa.dictionary(pa.int32(), pa.string())
    table = pa_csv.read_csv(
        path,
        read_options=pa_csv.ReadOptions(
            column_names=names, skip_rows=1, encoding=encoding, block_size=_BLOCK_BYTES
        ),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={
                name: pa.string() if name in _FREE_TEXT_COLUMNS else dictionary
                for name in names
                if name in TEXT_COLUMNS
            },
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    for position, field in enumerate(table.schema):
        if pa.types.is_null(field.type):  # a column of empty cells only: NaN numbers
            numbers = table.column(position).cast(pa.float64())
            table = table.set_column(position, field.name, numbers)
    return table


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path, memory_map=True)
    except PermissionError:
        raise DragonUserError(f"{path}: permission denied") from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as err:
        raise DragonUserError(f"{path}: is not a readable Parquet file: {err}") from None
    # One block per column (no consolidation copy) and release each Arrow column
    # as soon as it is converted: peak memory stays near one copy of the data.
    # ``self_destruct`` leaves ``table`` unusable, so it is not touched afterwards.
    return table.to_pandas(split_blocks=True, self_destruct=True)
