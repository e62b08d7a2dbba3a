"""The five source files of a run directory: names, schema ids, owning gate, codes.

One source of truth for file names and schema ids: the models, the gates, the
decision's ``inputs`` list, the ``schema`` command and the README all come from here.
Standard library only (the CLI reads it for ``--help``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from dragon_governance.outcomes import Gate

ManifestSchemaId = Literal["dragon.daily_manifest/1"]
HealthSchemaId = Literal["dragon.monitor_health/1"]
DivergenceSchemaId = Literal["dragon.divergence/1"]
RefinedControlSchemaId = Literal["dragon.refined_control/1"]

MANIFEST_SCHEMA: str = get_args(ManifestSchemaId)[0]
HEALTH_SCHEMA: str = get_args(HealthSchemaId)[0]
DIVERGENCE_SCHEMA: str = get_args(DivergenceSchemaId)[0]
REFINED_CONTROL_SCHEMA: str = get_args(RefinedControlSchemaId)[0]

#: The exact header of monitor_history.csv.
HISTORY_COLUMNS = ("as_of", "condition_id", "active")

#: Size caps on what governance reads from RUN_DIR (a larger file is corrupt, unread).
JSON_MAX_BYTES = 16 * 2**20
"""A JSON source: far above any real one (a manifest of 100,000 outputs is ~15 MiB)."""
HISTORY_MAX_BYTES = 64 * 2**20
"""monitor_history.csv, in bytes (see ``HISTORY_MAX_ROWS`` for its rows)."""
HISTORY_MAX_ROWS = 200_000
"""monitor_history.csv, in rows after the header: 40 years of 20 conditions. The parse
streams and stops at the first row over the cap: a 64 MiB file is rejected in ~3 s
within ~280 MB, a 200 MB one at once (its size), 200,000 valid rows check in ~3 s."""
OUTPUT_MAX_BYTES = 4 * 2**30
"""A file listed in the manifest's ``outputs`` (hashed in chunks, never held whole)."""


@dataclass(frozen=True)
class SourceSpec:
    """A source file of RUN_DIR and how its problems are reported."""

    name: str
    """Short name: the decision's ``inputs[].name`` and ``dragon-governance schema NAME``."""
    filename: str
    """File name inside RUN_DIR."""
    required: bool
    """Missing → FAIL when required, WARN when optional; corrupt is always FAIL."""
    gate: Gate
    """The gate that owns (reports problems of) this source."""
    missing_code: str
    corrupt_code: str
    contract: str
    """What a valid file is: its ``schema`` id, or the CSV header (a reason's threshold)."""
    max_bytes: int = JSON_MAX_BYTES
    """A larger file is corrupt (``TOO_LARGE``) and is not read."""


MANIFEST = SourceSpec(
    "daily_manifest",
    "daily_manifest.json",
    True,
    Gate.FRESHNESS_ALIGNMENT,
    "MANIFEST_MISSING",
    "MANIFEST_CORRUPT",
    MANIFEST_SCHEMA,
)
HEALTH = SourceSpec(
    "monitor_health",
    "monitor_health.json",
    True,
    Gate.MONITOR_HEALTH,
    "HEALTH_MISSING",
    "HEALTH_CORRUPT",
    HEALTH_SCHEMA,
)
HISTORY = SourceSpec(
    "monitor_history",
    "monitor_history.csv",
    False,
    Gate.MONITOR_HEALTH,
    "HISTORY_MISSING",
    "HISTORY_CORRUPT",
    "header " + ",".join(HISTORY_COLUMNS),
    HISTORY_MAX_BYTES,
)
DIVERGENCE = SourceSpec(
    "divergence",
    "divergence.json",
    False,
    Gate.DIVERGENCE_CONTROL,
    "DIVERGENCE_MISSING",
    "DIVERGENCE_CORRUPT",
    DIVERGENCE_SCHEMA,
)
REFINED_CONTROL = SourceSpec(
    "refined_control",
    "refined_control.json",
    False,
    Gate.DIVERGENCE_CONTROL,
    "REFINED_CONTROL_MISSING",
    "REFINED_CONTROL_CORRUPT",
    REFINED_CONTROL_SCHEMA,
)

#: In the order of the decision's ``inputs`` list.
SOURCES: tuple[SourceSpec, ...] = (MANIFEST, HEALTH, HISTORY, DIVERGENCE, REFINED_CONTROL)
