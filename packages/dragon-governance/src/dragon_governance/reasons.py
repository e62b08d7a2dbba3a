"""The reason catalogue and the ``Reason`` evidence record.

Every gate result carries reasons; each reason has a code from ``CATALOGUE`` and
that code fixes its status (so ``HISTORY_MISSING`` is always a WARN, and the G3
matrix uses one code per outcome). ``dragon-governance schema reasons`` prints the
catalogue. A reason names its ``source`` (a file in RUN_DIR, ``policy`` or
``calendar``), the ``field`` inside it (``(file)`` for the file as a whole), the
observed ``value`` and the ``threshold`` it was compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic import Field as PydanticField

from dragon_governance.outcomes import Gate, Status
from dragon_governance.session_calendar import END_NOTICE_SESSIONS

G1, G2, G3 = Gate.FRESHNESS_ALIGNMENT, Gate.MONITOR_HEALTH, Gate.DIVERGENCE_CONTROL

#: ``field`` of a reason about a whole file (missing, unreadable, ...).
WHOLE_FILE = "(file)"


@dataclass(frozen=True)
class ReasonSpec:
    """One catalogue entry: the code, the gates that emit it, its status, what it means."""

    code: str
    gates: tuple[Gate, ...]
    status: Status
    summary: str


_P, _W, _F = Status.PASS, Status.WARN, Status.FAIL

_SPECS = (
    # G1 freshness_alignment
    ReasonSpec("MANIFEST_MISSING", (G1,), _F, "daily_manifest.json is not in RUN_DIR."),
    ReasonSpec(
        "MANIFEST_CORRUPT",
        (G1,),
        _F,
        "daily_manifest.json is unreadable, not JSON, or breaks its schema.",
    ),
    ReasonSpec(
        "CALENDAR_OUT_OF_RANGE",
        (G1,),
        _F,
        "A date lies outside the XSHG range known to the installed exchange-calendars "
        "(upgrade it).",
    ),
    ReasonSpec(
        "CALENDAR_ENDS_SOON",
        (G1,),
        _P,
        f"A notice: the known XSHG sessions end at most {END_NOTICE_SESSIONS} sessions after "
        "the as-of (upgrade exchange-calendars or give a sessions file before then).",
    ),
    ReasonSpec("MANIFEST_NOT_A_SESSION", (G1,), _F, "The manifest as_of is not an XSHG session."),
    ReasonSpec(
        "MANIFEST_FROM_FUTURE",
        (G1,),
        _F,
        "The manifest as_of is after the expected session E.",
    ),
    ReasonSpec(
        "MANIFEST_CURRENT",
        (G1,),
        _P,
        "Lag (sessions s with manifest.as_of < s <= E) is below lag_warn_sessions.",
    ),
    ReasonSpec(
        "MANIFEST_LAGGING",
        (G1,),
        _W,
        "lag_warn_sessions <= lag < lag_fail_sessions.",
    ),
    ReasonSpec("MANIFEST_STALE", (G1,), _F, "lag >= lag_fail_sessions."),
    ReasonSpec(
        "DATA_DATE_MISMATCH",
        (G1,),
        _F,
        "manifest.data_latest_date differs from manifest.as_of.",
    ),
    ReasonSpec(
        "HEALTH_DATE_MISMATCH",
        (G1,),
        _F,
        "monitor_health.as_of differs from manifest.as_of.",
    ),
    ReasonSpec(
        "ARTIFACT_DATE_MISMATCH",
        (G1,),
        _W,
        "An optional artifact (divergence, refined_control, the history's last session) "
        "has another as_of than the manifest.",
    ),
    ReasonSpec(
        "ARTIFACTS_ALIGNED",
        (G1,),
        _P,
        "Every present artifact carries the manifest's as_of.",
    ),
    ReasonSpec(
        "NO_OUTPUTS",
        (G1,),
        _F,
        "The manifest lists no outputs (a real run always lists its branch files).",
    ),
    ReasonSpec(
        "OUTPUT_HASH_MISMATCH",
        (G1,),
        _F,
        "A manifest outputs entry is missing, not a regular file inside RUN_DIR, too large, "
        "or its sha256 differs (partial or edited run).",
    ),
    ReasonSpec(
        "OUTPUTS_VERIFIED",
        (G1,),
        _P,
        "Every manifest outputs entry exists with its sha256.",
    ),
    # shared by G2 and G3
    ReasonSpec(
        "MANIFEST_UNAVAILABLE",
        (G2, G3),
        _F,
        "Without a readable manifest the gate cannot check branches.",
    ),
    # G2 monitor_health
    ReasonSpec("HEALTH_MISSING", (G2,), _F, "monitor_health.json is not in RUN_DIR."),
    ReasonSpec(
        "HEALTH_CORRUPT",
        (G2,),
        _F,
        "monitor_health.json is unreadable, not JSON, or breaks its schema.",
    ),
    ReasonSpec(
        "HEALTH_WRONG_BRANCH",
        (G2,),
        _F,
        "monitor_health.branch is not the manifest's candidate_branch.",
    ),
    ReasonSpec("NO_CONDITIONS", (G2,), _F, "monitor_health.json lists no conditions."),
    ReasonSpec("HARD_CONDITION_ACTIVE", (G2,), _F, "A hard condition is active."),
    ReasonSpec(
        "WARNING_STREAK_ESCALATED",
        (G2,),
        _F,
        "An active warning condition has streak >= warning_streak_limit.",
    ),
    ReasonSpec(
        "WARNING_CONDITION_ACTIVE",
        (G2,),
        _W,
        "A warning condition is active with streak < warning_streak_limit.",
    ),
    ReasonSpec("CONDITIONS_CLEAR", (G2,), _P, "No condition is active."),
    ReasonSpec("HISTORY_MISSING", (G2,), _W, "monitor_history.csv is not in RUN_DIR."),
    ReasonSpec(
        "HISTORY_CORRUPT",
        (G2,),
        _F,
        "monitor_history.csv is unreadable or breaks its format.",
    ),
    ReasonSpec(
        "HISTORY_CONDITION_MISSING",
        (G2,),
        _W,
        "A health condition has no rows in monitor_history.csv up to the health as_of.",
    ),
    ReasonSpec(
        "STREAK_INCONSISTENT",
        (G2,),
        _W,
        "A condition's trailing run of active sessions in the history differs from its streak.",
    ),
    ReasonSpec(
        "HISTORY_CONSISTENT",
        (G2,),
        _P,
        "The history's trailing runs agree with every streak.",
    ),
    # G3 divergence_control
    ReasonSpec("DIVERGENCE_MISSING", (G3,), _W, "divergence.json is not in RUN_DIR."),
    ReasonSpec(
        "DIVERGENCE_CORRUPT",
        (G3,),
        _F,
        "divergence.json is unreadable, not JSON, or breaks its schema.",
    ),
    ReasonSpec("REFINED_CONTROL_MISSING", (G3,), _W, "refined_control.json is not in RUN_DIR."),
    ReasonSpec(
        "REFINED_CONTROL_CORRUPT",
        (G3,),
        _F,
        "refined_control.json is unreadable, not JSON, or breaks its schema.",
    ),
    ReasonSpec(
        "BRANCH_MISMATCH",
        (G3,),
        _F,
        "A candidate/reference/control branch in an artifact differs from the manifest's.",
    ),
    ReasonSpec(
        "CANDIDATE_NOT_IN_RUN",
        (G3,),
        _F,
        "The manifest's candidate_branch is not among its branches.",
    ),
    ReasonSpec(
        "FALLBACK_NOT_IN_RUN",
        (G3,),
        _F,
        "The policy's fallback_branch is not among the manifest's branches.",
    ),
    ReasonSpec(
        "DIVERGENCE_CONTROL_PASS",
        (G3,),
        _P,
        "The divergence level x refined-control status cell is PASS.",
    ),
    ReasonSpec(
        "DIVERGENCE_CONTROL_WARN",
        (G3,),
        _W,
        "The divergence level x refined-control status cell is WARN.",
    ),
    ReasonSpec(
        "DIVERGENCE_CONTROL_FAIL",
        (G3,),
        _F,
        "The divergence level x refined-control status cell is FAIL.",
    ),
)

#: code -> spec; the one catalogue of reason codes.
CATALOGUE: dict[str, ReasonSpec] = {spec.code: spec for spec in _SPECS}

#: A JSON scalar (or a list of strings) carried as evidence in ``value``/``threshold``.
Evidence = StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr] | None


class Reason(BaseModel):
    """One piece of evidence behind a gate status."""

    model_config = ConfigDict(
        defer_build=True, strict=True, frozen=True, extra="forbid", allow_inf_nan=False
    )

    code: Annotated[str, PydanticField(description="A code from the reason catalogue.")]
    status: Status
    message: str
    source: Annotated[str, PydanticField(description="File in RUN_DIR, or 'policy' / 'calendar'.")]
    field: Annotated[str, PydanticField(description="Field inside the source; '(file)' = whole.")]
    value: Evidence
    threshold: Evidence


def make_reason(
    code: str,
    *,
    message: str,
    source: str,
    field: str,
    value: Evidence = None,
    threshold: Evidence = None,
) -> Reason:
    """Build a reason; the status comes from the catalogue (``KeyError`` on an unknown code)."""
    spec = CATALOGUE[code]
    return Reason(
        code=code,
        status=spec.status,
        message=message,
        source=source,
        field=field,
        value=value,
        threshold=threshold,
    )
