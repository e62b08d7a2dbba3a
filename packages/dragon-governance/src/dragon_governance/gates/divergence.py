"""G3 divergence_control: the candidate against the reference and the refined control.

The outcome is a cell of ``MATRIX`` (rows: divergence level, columns: refined-control
status; an absent or corrupt file counts as ``missing``), reported as
``DIVERGENCE_CONTROL_PASS``/``_WARN``/``_FAIL``. Besides the matrix:

- No readable manifest → FAIL ``MANIFEST_UNAVAILABLE``.
- divergence.json / refined_control.json missing → WARN ``*_MISSING``; corrupt → FAIL
  ``*_CORRUPT``.
- An artifact's candidate/reference/control branch ≠ the manifest's → FAIL
  ``BRANCH_MISMATCH``.
- The manifest's ``candidate_branch`` or the policy's ``fallback_branch`` not among the
  manifest's ``branches`` → FAIL ``CANDIDATE_NOT_IN_RUN`` / ``FALLBACK_NOT_IN_RUN``
  (never recommend a branch the run did not produce).
"""

from __future__ import annotations

from collections.abc import Mapping

from dragon_governance.gates.context import GateContext
from dragon_governance.gates.findings import manifest_unavailable, problem_reason
from dragon_governance.gates.result import GateResult
from dragon_governance.outcomes import Gate, Status
from dragon_governance.reasons import Reason, make_reason
from dragon_governance.sources.models import DailyManifest, Divergence, RefinedControl
from dragon_governance.sources.registry import DIVERGENCE, MANIFEST, REFINED_CONTROL

MISSING = "missing"
_P, _W, _F = Status.PASS, Status.WARN, Status.FAIL
_COLUMNS = ("aligned", "drifting", "misaligned", MISSING)

#: divergence level (or ``missing``) -> refined-control status (or ``missing``) -> status.
MATRIX: Mapping[str, Mapping[str, Status]] = {
    row: dict(zip(_COLUMNS, cells, strict=True))
    for row, cells in (
        ("none", (_P, _W, _W, _W)),
        ("low", (_P, _W, _W, _W)),
        ("medium", (_W, _W, _F, _W)),
        ("high", (_W, _F, _F, _F)),
        (MISSING, (_W, _W, _F, _W)),
    )
}

_MATRIX_CODES = {
    Status.PASS: "DIVERGENCE_CONTROL_PASS",
    Status.WARN: "DIVERGENCE_CONTROL_WARN",
    Status.FAIL: "DIVERGENCE_CONTROL_FAIL",
}
MATRIX_SOURCE = f"{DIVERGENCE.filename}+{REFINED_CONTROL.filename}"


def _matrix_reason(divergence: Divergence | None, control: RefinedControl | None) -> Reason:
    row = divergence.level.value if divergence is not None else MISSING
    column = control.status.value if control is not None else MISSING
    status = MATRIX[row][column]
    left = (
        f"divergence level {row} (entry_jaccard {divergence.entry_jaccard}, "
        f"return_gap {divergence.return_gap})"
        if divergence is not None
        else f"{DIVERGENCE.filename} unavailable (counts as missing)"
    )
    right = (
        f"refined control {column} (alignment_ratio {control.alignment_ratio})"
        if control is not None
        else f"{REFINED_CONTROL.filename} unavailable (counts as missing)"
    )
    return make_reason(
        _MATRIX_CODES[status],
        message=f"{left} x {right} -> {status}",
        source=MATRIX_SOURCE,
        field="level/status",
        value=f"{row}/{column}",
        threshold=f"G3 matrix[{row}][{column}] = {status}",
    )


def _branch_mismatch(filename: str, field: str, actual: str, expected: str) -> Reason:
    return make_reason(
        "BRANCH_MISMATCH",
        message=f"{filename} {field} is {actual}, but the manifest says {expected}",
        source=filename,
        field=field,
        value=actual,
        threshold=expected,
    )


def _branch_reasons(
    ctx: GateContext,
    manifest: DailyManifest,
    divergence: Divergence | None,
    control: RefinedControl | None,
) -> list[Reason]:
    reasons: list[Reason] = []
    pairs: list[tuple[str, str, str, str]] = []
    if divergence is not None:
        pairs += [
            (
                DIVERGENCE.filename,
                "candidate_branch",
                divergence.candidate_branch,
                manifest.candidate_branch,
            ),
            (
                DIVERGENCE.filename,
                "reference_branch",
                divergence.reference_branch,
                manifest.reference_branch,
            ),
        ]
    if control is not None:
        pairs += [
            (
                REFINED_CONTROL.filename,
                "candidate_branch",
                control.candidate_branch,
                manifest.candidate_branch,
            ),
            (
                REFINED_CONTROL.filename,
                "control_branch",
                control.control_branch,
                manifest.control_branch,
            ),
        ]
    reasons += [_branch_mismatch(*pair) for pair in pairs if pair[2] != pair[3]]
    branches = list(manifest.branches)
    if manifest.candidate_branch not in branches:
        reasons.append(
            make_reason(
                "CANDIDATE_NOT_IN_RUN",
                message=(
                    f"candidate_branch {manifest.candidate_branch} is not among the run's "
                    f"branches {branches}"
                ),
                source=MANIFEST.filename,
                field="candidate_branch",
                value=manifest.candidate_branch,
                threshold=branches,
            )
        )
    fallback = ctx.policy.fallback_branch
    if fallback not in branches:
        reasons.append(
            make_reason(
                "FALLBACK_NOT_IN_RUN",
                message=(
                    f"policy fallback_branch {fallback} is not among the run's branches {branches}"
                ),
                source=MANIFEST.filename,
                field="branches",
                value=branches,
                threshold=fallback,
            )
        )
    return reasons


def evaluate_divergence(ctx: GateContext) -> GateResult:
    """G3: see the module docstring for the rules."""
    sources = ctx.sources
    manifest = sources.manifest.model
    divergence, control = sources.divergence.model, sources.refined_control.model
    reasons: list[Reason] = []
    if manifest is None:
        reasons.append(manifest_unavailable(Gate.DIVERGENCE_CONTROL))
    for loaded in (sources.divergence, sources.refined_control):
        if loaded.model is None:
            reasons.append(problem_reason(loaded))
    if manifest is not None:
        reasons += _branch_reasons(ctx, manifest, divergence, control)
    reasons.append(_matrix_reason(divergence, control))
    return GateResult.from_reasons(Gate.DIVERGENCE_CONTROL, reasons)
