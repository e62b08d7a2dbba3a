"""A gate's result: its status and the reasons (evidence) behind it."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dragon_governance.outcomes import Gate, Status, worst
from dragon_governance.reasons import Reason


class GateResult(BaseModel):
    """``{id, name, status, reasons}``; ``status`` is the worst status of its reasons."""

    model_config = ConfigDict(defer_build=True, strict=True, frozen=True, extra="forbid")

    id: str = Field(description="G1, G2 or G3.")
    name: Gate
    status: Status
    reasons: list[Reason] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> GateResult:
        if self.id != self.name.gate_id:
            raise ValueError(f"gate {self.name} has id {self.name.gate_id}, not {self.id}")
        expected = worst(reason.status for reason in self.reasons)
        if self.status != expected:
            raise ValueError(f"gate {self.id} status {self.status} but its reasons give {expected}")
        return self

    @classmethod
    def from_reasons(cls, gate: Gate, reasons: Sequence[Reason]) -> GateResult:
        """The result whose status is the worst of ``reasons`` (which must be non-empty)."""
        return cls(
            id=gate.gate_id,
            name=gate,
            status=worst(reason.status for reason in reasons),
            reasons=list(reasons),
        )
