"""The decision artifact ``rollout_decision.json``: model, id, canonical bytes, file I/O.

Worst gate wins (``outcomes.decide``). On ROLLBACK_REVIEW_REQUIRED the recommended
branch is the policy's ``fallback_branch``; otherwise the manifest's candidate (the
fallback when no manifest could be read, which always means ROLLBACK).

``decision_id`` = sha256 of the canonical JSON of the content without
``decision_id``; the file is that content plus ``decision_id``, sorted keys, 2-space
indent, trailing newline. No wall-clock time is inside: identical inputs, as-of and
policy give identical bytes.

``sessions_file`` appears only when an operator's sessions file extended the
calendar (its sha256 and span); without one the key is absent, so such decisions
keep the bytes (and ids) they had before the field existed.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from dragon_governance.atomic_write import write_atomic
from dragon_governance.canonical import canonical_bytes, pretty_bytes, sha256_hex
from dragon_governance.errors import GovernanceUserError, IntegrityError
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Decision, Gate, decide
from dragon_governance.regular_file import Refusal, read_bytes
from dragon_governance.sources.models import Sha256Hex

DecisionSchemaId = Literal["dragon.rollout_decision/1"]
DECISION_SCHEMA: str = get_args(DecisionSchemaId)[0]
#: The file name written into RUN_DIR unless ``--out`` says otherwise.
DECISION_FILENAME = "rollout_decision.json"
DECISION_MAX_BYTES = 16 * 2**20
"""A decision file larger than this is refused by ``read_decision``."""


class InputRecord(BaseModel):
    """One source of RUN_DIR as evidence: its name, relative path, presence and sha256."""

    model_config = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")

    name: str
    path: str = Field(description="Relative to RUN_DIR.")
    present: bool
    sha256: Sha256Hex | None = Field(description="Of the file's bytes; null when unreadable.")


class PolicyRecord(BaseModel):
    """The policy the decision was made under."""

    model_config = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")

    name: str
    sha256: Sha256Hex = Field(description="Of the policy's TOML text.")
    values: dict[str, StrictInt | StrictStr]


class SessionsFileRecord(BaseModel):
    """The operator's sessions file a decision's calendar was extended with."""

    model_config = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")

    sha256: Sha256Hex = Field(description="Of the file's bytes.")
    first_session: date = Field(
        description="From this date on its sessions replaced the library's."
    )
    last_session: date = Field(description="The last session it lists.")
    sessions: StrictInt = Field(ge=1, description="How many sessions it lists.")


class RolloutDecision(BaseModel):
    """``rollout_decision.json`` (schema ``dragon.rollout_decision/1``)."""

    model_config = ConfigDict(
        defer_build=True, strict=True, frozen=True, extra="forbid", populate_by_name=True
    )

    schema_: DecisionSchemaId = Field(alias="schema")
    decision: Decision
    recommended_branch: str
    candidate_branch: str | None = Field(description="null when the manifest was unreadable.")
    fallback_branch: str
    as_of: date = Field(description="The evaluation date (after its close).")
    expected_session: date | None = Field(
        description="Latest XSHG session <= as_of; null when as_of is outside the calendar."
    )
    gates: Annotated[list[GateResult], Field(min_length=len(Gate), max_length=len(Gate))]
    inputs: list[InputRecord]
    policy: PolicyRecord
    versions: dict[str, str] = Field(description="dragon-governance and exchange-calendars.")
    sessions_file: SessionsFileRecord | None = Field(
        default=None, description="Present only when a sessions file extended the calendar."
    )
    decision_id: Sha256Hex

    @model_validator(mode="after")
    def _consistent(self) -> RolloutDecision:
        if [gate.name for gate in self.gates] != list(Gate):
            raise ValueError("gates must be G1, G2, G3 in order")
        expected = decide(gate.status for gate in self.gates)
        if self.decision != expected:
            raise ValueError(f"decision {self.decision} but the gates give {expected}")
        return self

    def _document(self, *, exclude: set[str]) -> dict[str, Any]:
        """The JSON value; ``sessions_file`` only when set (absent, not null, otherwise)."""
        if self.sessions_file is None:
            exclude = exclude | {"sessions_file"}
        return self.model_dump(mode="json", by_alias=True, exclude=exclude)

    def content(self) -> dict[str, Any]:
        """The JSON content without ``decision_id`` (what the id is taken over)."""
        return self._document(exclude={"decision_id"})

    def canonical_bytes(self) -> bytes:
        """Canonical JSON of the whole decision (including ``decision_id``)."""
        return canonical_bytes(self._document(exclude=set()))

    def file_bytes(self) -> bytes:
        """The bytes of ``rollout_decision.json``."""
        return pretty_bytes(self._document(exclude=set()))

    @property
    def exit_code(self) -> int:
        """0 PROCEED, 10 HOLD, 20 ROLLBACK_REVIEW_REQUIRED."""
        return self.decision.exit_code


def decision_id_of(content: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of ``content`` (a decision without ``decision_id``)."""
    return sha256_hex(canonical_bytes(content))


