"""Atomic writes: all or nothing, the old mode kept, no temp files left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dragon_governance.atomic_write import write_atomic


def test_a_new_file_gets_the_umask_default(tmp_path: Path):
    path = tmp_path / "f.json"
    write_atomic(path, b"data")
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.read_bytes() == b"data"
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path: Path):
    path = tmp_path / "f.json"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new")
    assert (path.read_bytes(), stat.S_IMODE(path.stat().st_mode)) == (b"new", 0o640)


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    path = tmp_path / "f.json"
    path.write_bytes(b"old")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json"]
