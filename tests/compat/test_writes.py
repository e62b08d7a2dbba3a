"""How compat writes files (:mod:`dragon_compat.writes`) and what it refuses to write
through (:mod:`dragon_compat.confine`): staged all-or-nothing writes, the one I/O error
message, Dragon temp files and their sweep, symbolic links and special files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dragon_compat.confine import check_run_paths
from dragon_compat.errors import DragonUserError
from dragon_compat.writes import (
    TEMP_PREFIX,
    StagedFiles,
    make_dirs,
    sweep_temp_files,
    write_file,
)
from tests.faults import inject


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- staged writes -----------------------------------------------------------------------


def test_staged_files_replace_nothing_before_the_commit(tmp_path: Path):
    (tmp_path / "a.csv").write_text("old a\n", encoding="utf-8")
    with StagedFiles() as staged:
        staged.stage(tmp_path / "a.csv", "new a\n")
        staged.stage(tmp_path / "b.json", "new b\n")
        assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old a\n"
        assert not (tmp_path / "b.json").exists()
        staged.commit()
    assert _tree(tmp_path) == {"a.csv": b"new a\n", "b.json": b"new b\n"}


def test_leaving_without_a_commit_keeps_every_target_and_leaves_no_temp_file(tmp_path: Path):
    (tmp_path / "a.csv").write_text("old a\n", encoding="utf-8")
    with pytest.raises(KeyError), StagedFiles() as staged:
        staged.stage(tmp_path / "a.csv", "new a\n")
        staged.stage(tmp_path / "b.json", "new b\n")
        raise KeyError("a failure after staging")
    assert _tree(tmp_path) == {"a.csv": b"old a\n"}


def test_the_commit_moves_files_in_staging_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    moved: list[str] = []
    real = os.replace

    def replace(src, dst) -> None:  # type: ignore[no-untyped-def]
        if str(src).endswith("-staged"):
            moved.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with StagedFiles() as staged:
        for name in ("z.csv", "a.csv", "manifest.json"):
            staged.stage(tmp_path / name, name)
        staged.commit()
    assert moved == ["z.csv", "a.csv", "manifest.json"]


def test_a_stage_that_cannot_be_written_names_the_target_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "a.csv").write_text("old a\n", encoding="utf-8")
    inject(monkeypatch, "ENOSPC", tmp_path, after=1)
    with pytest.raises(DragonUserError) as caught, StagedFiles() as staged:
        staged.stage(tmp_path / "b.csv", "new b\n")
        staged.stage(tmp_path / "a.csv", "new a\n")
    assert str(caught.value) == f"cannot write {tmp_path / 'a.csv'}: No space left on device"
    assert _tree(tmp_path) == {"a.csv": b"old a\n"}


# --- single files and directories ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "words"),
    [("ENOSPC", "No space left on device"), ("EROFS", "Read-only file system"),
     ("EACCES", "Permission denied"), ("EIO", "Input/output error")],
)  # fmt: skip
def test_a_failed_write_is_cannot_write_path_reason_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, words: str
):
    target = tmp_path / "plan.json"
    target.write_text("old\n", encoding="utf-8")
    inject(monkeypatch, fault, tmp_path)
    with pytest.raises(DragonUserError) as caught:
        write_file(target, "new\n")
    assert str(caught.value) == f"cannot write {target}: {words}"
    assert caught.value.exit_code == 2
    assert target.read_text(encoding="utf-8") == "old\n"


def test_make_dirs_where_a_file_is_is_a_user_error(tmp_path: Path):
    (tmp_path / "branches").write_text("x", encoding="utf-8")
    with pytest.raises(DragonUserError, match=r"branches: exists and is not a directory"):
        make_dirs(tmp_path / "branches")


def test_make_dirs_on_read_only_storage_is_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    inject(monkeypatch, "EROFS", tmp_path)
    with pytest.raises(DragonUserError, match=r"^cannot write .*/new/deeper: Read-only file sys"):
        make_dirs(tmp_path / "new" / "deeper")


# --- temp files and their sweep ------------------------------------------------------------


def test_the_sweep_removes_dragon_temp_files_at_any_depth_and_nothing_else(tmp_path: Path):
    (tmp_path / "branches" / "a").mkdir(parents=True)
    (tmp_path / f"{TEMP_PREFIX}daily_manifest.json-staged").write_text("x", "utf-8")
    (tmp_path / "branches" / "a" / f"{TEMP_PREFIX}events.csv-ab12cd34").write_text("x", "utf-8")
    (tmp_path / "branches" / "a" / "events.csv").write_text("kept", "utf-8")
    (tmp_path / ".events.csv.ab12cd34").write_text("kept", "utf-8")  # not Dragon's prefix
    (tmp_path / f"{TEMP_PREFIX}a-directory").mkdir()  # a directory is never litter
    removed = sweep_temp_files(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in removed] == [
        f"{TEMP_PREFIX}daily_manifest.json-staged",
        f"branches/a/{TEMP_PREFIX}events.csv-ab12cd34",
    ]
    assert sorted(_tree(tmp_path)) == [".events.csv.ab12cd34", "branches/a/events.csv"]
    assert (tmp_path / f"{TEMP_PREFIX}a-directory").is_dir()


def test_the_sweep_does_not_follow_a_link_out_of_the_directory(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"{TEMP_PREFIX}theirs-12345678").write_text("not ours", "utf-8")
    run = tmp_path / "run"
    run.mkdir()
    (run / "elsewhere").symlink_to(outside)
    assert sweep_temp_files(run) == ()
    assert (outside / f"{TEMP_PREFIX}theirs-12345678").is_file()


# --- confinement -------------------------------------------------------------------------


def test_paths_that_do_not_exist_yet_are_fine(tmp_path: Path):
    check_run_paths(tmp_path / "run", ["branches/a/events.csv", "daily_manifest.json"])


def test_a_link_anywhere_on_the_way_is_refused_naming_it(tmp_path: Path):
    (tmp_path / "run" / "branches").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "run" / "branches" / "a").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(DragonUserError) as caught:
        check_run_paths(tmp_path / "run", ["daily_manifest.json", "branches/a/events.csv"])
    assert str(caught.value).startswith(
        f"{tmp_path / 'run' / 'branches' / 'a'}: is a symbolic link (to {tmp_path / 'elsewhere'})"
    )


def test_a_dangling_link_is_refused_too(tmp_path: Path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "forward_plan.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(DragonUserError, match=r"forward_plan.json: is a symbolic link"):
        check_run_paths(tmp_path / "run", ["forward_plan.json"])


def test_the_run_directory_itself_may_be_a_link(tmp_path: Path):
    (tmp_path / "disk" / "branches").mkdir(parents=True)
    (tmp_path / "run").symlink_to(tmp_path / "disk")
    check_run_paths(tmp_path / "run", ["branches/a/events.csv"])


def test_a_special_file_where_a_file_is_written_is_refused(tmp_path: Path):
    os.mkfifo(tmp_path / "monitor_health.json")
    with pytest.raises(DragonUserError, match=r"monitor_health.json: exists and is not a regular"):
        check_run_paths(tmp_path, ["monitor_health.json"])
