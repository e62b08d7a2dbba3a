"""Strict pydantic models of the run-directory sources (the authoritative schemas).

Rules shared by every model:

- JSON types are exact (strict mode): an integer is never a string, a boolean never
  an integer; dates are ISO ``YYYY-MM-DD`` strings; numbers are finite (no NaN or
  Infinity).
- Unknown extra fields are ignored (forward compatible); a wrong ``schema`` id is
  an error.
- Identifiers (branch names, condition ids) are non-empty and contain no whitespace
  and no control character (NUL included): they name files and show in reports.
- Paths (``outputs[].path``, ``inputs[].path``) contain no control character (NUL
  included): such text is not a path a run writes, and cannot be opened.
- Beyond what a model checks, a source must not contain a non-finite number or a
  duplicate key anywhere (``sources.strict_json``, checked on loading).

Every model of this package uses ``defer_build=True``: a validator is compiled on
first use, so a ``check`` pays only for the models it touches (CLI start-up).

``dragon-governance schema NAME`` prints each model as JSON Schema.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from dragon_governance.sources.registry import (
    DivergenceSchemaId,
    HealthSchemaId,
    ManifestSchemaId,
    RefinedControlSchemaId,
)

#: Neither whitespace nor a control character (C0, DEL, C1).
Identifier = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^\s\x00-\x1f\x7f-\x9f]+$")]
Sha256Hex = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{64}$"),
    Field(description="Lower-case hex sha256 of the file's bytes."),
]
UnitInterval = Annotated[float, Field(ge=0.0, le=1.0)]
#: A condition's observed value or threshold: a number, an ISO date string, or null.
ConditionValue = StrictInt | StrictFloat | date | None

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_path_text(path: str) -> str:
    """``path`` unchanged; ``ValueError`` when it holds a NUL byte or a control character."""
    if _CONTROL.search(path):
        raise ValueError("must not contain a NUL byte or another control character")
    return path


def _check_run_relative(path: str) -> str:
    check_path_text(path)
    if not path or path.startswith("/") or "\\" in path or _WINDOWS_DRIVE.match(path):
        raise ValueError("must be a relative POSIX path inside RUN_DIR (no leading '/', no '\\')")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError("must not contain empty, '.' or '..' path segments")
    return path


RunRelativePath = Annotated[
    str,
    AfterValidator(_check_run_relative),
    Field(description="POSIX path relative to RUN_DIR, e.g. 'alpha_first/events.csv'."),
]


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what} {value!r}")
        seen.add(value)
    return values


class SourceModel(BaseModel):
    """Base of every source model: strict types, extra fields ignored, immutable."""

    model_config = ConfigDict(
        defer_build=True,
        strict=True,
        extra="ignore",
        frozen=True,
        allow_inf_nan=False,
        populate_by_name=True,
    )


class FileDigest(SourceModel):
    """A manifest ``inputs`` entry: recorded as evidence, not verified by governance."""

    path: Annotated[
        str,
        Field(min_length=1, description="Path of the input, as the run saw it."),
        AfterValidator(check_path_text),
    ]
    sha256: Sha256Hex


class OutputFile(SourceModel):
    """A manifest ``outputs`` entry: G1 verifies it exists in RUN_DIR with this sha256."""

    path: RunRelativePath
    sha256: Sha256Hex


class DailyManifest(SourceModel):
    """``daily_manifest.json``: what one daily run produced, from which inputs, with which code."""

    schema_: ManifestSchemaId = Field(alias="schema")
    as_of: date = Field(description="The XSHG session the run is for.")
    data_latest_date: date = Field(description="Latest bar date in the input data.")
    candidate_branch: Identifier
    reference_branch: Identifier
    control_branch: Identifier
    branches: list[Identifier] = Field(
        min_length=1, description="Every branch the run produced (unique)."
    )
    versions: dict[Identifier, Annotated[str, Field(min_length=1)]] = Field(
        description="Distribution name -> version string, e.g. {'dragon-compat': '2.0.0'}."
    )
    inputs: list[FileDigest]
    outputs: list[OutputFile] = Field(description="Files the run wrote, paths unique.")

    @field_validator("branches")
    @classmethod
    def _branches_unique(cls, value: list[str]) -> list[str]:
        return _unique(value, "branch")

    @field_validator("outputs")
    @classmethod
    def _outputs_unique(cls, value: list[OutputFile]) -> list[OutputFile]:
        _unique([entry.path for entry in value], "output path")
        return value


class Tier(StrEnum):
    """A monitor condition's tier."""

    HARD = "hard"
    WARNING = "warning"


