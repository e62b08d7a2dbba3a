"""Ledger format 0.2: run-aware decision lines, reviews, idempotent appends, 0.1 ledgers,
the in-memory builder and keyed (HMAC) ledgers."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragon_governance.decision import RolloutDecision, decision_id_of
from dragon_governance.errors import GovernanceUserError, IntegrityError
from dragon_governance.evaluation import evaluate_run
from dragon_governance.ledger import (
    NothingPendingError,
    append_review,
    append_to_ledger,
    inspect_ledger,
    read_ledger,
    verify_ledger,
)
from dragon_governance.ledger_entries import (
    DecisionEntry,
    LedgerBuilder,
    LegacyDecisionEntry,
    decision_fields,
    entry_hash,
)
from dragon_governance.policy import builtin_policy, parse_policy
from dragon_governance.rollout_state import RolloutState
from tests.governance.ledgers import build

FIXTURES = Path(__file__).parent / "fixtures"
LEDGER_01 = FIXTURES / "ledger-0.1.jsonl"
MANIFESTS_01 = FIXTURES / "ledger-0.1-manifests"
AS_OF = date(2024, 10, 8)
MOMENT = datetime(2024, 10, 9, 7, 30, tzinfo=UTC)
KEY = b"0123456789abcdef-test-key"


def _decision(name: str):
    return evaluate_run(FIXTURES / name, as_of=AS_OF)


@pytest.fixture
def ledger_01(tmp_path: Path) -> Path:
    copy = tmp_path / "ledger.jsonl"
    shutil.copyfile(LEDGER_01, copy)
    return copy


def test_a_01_ledger_verifies_and_reads(ledger_01: Path):
    entries = verify_ledger(ledger_01)
    assert [type(entry) for entry in entries] == [LegacyDecisionEntry] * 3
    assert [entry.decision.value for entry in entries] == [
        "PROCEED",
        "ROLLBACK_REVIEW_REQUIRED",
        "PROCEED",
    ]


def test_a_01_rollback_waits_for_review_like_a_02_one(ledger_01: Path):
    status = read_ledger(ledger_01).status
    assert status.state is RolloutState.ROLLED_BACK_PENDING_REVIEW
    assert status.active_branch == "alpha_first_selective_veto"
    assert status.pending is not None and status.pending.failing_gates == ()


def _decision_of_the_01_run(name: str, tmp_path: Path):
    """Today's decision of a fixture run as it was when the 0.1 ledger was written: the
    run's files with the manifest of that time (`ledger-0.1-manifests/`; later
    regenerations of the fixtures changed only the manifests)."""
    run = tmp_path / name
    if not run.exists():
        shutil.copytree(FIXTURES / name, run)
        shutil.copyfile(MANIFESTS_01 / f"{name}.json", run / "daily_manifest.json")
    return evaluate_run(run, as_of=AS_OF)


def _id_under_governance_01(decision: RolloutDecision) -> str:
    """The decision's id had dragon-governance 0.1.0 made it: a decision records the
    governance version that decided it, so that one field is set back; every other
    byte of the content is today's."""
    content = decision.content()
    content["versions"] = {**content["versions"], "dragon-governance": "0.1.0"}
    return decision_id_of(content)


def test_decision_ids_are_those_the_01_code_recorded(tmp_path: Path):
    """The fixture was written by the code before format 0.2: same runs, same ids
    (once the recorded governance version is the one that wrote it)."""
    recorded = [json.loads(line)["decision_id"] for line in LEDGER_01.read_text().splitlines()]
    names = ("healthy_run", "rollback_run", "healthy_run")
    decisions = [_decision_of_the_01_run(name, tmp_path) for name in names]
    assert [_id_under_governance_01(decision) for decision in decisions] == recorded


def test_a_01_ledger_continues_with_02_lines_and_a_review(ledger_01: Path):
    append_to_ledger(ledger_01, _decision("healthy_run"), run_dir="r", recorded_at=MOMENT)
    done = append_review(ledger_01, verdict="resume", by="ops", reason="ok", recorded_at=MOMENT)
    assert done.entry.reviewed.seq == 2
    assert done.status.state is RolloutState.CANDIDATE_ACTIVE
    assert len(verify_ledger(ledger_01)) == 5


