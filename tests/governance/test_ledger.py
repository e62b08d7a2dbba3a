"""The hash-chained ledger: append, verify, tamper evidence, locking."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dragon_governance.decision import RolloutDecision
from dragon_governance.errors import IntegrityError
from dragon_governance.evaluation import evaluate_run
from dragon_governance.ledger import GENESIS_HASH, append_to_ledger, read_ledger, verify_ledger
from tests.governance.builders import AS_OF, RunDir

MOMENT = datetime(2024, 10, 8, 7, 30, tzinfo=UTC)


@pytest.fixture
def decision(run: RunDir) -> RolloutDecision:
    return evaluate_run(run.build(), as_of=AS_OF)


def _append(path: Path, decision: RolloutDecision, moment: datetime = MOMENT):
    return append_to_ledger(path, decision, run_dir="run", recorded_at=moment)


@pytest.fixture
def ledger(tmp_path: Path, run: RunDir) -> Path:
    """Three decisions of one run, evaluated on three consecutive days."""
    path = tmp_path / "decisions.jsonl"
    root = run.build()
    for days in range(3):
        decision = evaluate_run(root, as_of=AS_OF + timedelta(days=days))
        _append(path, decision, MOMENT + timedelta(days=days))
    return path


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_first_entry_starts_the_chain(tmp_path: Path, decision: RolloutDecision):
    entry = _append(tmp_path / "l.jsonl", decision).entry
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
    assert (entry.decision_id, entry.as_of, entry.decision) == (
        decision.decision_id,
        decision.as_of,
        decision.decision,
    )
    assert (entry.recommended_branch, entry.recorded_at) == ("alpha_first", "2024-10-08T07:30:00Z")


def test_each_entry_links_to_the_previous_hash(ledger: Path):
    lines = _lines(ledger)
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert [line["prev_hash"] for line in lines[1:]] == [line["hash"] for line in lines[:-1]]


def test_the_hash_covers_the_canonical_line_without_it(ledger: Path):
    for line in _lines(ledger):
        body = {k: v for k, v in line.items() if k not in {"hash", "hmac"}}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        assert line["hash"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_lines_are_canonical_json(ledger: Path):
    for raw in ledger.read_text().splitlines():
        assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))


def test_recorded_at_is_converted_to_utc(tmp_path: Path, decision: RolloutDecision):
    shanghai = MOMENT.astimezone(timezone(timedelta(hours=8)))
    entry = _append(tmp_path / "l.jsonl", decision, shanghai).entry
    assert entry.recorded_at == "2024-10-08T07:30:00Z"


def test_a_naive_recorded_at_is_refused(tmp_path: Path, decision: RolloutDecision):
    with pytest.raises(ValueError, match="timezone-aware"):
        _append(tmp_path / "l.jsonl", decision, datetime(2024, 10, 8))


def test_an_intact_ledger_verifies(ledger: Path):
    assert [entry.seq for entry in verify_ledger(ledger)] == [1, 2, 3]


def test_an_empty_ledger_verifies(tmp_path: Path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert verify_ledger(path) == ()


def _edit_line(path: Path, number: int, **changes: object) -> None:
    lines = path.read_text().splitlines()
    line = json.loads(lines[number - 1])
    line.update(changes)
    lines[number - 1] = json.dumps(line, sort_keys=True, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n")


def test_an_edited_line_is_detected_by_number(ledger: Path):
    _edit_line(ledger, 2, run_dir="elsewhere")
    with pytest.raises(IntegrityError, match="broken at line 2: hash does not match"):
        verify_ledger(ledger)


def test_an_edited_line_with_a_recomputed_hash_breaks_the_next_link(ledger: Path):
    line = _lines(ledger)[1]
    line["recommended_branch"] = "beta"
    body = {k: v for k, v in line.items() if k != "hash"}
    rehashed = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    _edit_line(ledger, 2, recommended_branch="beta", hash=rehashed)
    with pytest.raises(IntegrityError, match="broken at line 3: prev_hash does not match"):
        verify_ledger(ledger)


def test_a_deleted_line_is_detected(ledger: Path):
    lines = ledger.read_text().splitlines()
    ledger.write_text("\n".join([lines[0], lines[2]]) + "\n")
    with pytest.raises(IntegrityError, match="broken at line 2: seq is 3, expected 2"):
        verify_ledger(ledger)


def test_a_truncated_last_line_is_detected(ledger: Path):
    ledger.write_bytes(ledger.read_bytes()[:-20])
    with pytest.raises(IntegrityError, match="broken at line 3"):
        verify_ledger(ledger)


def test_a_line_that_is_not_json_is_detected(ledger: Path):
    ledger.write_text(ledger.read_text() + "garbage\n")
    with pytest.raises(IntegrityError, match="broken at line 4: not valid JSON"):
        verify_ledger(ledger)


def test_a_first_line_not_starting_from_zeros_is_detected(ledger: Path):
    ledger.write_text("\n".join(ledger.read_text().splitlines()[1:]) + "\n")
    with pytest.raises(IntegrityError, match="broken at line 1"):
        verify_ledger(ledger)


def test_appending_to_a_broken_ledger_is_refused_and_writes_nothing(
    ledger: Path, decision: RolloutDecision
):
    _edit_line(ledger, 1, as_of="2024-10-07")
    before = ledger.read_bytes()
    with pytest.raises(IntegrityError, match="refusing to append"):
        _append(ledger, decision)
    assert ledger.read_bytes() == before


def test_read_ledger_reports_the_valid_prefix(ledger: Path):
    _edit_line(ledger, 3, seq=9)
    report = read_ledger(ledger)
    assert [entry.seq for entry in report.entries] == [1, 2]
    assert report.broken.line == 3


def test_concurrent_appends_keep_one_unbroken_chain(tmp_path: Path, run: RunDir):
    path = tmp_path / "busy.jsonl"
    root = run.build()
    decisions = [evaluate_run(root, as_of=AS_OF + timedelta(days=days)) for days in range(8)]
    threads = [threading.Thread(target=_append, args=(path, decision)) for decision in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [entry.seq for entry in verify_ledger(path)] == list(range(1, 9))
