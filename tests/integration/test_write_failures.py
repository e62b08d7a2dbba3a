"""A full disk, read-only storage, a denied write or an I/O error while a pipeline writes:
exit 2 with ``error: cannot write PATH: REASON``, never a traceback, and the previous
state of the run directory intact.

The faults are injected at the system calls (:mod:`tests.faults`: no mount needed);
each command runs in-process through ``dragon_compat.cli.main``. ``after`` picks which
write fails: the first, one in the middle, or the last.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dragon_compat.cli import main
from dragon_compat.pipelines.daily import DailyRun
from dragon_compat.pipelines.forward import GovernanceMode, run_forward
from tests.faults import FAULTS, inject, reason
from tests.integration.builders import EVE_SESSION, Snapshot, snapshot

TEMP_PREFIX = ".dragon-tmp-"
DAILY_WRITES = 1 + 4 * 4 + 4 + 1
"""Files a daily run writes: the marker, four branches × four files, the monitor's four,
the manifest."""


def _without_litter(files: Snapshot) -> Snapshot:
    return {p: data for p, data in files.items() if not Path(p).name.startswith(TEMP_PREFIX)}


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "internal error" not in captured.err
    return captured.err


def _assert_cannot_write(err: str, root: Path, fault: str) -> None:
    """One line ``error: cannot write <a path under root>: <the errno's words>``."""
    match = re.fullmatch(r"error: cannot write (.+): (.+)\n", err)
    assert match, err
    assert Path(match[1]).resolve().is_relative_to(root.resolve()), err
    assert not Path(match[1]).name.startswith(TEMP_PREFIX), err  # the target, not a temp
    assert match[2] == reason(fault), err


def _daily(market_path: Path, run_dir: Path) -> int:
    return main(
        ["daily", "--data", str(market_path), "--as-of", EVE_SESSION.isoformat(),
         "--out", str(run_dir)]
    )  # fmt: skip


# --- dragon daily ------------------------------------------------------------------------


@pytest.mark.parametrize("after", [0, 7, DAILY_WRITES - 1], ids=["marker", "branch", "manifest"])
@pytest.mark.parametrize("fault", FAULTS)
def test_daily_that_cannot_write_exits_2_and_keeps_the_previous_run(
    run_copy: Path,
    market_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    fault: str,
    after: int,
):
    run_forward(run_copy, GovernanceMode.OFF)  # a plan too: it must survive
    before = snapshot(run_copy)
    capsys.readouterr()
    inject(monkeypatch, fault, run_copy, after=after)
    assert _daily(market_path, run_copy) == 2
    _assert_cannot_write(_error_line(capsys), run_copy, fault)
    assert _without_litter(snapshot(run_copy)) == before  # manifest and plan included


@pytest.mark.parametrize("fault", FAULTS)
def test_daily_into_a_new_directory_that_cannot_be_written_leaves_no_manifest(
    tmp_path: Path,
    market_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    run_dir = tmp_path / "run"
    inject(monkeypatch, fault, tmp_path, after=3)
    assert _daily(market_path, run_dir) == 2
    _assert_cannot_write(_error_line(capsys), tmp_path, fault)
    assert not (run_dir / "daily_manifest.json").exists()


@pytest.mark.parametrize("fault", ["ENOSPC", "EROFS"])
def test_once_the_storage_is_writable_again_the_run_completes_without_litter(
    tmp_path: Path,
    market_path: Path,
    eve_run: DailyRun,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    fault: str,
):
    run_dir = tmp_path / "run"
    with monkeypatch.context() as patch:
        inject(patch, fault, tmp_path, after=9)
        assert _daily(market_path, run_dir) == 2
    assert _daily(market_path, run_dir) == 0
    assert snapshot(run_dir) == snapshot(eve_run.run_dir)


# --- dragon forward ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["off", "enforce"])
@pytest.mark.parametrize("fault", FAULTS)
def test_forward_that_cannot_write_exits_2_and_keeps_the_previous_plan(
    run_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    mode: str,
):
    run_forward(run_copy, GovernanceMode.ENFORCE)  # a previous decision and plan
    before = snapshot(run_copy)
    capsys.readouterr()
    inject(monkeypatch, fault, run_copy)  # enforce: the decision fails; off: the plan
    assert main(["forward", str(run_copy), "--governance", mode]) == 2
    _assert_cannot_write(_error_line(capsys), run_copy, fault)
    assert snapshot(run_copy) == before


@pytest.mark.parametrize("fault", FAULTS)
def test_forward_whose_plan_cannot_be_written_keeps_the_previous_plan(
    run_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    run_forward(run_copy, GovernanceMode.OFF)
    plan = (run_copy / "forward_plan.json").read_bytes()
    capsys.readouterr()
    inject(monkeypatch, fault, run_copy, after=1)  # the decision is written, the plan not
    assert main(["forward", str(run_copy), "--governance", "enforce"]) == 2
    err = _error_line(capsys)
    _assert_cannot_write(err, run_copy, fault)
    assert "forward_plan.json" in err
    assert (run_copy / "forward_plan.json").read_bytes() == plan


# --- dragon report and dragon demo -------------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
def test_report_that_cannot_be_written_exits_2_and_keeps_the_previous_page(
    run_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    pages = tmp_path / "pages"
    pages.mkdir()
    page = pages / "report.html"
    page.write_text("<html>the previous page</html>\n", encoding="utf-8")
    inject(monkeypatch, fault, pages)
    assert main(["report", str(run_copy), "--out", str(page)]) == 2
    _assert_cannot_write(_error_line(capsys), pages, fault)
    assert page.read_text(encoding="utf-8") == "<html>the previous page</html>\n"
    assert sorted(p.name for p in pages.iterdir()) == ["report.html"]


@pytest.mark.parametrize("fault", FAULTS)
def test_demo_that_cannot_write_exits_2(
    tmp_path: Path,
    market_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
):
    out = tmp_path / "demo"
    inject(monkeypatch, fault, tmp_path, after=2)
    code = main(["demo", "--data", str(market_path), "--as-of", EVE_SESSION.isoformat(),
                 "--out", str(out)])  # fmt: skip
    assert code == 2
    _assert_cannot_write(_error_line(capsys), tmp_path, fault)
    assert not list(out.rglob("daily_manifest.json"))


def test_demo_whose_earlier_run_cannot_be_removed_exits_2(
    tmp_path: Path,
    eve_run: DailyRun,
    market_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    earlier = tmp_path / "demo" / f"run-{EVE_SESSION.isoformat()}"
    shutil.copytree(eve_run.run_dir, earlier)
    before = snapshot(earlier)
    inject(monkeypatch, "EROFS", tmp_path)
    code = main(["demo", "--data", str(market_path), "--as-of", EVE_SESSION.isoformat(),
                 "--out", str(tmp_path / "demo")])  # fmt: skip
    assert code == 2
    assert _error_line(capsys).startswith(f"error: cannot write {earlier}")
    assert snapshot(earlier) == before
