"""``dragon-governance`` outside a wide terminal: ``--format tsv|md``, a 60-column
terminal, a long ledger into ``| head``, ``-v``. (NO_COLOR, pipes and ``--json`` purity
are in test_cli.py; what both CLIs share is in tests/integration/test_cli_habits.py.)
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dragon_governance.decision import read_decision
from dragon_governance.errors import EXIT_BROKEN_PIPE
from tests.governance.builders import CONTROL, RunDir
from tests.terminal import in_terminal, plain, read_one_line_then_close, script

GOVERNANCE = script("dragon-governance")
AS_OF = ["--as-of", "2024-10-08"]


@pytest.fixture
def rollback(run: RunDir, tmp_path: Path) -> Path:
    """A decision file for a ROLLBACK_REVIEW_REQUIRED run (monitor health missing)."""
    run.omitted.add("monitor_health.json")
    out = tmp_path / "decision.json"
    from dragon_governance.cli import main

    assert main(["check", str(run.build()), *AS_OF, "--out", str(out), "-q"]) == 20
    return out


@pytest.fixture
def long_ledger(rollback: Path, tmp_path: Path) -> Path:
    """A ledger of 400 entries (its history is far more than a pipe buffer holds): the
    same decision recorded 400 times, built in memory (an append would record it once)."""
    from dragon_governance.ledger_entries import LedgerBuilder, decision_fields

    ledger = tmp_path / "ledger.jsonl"
    decision = read_decision(rollback)
    fields = decision_fields(decision, run_dir="run", rollback_requires_review=True)
    builder = LedgerBuilder()
    start = datetime(2024, 10, 8, 7, 5, tzinfo=UTC)
    for minute in range(400):
        builder.add(fields, recorded_at=start + timedelta(minutes=minute))
    ledger.write_bytes(builder.data())
    return ledger


def _run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from dragon_governance.cli import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_explain_as_tsv_is_one_row_per_reason_then_the_decision(rollback: Path, capsys):
    code, out, _ = _run("explain", str(rollback), "--format", "tsv", capsys=capsys)
    reasons, decision = out.rstrip("\n").split("\n\n")
    header, *rows = [line.split("\t") for line in reasons.splitlines()]
    assert header[:5] == ["gate", "name", "gate_status", "status", "code"]
    document = json.loads(rollback.read_text(encoding="utf-8"))
    assert [row[4] for row in rows] == [
        reason["code"] for gate in document["gates"] for reason in gate["reasons"]
    ]
    fields = dict(line.split("\t") for line in decision.splitlines()[1:])
    assert fields["decision"] == "ROLLBACK_REVIEW_REQUIRED" and code == 20
    assert fields["recommended_branch"] == CONTROL
    assert fields["decision_id"] == document["decision_id"]


def test_explain_as_markdown(rollback: Path, capsys):
    _, out, _ = _run("explain", str(rollback), "--format", "md", capsys=capsys)
    assert out.startswith("**Rollout gates**\n\n| gate | name | gate_status |")
    assert "\n**Rollout decision**\n" in out


def test_history_as_tsv_has_full_decision_ids(long_ledger: Path, capsys):
    code, out, _ = _run("history", str(long_ledger), "--format", "tsv", capsys=capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 401
    assert lines[0].split("\t") == [
        "seq",
        "recorded_at",
        "as_of",
        "decision",
        "recommended_branch",
        "decision_id",
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", lines[1].split("\t")[5])


def test_history_into_head_ends_quietly_with_141(long_ledger: Path):
    for output in (["--json"], []):
        code, first, errors = read_one_line_then_close(
            [*GOVERNANCE, "history", str(long_ledger), *output]
        )
        assert first and code == EXIT_BROKEN_PIPE, errors.decode()
        assert b"Traceback" not in errors and b"Exception ignored" not in errors


def test_history_at_60_columns_keeps_decisions_and_branches_whole(long_ledger: Path):
    code, output = in_terminal([*GOVERNANCE, "history", str(long_ledger)], columns=60)
    text = plain(output)
    assert code == 0
    assert text.count("ROLLBACK_REVIEW_REQUIRED") == 400
    assert text.count(CONTROL) == 400 and "…" not in text


def test_explain_at_60_columns_keeps_the_decision_id_on_one_line(rollback: Path):
    code, output = in_terminal([*GOVERNANCE, "explain", str(rollback)], columns=60)
    decision_id = json.loads(rollback.read_text(encoding="utf-8"))["decision_id"]
    assert code == 20 and f"decision_id {decision_id}" in plain(output)


def test_verbose_logs_the_steps_of_check(run: RunDir, capsys):
    code, _, err = _run("-v", "check", str(run.build()), *AS_OF, "--json", capsys=capsys)
    assert code == 0
    assert re.search(r"^\[\s*\d+\.\d{3}s\] evaluate .+: \d+\.\d{3} s$", err, re.M), err
