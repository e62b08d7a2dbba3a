"""Non-finite numbers in a source (issue 9, class 1): a corrupt source, never a crash.

Python's ``json.dumps`` writes ``NaN``, ``Infinity`` and ``-Infinity`` by default, and
``1e309`` overflows a double into infinity: the likeliest real corruption. Wherever
one appears — in a field the model reads or in an extra field it ignores — the
owning gate FAILs with the source's ``*_CORRUPT`` code, the evidence carries the
value as text, and a decision is written (``check`` and ``evaluate_run``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dragon_governance import evaluate_run
from dragon_governance.sources import ProblemKind, load_run_sources
from tests.governance.builders import (
    AS_OF,
    DIVERGENCE,
    HEALTH,
    MANIFEST,
    REFINED_CONTROL,
    RunDir,
)
from tests.governance.hostile import run_check

NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}

#: (file, field path as reported, corrupt code, how to plant the float in a RunDir)
PLANTED = {
    "divergence.return_gap": (
        DIVERGENCE,
        "return_gap",
        "DIVERGENCE_CORRUPT",
        lambda r, v: r.divergence.update(return_gap=v),
    ),
    "refined_control.alignment_ratio": (
        REFINED_CONTROL,
        "alignment_ratio",
        "REFINED_CONTROL_CORRUPT",
        lambda r, v: r.refined_control.update(alignment_ratio=v),
    ),
    "health.conditions[1].value": (
        HEALTH,
        "conditions[1].value",
        "HEALTH_CORRUPT",
        lambda r, v: r.health["conditions"][1].update(value=v),
    ),
    "health.conditions[0].threshold": (
        HEALTH,
        "conditions[0].threshold",
        "HEALTH_CORRUPT",
        lambda r, v: r.health["conditions"][0].update(threshold=v),
    ),
}


@pytest.mark.parametrize("text", sorted(NON_FINITE))
@pytest.mark.parametrize("where", sorted(PLANTED))
def test_a_non_finite_number_as_json_dumps_writes_it_fails_the_owning_gate(
    run: RunDir, text: str, where: str
):
    filename, field, code, plant = PLANTED[where]
    plant(run, NON_FINITE[text])
    checked = run_check(run.build())
    assert checked.code == 20, checked.stderr
    (reason,) = checked.reasons(code)
    assert (reason["source"], reason["field"], reason["value"]) == (filename, field, text)
    assert "not a finite number" in reason["message"]
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


@pytest.mark.parametrize("text", ["1e309", "-1e309", "1E400"])
def test_a_literal_that_overflows_a_double_is_recorded_as_written(run: RunDir, text: str):
    run.raw[DIVERGENCE] = json.dumps(run.divergence).replace("0.004", text).encode()
    checked = run_check(run.build())
    (reason,) = checked.reasons("DIVERGENCE_CORRUPT")
    assert (reason["field"], reason["value"]) == ("return_gap", text)


def test_a_non_finite_number_in_the_manifest_is_manifest_corrupt(run: RunDir, tmp_path: Path):
    template = RunDir(tmp_path / "template").build()
    manifest = json.loads((template / MANIFEST).read_text())
    manifest["inputs"][0]["size"] = float("nan")
    run.raw[MANIFEST] = json.dumps(manifest).encode()
    checked = run_check(run.build())
    (reason,) = checked.reasons("MANIFEST_CORRUPT")
    assert (reason["field"], reason["value"]) == ("inputs[0].size", "NaN")
    assert checked.decision["candidate_branch"] is None


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        (HEALTH, "HEALTH_CORRUPT"),
        (DIVERGENCE, "DIVERGENCE_CORRUPT"),
        (REFINED_CONTROL, "REFINED_CONTROL_CORRUPT"),
    ],
)
def test_a_non_finite_number_in_an_ignored_extra_field_still_corrupts_the_source(
    run: RunDir, filename: str, code: str
):
    document = {
        HEALTH: run.health,
        DIVERGENCE: run.divergence,
        REFINED_CONTROL: run.refined_control,
    }
    document[filename]["notes"] = {"seen": [1, float("inf")]}
    checked = run_check(run.build())
    (reason,) = checked.reasons(code)
    assert (reason["field"], reason["value"]) == ("notes.seen[1]", "Infinity")
    assert checked.verdict == "ROLLBACK_REVIEW_REQUIRED"


def test_the_loader_reports_the_non_finite_kind(run: RunDir):
    run.divergence["entry_jaccard"] = float("nan")
    problem = load_run_sources(run.build()).divergence.problem
    assert (problem.kind, problem.field, problem.value) == (
        ProblemKind.NON_FINITE,
        "entry_jaccard",
        "NaN",
    )


def test_evaluate_run_the_forward_pipelines_call_returns_a_rollback(run: RunDir):
    run.divergence["return_gap"] = float("nan")
    decision = evaluate_run(run.build(), as_of=AS_OF)
    assert decision.decision.value == "ROLLBACK_REVIEW_REQUIRED"
    assert decision.recommended_branch == "alpha_first_selective_veto"
    json.loads(decision.file_bytes())  # strict JSON: no NaN anywhere in the decision


def test_a_ledger_line_is_appended_for_a_non_finite_source(run: RunDir, tmp_path: Path):
    run.health["conditions"][0]["value"] = float("-inf")
    ledger = tmp_path / "ledger.jsonl"
    checked = run_check(run.build(), "--ledger", str(ledger))
    assert checked.code == 20
    (line,) = ledger.read_text().splitlines()
    assert json.loads(line)["decision_id"] == checked.decision["decision_id"]