def test_a_decision_line_carries_the_run_and_the_policy(tmp_path: Path):
    decision = _decision("rollback_run")
    entry = append_to_ledger(
        tmp_path / "l.jsonl", decision, run_dir="runs/../x", recorded_at=MOMENT
    ).entry
    assert isinstance(entry, DecisionEntry)
    manifest = (FIXTURES / "rollback_run" / "daily_manifest.json").read_bytes()
    import hashlib

    assert entry.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    assert entry.run_dir == "runs/../x"
    assert entry.policy_sha256 == builtin_policy().sha256 == decision.policy.sha256
    assert [(gate.gate, gate.codes) for gate in entry.failing_gates] == [
        ("G2", ["HARD_CONDITION_ACTIVE"])
    ]
    assert (entry.candidate_branch, entry.fallback_branch) == (
        "alpha_first",
        "alpha_first_selective_veto",
    )


def test_the_same_decision_of_the_same_run_is_appended_once(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    decision = _decision("rollback_run")
    first = append_to_ledger(path, decision, run_dir="a", recorded_at=MOMENT)
    before = path.read_bytes()
    again = append_to_ledger(path, decision, run_dir="b", recorded_at=MOMENT)
    assert (first.appended, again.appended) == (True, False)
    assert again.entry == first.entry and path.read_bytes() == before


def test_a_repeat_after_a_review_is_still_a_no_op(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    decision = _decision("rollback_run")
    append_to_ledger(path, decision, run_dir="a", recorded_at=MOMENT)
    append_review(path, verdict="resume", by="ops", reason="ok", recorded_at=MOMENT)
    again = append_to_ledger(path, decision, run_dir="a", recorded_at=MOMENT)
    assert not again.appended and again.status.state is RolloutState.ROLLED_BACK


def test_a_different_decision_is_appended(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    append_to_ledger(path, _decision("rollback_run"), run_dir="a", recorded_at=MOMENT)
    done = append_to_ledger(path, _decision("healthy_run"), run_dir="a", recorded_at=MOMENT)
    assert done.appended and done.entry.seq == 2


def test_a_review_needs_a_pending_rollback(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    append_to_ledger(path, _decision("healthy_run"), run_dir="a", recorded_at=MOMENT)
    before = path.read_bytes()
    with pytest.raises(NothingPendingError, match="no rollback is pending review"):
        append_review(path, verdict="resume", by="ops", reason="ok")
    assert path.read_bytes() == before


def test_a_review_naming_another_line_breaks_the_chain():
    builder = build(["R", "P", "resume"])
    lines = builder.data().splitlines()
    review = json.loads(lines[-1])
    review["reviewed"]["seq"] = 2
    body = {k: v for k, v in review.items() if k != "hash"}
    review["hash"] = entry_hash(body)
    lines[-1] = json.dumps(review, sort_keys=True, separators=(",", ":")).encode()
    report = inspect_ledger(b"\n".join(lines) + b"\n", Path("l.jsonl"))
    assert report.broken is not None and report.broken.line == 3
    assert "names the rollback of line 2, but the pending rollback is line 1" in (
        report.broken.problem
    )


def test_a_line_that_is_not_canonical_is_broken():
    data = build(["P"]).data()
    line = data.rstrip(b"\n")
    duplicated = line[:-1] + b',"seq":1}\n'
    assert "duplicate key 'seq'" in inspect_ledger(duplicated, Path("l")).broken.problem
    spaced = json.dumps(json.loads(line), sort_keys=True).encode() + b"\n"
    assert "not canonical JSON" in inspect_ledger(spaced, Path("l")).broken.problem


def test_the_builder_writes_the_bytes_append_writes(tmp_path: Path):
    path = tmp_path / "l.jsonl"
    builder = LedgerBuilder()
    for name in ("healthy_run", "rollback_run"):
        decision = _decision(name)
        append_to_ledger(path, decision, run_dir=name, recorded_at=MOMENT)
        fields = decision_fields(decision, run_dir=name, rollback_requires_review=True)
        builder.add(fields, recorded_at=MOMENT)
    assert builder.data() == path.read_bytes()


def test_the_builder_is_deterministic():
    codes = ["P", "R", "P", "resume", "H"]
    assert build(codes).data() == build(codes).data()


def _rewrite_last_line(data: bytes, **changes: object) -> bytes:
    """Rewrite the last line consistently (new hash), as someone without the key can."""
    lines = data.splitlines()
    last = json.loads(lines[-1])
    last.update(changes)
    last = {k: v for k, v in last.items() if v is not None or k != "hmac"}
    body = {k: v for k, v in last.items() if k not in {"hash", "hmac"}}
    last["hash"] = entry_hash(body)
    lines[-1] = json.dumps(last, sort_keys=True, separators=(",", ":")).encode()
    return b"\n".join(lines) + b"\n"


def test_a_plain_chain_does_not_detect_a_rewritten_last_line():
    forged = _rewrite_last_line(build(["P", "R"]).data(), decision="PROCEED")
    assert inspect_ledger(forged, Path("l")).intact


def test_a_keyed_ledger_detects_a_rewritten_last_line():
    data = build(["P", "R"], key=KEY).data()
    assert inspect_ledger(data, Path("l"), key=KEY).intact
    forged = _rewrite_last_line(data, decision="PROCEED", recommended_branch="alpha_first")
    assert inspect_ledger(forged, Path("l")).intact  # the plain chain still holds
    report = inspect_ledger(forged, Path("l"), key=KEY)
    assert report.broken is not None and report.broken.line == 2
    assert "hmac does not match" in report.broken.problem


def test_a_keyed_ledger_detects_a_stripped_hmac_and_a_wrong_key():
    data = build(["P", "R"], key=KEY).data()
    stripped = _rewrite_last_line(data, hmac=None)
    assert "no hmac" in inspect_ledger(stripped, Path("l"), key=KEY).broken.problem
    wrong = inspect_ledger(data, Path("l"), key=b"another-key-of-16+")
    assert wrong.broken is not None and wrong.broken.line == 1


def test_keyed_and_unkeyed_lines_do_not_mix(tmp_path: Path):
    keyed = tmp_path / "keyed.jsonl"
    append_to_ledger(keyed, _decision("rollback_run"), run_dir="a", key=KEY)
    with pytest.raises(GovernanceUserError, match="is keyed"):
        append_to_ledger(keyed, _decision("healthy_run"), run_dir="a")
    plain = tmp_path / "plain.jsonl"
    append_to_ledger(plain, _decision("rollback_run"), run_dir="a")
    with pytest.raises(GovernanceUserError, match="unkeyed lines"):
        append_to_ledger(plain, _decision("healthy_run"), run_dir="a", key=KEY)


def test_a_wrong_key_refuses_to_append(tmp_path: Path):
    keyed = tmp_path / "keyed.jsonl"
    append_to_ledger(keyed, _decision("rollback_run"), run_dir="a", key=KEY)
    with pytest.raises(IntegrityError, match="hmac does not match"):
        append_to_ledger(keyed, _decision("healthy_run"), run_dir="a", key=b"x" * 20)


def test_rollback_requires_review_is_a_lifecycle_key_not_a_threshold():
    assert builtin_policy().values.rollback_requires_review is True
    assert "rollback_requires_review" not in builtin_policy().values.thresholds()
    text = (
        'schema = "dragon.governance_policy/1"\nname = "lax"\nwarning_streak_limit = 3\n'
        'lag_warn_sessions = 1\nlag_fail_sessions = 2\nfallback_branch = "b"\n'
        "rollback_requires_review = false\n"
    )
    assert parse_policy(text.encode(), "lax.toml").values.rollback_requires_review is False
    from dragon_governance.errors import PolicyError

    with pytest.raises(PolicyError, match="rollback_requires_review"):
        parse_policy(text.replace("= false", '= "no"').encode(), "bad.toml")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["P", "H", "R"]), min_size=1, max_size=8),
    st.data(),
)
def test_a_keyed_ledger_detects_a_consistent_rewrite_of_any_line(codes: list[str], data):
    """Rewrite line N and re-chain every line after it with fresh hashes (what someone
    without the key can do): the plain chain verifies, the keyed check breaks at N."""
    lines = [json.loads(raw) for raw in build(codes, key=KEY).data().splitlines()]
    target = data.draw(st.integers(0, len(lines) - 1))
    lines[target]["run_dir"] = "rewritten"
    previous = lines[target]["prev_hash"]
    for line in lines[target:]:
        line["prev_hash"] = previous
        line["hash"] = entry_hash({k: v for k, v in line.items() if k not in {"hash", "hmac"}})
        previous = line["hash"]
    forged = b"".join(
        json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n" for line in lines
    )
    assert inspect_ledger(forged, Path("l")).intact
    broken = inspect_ledger(forged, Path("l"), key=KEY).broken
    assert broken is not None and broken.line == target + 1
