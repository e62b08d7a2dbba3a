"""`dragon sweep` end to end: dask runs (a LocalCluster of two worker processes, and a
real `dask scheduler` + `dask worker` started here) give the serial in-process bytes,
a killed sweep resumes to the same table, failing cells get failed rows and exit 4,
grid mistakes exit 2 before anything runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dragon_compat.cli import main
from dragon_compat.data.write import write_bars
from dragon_compat.errors import EXIT_CELLS_FAILED
from dragon_compat.rundir import SWEEP_CELLS_DIR, SWEEP_OUTPUTS_DIR, SWEEP_RESULTS_FILE
from dragon_compat.sample import generate_market
from tests.compat.sweep_builders import THREE_BRANCHES
from tests.integration.builders import piped_env

END = date(2024, 6, 28)
BRANCHES = THREE_BRANCHES
GRID = (
    BRANCHES
    + """
[[window]]               # the whole data
start = 2023-01-01
end = 2024-12-31

[rolling]
length = 40
step = 40

[[universe]]
name = "all"

[[universe]]
name = "growth"
boards = ["chinext", "star"]

[[policy]]
name = "rc1"
candidate = "alpha_first"
reference = "rc1_baseline"
control = "alpha_first_selective_veto"
"""
)
STRICT_POLICY = """
schema = "dragon.governance_policy/1"
name = "strict"
warning_streak_limit = 1
lag_warn_sessions = 1
lag_fail_sessions = 2
fallback_branch = "alpha_first_selective_veto"
"""
FAILING = """
[[window]]               # after the data: no session
start = 2030-01-01
end = 2030-03-01

[[universe]]
name = "nobody"
symbols = ["999999.SH"]
"""


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep-market") / "bars.parquet"
    write_bars(generate_market(40, 120, 11, end=END), path)
    return path


def _grid(folder: Path, text: str = GRID) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    grid = folder / "grid.toml"
    grid.write_text(text, encoding="utf-8")
    return grid


def _sweep(grid: Path, market: Path, out: Path, *flags: str) -> int:
    return main(["sweep", str(grid), "--data", str(market), "--out", str(out), "-q", *flags])


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def serial(market: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: the grid run serially in this process, outputs kept."""
    root = tmp_path_factory.mktemp("serial")
    out = root / "out"
    assert _sweep(_grid(root), market, out, "--workers", "0", "--keep-outputs") == 0
    return out


def test_the_table_has_one_row_per_cell_in_grid_order(serial: Path) -> None:
    table = pq.read_table(serial / SWEEP_RESULTS_FILE).to_pylist()
    # 1 whole-data window + 3 rolling windows of 40 sessions (120 sessions), 2 universes
    assert len(table) == 4 * 2 * 3
    assert [row["cell"] for row in table] == list(range(24))
    assert {row["status"] for row in table} == {"ok"}
    assert [row["branch"] for row in table[:3]] == [
        "rc1_baseline",
        "alpha_first",
        "alpha_first_selective_veto",
    ]
    assert [row["sessions"] for row in table[3::3]][:3] == [40, 40, 40]
    assert all(row["final_equity"] > 0 for row in table)


def _policy_values(row: dict[str, object], policy: str = "rc1") -> dict[str, object]:
    return {name: value for name, value in row.items() if name.startswith(f"{policy}.")}


def test_every_row_has_its_groups_replayed_decisions_and_states(serial: Path) -> None:
    table = pq.read_table(serial / SWEEP_RESULTS_FILE).to_pylist()
    decisions = ("PROCEED", "HOLD", "ROLLBACK_REVIEW_REQUIRED")
    states = ("CANDIDATE_ACTIVE", "HELD", "ROLLED_BACK_PENDING_REVIEW", "ROLLED_BACK", "RETIRED")
    for group in zip(table[::3], table[1::3], table[2::3], strict=True):
        values = _policy_values(group[0])
        assert list(values) == [f"rc1.{n}" for n in (*decisions, *states, "rollbacks", "flips")]
        assert all(_policy_values(row) == values for row in group)  # one replay per group
        sessions = group[0]["sessions"]
        assert sum(values[f"rc1.{n}"] for n in decisions) == sessions  # type: ignore[misc]
        assert sum(values[f"rc1.{n}"] for n in states) == sessions  # type: ignore[misc]
    assert len({tuple(_policy_values(row).values()) for row in table}) > 1


def test_a_local_cluster_of_two_workers_equals_the_serial_sweep(
    serial: Path, market: Path, tmp_path: Path
) -> None:
    for ship in ("path", "scatter"):
        out = tmp_path / ship
        flags = ("--workers", "2", "--keep-outputs", "--ship", ship)
        assert _sweep(_grid(tmp_path), market, out, *flags) == 0
        assert _files(out) == _files(serial), ship
    assert "rc1.PROCEED" in pq.read_schema(serial / SWEEP_RESULTS_FILE).names  # compared too


