"""Run-directory safety: confinement (no symbolic link among the paths a pipeline writes
or reads) and litter (the temp files of a killed write are recognised and removed on the
next run of the same directory; they never make a directory foreign).

Symbolic links are refused wherever they point — outside RUN_DIR or inside it — with
exit 2 naming the link, before anything is written; RUN_DIR itself may be a link.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dragon_compat.cli import main
from dragon_compat.errors import DragonUserError
from dragon_compat.market_input import MarketInput
from dragon_compat.pipelines.daily import DailyRun, run_daily
from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from tests.integration.builders import CANDIDATE, EVE_SESSION, DragonCli, piped_env, snapshot

TEMP_PREFIX = ".dragon-tmp-"


def _litter(root: Path) -> list[str]:
    return [p for p in snapshot(root) if Path(p).name.startswith(TEMP_PREFIX)]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside the run, with a file the run must never touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "events.csv").write_text("not a run's file\n", encoding="utf-8")
    return folder


# --- confinement: dragon daily -----------------------------------------------------------


def test_daily_refuses_a_branches_directory_replaced_by_a_link_and_writes_nothing(
    run_copy: Path, market: MarketInput, outside: Path, tmp_path: Path
):
    shutil.copytree(run_copy / "branches", outside / "branches")
    shutil.rmtree(run_copy / "branches")
    (run_copy / "branches").symlink_to(outside / "branches")
    before_run, before_outside = snapshot(run_copy), snapshot(outside)
    with pytest.raises(DragonUserError) as caught:
        run_daily(market, run_copy, as_of=EVE_SESSION)
    assert str(caught.value).startswith(f"{run_copy / 'branches'}: is a symbolic link")
    assert snapshot(outside) == before_outside
    assert snapshot(run_copy) == before_run


@pytest.mark.parametrize(
    "link",
    [f"branches/{CANDIDATE}", f"branches/{CANDIDATE}/events.csv", "monitor_health.json",
     "daily_manifest.json", ".dragon-run.json"],
)  # fmt: skip
def test_daily_refuses_a_link_to_outside_at_any_path_it_writes(
    run_copy: Path, market: MarketInput, outside: Path, link: str
):
    path = run_copy / link
    target = outside / "events.csv" if path.suffix else outside
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    path.symlink_to(target)
    before = snapshot(outside)
    with pytest.raises(DragonUserError, match=r"is a symbolic link"):
        run_daily(market, run_copy, as_of=EVE_SESSION, force=True)
    assert snapshot(outside) == before


def test_daily_refuses_a_link_that_stays_inside_the_run_directory(
    run_copy: Path, market: MarketInput
):
    shutil.rmtree(run_copy / "branches" / "strict_veto")
    (run_copy / "branches" / "strict_veto").symlink_to(run_copy / "branches" / CANDIDATE)
    before = snapshot(run_copy)
    with pytest.raises(DragonUserError, match=r"strict_veto: is a symbolic link"):
        run_daily(market, run_copy, as_of=EVE_SESSION)
    assert snapshot(run_copy) == before


def test_daily_refuses_a_special_file_where_it_writes_one(run_copy: Path, market: MarketInput):
    (run_copy / "divergence.json").unlink()
    os.mkfifo(run_copy / "divergence.json")
    with pytest.raises(DragonUserError, match=r"divergence.json: exists and is not a regular"):
        run_daily(market, run_copy, as_of=EVE_SESSION)


def test_a_fifo_as_the_marker_is_refused_without_blocking(
    run_copy: Path, market_path: Path, dragon_cli: DragonCli
):
    (run_copy / ".dragon-run.json").unlink()
    os.mkfifo(run_copy / ".dragon-run.json")
    done = dragon_cli("daily", "--data", market_path, "--as-of", EVE_SESSION.isoformat(),
                      "--out", run_copy)  # fmt: skip
    assert done.returncode == 2
    assert ".dragon-run.json: exists and is not a regular file" in done.stderr


def test_daily_refuses_a_file_where_it_needs_a_directory(run_copy: Path, market: MarketInput):
    shutil.rmtree(run_copy / "branches")
    (run_copy / "branches").write_text("x", encoding="utf-8")
    with pytest.raises(DragonUserError, match=r"branches: exists and is not a directory"):
        run_daily(market, run_copy, as_of=EVE_SESSION)


def test_cli_refusal_of_a_link_is_exit_2_naming_it(
    run_copy: Path, market_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
):
    shutil.rmtree(run_copy / "branches")
    (run_copy / "branches").symlink_to(outside)
    code = main(["daily", "--data", str(market_path), "--as-of", EVE_SESSION.isoformat(),
                 "--out", str(run_copy)])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {run_copy / 'branches'}: is a symbolic link (to {outside})")
    assert "Traceback" not in err


def test_a_run_directory_may_itself_be_a_link_but_hold_none(
    market: MarketInput, tmp_path: Path, eve_run: DailyRun
):
    real = tmp_path / "disk" / "run"
    real.mkdir(parents=True)
    (tmp_path / "run").symlink_to(real)
    run_daily(market, tmp_path / "run", as_of=EVE_SESSION)
    assert snapshot(real) == snapshot(eve_run.run_dir)
    (real / "refined_control.json").unlink()
    (real / "refined_control.json").symlink_to(real / "divergence.json")
    with pytest.raises(DragonUserError, match=r"refined_control.json: is a symbolic link"):
        run_daily(market, tmp_path / "run", as_of=EVE_SESSION)


# --- confinement: dragon forward ---------------------------------------------------------


@pytest.mark.parametrize("link", ["forward_plan.json", "rollout_decision.json"])
def test_forward_refuses_a_link_at_a_file_it_writes(run_copy: Path, outside: Path, link: str):
    (run_copy / link).symlink_to(outside / "events.csv")
    with pytest.raises(DragonUserError, match=rf"{link}: is a symbolic link"):
        run_forward(run_copy, GovernanceMode.ENFORCE)
    assert (outside / "events.csv").read_text(encoding="utf-8") == "not a run's file\n"
    assert (run_copy / link).is_symlink()
    written = {"forward_plan.json", "rollout_decision.json"} - {link}
    assert not any((run_copy / name).exists() for name in written)  # refused before any write


def test_forward_refuses_to_read_orders_through_a_link(run_copy: Path, outside: Path):
    moved = outside / CANDIDATE
    shutil.move(run_copy / "branches" / CANDIDATE, moved)  # same bytes, so the sha256 matches
    (run_copy / "branches" / CANDIDATE).symlink_to(moved)
    with pytest.raises(DragonUserError, match=rf"{CANDIDATE}: is a symbolic link"):
        run_forward(run_copy, GovernanceMode.OFF)
    assert not (run_copy / "forward_plan.json").exists()


# --- litter ------------------------------------------------------------------------------


def test_a_directory_holding_only_a_marker_temp_file_is_accepted_but_not_with_more(
    market: MarketInput, tmp_path: Path, eve_run: DailyRun
):
    litter = f"{TEMP_PREFIX}.dragon-run.json-k3x9q2ab"
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / litter).write_text('{"as_of": ', "utf-8")
    run_daily(market, run_dir, as_of=EVE_SESSION)
    assert snapshot(run_dir) == snapshot(eve_run.run_dir)

    foreign = tmp_path / "mine"  # litter beside the user's own file: still not a run
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine\n", encoding="utf-8")
    (foreign / litter).write_text("?", encoding="utf-8")
    with pytest.raises(DragonUserError, match="not a Dragon run directory"):
        run_daily(market, foreign, as_of=EVE_SESSION)
    assert sorted(p.name for p in foreign.iterdir()) == [litter, "notes.txt"]


def test_temp_files_of_killed_writes_are_removed_by_the_next_run(
    run_copy: Path, market: MarketInput, eve_run: DailyRun
):
    planted = [
        f"branches/{CANDIDATE}/{TEMP_PREFIX}events.csv-a1b2c3d4",
        f"branches/strict_veto/{TEMP_PREFIX}summary.json-staged",
        f"{TEMP_PREFIX}monitor_health.json-zz99yy88",
        f"{TEMP_PREFIX}daily_manifest.json-staged",
    ]
    for name in planted:
        (run_copy / name).write_text("half a file", encoding="utf-8")
    run_daily(market, run_copy, as_of=EVE_SESSION)
    assert _litter(run_copy) == []
    assert snapshot(run_copy) == snapshot(eve_run.run_dir)


def test_the_sweep_removes_dragon_temp_files_and_nothing_else(run_copy: Path, market: MarketInput):
    (run_copy / f"{TEMP_PREFIX}divergence.json-q1w2e3r4").write_text("half", encoding="utf-8")
    (run_copy / "notes.txt").write_text("mine\n", encoding="utf-8")
    (run_copy / ".events.csv.k3x9q2ab").write_text("not ours to judge\n", encoding="utf-8")
    run_daily(market, run_copy, as_of=EVE_SESSION)
    assert _litter(run_copy) == []
    assert (run_copy / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert (run_copy / ".events.csv.k3x9q2ab").is_file()


_KILL_AT = """
import os, signal, sys
from pathlib import Path
kind, name, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
real_fsync, real_replace = os.fsync, os.replace

