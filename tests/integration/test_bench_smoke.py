"""``benchmarks/bench.py`` (``hatch run bench``) end to end on a tiny market.

Not a timed test: it proves the machinery — the cached market, the fresh worker
processes, the table with every row the issue asks for, the JSON, profiling and a
failing worker — on 50 symbols × 60 sessions. Timings are never asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dragon_compat.dragon_strategy import BRANCH_NAMES

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench.py"
SIZE = ["--symbols", "50", "--sessions", "60", "--seed", "5"]

LOOP_STEPS = [f"loop:{name}" for name in BRANCH_NAMES]
STEPS = [
    "floor_read",
    "floor_pass",
    "floor",
    "load_parquet",
    "load_csv",
    "load_csv_whole",
    "limits",
    "features",
    "panel",
    "predicates",
    "prepare",
    *LOOP_STEPS,
    "write",
    "whole",
    "dragon_run",
    "peak_rss",
    "replay",
    "replay_to_whole",
    "sample_daily",
    "sample_replay",
    "sample_replay_to_daily",
]
"""Every row the issues ask for: floor, load (Parquet, the CSV copy, the whole-market
CSV), features and the rest of prepare, each branch loop, writing outputs, the whole
run, the fresh one-branch ``dragon run`` process, the peak RSS, the replay against the
whole run and the bundled sample's replay against its daily run."""
TARGETED = {
    "load_parquet",
    "load_csv_whole",
    "features",
    *LOOP_STEPS,
    "whole",
    "dragon_run",
    "peak_rss",
    "replay_to_whole",
    "sample_replay_to_daily",
}