class Condition(SourceModel):
    """One monitor condition on the candidate branch at ``as_of``.

    ``streak`` is the number of consecutive sessions ending at ``as_of`` on which the
    condition was active, so ``active`` ⇔ ``streak >= 1`` (a mismatch is an error).
    """

    id: Identifier
    tier: Tier
    active: bool
    value: ConditionValue = Field(description="Observed value: number, ISO date string or null.")
    threshold: ConditionValue = Field(description="Threshold: number, ISO date string or null.")
    streak: StrictInt = Field(ge=0)

    @model_validator(mode="after")
    def _streak_matches_active(self) -> Condition:
        if self.active != (self.streak >= 1):
            raise ValueError(
                f"condition {self.id!r}: active={str(self.active).lower()} needs "
                f"{'streak >= 1' if self.active else 'streak == 0'}, got streak={self.streak}"
            )
        return self


class MonitorHealth(SourceModel):
    """``monitor_health.json``: the candidate branch's monitor conditions at ``as_of``."""

    schema_: HealthSchemaId = Field(alias="schema")
    as_of: date
    branch: Identifier
    conditions: list[Condition] = Field(description="Condition ids are unique.")

    @field_validator("conditions")
    @classmethod
    def _condition_ids_unique(cls, value: list[Condition]) -> list[Condition]:
        _unique([condition.id for condition in value], "condition id")
        return value


class HistoryRow(SourceModel):
    """One row of ``monitor_history.csv`` (header exactly ``as_of,condition_id,active``).

    ``active`` is written ``true`` or ``false``. The file has one row per session and
    condition: no duplicate (as_of, condition_id), every session lists the same ids.
    """

    as_of: date
    condition_id: Identifier
    active: bool


class MonitorHistory(SourceModel):
    """``monitor_history.csv`` parsed: rows sorted by (as_of, condition_id)."""

    rows: tuple[HistoryRow, ...] = Field(min_length=1)

    @property
    def last_session(self) -> date:
        """The latest ``as_of`` in the file."""
        return self.rows[-1].as_of

    def trailing_run(self, condition_id: str, upto: date) -> int | None:
        """Consecutive active rows of ``condition_id`` ending at its last row ≤ ``upto``.

        ``None`` when the condition has no row ≤ ``upto``.
        """
        actives = [
            row.active
            for row in self.rows
            if row.condition_id == condition_id and row.as_of <= upto
        ]
        if not actives:
            return None
        run = 0
        for active in reversed(actives):
            if not active:
                break
            run += 1
        return run


class DivergenceLevel(StrEnum):
    """How far the candidate's entries and returns diverge from the reference's."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Divergence(SourceModel):
    """``divergence.json``: candidate vs reference over the last 20 sessions."""

    schema_: DivergenceSchemaId = Field(alias="schema")
    as_of: date
    candidate_branch: Identifier
    reference_branch: Identifier
    entry_jaccard: UnitInterval
    return_gap: float = Field(description="Candidate minus reference 20-session return.")
    level: DivergenceLevel


class ControlStatus(StrEnum):
    """How well the candidate's signals align with the refined control's."""

    ALIGNED = "aligned"
    DRIFTING = "drifting"
    MISALIGNED = "misaligned"


class RefinedControl(SourceModel):
    """``refined_control.json``: candidate vs control over the last 20 sessions."""

    schema_: RefinedControlSchemaId = Field(alias="schema")
    as_of: date
    candidate_branch: Identifier
    control_branch: Identifier
    alignment_ratio: UnitInterval
    status: ControlStatus
