"""``dragon-governance check`` when its writes fail: a full disk, read-only storage, a
denied write or an I/O error while writing the decision (``RUN_DIR/rollout_decision.json``
or ``--out``) or appending to ``--ledger`` is exit 2 naming the file, never a
traceback, and the previous decision / ledger stays intact.

Faults are injected at the system calls (:mod:`tests.faults`); ``cli.main`` runs in
this process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_governance import cli
from tests.faults import FAULTS, inject, reason
from tests.governance.builders import RunDir

AS_OF = ["--as-of", "2024-10-08"]


@pytest.fixture(autouse=True)
def _no_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")  # what main() would set


def _stderr(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return " ".join(err.split())  # the console may wrap a long line


@pytest.mark.parametrize("fault", FAULTS)
def test_a_decision_that_cannot_be_written_exits_2_and_keeps_the_previous_one(
    run: RunDir, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fault: str
):
    run_dir = run.build()
    decision = run_dir / "rollout_decision.json"
    decision.write_text('{"the previous": "decision"}\n', encoding="utf-8")
    inject(monkeypatch, fault, run_dir)
    assert cli.main(["check", str(run_dir), *AS_OF]) == 2
    err = _stderr(capsys)
    assert str(decision) in err
    assert reason(fault) in err
    assert decision.read_text(encoding="utf-8") == '{"the previous": "decision"}\n'
    assert sorted(p.name for p in run_dir.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("fault", FAULTS)
def test_out_that_cannot_be_written_exits_2_naming_it(
    run: RunDir,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    run_dir = run.build()
    elsewhere = tmp_path / "decisions"
    elsewhere.mkdir()
    out = elsewhere / "decision.json"
    inject(monkeypatch, fault, elsewhere)
    assert cli.main(["check", str(run_dir), *AS_OF, "--out", str(out)]) == 2
    err = _stderr(capsys)
    assert str(out) in err
    assert reason(fault) in err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("fault", FAULTS)
def test_a_ledger_that_cannot_be_appended_exits_2_and_keeps_its_lines(
    run: RunDir,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    run_dir = run.build()
    books = tmp_path / "books"
    books.mkdir()
    ledger = books / "ledger.jsonl"
    assert cli.main(["check", str(run_dir), *AS_OF, "--ledger", str(ledger)]) == 0
    before = ledger.read_bytes()
    capsys.readouterr()
    inject(monkeypatch, fault, books)
    next_day = ["--as-of", "2024-10-09"]  # a new decision (the same one is not appended twice)
    assert cli.main(["check", str(run_dir), *next_day, "--ledger", str(ledger)]) == 2
    err = _stderr(capsys)
    assert str(ledger) in err
    assert reason(fault) in err
    assert ledger.read_bytes() == before
