"""`dragon run` writes a branch's four RC1 files canonically (the runtime README, Outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragon_compat.cli import main

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "rc1" / "expected"


FILES = ("events.csv", "trades.csv", "equity.csv", "summary.json")


@pytest.mark.parametrize("branch", ["alpha_first", "strict_veto"])
def test_run_on_the_golden_market_writes_the_golden_files(tmp_path, branch):
    data = str(GOLDEN.parent / "input" / "sample_market.parquet")
    assert main(["run", "--branch", branch, "--data", data, "--out", str(tmp_path)]) == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (GOLDEN / branch / name).read_bytes(), name


def test_run_without_data_runs_the_bundled_sample(tmp_path):
    from dragon_compat.sample import bundled_sample_path

    run = ["run", "--branch", "alpha_first", "--out"]
    assert main([*run, str(tmp_path / "default")]) == 0
    assert main([*run, str(tmp_path / "explicit"), "--data", str(bundled_sample_path())]) == 0
    for name in FILES:
        assert (tmp_path / "default" / name).read_bytes() == (
            tmp_path / "explicit" / name
        ).read_bytes(), name


def test_run_with_an_unknown_branch_writes_nothing(tmp_path, capsys):
    assert main(["run", "--branch", "nope", "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()
    assert "rc1_baseline" in capsys.readouterr().err
