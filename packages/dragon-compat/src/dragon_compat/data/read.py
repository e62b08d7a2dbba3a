"""Read a table file (CSV, CSV.gz, Parquet) into a raw pandas frame, or fail cleanly.

The format comes from the file name: ``.csv``, ``.csv.gz`` (gzip), ``.parquet`` or
``.pq``. Nothing is interpreted here beyond what the container says: CSV cells of
identifier and date columns stay text (so ``000001`` keeps its zeros), numbers are
parsed by pandas and checked later, Parquet columns keep their stored types.

CSV text is read as UTF-8 (a byte-order mark is allowed); if that fails it is
read as GB18030, the superset of GBK that Excel on Chinese Windows writes. Every
failure (missing file, a directory, no permission, bad gzip, not Parquet, no
columns, no data rows) is a :class:`~dragon_compat.errors.DragonUserError` naming
the file.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Literal

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

_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


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
    last_error: UnicodeDecodeError | None = None
    for encoding in _CSV_ENCODINGS:
        try:
            header = pd.read_csv(path, nrows=0, encoding=encoding).columns
            dtypes = {column: "str" for column in header if column in TEXT_COLUMNS}
            return pd.read_csv(
                path,
                encoding=encoding,
                dtype=dtypes,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=True,
            )
        except UnicodeDecodeError as err:
            last_error = err
        except pd.errors.EmptyDataError:
            raise DragonUserError(f"{path}: is empty (no header row)") from None
        except pd.errors.ParserError as err:
            raise DragonUserError(f"{path}: is not a well-formed CSV table: {err}") from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise DragonUserError(f"{path}: is not a valid gzip file: {err}") from None
        except PermissionError:
            raise DragonUserError(f"{path}: permission denied") from None
        except OSError as err:
            raise DragonUserError(f"{path}: cannot be read: {err}") from None
    raise DragonUserError(
        f"{path}: is neither UTF-8 nor GB18030 text ({last_error}); is it really a CSV file?"
    )


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