def test_a_whole_data_cell_of_every_symbol_is_dragon_run(
    serial: Path, market: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    assert (
        main(["run", "--data", str(market), "--branch", "alpha_first", "--out", str(run), "-q"])
        == 0
    )
    cell = serial / SWEEP_OUTPUTS_DIR / "all" / "2023-01-01_2024-12-31" / "alpha_first"
    assert _files(cell) == _files(run)
    row = pq.read_table(serial / SWEEP_RESULTS_FILE).to_pylist()[1]
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert row["trades"] == summary["trades"]


def test_policy_columns_are_what_dragon_replay_gives_for_the_window_and_branches(
    market: Path, tmp_path: Path
) -> None:
    days = pq.read_table(market, columns=["trade_date"]).column(0).to_pylist()
    sessions = sorted({day.date() for day in days})
    start, end = sessions[50], sessions[89]
    (tmp_path / "branches.toml").write_text(BRANCHES, encoding="utf-8")
    (tmp_path / "strict.toml").write_text(STRICT_POLICY, encoding="utf-8")
    default = ("alpha_first", "rc1_baseline", "alpha_first_selective_veto")
    roles = {  # strict shares rc1's replay (same roles); veto has a replay of its own
        "rc1": (default, None),
        "strict": (default, "strict.toml"),
        "veto": (("alpha_first_selective_veto", "rc1_baseline", "alpha_first"), None),
    }
    policies = "".join(
        f'[[policy]]\nname = "{name}"\ncandidate = "{candidate}"\n'
        f'reference = "{reference}"\ncontrol = "{control}"\n'
        + (f'file = "{policy}"\n' if policy else "")
        for name, ((candidate, reference, control), policy) in roles.items()
    )
    grid = _grid(
        tmp_path,
        f'branches = "branches.toml"\n[[window]]\nstart = {start}\nend = {end}\n{policies}',
    )
    assert _sweep(grid, market, tmp_path / "out", "--workers", "0") == 0
    row = pq.read_table(tmp_path / "out" / SWEEP_RESULTS_FILE).to_pylist()[0]
    for name, ((candidate, reference, control), policy) in roles.items():
        replay = tmp_path / f"replay-{name}"
        command = ["replay", "--data", str(market), "--branches", str(tmp_path / "branches.toml")]
        command += ["--candidate", candidate, "--reference", reference, "--control", control]
        command += ["--policy", str(tmp_path / policy)] if policy else []
        command += ["--from", start.isoformat(), "--to", end.isoformat(), "--out", str(replay)]
        assert main([*command, "-q"]) == 0
        (summary,) = json.loads((replay / "summary.json").read_text(encoding="utf-8"))["policies"]
        assert summary["sessions"] == row["sessions"] == 40
        counts = {**summary["sessions_per_decision"], **summary["sessions_per_state"]}
        counts |= {"rollbacks": summary["rollbacks"], "flips": summary["flips"]}
        values = {key.split(".", 1)[1]: value for key, value in _policy_values(row, name).items()}
        assert {key: value for key, value in values.items() if value} == {
            key: value for key, value in counts.items() if value
        }
        assert set(counts) <= set(values)
    assert _policy_values(row, "strict") != {  # the policies judged apart in one replay
        key.replace("rc1.", "strict."): value for key, value in _policy_values(row).items()
    }


def test_finished_cells_are_skipped_and_a_changed_universe_runs_again(
    serial: Path, market: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    grid = _grid(tmp_path)
    assert _sweep(grid, market, out, "--workers", "0") == 0
    capsys.readouterr()
    assert _sweep(grid, market, out, "--workers", "0", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["ran"], document["skipped"]) == (0, 24)
    assert (out / SWEEP_RESULTS_FILE).read_bytes() == (serial / SWEEP_RESULTS_FILE).read_bytes()
    stored = sorted((out / SWEEP_CELLS_DIR).glob("*.json"))[0]  # as stored before policies
    row = json.loads(stored.read_text(encoding="utf-8"))
    stored.write_text(json.dumps({k: v for k, v in row.items() if "." not in k}), encoding="utf-8")
    assert _sweep(grid, market, out, "--workers", "0", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["ran"], document["skipped"]) == (1, 23)
    assert (out / SWEEP_RESULTS_FILE).read_bytes() == (serial / SWEEP_RESULTS_FILE).read_bytes()
    _grid(tmp_path, GRID.replace('boards = ["chinext", "star"]', 'boards = ["chinext"]'))
    assert _sweep(grid, market, out, "--workers", "0", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["ran"], document["skipped"]) == (12, 12)  # the growth universe's cells


def test_failing_cells_get_failed_rows_and_the_sweep_goes_on(market: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        _sweep(_grid(tmp_path, GRID + FAILING), market, out, "--workers", "0") == EXIT_CELLS_FAILED
    )
    rows = pq.read_table(out / SWEEP_RESULTS_FILE).to_pylist()
    failed = [row for row in rows if row["status"] == "failed"]
    ok = [row for row in rows if row["status"] == "ok"]
    assert len(rows) == 5 * 3 * 3 and len(ok) == 4 * 2 * 3
    assert all(row["error"] for row in failed) and all(
        row["final_equity"] is None for row in failed
    )
    no_session = {row["error"] for row in failed if row["window_start"] == date(2030, 1, 1)}
    assert no_session == {"window 2030-01-01..2030-03-01: the data has no session in it"}
    nobody = {row["error"] for row in failed if row["universe"] == "nobody"}
    assert any("universe 'nobody': selects no symbol" in error for error in nobody)


def test_a_grid_mistake_exits_2_naming_the_key_before_loading_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = _grid(tmp_path, GRID.replace("step = 40", "step = 40\nstride = 2"))
    assert _sweep(grid, tmp_path / "no-such.parquet", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "[rolling]: unknown key 'stride'" in err and "no-such" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("link", ["cells", "outputs"])
def test_a_symbolic_link_in_the_output_directory_is_refused_and_nothing_written_through_it(
    market: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    outside, out = tmp_path / "outside", tmp_path / "out"
    outside.mkdir()
    out.mkdir()
    (out / link).symlink_to(outside, target_is_directory=True)
    grid = _grid(tmp_path / "grid")
    assert _sweep(grid, market, out, "--workers", "0", "--keep-outputs") == 2
    assert f"{out / link}: is a symbolic link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []
    assert sorted(path.name for path in out.iterdir()) == [link]


def test_without_the_extra_it_exits_2_naming_it(
    market: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import dragon_compat.sweep

    monkeypatch.setattr(dragon_compat.sweep, "dask_available", lambda: False)
    assert _sweep(_grid(tmp_path), market, tmp_path / "out") == 2
    assert "pip install 'dragon-compat[sweep]'" in capsys.readouterr().err


def test_a_killed_sweep_run_again_finishes_with_identical_results(
    serial: Path, market: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    grid = _grid(tmp_path)
    command = [sys.executable, "-m", "dragon_compat", "sweep", str(grid), "--data", str(market)]
    command += ["--out", str(out), "--workers", "0", "-q"]
    process = subprocess.Popen(command, env=piped_env(), stdout=subprocess.DEVNULL)
    cells = out / SWEEP_CELLS_DIR
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if cells.is_dir() and len(list(cells.glob("*.json"))) >= 3:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = len(list(cells.glob("*.json")))
    assert 3 <= finished < 24, "the kill came after the sweep ended"
    assert not (out / SWEEP_RESULTS_FILE).exists()
    again = subprocess.run(
        [*command, "--json"], check=False, env=piped_env(), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    document = json.loads(again.stdout)
    assert document["skipped"] >= finished and document["ran"] == 24 - document["skipped"]
    assert (out / SWEEP_RESULTS_FILE).read_bytes() == (serial / SWEEP_RESULTS_FILE).read_bytes()


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real `dask scheduler` and one `dask worker` (two processes) on 127.0.0.1."""
    dask = str(Path(sys.executable).parent / "dask")
    info = tmp_path / "scheduler.json"
    env = piped_env({"PYTHONUNBUFFERED": "1"})
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen(
        [
            dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--scheduler-file",
            str(info),
            *common,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text(encoding="utf-8"))["address"]
        worker = subprocess.Popen(
            [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", *common],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=tmp_path,
        )
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.send_signal(signal.SIGTERM)
        for process in (worker, scheduler):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()


def test_a_real_scheduler_and_workers_run_the_sweep(
    serial: Path, market: Path, tmp_path: Path, dask_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert dask_cluster.startswith("tcp://127.0.0.1:")
    client = tmp_path / "client"
    client.mkdir()
    monkeypatch.chdir(client)  # the workers run elsewhere: a relative --out is ours
    grid = _grid(tmp_path / "g")
    assert _sweep(grid, market, Path("out"), "--scheduler", dask_cluster, "--keep-outputs") == 0
    assert _files(client / "out") == _files(serial)


def test_an_unreachable_scheduler_exits_2(
    market: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import dragon_compat.sweep.engine

    monkeypatch.setattr(dragon_compat.sweep.engine, "CONNECT_TIMEOUT", "1s")
    code = _sweep(_grid(tmp_path), market, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 2
    assert (
        "--scheduler tcp://127.0.0.1:9: cannot reach the dask scheduler" in capsys.readouterr().err
    )
