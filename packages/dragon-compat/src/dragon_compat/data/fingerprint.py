"""A content hash of a normalized bars frame, independent of any file format.

``frame_sha256`` hashes what the frame *holds*, column by column in
:data:`NORMALIZED_COLUMNS` order: the column name, then its values in a fixed
binary form — dates as little-endian int64 nanoseconds (NaT: int64 min), floats as
little-endian IEEE-754 (every NaN as one canonical NaN), bools as bytes,
categoricals as their category strings plus int64 codes, strings as UTF-8 with a
NUL after each value. Parquet metadata, compression libraries and CSV number
spelling cannot change it, which makes it the right thing to pin in tests and to
compare a bundled file with a fresh generation.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from dragon_compat.data.schema import NORMALIZED_COLUMNS

_CANONICAL_NAN = np.array([np.nan], dtype="<f8").tobytes()


def frame_sha256(frame: pd.DataFrame) -> str:
    """Hex sha256 of the frame's normalized columns (see the module docstring)."""
    digest = hashlib.sha256()
    for name in NORMALIZED_COLUMNS:
        values = frame[name]
        digest.update(name.encode() + b"\0")
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = "\0".join(str(c) for c in values.cat.categories)
            digest.update(categories.encode() + b"\0\0")
            digest.update(values.cat.codes.to_numpy(dtype="<i8").tobytes())
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            digest.update(values.to_numpy(dtype="datetime64[ns]").view("<i8").tobytes())
        elif pd.api.types.is_bool_dtype(values.dtype):
            digest.update(values.to_numpy(dtype=np.uint8).tobytes())
        elif pd.api.types.is_float_dtype(values.dtype):
            numbers = values.to_numpy(dtype="<f8")
            numbers = np.where(np.isnan(numbers), np.frombuffer(_CANONICAL_NAN, "<f8")[0], numbers)
            digest.update(numbers.astype("<f8").tobytes())
        else:
            digest.update("".join(f"{v}\0" for v in values.tolist()).encode())
    return digest.hexdigest()
