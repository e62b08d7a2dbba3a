"""``dragon-governance review`` and ``status``, and the lifecycle options of ``check``
and ``verify-ledger`` (``--key-file``, idempotent appends), run in-process."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dragon_governance import cli
from dragon_governance.ledger_key import KEY_ENV

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = ["--as-of", "2024-10-08"]
REVIEW = ["--by", "ops", "--reason", "drawdown explained by the holiday gap"]


@pytest.fixture
def in_process(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    monkeypatch.delenv(KEY_ENV, raising=False)

    def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
        code = cli.main(list(args))
        captured = capsysbinary.readouterr()
        return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)

    return _run


@pytest.fixture
def runs(tmp_path: Path) -> dict[str, Path]:
    """Copies of the shipped healthy and rollback runs (check writes into them)."""
    copies = {}
    for name in ("healthy_run", "rollback_run"):
        copies[name] = tmp_path / name
        shutil.copytree(FIXTURES / name, copies[name])
    return copies


def _status(in_process, ledger: Path, *extra: str) -> dict:
    done = in_process("status", str(ledger), "--json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _rolled_back(in_process, runs, ledger: Path) -> None:
    done = in_process("check", str(runs["rollback_run"]), *AS_OF, "--ledger", str(ledger))
    assert done.returncode == 20


def test_status_shows_a_rollback_pending_review_with_its_failing_gates(
    in_process, runs, tmp_path: Path
):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    status = _status(in_process, ledger)
    assert (status["state"], status["active_branch"], status["since"]) == (
        "ROLLED_BACK_PENDING_REVIEW",
        "alpha_first_selective_veto",
        "2024-10-08",
    )
    assert status["pending_rollback"]["failing_gates"] == [
        {"gate": "G2", "codes": ["HARD_CONDITION_ACTIVE"]}
    ]
    text = in_process("status", str(ledger)).stdout.decode()
    assert "ROLLED_BACK_PENDING_REVIEW" in text and "HARD_CONDITION_ACTIVE" in text


def test_a_proceed_while_pending_keeps_the_fallback_and_says_review_pending(
    in_process, runs, tmp_path: Path
):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    done = in_process("check", str(runs["healthy_run"]), *AS_OF, "--ledger", str(ledger))
    assert done.returncode == 0  # the decision's exit code is unchanged by the state
    status = _status(in_process, ledger)
    assert status["active_branch"] == "alpha_first_selective_veto"
    assert status["recent"][-1]["note"] == "gates pass; review pending"


def test_review_resume_names_the_rollback_and_activates_the_candidate(
    in_process, runs, tmp_path: Path
):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    in_process("check", str(runs["healthy_run"]), *AS_OF, "--ledger", str(ledger))
    done = in_process("review", str(ledger), "--verdict", "resume", *REVIEW)
    assert done.returncode == 0, done.stderr
    assert b"of the rollback of seq 1 (2024-10-08" in done.stdout
    status = _status(in_process, ledger)
    assert (status["state"], status["active_branch"]) == ("CANDIDATE_ACTIVE", "alpha_first")
    assert in_process("verify-ledger", str(ledger)).returncode == 0
    history = json.loads(in_process("history", str(ledger), "--json").stdout)
    assert [entry["kind"] for entry in history] == ["decision", "decision", "review"]


def test_review_retire_keeps_the_fallback(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    assert in_process("review", str(ledger), "--verdict", "retire", *REVIEW).returncode == 0
    in_process("check", str(runs["healthy_run"]), *AS_OF, "--ledger", str(ledger))
    status = _status(in_process, ledger)
    assert (status["state"], status["retired_candidate"]) == ("RETIRED", "alpha_first")
    assert status["active_branch"] == "alpha_first_selective_veto"


def test_review_with_nothing_pending_is_refused_with_exit_2(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    in_process("check", str(runs["healthy_run"]), *AS_OF, "--ledger", str(ledger))
    before = ledger.read_bytes()
    done = in_process("review", str(ledger), "--verdict", "resume", *REVIEW)
    assert done.returncode == 2
    assert b"no rollback is pending review (the state is CANDIDATE_ACTIVE)" in done.stderr
    assert ledger.read_bytes() == before


def test_review_of_a_missing_ledger_is_exit_2(in_process, tmp_path: Path):
    done = in_process("review", str(tmp_path / "none.jsonl"), "--verdict", "resume", *REVIEW)
    assert done.returncode == 2 and b"no rollback is pending review (no decisions)" in done.stderr


def test_a_blank_reviewer_is_refused(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    done = in_process("review", str(ledger), "--verdict", "resume", "--by", " ", "--reason", "x")
    assert done.returncode == 2 and b"non-blank --by" in done.stderr


def test_check_twice_on_one_run_appends_once_and_says_so(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    again = in_process("check", str(runs["rollback_run"]), *AS_OF, "--ledger", str(ledger))
    assert again.returncode == 20
    assert b"already recorded (nothing appended)" in again.stderr
    assert len(ledger.read_text().splitlines()) == 1


def test_status_of_an_empty_ledger_has_no_state(in_process, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(b"")
    assert _status(in_process, ledger)["state"] is None


def test_status_of_a_broken_ledger_is_exit_3(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    ledger.write_text(ledger.read_text().replace('"run_dir":"', '"run_dir":"x'))
    done = in_process("status", str(ledger))
    assert done.returncode == 3 and b"broken at line 1" in done.stderr


def test_status_tsv_has_one_header_per_table(in_process, runs, tmp_path: Path):
    ledger = tmp_path / "l.jsonl"
    _rolled_back(in_process, runs, ledger)
    out = in_process("status", str(ledger), "--format", "tsv").stdout.decode()
    tables = out.strip().split("\n\n")
    assert [table.splitlines()[0].split("\t")[0] for table in tables] == ["state", "seq", "seq"]


def test_a_keyed_ledger_through_the_cli(in_process, runs, tmp_path: Path, monkeypatch):
    key = tmp_path / "ledger.key"
    key.write_text("a-key-of-at-least-sixteen-bytes\n")
    ledger = tmp_path / "l.jsonl"
    done = in_process(
        "check", str(runs["rollback_run"]), *AS_OF, "--ledger", str(ledger), "--key-file", str(key)
    )
    assert done.returncode == 20
    checked = in_process("verify-ledger", str(ledger), "--key-file", str(key))
    assert checked.returncode == 0 and b"every line's hmac checked" in checked.stdout
    plain = in_process("verify-ledger", str(ledger))
    assert b"1 lines carry an hmac, not checked" in plain.stdout
    refused = in_process("review", str(ledger), "--verdict", "resume", *REVIEW)
    assert refused.returncode == 2 and b"is keyed" in refused.stderr
    monkeypatch.setenv(KEY_ENV, str(key))
    assert in_process("review", str(ledger), "--verdict", "resume", *REVIEW).returncode == 0
    assert _status(in_process, ledger)["state"] == "ROLLED_BACK"


def test_a_keyed_ledger_s_rewritten_last_line_fails_verify_with_the_key(
    in_process, runs, tmp_path: Path
):
    from dragon_governance.ledger_entries import entry_hash

    key = tmp_path / "ledger.key"
    key.write_text("a-key-of-at-least-sixteen-bytes")
    ledger = tmp_path / "l.jsonl"
    for name in ("healthy_run", "rollback_run"):
        in_process(
            "check", str(runs[name]), *AS_OF, "--ledger", str(ledger), "--key-file", str(key)
        )
    lines = ledger.read_text().splitlines()
    last = json.loads(lines[-1])
    last.update(decision="PROCEED", recommended_branch="alpha_first", failing_gates=[])
    last["hash"] = entry_hash({k: v for k, v in last.items() if k not in {"hash", "hmac"}})
    lines[-1] = json.dumps(last, sort_keys=True, separators=(",", ":"))
    ledger.write_text("\n".join(lines) + "\n")
    assert in_process("verify-ledger", str(ledger)).returncode == 0  # what a plain chain proves
    done = in_process("verify-ledger", str(ledger), "--key-file", str(key))
    assert done.returncode == 3 and b"broken at line 2: hmac does not match" in done.stderr


def test_a_short_key_is_a_usage_error(in_process, tmp_path: Path):
    key = tmp_path / "short.key"
    key.write_text("short")
    ledger = tmp_path / "l.jsonl"
    ledger.write_bytes(b"")
    done = in_process("verify-ledger", str(ledger), "--key-file", str(key))
    assert done.returncode == 2 and b"a key needs at least 16" in done.stderr
