"""`dragon run` writes a branch's four RC1 files canonically (rc1-strategy.md §7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_compat.cli import main

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "rc1" / "expected"


@pytest.mark.parametrize("branch", ["alpha_first", "strict_veto"])
def test_run_without_data_writes_the_golden_files_of_the_bundled_sample(tmp_path, branch):
    assert main(["run", "--branch", branch, "--out", str(tmp_path / branch)]) == 0
    for name in ("events.csv", "trades.csv", "equity.csv", "summary.json"):
        written = (tmp_path / branch / name).read_bytes()
        assert written == (GOLDEN / branch / name).read_bytes(), name


def test_run_with_an_unknown_branch_writes_nothing(tmp_path, capsys):
    assert main(["run", "--branch", "nope", "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    assert "rc1_baseline" in capsys.readouterr().err