def _bench(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS")}
    return subprocess.run(
        [sys.executable, str(BENCH), *SIZE, *map(str, args)],
        capture_output=True,
        text=True,
        env={**env, "NO_COLOR": "1"},
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two runs on one cache: a plain first run, then a profiled second one that asks
    for a CSV copy of at most 1,000 rows."""
    root = tmp_path_factory.mktemp("bench")
    cache = root / "cache"
    first = _bench("--cache-dir", cache, "--json", root / "first.json")
    parquet = next(cache.glob("market-*/bars.parquet"))
    first_mtime = parquet.stat().st_mtime_ns
    second = _bench(
        "--cache-dir", cache, "--json", root / "second.json", "--profile", root / "profile",
        "--csv-rows", "1000",
    )  # fmt: skip
    for run in (first, second):
        assert run.returncode == 0, run.stderr
    return {
        "root": root,
        "cache": cache,
        "first": first,
        "second": second,
        "first_json": json.loads((root / "first.json").read_text()),
        "second_json": json.loads((root / "second.json").read_text()),
        "parquet": parquet,
        "first_mtime": first_mtime,
    }


def _rows(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["step"]: row for row in payload["rows"]}


def test_json_has_every_step_in_table_order(runs: dict[str, Any]) -> None:
    assert [row["step"] for row in runs["first_json"]["rows"]] == STEPS


def test_table_prints_every_row_and_a_verdict(runs: dict[str, Any]) -> None:
    out = runs["first"].stdout
    for row in runs["first_json"]["rows"]:
        assert row["label"] in out
    assert ("PASS every target" in out) != ("MISS " in out)


def test_targeted_rows_carry_pass_or_miss(runs: dict[str, Any]) -> None:
    statuses = {step: row["status"] for step, row in _rows(runs["first_json"]).items()}
    assert {step for step, status in statuses.items() if status is not None} == TARGETED
    assert {statuses[step] for step in TARGETED} <= {"PASS", "MISS"}


def test_missed_lists_exactly_the_miss_rows(runs: dict[str, Any]) -> None:
    payload = runs["first_json"]
    assert payload["missed"] == [r["step"] for r in payload["rows"] if r["status"] == "MISS"]


def test_every_step_row_is_measured(runs: dict[str, Any]) -> None:
    for step, row in _rows(runs["first_json"]).items():
        if step in ("peak_rss", "replay_to_whole", "sample_replay_to_daily"):
            continue
        assert row["seconds"] > 0, step
        if not step.startswith("sample_"):  # whole processes: no rows of their own
            assert row["rows"] > 0, step
        assert row["peak_rss"] > 0, step


def test_replay_ratios_are_against_the_whole_run_and_the_sample_daily(runs: dict[str, Any]):
    rows = _rows(runs["first_json"])
    assert rows["replay_to_whole"]["ratio"] == pytest.approx(
        rows["replay"]["seconds"] / rows["whole"]["seconds"]
    )
    assert rows["sample_replay_to_daily"]["ratio"] == pytest.approx(
        rows["sample_replay"]["seconds"] / rows["sample_daily"]["seconds"]
    )


def test_whole_run_is_the_sum_of_its_steps(runs: dict[str, Any]) -> None:
    rows = _rows(runs["first_json"])
    parts = ["load_parquet", "limits", "features", "panel", "predicates", *LOOP_STEPS, "write"]
    assert rows["whole"]["seconds"] == pytest.approx(sum(rows[p]["seconds"] for p in parts))
    assert rows["prepare"]["seconds"] == pytest.approx(
        sum(rows[p]["seconds"] for p in ("limits", "features", "panel", "predicates"))
    )


def test_ratios_are_against_the_floor_of_the_same_run(runs: dict[str, Any]) -> None:
    rows = _rows(runs["first_json"])
    floor = rows["floor"]["seconds"]
    assert floor == pytest.approx(rows["floor_read"]["seconds"] + rows["floor_pass"]["seconds"])
    assert rows["whole"]["ratio"] == pytest.approx(rows["whole"]["seconds"] / floor)
    assert rows["features"]["ratio"] == pytest.approx(rows["features"]["seconds"] / floor)
    assert rows["dragon_run"]["ratio"] == pytest.approx(rows["dragon_run"]["seconds"] / floor)
    read = rows["floor_read"]["seconds"]
    assert rows["load_parquet"]["ratio"] == pytest.approx(rows["load_parquet"]["seconds"] / read)
    load = rows["load_parquet"]["seconds"]
    whole_csv = rows["load_csv_whole"]
    assert whole_csv["ratio"] == pytest.approx(whole_csv["seconds"] / load)


def test_sys_share_is_system_over_cpu_seconds(runs: dict[str, Any]) -> None:
    for step, row in _rows(runs["first_json"]).items():
        if row["cpu_seconds"]:
            assert row["sys_share"] == pytest.approx(row["sys_seconds"] / row["cpu_seconds"]), step
    assert "sys share" in runs["first"].stdout


def test_the_one_branch_process_is_a_real_dragon_run(runs: dict[str, Any]) -> None:
    process = runs["first_json"]["workers"]["dragon_run"]["process"]
    assert process["command"][1:3] == ["run", "--data"]
    assert process["returncode"] == 0
    assert process["peak_rss"] > 0


def test_peak_rss_row_is_the_largest_step_peak_of_the_whole_run(runs: dict[str, Any]) -> None:
    rows = _rows(runs["first_json"])
    whole_steps = ["load_parquet", "limits", "features", "panel", "predicates", *LOOP_STEPS]
    peaks = [rows[step]["peak_rss"] for step in [*whole_steps, "write"]]
    assert rows["peak_rss"]["peak_rss"] == max(peaks)


def test_market_is_generated_once_then_reused(runs: dict[str, Any]) -> None:
    assert runs["first_json"]["market"]["generated"] is True
    assert runs["second_json"]["market"]["generated"] is False
    assert runs["parquet"].stat().st_mtime_ns == runs["first_mtime"]
    assert "building the cached market" in runs["first"].stderr
    assert "building the cached market" not in runs["second"].stderr


def test_market_cache_is_keyed_by_size_seed_and_version(runs: dict[str, Any]) -> None:
    market = runs["first_json"]["market"]
    version = runs["first_json"]["machine"]["versions"]["dragon-compat"]
    assert Path(market["folder"]).name == f"market-50x60-seed5-compat{version}"
    assert (market["symbols"], market["sessions"], market["seed"]) == (50, 60, 5)


def test_small_market_csv_copy_is_the_whole_market(runs: dict[str, Any]) -> None:
    payload = runs["first_json"]
    assert payload["csv_copy"]["rows"] == payload["market"]["rows"]
    assert _rows(payload)["load_csv"]["rows"] == payload["market"]["rows"]


def test_csv_copy_is_cut_at_whole_sessions(runs: dict[str, Any]) -> None:
    payload = runs["second_json"]
    copy = payload["csv_copy"]
    assert 0 < copy["rows"] <= 1000
    assert copy["sessions"] < 60
    assert _rows(payload)["load_csv"]["rows"] == copy["rows"]
    assert f"first {copy['sessions']:,} sessions only" in _rows(payload)["load_csv"]["label"]
    assert "writing the CSV copy bars-csv-1000.csv" in runs["second"].stderr


def test_the_whole_market_csv_is_a_second_copy_when_the_first_is_cut(runs: dict[str, Any]) -> None:
    payload = runs["second_json"]
    assert "writing the CSV copy bars-csv-all.csv" in runs["second"].stderr
    assert _rows(payload)["load_csv_whole"]["rows"] == payload["market"]["rows"]


def test_branch_outputs_are_identical_across_runs(runs: dict[str, Any]) -> None:
    def files(payload: dict[str, Any]) -> dict[str, Any]:
        branches = payload["workers"]["pipeline"]["branches"]
        return {name: branch["files"] for name, branch in branches.items()}

    first = files(runs["first_json"])
    assert sorted(first) == sorted(BRANCH_NAMES)
    assert first == files(runs["second_json"])


def test_profile_writes_stats_for_every_pipeline_step(runs: dict[str, Any]) -> None:
    profiled = runs["root"] / "profile" / "pipeline"
    stems = {path.stem.split("-", 1)[1] for path in profiled.glob("*.pstats")}
    expected = {"imports", "load_parquet", "limits", "features", "panel", "predicates", "write"}
    expected |= {step.replace(":", "_") for step in LOOP_STEPS}
    assert stems == expected
    assert "PROFILED" in runs["second"].stdout


def test_failing_worker_exits_one_and_names_it(tmp_path: Path, runs: dict[str, Any]) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(runs["cache"], cache)
    next(cache.glob("market-*/bars.parquet")).write_bytes(b"not parquet")
    done = _bench("--cache-dir", cache)
    assert done.returncode == 1
    assert "the floor worker failed" in done.stderr
