"""Canonical JSON text and atomic file writes for the monitor's artifacts.

Private on purpose: the monitor needs exactly two things, both deterministic.
Canonical JSON = keys sorted, 2-space indent, UTF-8 (non-ASCII kept), a trailing
newline, floats rounded to 6 decimals (−0.0 printed as 0.0), NaN/∞ refused. A
write goes to a temporary file in the target's directory, is flushed and fsynced,
then ``os.replace``d over the target (mode 0644), so a reader sees the old file or the new
one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

JSON_FLOAT_DECIMALS = 6


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, JSON_FLOAT_DECIMALS) + 0.0
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


def canonical_json(document: object) -> str:
    """``document`` as canonical JSON text (see the module docstring)."""
    text = json.dumps(
        _rounded(document), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
    )
    return text + "\n"


def write_atomic(path: Path, data: bytes) -> str:
    """Atomically replace ``path`` with ``data``; return the sha256 hex digest of ``data``."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()
