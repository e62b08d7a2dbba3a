"""``dragon daily|forward|run`` as a user runs them: exit codes, messages, nothing half-written.

Bad input runs in a subprocess (the real entry point, output piped) to prove the user
sees a message and never a traceback; the run-directory rules run in-process through
``dragon_compat.cli.main``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from dragon_compat.cli import main
from dragon_compat.data.report import Rule
from dragon_compat.data.write import write_bars
from dragon_compat.dragon_strategy import BRANCH_NAMES
from dragon_compat.sample import bundled_sample_path, generate_market
from tests.integration.builders import (
    CANDIDATE,
    EVE_SESSION,
    HOLIDAY,
    MARKET_END,
    NEXT_AFTER_EVE,
    OTHER_SESSION,
    DragonCli,
    snapshot,
)

MANIFEST = "daily_manifest.json"


def _flat(text: str) -> str:
    """``text`` without whitespace: a message matches even where the console wrapped it."""
    return re.sub(r"\s", "", text)


def _names(output: str, text: object) -> bool:
    return _flat(str(text)) in _flat(output)


def _daily(data: Path, as_of: date, out: Path) -> list[str]:
    return ["daily", "--data", str(data), "--as-of", as_of.isoformat(), "--out", str(out)]


def _assert_user_error(done, *, exit_code: int = 2) -> None:
    assert done.returncode == exit_code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ")


@pytest.fixture(scope="module")
def bad_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small CSV whose 4th data row has a negative low and whose 7th row is repeated."""
    path = tmp_path_factory.mktemp("bad") / "bars.csv"
    write_bars(generate_market(6, 8, 5), path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    header, data = rows[0], rows[1:]
    data[3][header.index("low")] = "-1.00"
    data.insert(7, list(data[6]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *data])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- bad input, end to end ---------------------------------------------------------------


def test_garbage_parquet_exits_2_naming_the_file_and_writes_nothing(
    dragon_cli: DragonCli, tmp_path: Path
):
    data = tmp_path / "bars.parquet"
    data.write_bytes(b"\x00garbage, not parquet\xff" * 40)
    out = tmp_path / "run"
    done = dragon_cli("daily", "--data", data, "--out", out)
    _assert_user_error(done)
    assert _names(done.stderr, data)
    assert "Parquet" in done.stderr
    assert not out.exists()


def test_invalid_csv_exits_2_naming_the_file_rows_and_rules(
    dragon_cli: DragonCli, bad_csv: Path, tmp_path: Path
):
    out = tmp_path / "run"
    done = dragon_cli("daily", "--data", bad_csv, "--out", out)
    _assert_user_error(done)
    assert _names(done.stderr, bad_csv)
    assert _names(done.stderr, f"row 4, column 'low': {Rule.NON_POSITIVE_PRICE}")
    assert _names(done.stderr, f"row 8, column 'symbol': {Rule.DUPLICATE_ROW}")
    assert not out.exists()


def test_invalid_data_leaves_an_existing_run_untouched(
    dragon_cli: DragonCli, bad_csv: Path, run_copy: Path
):
    before = snapshot(run_copy)
    done = dragon_cli("daily", "--data", bad_csv, "--out", run_copy, "--force")
    _assert_user_error(done)
    assert snapshot(run_copy) == before


def test_as_of_outside_the_data_exits_2_naming_the_range(
    dragon_cli: DragonCli, market_path: Path, market, tmp_path: Path
):
    first = market.bars["trade_date"].min().date().isoformat()
    out = tmp_path / "run"
    done = dragon_cli("daily", "--data", market_path, "--as-of", "2025-01-06", "--out", out)
    _assert_user_error(done)
    assert _names(done.stderr, f"{first} .. {MARKET_END.isoformat()}")
    assert _names(done.stderr, "2025-01-06")
    assert not out.exists()


def test_forward_on_a_missing_run_dir_exits_2(dragon_cli: DragonCli, tmp_path: Path):
    missing = tmp_path / "no-such-run"
    done = dragon_cli("forward", missing, "--governance", "off")
    _assert_user_error(done)
    assert _names(done.stderr, missing)
    assert not missing.exists()


def test_forward_on_a_run_without_manifest_exits_2(dragon_cli: DragonCli, run_copy: Path):
    (run_copy / MANIFEST).unlink()
    done = dragon_cli("forward", run_copy)
    _assert_user_error(done)
    assert _names(done.stderr, run_copy / MANIFEST)
    assert not (run_copy / "forward_plan.json").exists()


def test_forward_on_damaged_events_exits_2_naming_the_file(dragon_cli: DragonCli, run_copy: Path):
    events = run_copy / "branches" / CANDIDATE / "events.csv"
    events.write_bytes(b"\x00\x01 not a csv")
    done = dragon_cli("forward", run_copy, "--governance", "off")
    _assert_user_error(done)
    assert _names(done.stderr, events)
    assert not (run_copy / "forward_plan.json").exists()


def test_run_with_an_unknown_branch_exits_2_listing_the_branches(
    dragon_cli: DragonCli, tmp_path: Path
):
    done = dragon_cli("run", "--branch", "nope", "--out", tmp_path / "out")
    _assert_user_error(done)
    assert "'nope'" in done.stderr
    for branch in BRANCH_NAMES:
        assert _names(done.stderr, branch)
    assert not (tmp_path / "out").exists()


# --- the happy path through the real entry point -------------------------------------------


def test_daily_then_forward_from_the_command_line(
    dragon_cli: DragonCli, market_path: Path, tmp_path: Path
):
    out = tmp_path / "run"
    daily = dragon_cli("daily", "--data", market_path, "--as-of", HOLIDAY.isoformat(), "--out", out)
    assert daily.returncode == 0, daily.stderr
    assert any(str(out) in line for line in daily.stdout.splitlines()), daily.stdout
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["as_of"] == EVE_SESSION.isoformat()

    forward = dragon_cli("forward", out, "--governance", "shadow")
    assert forward.returncode == 0, forward.stderr
    plan = json.loads((out / "forward_plan.json").read_text(encoding="utf-8"))
    assert plan["next_session"] == NEXT_AFTER_EVE.isoformat()
    assert f"orders for {NEXT_AFTER_EVE.isoformat()}" in forward.stdout
    assert plan["governance"]["decision"] in forward.stdout
    plan_path = str(out / "forward_plan.json")
    assert any(line.endswith(plan_path) for line in forward.stdout.splitlines()), forward.stdout
    assert "\x1b[" not in daily.stdout + forward.stdout


# --- run-directory rules through the CLI ---------------------------------------------------


def test_daily_refuses_a_directory_holding_another_run_and_changes_nothing(
    market_path: Path, run_copy: Path, capsys: pytest.CaptureFixture[str]
):
    before = snapshot(run_copy)
    code = main(_daily(market_path, OTHER_SESSION, run_copy))
    assert code == 2
    assert "--force" in capsys.readouterr().err
    assert snapshot(run_copy) == before


def test_daily_force_overwrites_a_directory_holding_another_run(
    market_path: Path, run_copy: Path, capsys: pytest.CaptureFixture[str]
):
    code = main([*_daily(market_path, OTHER_SESSION, run_copy), "--force"])
    capsys.readouterr()
    assert code == 0
    manifest = json.loads((run_copy / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["as_of"] == OTHER_SESSION.isoformat()


def test_daily_refuses_a_non_empty_directory_that_is_not_a_run(
    market_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8\xff")
    code = main(["daily", "--data", str(market_path), "--out", str(foreign)])
    assert code == 2
    assert "not a Dragon run directory" in capsys.readouterr().err
    assert snapshot(foreign) == {"cat.jpg": b"\xff\xd8\xff"}


def test_daily_rerun_of_the_same_session_is_allowed(
    market_path: Path, run_copy: Path, capsys: pytest.CaptureFixture[str]
):
    before = snapshot(run_copy)
    code = main(_daily(market_path, EVE_SESSION, run_copy))
    capsys.readouterr()
    assert code == 0
    assert snapshot(run_copy) == before


def test_as_of_that_is_not_an_iso_date_is_a_usage_error(
    market_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    with pytest.raises(SystemExit) as caught:
        main(["daily", "--data", str(market_path), "--as-of", "30/09/2024", "--out", str(tmp_path)])
    assert caught.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_daily_prints_a_data_path_with_brackets_as_it_is(
    market_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    data = tmp_path / "[q3]" / "bars.parquet"
    data.parent.mkdir()
    data.write_bytes(market_path.read_bytes())
    code = main(_daily(data, EVE_SESSION, tmp_path / "run"))
    assert code == 0
    assert _names(capsys.readouterr().out, data)


def test_daily_without_data_runs_the_bundled_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    sample = bundled_sample_path()
    assert main(["daily", "--out", str(tmp_path / "run")]) == 0
    assert "bundled sample" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "run" / MANIFEST).read_text(encoding="utf-8"))
    digest = hashlib.sha256(sample.read_bytes()).hexdigest()
    assert manifest["inputs"] == [
        {"path": f"bundled-sample/{sample.name}", "role": "bars", "sha256": digest}
    ]
