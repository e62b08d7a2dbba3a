"""Bars in, normalized bars out: loading, adapters, validation, writing, summary.

``load_bars(path)`` is what the rest of Dragon calls; the frame it returns follows
:data:`NORMALIZED_COLUMNS` exactly (see :mod:`dragon_compat.data.schema`).
"""

from dragon_compat.data.load import (
    ValidationResult,
    load_bars,
    normalize_bars,
    validate_file,
)
from dragon_compat.data.report import Rule, ValidationError, ValidationReport
from dragon_compat.data.schema import NORMALIZED_COLUMNS, REQUIRED_COLUMNS, Layout

__all__ = [
    "NORMALIZED_COLUMNS",
    "REQUIRED_COLUMNS",
    "Layout",
    "Rule",
    "ValidationError",
    "ValidationReport",
    "ValidationResult",
    "load_bars",
    "normalize_bars",
    "validate_file",
]