def build_decision(
    *,
    gates: list[GateResult],
    candidate_branch: str | None,
    fallback_branch: str,
    as_of: date,
    expected_session: date | None,
    inputs: list[InputRecord],
    policy: PolicyRecord,
    versions: dict[str, str],
    sessions_file: SessionsFileRecord | None = None,
) -> RolloutDecision:
    """Apply worst-gate-wins and the branch fallback, and stamp the ``decision_id``."""
    decision = decide(gate.status for gate in gates)
    if decision is Decision.ROLLBACK_REVIEW_REQUIRED or candidate_branch is None:
        recommended = fallback_branch
    else:
        recommended = candidate_branch
    fields: dict[str, Any] = {
        "schema": DECISION_SCHEMA,
        "decision": decision,
        "recommended_branch": recommended,
        "candidate_branch": candidate_branch,
        "fallback_branch": fallback_branch,
        "as_of": as_of,
        "expected_session": expected_session,
        "gates": gates,
        "inputs": inputs,
        "policy": policy,
        "versions": versions,
        "sessions_file": sessions_file,
    }
    draft = RolloutDecision.model_construct(**fields, decision_id="0" * 64)
    return RolloutDecision(**fields, decision_id=decision_id_of(draft.content()))


def write_decision(decision: RolloutDecision, path: str | os.PathLike[str]) -> Path:
    """Write ``decision.file_bytes()`` to ``path`` atomically; return the path."""
    target = Path(path)
    write_atomic(target, decision.file_bytes())
    return target


def read_decision(path: str | os.PathLike[str]) -> RolloutDecision:
    """Read and validate a decision file and check its ``decision_id``.

    ``GovernanceUserError`` (exit 2) when unreadable or not a decision;
    ``IntegrityError`` (exit 3) when the content does not hash to its ``decision_id``.
    """
    source = Path(path)
    try:
        data = read_bytes(source, limit=DECISION_MAX_BYTES)
    except Refusal as refusal:
        detail = refusal.reason if refusal.reason is not None else refusal.detail
        raise GovernanceUserError(f"cannot read decision {source}: {detail}") from None
    try:
        decision = RolloutDecision.model_validate_json(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise GovernanceUserError(
            f"{source} is not a {DECISION_SCHEMA} file: {where}: {first['msg']}"
        ) from err
    if decision_id_of(decision.content()) != decision.decision_id:
        raise IntegrityError(
            f"{source}: decision_id {decision.decision_id} does not match its content "
            "(the file was edited)"
        )
    return decision


__all__ = [
    "DECISION_FILENAME",
    "DECISION_SCHEMA",
    "InputRecord",
    "PolicyRecord",
    "RolloutDecision",
    "SessionsFileRecord",
    "build_decision",
    "decision_id_of",
    "read_decision",
    "write_decision",
]
