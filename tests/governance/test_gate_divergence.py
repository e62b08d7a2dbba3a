"""G3 divergence_control: every cell of the matrix, branch mismatches, missing/corrupt files."""

from __future__ import annotations

import pytest

from dragon_governance.outcomes import Gate, Status
from tests.governance.builders import (
    DIVERGENCE,
    MANIFEST,
    REFINED_CONTROL,
    Evaluate,
    RunDir,
    codes,
    gate,
)

G3 = Gate.DIVERGENCE_CONTROL
P, W, F = Status.PASS, Status.WARN, Status.FAIL

#: docs/governance.md's G3 table, transcribed: (divergence level, control status) -> status.
SPEC_MATRIX = {
    ("none", "aligned"): P,
    ("none", "drifting"): W,
    ("none", "misaligned"): W,
    ("none", "missing"): W,
    ("low", "aligned"): P,
    ("low", "drifting"): W,
    ("low", "misaligned"): W,
    ("low", "missing"): W,
    ("medium", "aligned"): W,
    ("medium", "drifting"): W,
    ("medium", "misaligned"): F,
    ("medium", "missing"): W,
    ("high", "aligned"): W,
    ("high", "drifting"): F,
    ("high", "misaligned"): F,
    ("high", "missing"): F,
    ("missing", "aligned"): W,
    ("missing", "drifting"): W,
    ("missing", "misaligned"): F,
    ("missing", "missing"): W,
}


def _reason(decision, code):
    return next(r for r in gate(decision, G3).reasons if r.code == code)


@pytest.mark.parametrize(
    ("cell", "status"),
    list(SPEC_MATRIX.items()),
    ids=[f"{level}-x-{control}" for level, control in SPEC_MATRIX],
)
def test_every_cell_of_the_matrix(run: RunDir, evaluate: Evaluate, cell, status):
    level, control = cell
    if level == "missing":
        run.omitted.add(DIVERGENCE)
    else:
        run.divergence["level"] = level
    if control == "missing":
        run.omitted.add(REFINED_CONTROL)
    else:
        run.refined_control["status"] = control
    decision = evaluate(run)
    matrix = _reason(decision, f"DIVERGENCE_CONTROL_{status.value}")
    assert (matrix.status, matrix.value) == (status, f"{level}/{control}")
    assert gate(decision, G3).status is status


@pytest.mark.parametrize(
    ("name", "field", "wrong"),
    [
        (DIVERGENCE, "candidate_branch", "beta"),
        (DIVERGENCE, "reference_branch", "beta"),
        (REFINED_CONTROL, "candidate_branch", "beta"),
        (REFINED_CONTROL, "control_branch", "beta"),
    ],
)
def test_a_branch_differing_from_the_manifest_fails(
    run: RunDir, evaluate: Evaluate, name, field, wrong
):
    (run.divergence if name == DIVERGENCE else run.refined_control)[field] = wrong
    decision = evaluate(run)
    reason = _reason(decision, "BRANCH_MISMATCH")
    assert (reason.status, reason.source, reason.field, reason.value) == (F, name, field, wrong)


def test_a_candidate_the_run_did_not_produce_fails(run: RunDir, evaluate: Evaluate):
    run.manifest["branches"] = ["rc1_baseline", "alpha_first_selective_veto"]
    reason = _reason(evaluate(run), "CANDIDATE_NOT_IN_RUN")
    assert (reason.status, reason.value) == (F, "alpha_first")


def test_a_fallback_the_run_did_not_produce_fails(run: RunDir, evaluate: Evaluate):
    run.manifest["branches"] = ["alpha_first", "rc1_baseline"]
    reason = _reason(evaluate(run), "FALLBACK_NOT_IN_RUN")
    assert (reason.status, reason.threshold) == (F, "alpha_first_selective_veto")


@pytest.mark.parametrize(
    ("name", "code"),
    [(DIVERGENCE, "DIVERGENCE_MISSING"), (REFINED_CONTROL, "REFINED_CONTROL_MISSING")],
)
def test_a_missing_optional_artifact_warns(run: RunDir, evaluate: Evaluate, name, code):
    run.omitted.add(name)
    decision = evaluate(run)
    assert _reason(decision, code).status is W
    assert gate(decision, G3).status is W


@pytest.mark.parametrize(
    ("name", "code"),
    [(DIVERGENCE, "DIVERGENCE_CORRUPT"), (REFINED_CONTROL, "REFINED_CONTROL_CORRUPT")],
)
def test_a_present_but_corrupt_optional_artifact_fails(run: RunDir, evaluate: Evaluate, name, code):
    run.raw[name] = b"{}"
    decision = evaluate(run)
    reason = _reason(decision, code)
    assert (reason.status, reason.source) == (F, name)
    assert gate(decision, G3).status is F


def test_a_corrupt_artifact_counts_as_missing_in_the_matrix(run: RunDir, evaluate: Evaluate):
    run.raw[DIVERGENCE] = b"not json"
    assert _reason(evaluate(run), "DIVERGENCE_CONTROL_WARN").value == "missing/aligned"


def test_without_a_manifest_g3_fails(run: RunDir, evaluate: Evaluate):
    run.omitted.add(MANIFEST)
    decision = evaluate(run)
    assert codes(decision, G3) == ["MANIFEST_UNAVAILABLE", "DIVERGENCE_CONTROL_PASS"]
    assert gate(decision, G3).status is F
