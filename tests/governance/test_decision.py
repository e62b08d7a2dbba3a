"""The decision artifact: worst gate wins, branch fallback, canonical bytes, decision_id."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

import dragon_governance
from dragon_governance.decision import read_decision, write_decision
from dragon_governance.errors import GovernanceUserError, IntegrityError
from dragon_governance.evaluation import evaluate_run
from dragon_governance.outcomes import Decision
from dragon_governance.session_calendar import exchange_calendars_version
from tests.governance.builders import AS_OF, CONTROL, HEALTH, Evaluate, RunDir, sha256


def test_identical_inputs_give_byte_identical_decisions(tmp_path: Path, evaluate: Evaluate):
    first = evaluate(RunDir(tmp_path / "one"))
    second = evaluate(RunDir(tmp_path / "elsewhere" / "two"))
    assert first.file_bytes() == second.file_bytes()


def test_re_evaluating_a_run_gives_the_same_bytes(run: RunDir):
    root = run.build()
    assert (
        evaluate_run(root, as_of=AS_OF).file_bytes() == evaluate_run(root, as_of=AS_OF).file_bytes()
    )


def test_another_as_of_gives_another_decision_id(run: RunDir):
    root = run.build()
    first = evaluate_run(root, as_of=AS_OF)
    later = evaluate_run(root, as_of=date(2024, 10, 9))
    assert first.decision_id != later.decision_id


def test_decision_id_is_the_sha256_of_the_canonical_content_without_it(run: RunDir):
    decision = evaluate_run(run.build(), as_of=AS_OF)
    content = json.loads(decision.file_bytes())
    decision_id = content.pop("decision_id")
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert decision_id == hashlib.sha256(canonical.encode()).hexdigest()


def test_the_file_is_sorted_two_space_json_with_a_trailing_newline(run: RunDir):
    data = evaluate_run(run.build(), as_of=AS_OF).file_bytes()
    assert data == (json.dumps(json.loads(data), sort_keys=True, indent=2) + "\n").encode()


def test_the_decision_records_its_inputs_with_presence_and_hashes(run: RunDir):
    run.omitted.add(HEALTH)
    root = run.build()
    inputs = {i.name: i for i in evaluate_run(root, as_of=AS_OF).inputs}
    assert list(inputs) == [
        "daily_manifest",
        "monitor_health",
        "monitor_history",
        "divergence",
        "refined_control",
    ]
    assert (inputs["monitor_health"].present, inputs["monitor_health"].sha256) == (False, None)
    manifest = inputs["daily_manifest"]
    assert manifest.path == "daily_manifest.json"
    assert manifest.sha256 == sha256((root / "daily_manifest.json").read_bytes())


def test_the_decision_records_the_deciding_versions(run: RunDir):
    versions = evaluate_run(run.build(), as_of=AS_OF).versions
    assert versions == {
        "dragon-governance": dragon_governance.__version__,
        "exchange-calendars": exchange_calendars_version(),
    }


def test_rollback_recommends_the_fallback_and_keeps_the_candidate_as_evidence(run: RunDir):
    run.set_condition("H1_DRAWDOWN", active=True, streak=1)
    decision = evaluate_run(run.build(), as_of=AS_OF)
    assert decision.decision is Decision.ROLLBACK_REVIEW_REQUIRED
    assert (decision.recommended_branch, decision.candidate_branch) == (CONTROL, "alpha_first")


def test_without_a_manifest_the_candidate_is_unknown_and_the_fallback_recommended(run: RunDir):
    run.omitted.add("daily_manifest.json")
    decision = evaluate_run(run.build(), as_of=AS_OF)
    assert (decision.candidate_branch, decision.recommended_branch) == (None, CONTROL)


def test_the_exit_code_follows_the_decision(run: RunDir):
    assert evaluate_run(run.build(), as_of=AS_OF).exit_code == 0
    run.set_condition("W1_DRAWDOWN", active=True, streak=1)
    assert evaluate_run(run.build(), as_of=AS_OF).exit_code == 10
    run.set_condition("W1_DRAWDOWN", active=True, streak=3)
    assert evaluate_run(run.build(), as_of=AS_OF).exit_code == 20


def test_a_written_decision_reads_back_equal(run: RunDir, tmp_path: Path):
    decision = evaluate_run(run.build(), as_of=AS_OF)
    path = write_decision(decision, tmp_path / "decision.json")
    assert path.read_bytes() == decision.file_bytes()
    assert read_decision(path) == decision


def test_an_edited_decision_file_fails_its_decision_id(run: RunDir, tmp_path: Path):
    path = write_decision(evaluate_run(run.build(), as_of=AS_OF), tmp_path / "decision.json")
    path.write_text(path.read_text().replace('"alpha_first"', '"beta"'))
    with pytest.raises(IntegrityError, match="does not match its content"):
        read_decision(path)


def test_a_decision_whose_verdict_contradicts_its_gates_is_refused(run: RunDir, tmp_path: Path):
    run.set_condition("H1_DRAWDOWN", active=True, streak=1)
    path = write_decision(evaluate_run(run.build(), as_of=AS_OF), tmp_path / "decision.json")
    path.write_text(path.read_text().replace('"ROLLBACK_REVIEW_REQUIRED"', '"PROCEED"'))
    with pytest.raises(GovernanceUserError, match="decision PROCEED but the gates give"):
        read_decision(path)


def test_a_file_that_is_not_a_decision_is_a_user_error(tmp_path: Path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(GovernanceUserError, match=r"is not a dragon\.rollout_decision/1 file"):
        read_decision(path)
