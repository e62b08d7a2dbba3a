"""``evaluate_artifacts``: the decision of a run held in memory is the decision of the
same bytes on disk (what ``dragon replay`` relies on to evaluate every session)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from dragon_governance import evaluate_artifacts
from dragon_governance.evaluation import evaluate_run
from dragon_governance.outcomes import Gate
from dragon_governance.sources.registry import SOURCES
from tests.governance.builders import AS_OF, HEALTH, HISTORY, MANIFEST, RunDir, codes


def _in_memory(root: Path) -> tuple[dict[str, bytes], dict[str, str]]:
    """The run's five sources as bytes, and every other file's sha256 by relative path."""
    names = {spec.filename for spec in SOURCES}
    files: dict[str, bytes] = {}
    outputs: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        data = path.read_bytes()
        if relative in names:
            files[relative] = data
        outputs[relative] = hashlib.sha256(data).hexdigest()
    return files, outputs


def _same_decision(run: RunDir, as_of: date = AS_OF) -> bytes:
    root = run.build()
    on_disk = evaluate_run(root, as_of=as_of).file_bytes()
    files, outputs = _in_memory(root)
    in_memory = evaluate_artifacts(files, outputs=outputs, as_of=as_of).file_bytes()
    assert in_memory == on_disk
    return in_memory


def test_a_healthy_run_gives_the_same_bytes_in_memory(run: RunDir):
    assert b'"decision": "PROCEED"' in _same_decision(run)


def test_a_hard_condition_gives_the_same_rollback_in_memory(run: RunDir):
    run.set_condition("H1_DRAWDOWN", active=True, streak=1, value=0.3, threshold=0.25)
    assert b'"decision": "ROLLBACK_REVIEW_REQUIRED"' in _same_decision(run)


def test_a_late_evaluation_gives_the_same_lag_in_memory(run: RunDir):
    assert b"MANIFEST_LAGGING" in _same_decision(run, as_of=date(2024, 10, 9))


def test_a_corrupt_history_gives_the_same_reason_in_memory(run: RunDir):
    run.raw[HISTORY] = b"as_of,condition_id,active\n2024-10-08,H1_DRAWDOWN,maybe\n"
    assert b"HISTORY_CORRUPT" in _same_decision(run)


def test_a_source_left_out_is_missing(run: RunDir):
    files, outputs = _in_memory(run.build())
    del files[HEALTH]
    decision = evaluate_artifacts(files, outputs=outputs, as_of=AS_OF, label="session 2024-10-08")
    assert codes(decision, Gate.MONITOR_HEALTH)[0] == "HEALTH_MISSING"


def test_an_output_whose_digest_differs_fails_freshness(run: RunDir):
    files, outputs = _in_memory(run.build())
    listed = next(name for name in outputs if name.endswith("equity.csv"))
    outputs[listed] = "0" * 64
    decision = evaluate_artifacts(files, outputs=outputs, as_of=AS_OF)
    assert "OUTPUT_HASH_MISMATCH" in codes(decision, Gate.FRESHNESS_ALIGNMENT)


def test_an_output_the_run_does_not_hold_fails_freshness(run: RunDir):
    files, outputs = _in_memory(run.build())
    listed = next(name for name in outputs if name.endswith("equity.csv"))
    del outputs[listed]
    decision = evaluate_artifacts(files, outputs=outputs, as_of=AS_OF)
    reasons = decision.gates[0].reasons
    missing = [r for r in reasons if r.code == "OUTPUT_HASH_MISMATCH"]
    assert "not among the run's outputs" in missing[0].message


def test_an_over_size_source_is_corrupt(run: RunDir):
    files, outputs = _in_memory(run.build())
    files[MANIFEST] = b" " * (16 * 2**20 + 1)
    decision = evaluate_artifacts(files, outputs=outputs, as_of=AS_OF)
    assert codes(decision, Gate.FRESHNESS_ALIGNMENT)[-1] == "MANIFEST_CORRUPT"


def test_a_datetime_as_of_is_refused_in_memory():
    from datetime import datetime

    with pytest.raises(TypeError, match="not a datetime"):
        evaluate_artifacts({}, outputs={}, as_of=datetime(2024, 10, 8, 16, 0))