def fsync(fd):  # kill -9 with the file's data written, before it is moved into place
    written = os.readlink(f"/proc/self/fd/{fd}").split("/")[-1]
    if kind == "fsync" and written.startswith(".") and name in written:  # its temp file
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

def replace(src, dst):  # kill -9 while the staged files move into place
    if kind == "replace" and Path(dst).name == name and str(src).endswith("-staged"):
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)

os.fsync, os.replace = fsync, replace
from dragon_compat.cli import main
sys.exit(main(argv))
"""


@pytest.mark.parametrize(
    ("kind", "name"),
    [("fsync", ".dragon-run.json"), ("fsync", "equity.csv"), ("replace", "monitor_health.json")],
    ids=["in-the-marker-write", "in-a-branch-write", "while-moving-into-place"],
)
def test_after_a_kill_9_the_next_run_completes_identical_and_clean(
    tmp_path: Path, market_path: Path, eve_run: DailyRun, kind: str, name: str
):
    run_dir = tmp_path / "run"
    argv = ["daily", "--data", str(market_path), "--as-of", EVE_SESSION.isoformat(),
            "--out", str(run_dir)]  # fmt: skip
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_AT, kind, name, *argv],
        env=piped_env(),
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (run_dir / "daily_manifest.json").exists()
    if kind == "fsync":
        assert _litter(run_dir), "the kill left no temp file: the test did not kill mid-write"
    assert main(argv) == 0
    assert _litter(run_dir) == []
    assert snapshot(run_dir) == snapshot(eve_run.run_dir)
