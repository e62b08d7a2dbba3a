"""A full disk, read-only storage, a denied write or an I/O error in ``dragon run``,
``dragon sample`` and ``dragon golden update``: exit 2 with ``error: cannot write PATH:
REASON``, never a traceback, and the previous files intact (all or nothing).

Faults are injected at the system calls (:mod:`tests.faults`); ``dragon sample`` writes
through pyarrow, which makes its own system calls, so there the writer itself fails.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from dragon_compat.cli import main
from dragon_compat.data import write as write_module
from dragon_compat.data.write import write_bars
from dragon_compat.sample import generate_market
from tests.faults import FAULTS, inject, reason

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden" / "rc1"
TEMP_PREFIX = ".dragon-tmp-"


def _files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but Dragon temp files: relative path -> bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(TEMP_PREFIX)
    }


def _assert_cannot_write(capsys: pytest.CaptureFixture[str], root: Path, fault: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    match = re.fullmatch(r"error: cannot write (.+): (.+)\n", err)
    assert match, err
    assert Path(match[1]).resolve().is_relative_to(root.resolve()), err
    assert not Path(match[1]).name.startswith(TEMP_PREFIX), err
    assert match[2] == reason(fault), err
    return match[1]


@pytest.fixture(scope="module")
def small_market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bars = generate_market(30, 40, 7)
    return write_bars(bars, tmp_path_factory.mktemp("market") / "bars.parquet")


# --- dragon run ----------------------------------------------------------------------------


@pytest.mark.parametrize("after", [0, 2, 3], ids=["first", "third", "last"])
@pytest.mark.parametrize("fault", FAULTS)
def test_run_that_cannot_write_exits_2_and_keeps_the_previous_files(
    small_market: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    fault: str,
    after: int,
):
    out = tmp_path / "out"
    argv = ["run", "--data", str(small_market), "--branch", "rc1_baseline", "--out", str(out)]
    assert main(argv) == 0
    for name in ("events.csv", "equity.csv"):  # so a partial rewrite would show
        (out / name).write_text("the previous file\n", encoding="utf-8")
    before = _files(out)
    capsys.readouterr()
    inject(monkeypatch, fault, out, after=after)
    assert main(argv) == 2
    _assert_cannot_write(capsys, out, fault)
    assert _files(out) == before


# --- dragon sample -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
@pytest.mark.parametrize("fault", FAULTS)
def test_sample_that_cannot_write_exits_2_and_keeps_the_previous_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    suffix: str,
):
    out = tmp_path / f"market{suffix}"
    out.write_bytes(b"the previous file\n")
    code = FAULTS[fault]

    def failing_writer(frame, path, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"half a fil")
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(write_module, "_write_parquet", failing_writer)
    monkeypatch.setattr(write_module, "_write_csv", failing_writer)
    argv = ["sample", "--out", str(out), "--symbols", "20", "--sessions", "30"]
    assert main(argv) == 2
    assert _assert_cannot_write(capsys, tmp_path, fault) == str(out)
    assert out.read_bytes() == b"the previous file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temp file left


def test_sample_temp_files_carry_the_dragon_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seen: list[str] = []
    real = write_module._write_parquet

    def observe(frame, path) -> None:  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        real(frame, path)

    monkeypatch.setattr(write_module, "_write_parquet", observe)
    assert main(["sample", "--out", str(tmp_path / "m.parquet"), "--symbols", "20",
                 "--sessions", "30"]) == 0  # fmt: skip
    assert len(seen) == 1
    assert seen[0].startswith(f"{TEMP_PREFIX}m.parquet-")


# --- dragon golden update ------------------------------------------------------------------


@pytest.mark.parametrize("after", [0, 9], ids=["first", "middle"])
@pytest.mark.parametrize("fault", ["ENOSPC", "EROFS"])
def test_golden_update_that_cannot_write_exits_2_and_leaves_golden_as_it_was(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fault: str,
    after: int,
):
    copy = Path(shutil.copytree(GOLDEN, tmp_path / "rc1"))
    (copy / "expected" / "rc1_baseline" / "summary.json").write_text("{}\n", encoding="utf-8")
    before = _files(copy)
    inject(monkeypatch, fault, copy, after=after)
    code = main(["golden", "--golden-dir", str(copy), "update", "--reason", "disk test"])
    assert code == 2
    _assert_cannot_write(capsys, copy, fault)
    assert _files(copy) == before  # no file replaced: golden is all or nothing
