"""A sweep's results: one row per cell, stored cell by cell, then one Parquet table.

A row (:func:`columns` names and types every column) holds the cell's keys
(``cell_key``, ``cell`` = grid order, ``universe``, ``window_start``, ``window_end``,
``branch``), ``status`` (``ok`` / ``failed``) and ``error``, the market it ran on
(``sessions``, ``symbols``), the report's metrics (:data:`dragon_compat.report.metrics.METRICS`,
same keys and definitions), ``trades``, ``final_equity`` and, per grid policy, its
group's replayed sessions per decision and per rollout state, rollbacks and flips
(:func:`dragon_compat.sweep.policies.policy_columns`; null in a failed row).

Each finished cell is written at once, atomically, to ``OUT/cells/<cell_key>.json``
(:func:`write_row`): a killed sweep keeps every cell finished before the kill, and a
re-run reads them back (:func:`read_rows`) instead of running them again. Floats
round-trip exactly through JSON (``repr``); infinities (a profit factor without a
losing trade) are stored as the strings ``"inf"``/``"-inf"``. The table
(:func:`write_table`) is the rows in grid order under a fixed schema, written with
fixed Parquet settings, so the same cells give the same bytes however they ran.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from dragon_compat.report.metrics import METRICS, BranchMetrics
from dragon_compat.rundir import SWEEP_CELLS_DIR
from dragon_compat.writes import make_dirs, write_file
from dragon_runtime import canonical_json

__all__ = [
    "FAILED",
    "KEY_COLUMNS",
    "OK",
    "Row",
    "columns",
    "read_rows",
    "row_file",
    "table_bytes",
    "write_row",
]

Row = dict[str, Any]
OK: Final = "ok"
FAILED: Final = "failed"
KEY_COLUMNS: Final = (
    ("cell_key", "string"),
    ("cell", "int64"),
    ("universe", "string"),
    ("window_start", "date"),
    ("window_end", "date"),
    ("branch", "string"),
    ("status", "string"),
    ("error", "string"),
    ("sessions", "int64"),
    ("symbols", "int64"),
)
"""The columns before the metrics: name and type."""
_FIELD_TYPES: Final = {item.name: str(item.type) for item in dataclasses.fields(BranchMetrics)}
VALUE_COLUMNS: Final = (
    *(
        (spec.key, "int64" if _FIELD_TYPES[spec.key].startswith("int") else "float64")
        for spec in METRICS
    ),
    ("final_equity", "float64"),
)
"""The report's metrics (its keys, in its order) and the final equity (CNY)."""
_DATES: Final = ("window_start", "window_end")


def columns(policy_columns: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
    """Every column of the table, in order: keys, values, then ``policy_columns``
    (int64 counts)."""
    return (*KEY_COLUMNS, *VALUE_COLUMNS, *((name, "int64") for name in policy_columns))


def _encode(value: object) -> object:
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _decode(name: str, value: object) -> object:
    if value in ("inf", "-inf") and name not in _DATES:
        return math.inf if value == "inf" else -math.inf
    if name in _DATES and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def cells_dir(out: Path) -> Path:
    """Where a sweep keeps its finished cells' rows."""
    return out / SWEEP_CELLS_DIR


def row_file(cell_key: str) -> str:
    """The name of a finished cell's row file in ``OUT/cells/``."""
    return f"{cell_key}.json"


def write_row(out: Path, row: Row) -> None:
    """Write one finished cell's row to ``OUT/cells/<cell_key>.json`` atomically."""
    folder = make_dirs(cells_dir(out))
    document = {name: _encode(value) for name, value in row.items()}
    write_file(folder / row_file(row["cell_key"]), canonical_json(document))


def read_rows(out: Path, keys: Iterable[str]) -> dict[str, Row]:
    """The stored rows of the cells ``keys`` that finished earlier (an unreadable or
    foreign file counts as not finished: the cell runs again)."""
    found: dict[str, Row] = {}
    folder = cells_dir(out)
    for key in keys:
        try:
            document = json.loads((folder / row_file(key)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(document, dict) and document.get("cell_key") == key:
            found[key] = {name: _decode(name, value) for name, value in document.items()}
    return found


def table_bytes(rows: Sequence[Mapping[str, Any]], policy_columns: Sequence[str] = ()) -> bytes:
    """The Parquet table of ``rows`` (sorted by ``cell``) under :func:`columns`' schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "date": pa.date32(),
    }
    layout = columns(policy_columns)
    ordered = sorted(rows, key=lambda row: int(row["cell"]))
    schema = pa.schema([pa.field(name, types[kind]) for name, kind in layout])
    table = pa.table(
        {name: pa.array([row.get(name) for row in ordered], types[kind]) for name, kind in layout},
        schema=schema,
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_statistics=False)
    return sink.getvalue()
